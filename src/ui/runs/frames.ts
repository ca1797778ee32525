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
