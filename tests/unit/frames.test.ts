import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A hand-driven animation clock: `frame()` runs the callbacks asked for before it. */
function fakeFrames() {
  let queued: (() => void)[] = [];
  vi.stubGlobal('requestAnimationFrame', (cb: () => void) => {
    queued.push(cb);
    return queued.length;
  });
  vi.stubGlobal('cancelAnimationFrame', () => {});
  return {
    frame(): void {
      const now = queued;
      queued = [];
      for (const cb of now) cb();
    },
  };
}

describe('inOwnFrame: heavy work, one piece per animation frame', () => {
  let clock: ReturnType<typeof fakeFrames>;
  let inOwnFrame: typeof import('../../src/ui/runs/frames.ts').inOwnFrame;
  beforeEach(async () => {
    clock = fakeFrames();
    vi.resetModules();
    ({ inOwnFrame } = await import('../../src/ui/runs/frames.ts'));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('leaves the first frame to the page, then runs the pieces in order, one a frame', () => {
    const ran: string[] = [];
    inOwnFrame(() => ran.push('a'));
    inOwnFrame(() => ran.push('b'));
    inOwnFrame(() => ran.push('c'));
    clock.frame();
    expect(ran).toEqual([]);
    clock.frame();
    expect(ran).toEqual(['a']);
    clock.frame();
    expect(ran).toEqual(['a', 'b']);
    clock.frame();
    clock.frame();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('a cancelled piece never runs; a flushed one runs now, once', () => {
    const ran: string[] = [];
    const a = inOwnFrame(() => ran.push('a'));
    const b = inOwnFrame(() => ran.push('b'));
    inOwnFrame(() => ran.push('c'));
    a.cancel();
    b.flush();
    expect(ran).toEqual(['b']);
    for (let i = 0; i < 5; i++) clock.frame();
    expect(ran).toEqual(['b', 'c']);
    b.flush();
    expect(ran).toEqual(['b', 'c']);
  });

  it('a piece that throws does not stop the ones after it', () => {
    const ran: string[] = [];
    inOwnFrame(() => {
      throw new Error('broken figure');
    });
    inOwnFrame(() => ran.push('after'));
    clock.frame();
    expect(() => clock.frame()).toThrow('broken figure');
    clock.frame();
    expect(ran).toEqual(['after']);
  });
});
