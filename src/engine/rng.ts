/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna 2018), 32-bit state words,
 * seeded through splitmix32 so that nearby seeds give unrelated streams.
 *
 * Only integer arithmetic (Math.imul, shifts) and IEEE-exact operations are used for the
 * uniform stream, and the normal stream uses Box–Muller with the engine's own deterministic
 * log/sin/cos (./math.ts) and Math.sqrt (correctly rounded by IEEE 754) — so a seed gives
 * bit-identical numbers in Node and in the browser.
 */
import { cos, log, sin } from './math.ts';

/** splitmix32: a tiny mixer used only to expand one seed into four state words. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a string: turns a stream name into a 32-bit salt. */
function hashString(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Second Box–Muller value, kept for the next call. */
  private spare = 0;
  private hasSpare = false;

  /**
   * @param seed any integer (taken modulo 2³²)
   * @param stream optional name: `new Rng(seed, 'init')` and `new Rng(seed, 'data')` are
   *   independent streams of one seed, so changing how weights are drawn never changes the data.
   */
  constructor(seed: number, stream = '') {
    const st = { s: (seed >>> 0) ^ hashString(stream) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // the all-zero state is a fixed point
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform(); // log(0) would be -Infinity
    const v = this.uniform();
    const r = Math.sqrt(-2 * log(u));
    const theta = 2 * Math.PI * v;
    this.spare = r * sin(theta);
    this.hasSpare = true;
    return r * cos(theta);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle(a: Int32Array | number[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
