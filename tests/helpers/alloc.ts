/**
 * Counts typed-array allocations while a function runs: constructions of the typed-array
 * constructors and ArrayBuffer (including Float32Array.from etc., which construct through the
 * global), and calls of the view/copy methods subarray, slice, map and filter.
 *
 * The engine refers to these constructors through the global object at call time, so replacing
 * the globals with counting proxies sees its allocations; the originals are restored afterwards.
 */
import { vi } from 'vitest';

const TYPED = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint8Array', 'ArrayBuffer'] as const;
const METHODS = ['subarray', 'slice', 'map', 'filter'] as const;

export function countAllocations(fn: () => void): number {
  let count = 0;
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = TYPED.map((name) => g[name]);
  for (const name of TYPED) {
    g[name] = new Proxy(g[name] as object, {
      construct(target, args, newTarget) {
        count++;
        return Reflect.construct(target as new (...a: unknown[]) => object, args, newTarget);
      },
    });
  }
  const proto = Object.getPrototypeOf(Int8Array.prototype) as Record<
    (typeof METHODS)[number],
    (...a: unknown[]) => unknown
  >;
  const spies = METHODS.map((m) => vi.spyOn(proto, m));
  try {
    fn();
  } finally {
    TYPED.forEach((name, i) => (g[name] = saved[i]));
    for (const s of spies) {
      count += s.mock.calls.length;
      s.mockRestore();
    }
  }
  return count;
}
