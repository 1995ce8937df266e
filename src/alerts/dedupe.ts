import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Notice } from "./types.ts";

/**
 * Collapses repeats: the first notice of a key opens a window and goes out; repeats of the key
 * inside the window are counted, not sent; when the window closes, one summary reports how many
 * were held back ("N more of <key> suppressed") and the next repeat opens a new window. Time
 * comes from the injected clock, so a backtest or a test can run a storm in simulated minutes.
 */

interface Window {
  readonly openedAt: number;
  suppressed: number;
  last: Notice;
  readonly timer: TimerHandle;
}

export interface DeduperOptions {
  readonly clock: Clock;
  readonly windowMs: number;
  /** receives each window's summary (only for windows that suppressed something) */
  readonly onSummary: (summary: Notice) => void;
}

export class Deduper {
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly onSummary: (summary: Notice) => void;
  private readonly windows = new Map<string, Window>();

  constructor(options: DeduperOptions) {
    if (!(options.windowMs >= 0)) throw new RangeError(`dedupe window ${options.windowMs} ms must be >= 0`);
    this.clock = options.clock;
    this.windowMs = options.windowMs;
    this.onSummary = options.onSummary;
  }

  /** True when the notice should go out; false when it repeats a key inside its window. */
  admit(notice: Notice): boolean {
    if (this.windowMs === 0) return true;
    const open = this.windows.get(notice.key);
    if (open !== undefined) {
      open.suppressed++;
      open.last = notice;
      return false;
    }
    const openedAt = this.clock.now();
    const timer = this.clock.at(openedAt + this.windowMs, () => this.close(notice.key));
    this.windows.set(notice.key, { openedAt, suppressed: 0, last: notice, timer });
    return true;
  }

  /** Keys with an open window. */
  get openWindows(): number {
    return this.windows.size;
  }

  /** Closes every window now, emitting their summaries (shutdown: say what was held back). */
  flush(): void {
    for (const [key, w] of [...this.windows]) {
      this.clock.cancel(w.timer);
      this.close(key);
    }
  }

  /** Stops the timers without summaries. */
  dispose(): void {
    for (const w of this.windows.values()) this.clock.cancel(w.timer);
    this.windows.clear();
  }

  private close(key: string): void {
    const w = this.windows.get(key);
    if (w === undefined) return;
    this.windows.delete(key);
    if (w.suppressed === 0) return;
    const last = w.last;
    this.onSummary({
      severity: last.severity,
      key: last.key,
      title: `${w.suppressed} more of ${key} suppressed`,
      message: `"${last.title}" repeated ${w.suppressed} more time${w.suppressed === 1 ? "" : "s"} within ${formatWindow(this.windowMs)}. Last: ${last.message}`,
      context: last.context,
      ts: this.clock.now(),
      suppressed: { count: w.suppressed, sinceTs: w.openedAt },
    });
  }
}

function formatWindow(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
