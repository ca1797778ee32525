/**
 * The WebAssembly SIMD128 ceiling that `npm run bench` prints beside the conv tasks: register-only
 * f32x4 multiply-then-add (no FMA, as the kernels), twelve independent accumulators so that the
 * adds' latency is hidden, no loads or stores in the loop. Compiled by bench/ceiling.ts with the
 * flags of scripts/build-wasm.mjs. Each chain is a = a·k + y (so nothing can be hoisted out of
 * the loop): 96 FLOPs per iteration.
 */
export function peak(iterations: i32, seed: f32): f32 {
  const y = f32x4.splat(seed);
  const k = f32x4.splat(0.999);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  let a8 = f32x4.splat(9), a9 = f32x4.splat(10), a10 = f32x4.splat(11), a11 = f32x4.splat(12);
  for (let i = 0; i < iterations; i++) {
    a0 = f32x4.add(f32x4.mul(a0, k), y);
    a1 = f32x4.add(f32x4.mul(a1, k), y);
    a2 = f32x4.add(f32x4.mul(a2, k), y);
    a3 = f32x4.add(f32x4.mul(a3, k), y);
    a4 = f32x4.add(f32x4.mul(a4, k), y);
    a5 = f32x4.add(f32x4.mul(a5, k), y);
    a6 = f32x4.add(f32x4.mul(a6, k), y);
    a7 = f32x4.add(f32x4.mul(a7, k), y);
    a8 = f32x4.add(f32x4.mul(a8, k), y);
    a9 = f32x4.add(f32x4.mul(a9, k), y);
    a10 = f32x4.add(f32x4.mul(a10, k), y);
    a11 = f32x4.add(f32x4.mul(a11, k), y);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)),
    f32x4.add(f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 3);
}

