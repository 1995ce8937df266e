import { pino } from "pino";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { type AlertSeverity, severityRank } from "../engine/alerts.ts";
import type { Logger } from "../log/logger.ts";
import { Deduper } from "./dedupe.ts";
import { type AlertSender, type Notice, SendFailure } from "./types.ts";

/**
 * One destination's delivery pipeline: severity filter → dedupe window → bounded queue → rate
 * limit → send with retries. `offer()` is synchronous and never throws for a delivery problem:
 * it runs on the engine's raising path, which must carry on trading whatever Telegram does.
 * The network work happens on a worker loop of its own; waits (rate limit, backoff) use the
 * injected clock.
 */

export interface DestinationPolicy {
  /** notices below this severity are not sent here */
  readonly minSeverity: AlertSeverity;
  /** the same key at most once per window; 0 turns dedupe off */
  readonly dedupeWindowMs: number;
  /** sustained messages per minute; 0 for no limit */
  readonly ratePerMinute: number;
  /** messages that may go out back to back before the rate applies */
  readonly burst: number;
  /** notices waiting at most; beyond it the oldest of the lowest severity is dropped */
  readonly queueSize: number;
  /** attempts per notice, the first included */
  readonly maxAttempts: number;
  /** first retry delay, doubled per attempt up to backoffMaxMs (a 429's retry_after wins) */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export const DEFAULT_POLICY: DestinationPolicy = {
  minSeverity: "warning",
  dedupeWindowMs: 5 * 60_000,
  ratePerMinute: 20,
  burst: 5,
  queueSize: 200,
  maxAttempts: 6,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
};

export interface DestinationStats {
  readonly name: string;
  readonly kind: string;
  /** notices the far end accepted */
  sent: number;
  /** notices given up on (attempts exhausted, refused, or dropped at close) */
  failed: number;
  /** attempts after the first */
  retries: number;
  /** repeats held back by the dedupe window */
  suppressed: number;
  /** notices dropped because the queue was full */
  dropped: number;
  /** notices below minSeverity */
  filtered: number;
}

export interface DestinationOptions {
  readonly sender: AlertSender;
  readonly policy?: Partial<DestinationPolicy>;
  readonly clock: Clock;
  readonly logger?: Logger;
}

export class AlertDestination {
  readonly sender: AlertSender;
  readonly policy: DestinationPolicy;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly deduper: Deduper;
  private readonly queue: Notice[] = [];
  private readonly counters: DestinationStats;
  private tokens: number;
  private refilledAt: number;
  private running = false;
  private closed = false;
  private sleeping: { handle: TimerHandle; wake: () => void } | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(options: DestinationOptions) {
    const policy = { ...DEFAULT_POLICY, ...options.policy };
    checkPolicy(policy, options.sender.name);
    this.sender = options.sender;
    this.policy = policy;
    this.clock = options.clock;
    this.log = (options.logger ?? pino({ enabled: false })).child({ destination: options.sender.name });
    this.deduper = new Deduper({
      clock: options.clock,
      windowMs: policy.dedupeWindowMs,
      onSummary: (summary) => this.enqueue(summary),
    });
    this.counters = {
      name: options.sender.name,
      kind: options.sender.kind,
      sent: 0,
      failed: 0,
      retries: 0,
      suppressed: 0,
      dropped: 0,
      filtered: 0,
    };
    this.tokens = policy.burst;
    this.refilledAt = options.clock.now();
  }

  /** Takes a notice for delivery; returns at once. */
  offer(notice: Notice): void {
    if (this.closed) return;
    if (severityRank(notice.severity) < severityRank(this.policy.minSeverity)) {
      this.counters.filtered++;
      return;
    }
    if (!this.deduper.admit(notice)) {
      this.counters.suppressed++;
      return;
    }
    this.enqueue(notice);
  }

  stats(): DestinationStats {
    return { ...this.counters };
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Resolves once nothing is queued or being sent. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Emits the summaries of open dedupe windows now (so a shutdown still reports what it held
   * back); the worker then sends them like any other notice.
   */
  flushWindows(): void {
    this.deduper.flush();
  }

  /** Stops: wakes any wait, abandons what is still queued (counted as failed). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.deduper.dispose();
    if (this.queue.length > 0) {
      this.log.warn({ abandoned: this.queue.length }, "alert destination closed with notices still queued");
      this.counters.failed += this.queue.length;
      this.queue.length = 0;
    }
    this.wake();
    this.settleIdle();
  }

  private enqueue(notice: Notice): void {
    if (this.closed) return;
    if (this.queue.length >= this.policy.queueSize) {
      // make room by dropping the oldest of the least severe; an emergency outranks a backlog of info
      let victim = 0;
      for (let i = 1; i < this.queue.length; i++)
        if (severityRank(this.queue[i].severity) < severityRank(this.queue[victim].severity)) victim = i;
      this.counters.dropped++;
      if (severityRank(this.queue[victim].severity) > severityRank(notice.severity)) {
        this.log.warn({ key: notice.key }, "alert queue full: notice dropped");
        return;
      }
      const [dropped] = this.queue.splice(victim, 1);
      this.log.warn({ key: dropped.key }, "alert queue full: oldest least severe notice dropped");
    }
    this.queue.push(notice);
    if (!this.running) {
      this.running = true;
      // start on a later tick: the raiser's call must not even begin the network work
      queueMicrotask(() => void this.work());
    }
  }

  private async work(): Promise<void> {
    try {
      while (!this.closed && this.queue.length > 0) {
        await this.takeToken();
        const notice = this.queue.shift();
        if (this.closed || notice === undefined) break;
        await this.deliver(notice);
      }
    } catch (err) {
      // a bug in this loop must not become an unhandled rejection that kills trading
      this.log.error({ err }, "alert worker failed");
    } finally {
      this.running = false;
      if (!this.closed && this.queue.length > 0) {
        this.running = true;
        queueMicrotask(() => void this.work());
      } else {
        this.settleIdle();
      }
    }
  }

  private async deliver(notice: Notice): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sender.send(notice);
        this.counters.sent++;
        this.log.debug({ key: notice.key, attempt }, "alert sent");
        return;
      } catch (err) {
        const failure =
          err instanceof SendFailure
            ? err
            : new SendFailure(`${this.sender.name}: ${err instanceof Error ? err.message : String(err)}`, {
                retryable: true,
                cause: err,
              });
        if (!failure.retryable || attempt >= this.policy.maxAttempts || this.closed) {
          this.counters.failed++;
          this.log.error(
            { key: notice.key, attempts: attempt, status: failure.status },
            `alert not delivered: ${failure.message}`,
          );
          return;
        }
        const backoff = Math.min(this.policy.backoffMaxMs, this.policy.backoffBaseMs * 2 ** (attempt - 1));
        const delayMs = failure.retryAfterMs ?? backoff;
        this.counters.retries++;
        this.log.warn(
          { key: notice.key, attempt, delayMs },
          `alert send failed, retrying: ${failure.message}`,
        );
        await this.sleep(delayMs);
      }
    }
  }

  /** Waits until the rate limit allows one more message, then spends it. */
  private async takeToken(): Promise<void> {
    const perMs = this.policy.ratePerMinute / 60_000;
    if (perMs === 0) return;
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.policy.burst, this.tokens + (now - this.refilledAt) * perMs);
      this.refilledAt = now;
      if (this.tokens >= 1 || this.closed) break;
      await this.sleep(Math.ceil((1 - this.tokens) / perMs));
    }
    this.tokens -= 1;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.clock.after(ms, () => {
        this.sleeping = null;
        resolve();
      });
      this.sleeping = { handle, wake: resolve };
    });
  }

  private wake(): void {
    const s = this.sleeping;
    if (s === null) return;
    this.sleeping = null;
    this.clock.cancel(s.handle);
    s.wake();
  }

  private settleIdle(): void {
    if (this.running && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function checkPolicy(p: DestinationPolicy, name: string): void {
  const whole = (v: number, min: number) => Number.isSafeInteger(v) && v >= min;
  const problems: string[] = [];
  if (severityRank(p.minSeverity) < 0) problems.push(`min severity ${String(p.minSeverity)} is unknown`);
  if (!whole(p.dedupeWindowMs, 0)) problems.push(`dedupe window ${p.dedupeWindowMs} ms`);
  if (!(p.ratePerMinute >= 0)) problems.push(`rate ${p.ratePerMinute} per minute`);
  if (!whole(p.burst, 1)) problems.push(`burst ${p.burst}`);
  if (!whole(p.queueSize, 1)) problems.push(`queue size ${p.queueSize}`);
  if (!whole(p.maxAttempts, 1)) problems.push(`max attempts ${p.maxAttempts}`);
  if (!whole(p.backoffBaseMs, 0) || !whole(p.backoffMaxMs, 0)) problems.push("backoff");
  if (problems.length > 0) throw new RangeError(`alert destination ${name}: bad ${problems.join(", ")}`);
}
