/**
 * `npx tsx bench/conv-gemm.ts`: the wasm GEMMs on the shapes a convolution gives them in the C20 /
 * C56 tasks (batch 32, 14×14 digits, 8/16/32 channels), against the SIMD128 ceiling measured in
 * the same run. Forward Y = cols·W is gemmNN (m = batch·ho·wo rows, n = cout, k = kh·kw·cin),
 * the weight gradient dW = colsᵀ·dY gemmTN, the columns' gradient dcols = dY·Wᵀ gemmNT. A
 * benchmark, never a test; GFLOP/s from CPU time, median of 15 chunks of ≈ 10 ms.
 */
import { loadavg } from 'node:os';
import { createWasmKernels } from '../src/engine/wasm.ts';
import { simdCeiling } from './ceiling.ts';

export interface ConvGemmShape {
  label: string;
  m: number;
  n: number;
  k: number;
}

/** The distinct conv GEMMs of C20/C56, with how many of each a C56 forward has. */
export const CONV_GEMMS: readonly (ConvGemmShape & { inC56: number })[] = [
  // not a conv: a shape whose operands sit in L1 (16 + 8 KB), the 4×8 tile's own speed
  { label: 'in-L1 reference (not a conv)', m: 64, n: 32, k: 64, inC56: 0 },
  { label: 'stem 3×3, 1→8, 14×14', m: 32 * 196, n: 8, k: 9, inC56: 1 },
  { label: 'stage 1 3×3, 8→8, 14×14', m: 32 * 196, n: 8, k: 72, inC56: 18 },
  { label: 'stage 2 first 3×3/2, 8→16, 7×7', m: 32 * 49, n: 16, k: 72, inC56: 1 },
  { label: 'stage 2 3×3, 16→16, 7×7', m: 32 * 49, n: 16, k: 144, inC56: 17 },
  { label: 'stage 3 first 3×3/2, 16→32, 4×4', m: 32 * 16, n: 32, k: 144, inC56: 1 },
  { label: 'stage 3 3×3, 32→32, 4×4', m: 32 * 16, n: 32, k: 288, inC56: 17 },
];

type Kind = 'NN' | 'TN' | 'NT';

export function measureConvGemms(rounds = 15) {
  const k = createWasmKernels();
  const floats = 6 << 20;
  const scratchFloats = 288 * 32;
  const { buffer, base } = k.allocate(4 * floats, 4 * scratchFloats);
  const mem = new Float32Array(buffer, base, floats);
  for (let i = 0; i < floats; i++) mem[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const A = 0;
  const B = 2 << 20;
  const C = 4 << 20;
  const rows: { shape: ConvGemmShape; kind: Kind; gflops: number }[] = [];
  for (const shape of CONV_GEMMS) {
    const { m, n, k: depth } = shape;
    const calls: Record<Kind, () => void> = {
      // Y[m×n] = cols[m×k]·W[k×n]
      NN: () => k.gemmNN(m, n, depth, mem, A, depth, mem, B, n, mem, C, n, false),
      // dW[k×n] = cols[m×k]ᵀ·dY[m×n]
      TN: () => k.gemmTN(m, n, depth, mem, A, depth, mem, B, n, mem, C, n, false),
      // dcols[m×k] = dY[m×n]·W[k×n]ᵀ
      NT: () => k.gemmNT(m, n, depth, mem, A, n, mem, B, n, mem, C, depth, false),
    };
    for (const kind of ['NN', 'TN', 'NT'] as const) {
      const fn = calls[kind];
      for (let i = 0; i < 20; i++) fn();
      const us: number[] = [];
      for (let r = 0; r < rounds; r++) {
        let iters = 0;
        let used = 0;
        const c0 = process.cpuUsage();
        while (used < 10000) {
          fn();
          iters++;
          const c = process.cpuUsage(c0);
          used = c.user + c.system;
        }
        us.push(used / iters);
      }
      const median = [...us].sort((a, b) => a - b)[us.length >> 1]!;
      rows.push({ shape, kind, gflops: (2 * m * n * depth) / (median * 1e3) });
    }
  }
  return rows;
}

if (process.argv[1]?.endsWith('conv-gemm.ts')) {
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  const before = load();
  const ceiling = simdCeiling();
  const rows = measureConvGemms();
  const out = [
    `load average ${before} before, ${load()} after; SIMD128 ceiling (register-only f32x4 mul+add) ${ceiling.gflops.toFixed(1)} GFLOP/s`,
    '',
    '| conv | m × n × k | gemmNN (forward) | gemmTN (dW) | gemmNT (dcols) |',
    '|---|---|---|---|---|',
  ];
  for (const shape of CONV_GEMMS) {
    const g = (kind: Kind) =>
      rows.find((r) => r.shape === shape && r.kind === kind)!.gflops.toFixed(1);
    out.push(
      `| ${shape.label} | ${shape.m} × ${shape.n} × ${shape.k} | ${g('NN')} | ${g('TN')} | ${g('NT')} |`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
