/**
 * Progress display for long runs: a redrawn bar with steps/s and ETA on a terminal, plain lines (at most
 * one every few seconds, and one per phase) when the output is a file or a pipe. The rate and ETA cover every
 * update toward the same total, across phases; they restart only when the count does (a new training).
 */
import type { Progress } from '../experiments/types.js';

/** Formats seconds as 1h02m, 3m05s or 12.3s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${seconds.toFixed(1)}s`;
}

/** A progress reporter writing to `out`; call `update` often and `done` at the end. */
export class ProgressBar {
  private phase = '';
  // The rate is measured from (rateStart, startStep) over a run of updates counting toward one total: phases that
  // go on counting (an ensemble's models, memorization's settings) keep it; a count that restarts resets it.
  private rateStart = performance.now();
  private startStep = 0;
  private total = NaN;
  private lastStep = 0;
  private lastDraw = -Infinity;
  private drawn = false;

  /** @param out where to write  @param tty whether `out` is a terminal (redraw in place) */
  constructor(private readonly out: { write(s: string): unknown }, private readonly tty: boolean) {}

  /** Shows the progress (throttled: 10 redraws/s on a terminal, a line every 5 s otherwise). */
  update(p: Progress): void {
    const now = performance.now();
    if (p.total !== this.total || p.step < this.lastStep) {
      this.rateStart = now;
      this.startStep = p.step;
      this.total = p.total;
    }
    this.lastStep = p.step;
    if (p.phase !== this.phase) {
      this.finishLine();
      this.phase = p.phase;
      this.lastDraw = -Infinity;
    }
    const interval = this.tty ? 100 : 5000;
    if (now - this.lastDraw < interval && p.step < p.total) return;
    this.lastDraw = now;
    const seconds = (now - this.rateStart) / 1000;
    const rate = seconds > 0 ? (p.step - this.startStep) / seconds : 0;
    const eta = rate > 0 ? (p.total - p.step) / rate : NaN;
    const frac = p.total > 0 ? Math.min(1, p.step / p.total) : 0;
    const stats = `${p.step}/${p.atMost ? '≤' : ''}${p.total} ${rate.toFixed(rate < 10 ? 1 : 0)} steps/s ETA ${p.atMost ? '≤ ' : ''}${formatDuration(eta)}`;
    if (this.tty) {
      const width = 30;
      const filled = Math.round(frac * width);
      this.out.write(`\r${p.phase} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${stats}\x1b[K`);
      this.drawn = true;
    } else {
      this.out.write(`${p.phase}: ${stats}\n`);
    }
  }

  /** Ends the current bar line. */
  done(): void {
    this.finishLine();
  }

  private finishLine(): void {
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
