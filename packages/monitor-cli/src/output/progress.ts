/**
 * A progress bar for stderr: drawn only on a TTY, redrawn at most a few times a second
 * however often it is updated.
 */

/** Options of a {@link ProgressBar}. */
export interface ProgressOptions {
  /** Where to draw (default `process.stderr`). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Total amount of work (bytes of a capture, records…); without it only the count and rate show. */
  total?: number;
  /** Text before the bar. */
  label?: string;
  /** `bytes` shows amounts as kB/MB/GB (default `count`). */
  unit?: 'bytes' | 'count';
  /** Least time between two redraws in ms (default 100). */
  intervalMs?: number;
  /** Draw even when the stream is not a TTY (default: only on a TTY). */
  force?: boolean;
  /** Clock in ms (default `performance.now`); tests pass their own. */
  now?: () => number;
}

function amount(value: number, unit: 'bytes' | 'count'): string {
  if (unit === 'count') {
    if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
    if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
    return String(Math.round(value));
  }
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} GB`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} MB`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} kB`;
  return `${Math.round(value)} B`;
}

/**
 * Progress bar on stderr. {@link ProgressBar.update} is cheap to call per record: it redraws
 * only when `intervalMs` has passed. Nothing is drawn when the stream is not a TTY (unless
 * `force`), so piping stderr to a file leaves it clean.
 *
 * @example
 * ```ts
 * import { ProgressBar } from 'monitor-cli';
 * const bar = new ProgressBar({ total: fileSize, unit: 'bytes', label: 'replay' });
 * for (...) bar.update(bytesDone, `${flows} flows`);
 * bar.finish();
 * ```
 */
export class ProgressBar {
  /** True when the bar draws (a TTY, or `force`). */
  readonly enabled: boolean;
  /** Redraws so far. */
  draws = 0;
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly total: number | undefined;
  private readonly label: string;
  private readonly unit: 'bytes' | 'count';
  private readonly interval: number;
  private readonly now: () => number;
  private readonly started: number;
  private last = -Infinity;
  private shown = false;

  /** @param options - Stream, total, label, unit, redraw interval. */
  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.enabled = options.force === true || this.stream.isTTY === true;
    this.total = options.total !== undefined && options.total > 0 ? options.total : undefined;
    this.label = options.label ?? '';
    this.unit = options.unit ?? 'count';
    this.interval = options.intervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /**
   * Reports progress; redraws when the interval has passed since the last redraw.
   *
   * @param done - Work done so far.
   * @param detail - Short text after the figures (such as `123 flows`).
   * @param force - Redraw even inside the interval (the final state, when the work is done).
   */
  update(done: number, detail?: string, force = false): void {
    if (!this.enabled) return;
    const t = this.now();
    if (!force && t - this.last < this.interval) return;
    this.last = t;
    this.draw(done, detail, t);
  }

  /** The line {@link ProgressBar.update} would draw for `done` at time `t` (without colour or control codes). */
  render(done: number, detail: string | undefined, t: number): string {
    const secs = Math.max((t - this.started) / 1000, 1e-3);
    const rate = `${amount(done / secs, this.unit)}/s`;
    const parts: string[] = [];
    if (this.label !== '') parts.push(this.label);
    if (this.total !== undefined) {
      const frac = Math.min(1, Math.max(0, done / this.total));
      const width = 24;
      const full = Math.round(frac * width);
      parts.push(`[${'#'.repeat(full)}${'.'.repeat(width - full)}]`, `${(frac * 100).toFixed(0).padStart(3)}%`, `${amount(done, this.unit)}/${amount(this.total, this.unit)}`);
    } else parts.push(amount(done, this.unit));
    parts.push(rate);
    if (detail !== undefined && detail !== '') parts.push(detail);
    let text = parts.join('  ');
    const cols = this.stream.columns;
    if (cols !== undefined && cols > 10 && text.length >= cols) text = text.slice(0, cols - 1);
    return text;
  }

  private draw(done: number, detail: string | undefined, t: number): void {
    this.stream.write(`\r${this.render(done, detail, t)}\x1b[K`);
    this.shown = true;
    this.draws++;
  }

  /** Clears the bar's line (call before printing the summary). */
  finish(): void {
    if (this.enabled && this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
