/**
 * The WebAssembly SIMD128 ceiling for `npm run bench`: assembly/experiments/ceiling.ts (register-
 * only f32x4 multiply-then-add, twelve independent chains) compiled with the kernels' flags and
 * timed here, so that the conv tasks' GFLOP/s can be set against it in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** the flags of scripts/build-wasm.mjs, so the ceiling is the same compiler's */
const FLAGS = ['--enable', 'simd', '-O3', '--noAssert', '--runtime', 'stub'];
const FLOPS_PER_ITERATION = 96;

let peak: ((iterations: number, seed: number) => number) | undefined;

function compile(): (iterations: number, seed: number) => number {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'resnet-lab-ceiling-'));
  try {
    const out = join(dir, 'ceiling.wasm');
    execFileSync(process.execPath, [
      join(root, 'node_modules/assemblyscript/bin/asc.js'),
      join(root, 'assembly/experiments/ceiling.ts'),
      ...FLAGS,
      '-o',
      out,
    ]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), {});
    return instance.exports.peak as (iterations: number, seed: number) => number;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * GFLOP/s of register-only SIMD128 arithmetic on this core now: the median over `rounds` chunks
 * of ≈ 20 ms each (CPU time, which a neighbour on the other core inflates less than wall time).
 */
export function simdCeiling(rounds = 15): { gflops: number; wallGflops: number } {
  peak ??= compile();
  const iterations = 2_000_000;
  for (let i = 0; i < 3; i++) peak(iterations, 0.5); // let V8's optimising tier take over
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    peak(iterations, 0.5 + r * 1e-3);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    wall.push(ms);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
  const flops = iterations * FLOPS_PER_ITERATION;
  return { gflops: flops / (median(cpu) * 1e6), wallGflops: flops / (median(wall) * 1e6) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const c = simdCeiling();
  process.stdout.write(
    `SIMD128 f32x4 mul+add ceiling: ${c.gflops.toFixed(1)} GFLOP/s (CPU time), ${c.wallGflops.toFixed(1)} (wall)\n`,
  );
}
