#!/usr/bin/env node
/**
 * Register-tile measurements for docs/performance.md: compiles assembly/experiments/tiles.ts with the flags of
 * scripts/build-wasm.mjs and reports the median GFLOP/s of each variant on the reference shapes.
 * `node bench/wasm-tiles.mjs` (a benchmark, not a test; note the machine's load).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'tiles-')), 'tiles.wasm');
execFileSync(process.execPath, [
  join(here, '../node_modules/assemblyscript/bin/asc.js'),
  join(here, '../assembly/experiments/tiles.ts'),
  ...['--enable', 'simd', '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '-o', out],
]);
const memory = new WebAssembly.Memory({ initial: 256 });
const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), {
  env: { memory },
}).exports;
const f32 = new Float32Array(memory.buffer);
for (let i = 0; i < f32.length; i++) f32[i] = ((i * 7919) % 1000) / 1000 - 0.5;
const A = 1 << 20,
  B = 4 << 20,
  C = 8 << 20,
  S = 12 << 20;

function cpuMedian(fn, flops) {
  const per = [];
  for (let rep = 0; rep < 15; rep++) {
    let iters = 0;
    const c0 = process.cpuUsage();
    let used = 0;
    while (used < 20000) {
      fn();
      iters++;
      const c = process.cpuUsage(c0);
      used = c.user + c.system;
    }
    per.push(used / iters);
  }
  per.sort((a, b) => a - b);
  return flops / (per[7] * 1e3); // GFLOP/s
}
const shapes = [
  [16, 16, 16],
  [32, 32, 32],
  [64, 16, 16],
  [64, 32, 32],
  [48, 48, 48],
  [256, 128, 128],
];
const fl = (r, c, d, tr, tc) => 2 * (r - (r % tr)) * (c - (c % tc)) * d;
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; GFLOP/s from CPU time, median of 15`,
);
console.log(
  '| rows×cols×depth | NN 4×8 (scalar load + splat) | NN 4×8 (load32_splat) | NN 4×4 | NN 6×8 | NN 4×12 | NT dot 2×4 | NT scalar transpose + 4×8 | NT SIMD transpose + 4×8 |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [r, c, d] of shapes) {
  const g = (name, tr, tc, f = () => ex[name](r, c, d, A, B, C)) =>
    cpuMedian(f, fl(r, c, d, tr, tc)).toFixed(1);
  const row = [
    `${r}×${c}×${d}`,
    g('nn4x8Scalar', 4, 8),
    g('nn4x8', 4, 8),
    g('nn4x4', 4, 4),
    g('nn6x8', 6, 8),
    g('nn4x12', 4, 12),
    // NT with m = r, k = c (outputs), n = d (reduction)
    g('ntDot2x4', 2, 4, () => ex.ntDot2x4(r, d, c, A, B, C)),
    g('ntTransposed', 4, 8, () => ex.ntTransposed(r, d, c, A, B, C, S)),
    g('ntTransposedSimd', 4, 8, () => ex.ntTransposedSimd(r, d, c, A, B, C, S)),
  ];
  console.log(`| ${row.join(' | ')} |`);
}
