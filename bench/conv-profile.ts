/**
 * `npx tsx bench/conv-profile.ts [C20|C56] [plain|resnet] [wasm|ts]`: where a conv task's step
 * goes, op kind by op kind (convolutions by map size and stride), on this engine. Each op's
 * forward and backward is wrapped with a timer — the timers cost a little, so the total is a
 * touch above the bench's. A benchmark, never a test.
 */
import { loadavg } from 'node:os';
import type { KernelPath } from '../src/engine/backend.ts';
import type { Op } from '../src/engine/ops.ts';
import { engineTask, TASKS, type TaskArch } from './tasks.ts';

const [name = 'C56', arch = 'resnet', kernels = 'wasm'] = process.argv.slice(2);
const task = TASKS.find((t) => t.name === name && t.family === 'conv');
if (!task) throw new Error(`expected C20 or C56, got ${name}`);
const t = engineTask(task, arch as TaskArch, kernels as KernelPath);
const totals = new Map<string, number>();
let profiling = false;

function label(op: Op): string {
  if (op.kind !== 'conv') return op.kind;
  const a = op.attributes();
  const [h] = op.outputs[0]!.shape;
  return `conv ${a.kernel}×${a.kernel}/${a.stride} → ${h}×${h}`;
}

for (const op of t.model.nodes) {
  const key = label(op);
  const forward = op.forward.bind(op);
  const backward = op.backward.bind(op);
  const add = (k: string, t0: number) => {
    if (profiling) totals.set(k, (totals.get(k) ?? 0) + performance.now() - t0);
  };
  op.forward = (n: number, training: boolean) => {
    const t0 = performance.now();
    forward(n, training);
    add(`${key} forward`, t0);
  };
  op.backward = (n: number) => {
    const t0 = performance.now();
    backward(n);
    add(`${key} backward`, t0);
  };
}

for (let i = 0; i < 10; i++) t.step();
profiling = true;
const steps = kernels === 'ts' ? 5 : 30;
const t0 = performance.now();
for (let i = 0; i < steps; i++) t.step();
const total = (performance.now() - t0) / steps;
let accounted = 0;
const lines = [
  `${name} ${arch}, ${kernels} kernels: ${total.toFixed(2)} ms a step (mean of ${steps}), load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
];
for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1])) {
  accounted += v / steps;
  lines.push(`  ${k.padEnd(30)} ${(v / steps).toFixed(2)} ms`);
}
lines.push(`  ${'loss, optimizer, the rest'.padEnd(30)} ${(total - accounted).toFixed(2)} ms`);
process.stdout.write(`${lines.join('\n')}\n`);
