/**
 * Runs a callback in the next animation frame, at most once per frame, and — with a minimum
 * interval — no sooner than that after the previous run (the page's redraws stay cheap).
 */
export class FrameScheduler {
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | 0 = 0;
  private last = -Infinity;

  constructor(
    private readonly callback: () => void,
    private readonly minIntervalMs = 0,
  ) {}

  request(): void {
    if (this.frame || this.timer) return;
    const wait = this.last + this.minIntervalMs - performance.now();
    const inFrame = () =>
      (this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.last = performance.now();
        this.callback();
      }));
    if (wait <= 0) inFrame();
    else
      this.timer = setTimeout(() => {
        this.timer = 0;
        inFrame();
      }, wait);
  }

  cancel(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.timer) clearTimeout(this.timer);
    this.frame = 0;
    this.timer = 0;
  }
}

/** A queued piece of work (`inOwnFrame`): cancel it, or run it now if it has not run yet. */
export interface FrameWork {
  cancel(): void;
  flush(): void;
}

const heavy: (() => void)[] = [];
let heavyFrame = 0;

function nextHeavy(): void {
  heavyFrame = 0;
  const run = heavy.shift();
  try {
    run?.();
  } finally {
    if (heavy.length) heavyFrame = requestAnimationFrame(nextHeavy);
  }
}

/**
 * Runs `run` in an animation frame of its own: work too heavy to share one (a contour map, the
 * first drawing of the 3-D surfaces) waits in one queue and runs one piece per frame, in order,
 * so that figures that become ready together appear over a few frames, not in one long task.
 */
export function inOwnFrame(run: () => void): FrameWork {
  const job = () => run(); // its own identity, however often `run` is queued
  heavy.push(job);
  // an idle queue starts a frame later: the first frame is left to the page that has just
  // changed (what asked for the work is usually a figure that was just mounted)
  if (!heavyFrame)
    heavyFrame = requestAnimationFrame(() => (heavyFrame = requestAnimationFrame(nextHeavy)));
  const drop = (): boolean => {
    const i = heavy.indexOf(job);
    if (i >= 0) heavy.splice(i, 1);
    return i >= 0;
  };
  return {
    cancel: () => void drop(),
    flush: () => {
      if (drop()) run();
    },
  };
}
