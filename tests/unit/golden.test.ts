import { describe, expect, it } from 'vitest';
import { GOLDEN_CONFIGS, goldenRecord, readGolden } from '../helpers/golden.ts';

describe('golden run records (written before the platform redesign)', () => {
  it.each(Object.keys(GOLDEN_CONFIGS))('%s is byte-identical', (name) => {
    const fresh = goldenRecord(GOLDEN_CONFIGS[name]!);
    const stored = readGolden(name);
    // compare the text, byte for byte; on a difference show where it starts
    if (fresh !== stored) {
      let i = 0;
      while (i < fresh.length && fresh[i] === stored[i]) i++;
      expect(fresh.slice(Math.max(0, i - 200), i + 200)).toBe(
        stored.slice(Math.max(0, i - 200), i + 200),
      );
    }
    expect(fresh === stored).toBe(true);
  });
});
