/**
 * The one source of time. Strategies, the engine and the simulated venue never read Date.now()
 * or call setTimeout themselves: they ask the injected clock, so a backtest can jump straight
 * from one timer to the next.
 */
export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  /** run `fn` once at or after `atMs`; returns a handle for cancel() */
  at(atMs: number, fn: () => void): TimerHandle;
  /** run `fn` once after `delayMs` */
  after(delayMs: number, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
  /** resolves after `delayMs` of this clock's time */
  sleep(delayMs: number): Promise<void>;
}

export interface TimerHandle {
  readonly id: number;
}

let nextId = 1;

/** Real time, for paper and live. */
/** The longest delay Node's setTimeout honours (2^31-1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export class WallClock implements Clock {
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();

  now(): number {
    return Date.now();
  }
  at(atMs: number, fn: () => void): TimerHandle {
    return this.after(atMs - Date.now(), fn);
  }
  /**
   * Node fires a timer longer than 2^31-1 ms (about 24.8 days) after 1 ms instead: a longer
   * delay is chained through timers of at most that length, and re-measured against the wall
   * clock at each link. An infinite delay never fires; NaN is a bug in the caller.
   */
  after(delayMs: number, fn: () => void): TimerHandle {
    if (Number.isNaN(delayMs)) throw new RangeError("WallClock.after: the delay is NaN");
    const id = nextId++;
    const due = Date.now() + Math.max(0, delayMs);
    const arm = (left: number) => {
      const t =
        left > MAX_TIMER_MS
          ? setTimeout(() => arm(due - Date.now()), MAX_TIMER_MS)
          : setTimeout(
              () => {
                this.timers.delete(id);
                fn();
              },
              Math.max(0, left),
            );
      this.timers.set(id, t);
    };
    arm(due - Date.now());
    return { id };
  }
  cancel(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t !== undefined) {
      clearTimeout(t);
      this.timers.delete(handle.id);
    }
  }
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }
  /** number of pending timers (tests use it to check nothing leaks) */
  get pending(): number {
    return this.timers.size;
  }
}

interface SimTimer {
  id: number;
  atMs: number;
  seq: number;
  fn: () => void;
}

/**
 * Simulated time for backtests and tests. Time stands still until advanced; `advanceTo` and
 * `runUntil` fire every timer in time order (ties in creation order), letting promise callbacks
 * settle between timers so async code behaves as it would live.
 */
export class SimClock implements Clock {
  private t: number;
  private seq = 0;
  private heap: SimTimer[] = [];
  private readonly live = new Set<number>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }
  at(atMs: number, fn: () => void): TimerHandle {
    const id = nextId++;
    this.push({ id, atMs: Math.max(atMs, this.t), seq: this.seq++, fn });
    this.live.add(id);
    return { id };
  }
  after(delayMs: number, fn: () => void): TimerHandle {
    return this.at(this.t + Math.max(0, delayMs), fn);
  }
  cancel(handle: TimerHandle): void {
    this.live.delete(handle.id);
  }
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }
  get pending(): number {
    return this.live.size;
  }
  /** time of the next live timer, or undefined */
  nextAt(): number | undefined {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].id)) this.pop();
    return this.heap[0]?.atMs;
  }

  /**
   * Fire every timer due at or before `untilMs`, in order, then set the time to `untilMs`.
   * Microtasks (promise continuations) run between timers.
   */
  async runUntil(untilMs: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.nextAt();
      if (next === undefined || next > untilMs) break;
      const timer = this.pop()!;
      this.live.delete(timer.id);
      this.t = timer.atMs;
      timer.fn();
      await settle();
    }
    if (untilMs > this.t) this.t = untilMs;
  }

  /** Advance by `ms`, firing timers on the way. */
  advance(ms: number): Promise<void> {
    return this.runUntil(this.t + ms);
  }

  /**
   * Advance time in `stepMs` steps until `work` settles, for work that waits on this clock (venue
   * latency, sleeps, retries) while nothing else moves time. Throws when it has not settled
   * after `limitMs` of simulated time.
   */
  async drive<T>(work: Promise<T>, stepMs = 50, limitMs = 3_600_000): Promise<T> {
    let done = false;
    const result = work.finally(() => {
      done = true;
    });
    const until = this.t + limitMs;
    while (!done && this.t < until) await this.advance(stepMs);
    if (!done) {
      result.catch(() => {});
      throw new Error(`SimClock.drive: work did not settle within ${limitMs / 60_000} simulated minutes`);
    }
    return result;
  }

  /** Synchronous variant for hot loops with no async work: fires due timers without settling. */
  runUntilSync(untilMs: number): void {
    for (;;) {
      const next = this.nextAt();
      if (next === undefined || next > untilMs) break;
      const timer = this.pop()!;
      this.live.delete(timer.id);
      this.t = timer.atMs;
      timer.fn();
    }
    if (untilMs > this.t) this.t = untilMs;
  }

  private less(a: SimTimer, b: SimTimer): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
  }
  private push(x: SimTimer): void {
    const h = this.heap;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  private pop(): SimTimer | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** Let pending promise continuations run (several hops, for chained awaits). */
async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}
