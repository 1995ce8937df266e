/**
 * Accounts without user streams, polled. Hyperliquid lets only 10 distinct users per IP hold
 * user-stream subscriptions (orderUpdates, userFills, userFundings; VENUES.md §1.7, the error
 * `Cannot track more than 10 total users.`, nktkas/hyperliquid#78). Beyond that, or when the
 * venue refuses a subscription so, the account's events come from the info API instead:
 *
 * - `userFillsByTime {user, startTime}` from the newest fill seen (fills of the same ms again:
 *   the account's AccountEvents dedupes by fill id, the same set the stream path fills, so a fill
 *   is delivered once whichever path brought it);
 * - `openOrders` while perpbot has orders not yet final on the account (an order seen open is
 *   acked), and `orderStatus` by cloid for those that left the list (filled, canceled, …);
 * - `userFunding {user, startTime}` once every `fundingEveryMs` (funding settles hourly).
 *
 * Every request goes through the IP's shared WeightLimiter (http.ts). The period is chosen so
 * the polling takes at most `budgetShare` of the IP's weight a minute:
 * period = 60 s × accounts × weight of one round ÷ (share × weight a minute), never below
 * `minIntervalMs`; the limiter still paces any burst.
 */
import type { z } from "zod";
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { AccountEvents } from "./account-events.ts";
import { infoWeight } from "./capabilities.ts";
import type { HlAccount } from "./exchange.ts";
import type { HlHttp } from "./http.ts";
import { OpenOrdersSchema, OrderStatusSchema, UserFillsSchema, UserFundingSchema } from "./parse.ts";

export interface PollOptions {
  /** the part of the IP's weight a minute the polling may use (default 0.5) */
  readonly budgetShare?: number;
  /** the shortest period (default 2 s) */
  readonly minIntervalMs?: number;
  /** how often fundings are asked for (default 60 s) */
  readonly fundingEveryMs?: number;
}

export interface PolledAccount {
  readonly account: string;
  readonly user: string;
  /** why it is polled, not streamed */
  readonly reason: string;
  /** the period every polled account is read at now */
  readonly intervalMs: number;
  /** when its last round finished (clock ms), null before the first */
  readonly lastPollTs: number | null;
}

interface Entry {
  readonly a: HlAccount;
  readonly events: AccountEvents;
  readonly reason: string;
  fillCursor: number;
  fundingCursor: number;
  lastFundingPoll: number;
  lastPollTs: number | null;
}

/** weight of one round of one account, funding spread over its rounds */
function roundWeight(intervalMs: number, fundingEveryMs: number): number {
  const funding = infoWeight("userFunding") * Math.min(1, intervalMs / fundingEveryMs);
  return infoWeight("userFillsByTime") + infoWeight("openOrders") + funding;
}

export class UserPoller {
  readonly #http: HlHttp;
  readonly #clock: Clock;
  readonly #perMinute: number;
  readonly #problem: (m: string) => void;
  readonly #share: number;
  readonly #minMs: number;
  readonly #fundingEveryMs: number;
  readonly #entries = new Map<string, Entry>();
  #timer: TimerHandle | undefined;
  #running = false;
  #round: Promise<void> | undefined;
  /** rounds finished, for tests and status */
  rounds = 0;

  constructor(opts: {
    http: HlHttp;
    clock: Clock;
    /** the IP limiter's weight a minute */
    perMinute: number;
    problem: (m: string) => void;
    poll?: PollOptions;
  }) {
    this.#http = opts.http;
    this.#clock = opts.clock;
    this.#perMinute = opts.perMinute;
    this.#problem = opts.problem;
    this.#share = opts.poll?.budgetShare ?? 0.5;
    this.#minMs = opts.poll?.minIntervalMs ?? 2_000;
    this.#fundingEveryMs = opts.poll?.fundingEveryMs ?? 60_000;
    if (!(this.#share > 0 && this.#share <= 1)) throw new RangeError("budgetShare must be in (0, 1]");
  }

  /** The period for the accounts polled now. */
  intervalMs(): number {
    const n = this.#entries.size;
    if (n === 0) return this.#minMs;
    const budget = this.#share * this.#perMinute;
    // the funding part depends on the period: two passes settle it (it only shrinks the weight)
    let ms = this.#minMs;
    for (let i = 0; i < 2; i++)
      ms = Math.max(this.#minMs, Math.ceil((60_000 * n * roundWeight(ms, this.#fundingEveryMs)) / budget));
    return ms;
  }

  has(account: string): boolean {
    return this.#entries.has(account);
  }

  add(a: HlAccount, events: AccountEvents, reason: string, since: number): void {
    this.#entries.set(a.account, {
      a,
      events,
      reason,
      fillCursor: since,
      fundingCursor: since,
      lastFundingPoll: Number.NEGATIVE_INFINITY,
      lastPollTs: null,
    });
    if (this.#running && this.#timer === undefined) this.#schedule(0);
  }

  remove(account: string): void {
    this.#entries.delete(account);
  }

  polled(): PolledAccount[] {
    const intervalMs = this.intervalMs();
    return [...this.#entries.values()].map((e) => ({
      account: e.a.account,
      user: e.a.user,
      reason: e.reason,
      intervalMs,
      lastPollTs: e.lastPollTs,
    }));
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (this.#entries.size > 0) this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) this.#clock.cancel(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  /** One round over every polled account now (also what each period runs). */
  pollAll(): Promise<void> {
    if (this.#round) return this.#round;
    const run = (async () => {
      for (const e of [...this.#entries.values()]) {
        await this.#pollOne(e).catch((err: unknown) =>
          this.#problem(`hyperliquid wallet ${e.a.account}: polling: ${(err as Error).message}`),
        );
      }
      this.rounds++;
    })().finally(() => {
      this.#round = undefined;
    });
    this.#round = run;
    return run;
  }

  #schedule(delayMs: number): void {
    this.#timer = this.#clock.after(delayMs, () => {
      void this.pollAll().finally(() => {
        this.#timer = undefined;
        if (this.#running && this.#entries.size > 0) this.#schedule(this.intervalMs());
      });
    });
  }

  async #info<T>(request: { type: string } & Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    const out = await this.#http.info(request, schema);
    if (out.kind !== "answered") throw new Error(`${request.type}: ${out.detail}`);
    return out.value;
  }

  async #pollOne(e: Entry): Promise<void> {
    const { a, events } = e;
    // fills first: an order then seen filled has its fills delivered already
    const fills = await this.#info(
      { type: "userFillsByTime", user: a.user, startTime: e.fillCursor, aggregateByTime: false },
      UserFillsSchema,
    );
    if (fills.length > 0) {
      events.onUserFills({ fills });
      e.fillCursor = Math.max(e.fillCursor, ...fills.map((f) => f.time));
    }
    const pending = [...events.byCloid.values()].filter((t) => !t.final);
    if (pending.length > 0) {
      const open = await this.#info({ type: "openOrders", user: a.user }, OpenOrdersSchema);
      const openCloids = new Set<string>();
      const updates: unknown[] = [];
      for (const o of open) {
        const cloid = o.cloid?.toLowerCase();
        if (cloid === undefined) continue;
        openCloids.add(cloid);
        if (events.byCloid.get(cloid)?.acked === false)
          updates.push({ order: o, status: "open", statusTimestamp: o.timestamp });
      }
      for (const t of pending) {
        if (openCloids.has(t.cloid)) continue;
        const r = await this.#info({ type: "orderStatus", user: a.user, oid: t.cloid }, OrderStatusSchema);
        if (r.status === "order" && r.order.status !== "open") updates.push(r.order);
      }
      if (updates.length > 0) events.onOrderUpdates(updates);
    }
    const now = this.#clock.now();
    if (now - e.lastFundingPoll >= this.#fundingEveryMs) {
      e.lastFundingPoll = now;
      const list = await this.#info(
        { type: "userFunding", user: a.user, startTime: e.fundingCursor },
        UserFundingSchema,
      );
      if (list.length > 0) {
        events.onUserFundings({ fundings: list.map((x) => ({ time: x.time, ...x.delta })) });
        e.fundingCursor = Math.max(e.fundingCursor, ...list.map((x) => x.time));
      }
    }
    e.lastPollTs = this.#clock.now();
  }
}
