/**
 * Progress of a run on stderr: on a terminal a one-line bar redrawn at most ~10×/s; otherwise
 * (a pipe, a log file, CI) a plain line at every tenth of the run.
 */
export interface ProgressOptions {
  total: number;
  tty: boolean;
  write: (text: string) => void;
  now: () => number;
  columns?: number;
}

const REDRAW_MS = 100;
const BAR = 20;

export class Progress {
  /** the latest training loss, shown next to the step count */
  loss: number | null = null;
  /** the rate is measured from the first update, after the run's set-up */
  private startedAt = NaN;
  private startStep = 0;
  private lastDraw = -Infinity;
  private nextTenth = 1;
  private drawn = false;

  constructor(private readonly opts: ProgressOptions) {}

  update(step: number): void {
    const { total, tty, now } = this.opts;
    if (Number.isNaN(this.startedAt)) {
      this.startedAt = now();
      this.startStep = step;
    }
    if (tty) {
      const t = now();
      if (t - this.lastDraw < REDRAW_MS && step < total) return;
      this.lastDraw = t;
      const line = this.line(step, t, true);
      const width = Math.max(20, (this.opts.columns || 80) - 1);
      this.opts.write(`\r${line.slice(0, width)}\x1b[K`);
      this.drawn = true;
      return;
    }
    if (step * 10 < this.nextTenth * total) return;
    while (step * 10 >= this.nextTenth * total) this.nextTenth++;
    this.opts.write(`${this.line(step, now(), false)}\n`);
  }

  /** Clears the bar, so that what follows starts on a clean line. */
  finish(): void {
    if (this.drawn) this.opts.write('\r\x1b[K');
    this.drawn = false;
  }

  private line(step: number, t: number, bar: boolean): string {
    const total = this.opts.total;
    const fraction = Math.min(1, step / total);
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const seconds = (t - this.startedAt) / 1000;
    const rate = seconds > 0 ? (step - this.startStep) / seconds : 0;
    const parts = [`step ${String(step).padStart(String(total).length)}/${total}`, percent];
    if (bar) {
      const filled = Math.round(fraction * BAR);
      parts.push(`[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]`);
    }
    parts.push(`loss ${this.loss === null ? '—' : this.loss.toFixed(4)}`);
    parts.push(`${formatRate(rate)} steps/s`);
    if (step < total && rate > 0) parts.push(`ETA ${formatDuration((total - step) / rate)}`);
    return parts.join('  ');
  }
}

export function formatRate(rate: number): string {
  if (rate >= 100) return rate.toFixed(0);
  if (rate >= 10) return rate.toFixed(1);
  return rate.toFixed(2);
}

/** 0.42 s, 12 s, 3m04s, 1h02m */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 10) return `${seconds.toFixed(seconds < 1 ? 2 : 1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
