/**
 * One study's run on the page: Run measures in a worker of the pool (startStudy), Cancel stops
 * it, and it pauses while its figure is off screen (nobody is watching it compute) and resumes
 * when the figure comes back. Holds the latest result; a cancelled or failed run keeps the one
 * before.
 */
import { startStudy, type StudyRun } from '../runs/worker.ts';

export type StudyStatus = 'idle' | 'running' | 'paused' | 'done' | 'cancelled' | 'failed';

export class StudyRunner<R> {
  status = $state<StudyStatus>('idle');
  /** units of work done, and in all */
  done = $state(0);
  total = $state(1);
  result = $state.raw<R | null>(null);
  failure = $state('');
  /** bumped when a new result arrives (the charts redraw) */
  version = $state(0);
  private current: StudyRun<R> | null = null;
  private onScreen = true;

  constructor(private readonly kind: string) {}

  get running(): boolean {
    return this.status === 'running' || this.status === 'paused';
  }

  async run(config: unknown, total: number): Promise<void> {
    this.status = 'running';
    this.failure = '';
    this.done = 0;
    this.total = total;
    const study = startStudy<R>(this.kind, config, (units) => (this.done = units));
    this.current = study;
    if (!this.onScreen) void this.pause();
    try {
      const result = await study.result;
      if (this.current !== study) return;
      if (result) {
        this.result = result;
        this.version++;
        this.status = 'done';
      } else this.status = 'cancelled';
    } catch (error) {
      if (this.current !== study) return;
      this.failure = error instanceof Error ? error.message : String(error);
      this.status = 'failed';
    } finally {
      if (this.current === study) this.current = null;
    }
  }

  cancel(): void {
    void this.current?.cancel();
  }

  private async pause(): Promise<void> {
    if (!this.current || this.status !== 'running') return;
    this.status = 'paused';
    await this.current.pause();
  }

  private async resume(): Promise<void> {
    if (!this.current || this.status !== 'paused') return;
    this.status = 'running';
    await this.current.resume();
  }

  /** Watches the figure: the run pauses while it is off screen. Returns the clean-up. */
  observe(element: Element): () => void {
    if (typeof IntersectionObserver === 'undefined') return () => {};
    const observer = new IntersectionObserver(
      ([entry]) => {
        this.onScreen = entry?.isIntersecting ?? true;
        void (this.onScreen ? this.resume() : this.pause());
      },
      // a little ahead of the window, as the page's live figures do
      { rootMargin: '0px 0px 160px 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }
}
