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

/** CPU microseconds per call of `fn`, over a ~10 ms chunk. */
function chunk(fn) {
  let iters = 0;
  let used = 0;
  const c0 = process.cpuUsage();
  while (used < 10000) {
    fn();
    iters++;
    const c = process.cpuUsage(c0);
    used = c.user + c.system;
  }
  return used / iters;
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const shapes = [
  [16, 16, 16],
  [32, 32, 32],
  [64, 16, 16],
  [64, 32, 32],
  [48, 48, 48],
  [256, 128, 128],
];
const fl = (r, c, d, tr, tc) => 2 * (r - (r % tr)) * (c - (c % tc)) * d;
const REPS = 25;
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(
      ' ',
    )}; GFLOP/s from CPU time: the variants of a row run in turn, ${REPS} rounds of ~10 ms each, median`,
);
console.log(
  '| rows×cols×depth | NN 4×8 (scalar load + splat) | NN 4×8 (load32_splat) | NN 4×4 | NN 6×8 | NN 4×12 | NT dot 2×4 | NT scalar transpose + 4×8 | NT SIMD transpose + 4×8 |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [r, c, d] of shapes) {
  const variants = [
    ['nn4x8Scalar', 4, 8, () => ex.nn4x8Scalar(r, c, d, A, B, C)],
    ['nn4x8', 4, 8, () => ex.nn4x8(r, c, d, A, B, C)],
    ['nn4x4', 4, 4, () => ex.nn4x4(r, c, d, A, B, C)],
    ['nn6x8', 6, 8, () => ex.nn6x8(r, c, d, A, B, C)],
    ['nn4x12', 4, 12, () => ex.nn4x12(r, c, d, A, B, C)],
    // NT with m = r rows, k = c outputs, n = d the reduction
    ['ntDot2x4', 2, 4, () => ex.ntDot2x4(r, d, c, A, B, C)],
    ['ntTransposed', 4, 8, () => ex.ntTransposed(r, d, c, A, B, C, S)],
    ['ntTransposedSimd', 4, 8, () => ex.ntTransposedSimd(r, d, c, A, B, C, S)],
  ];
  const times = variants.map(() => []);
  for (let rep = 0; rep < REPS; rep++) variants.forEach((v, i) => times[i].push(chunk(v[3])));
  const row = variants.map(([, tr, tc], i) =>
    (fl(r, c, d, tr, tc) / (median(times[i]) * 1e3)).toFixed(1),
  );
  console.log(`| ${r}×${c}×${d} | ${row.join(' | ')} |`);
}
