/**
 * The dead man's switch (HLd "Exchange endpoint", schedule cancel; VENUES.md §1.1): each bound
 * account's `scheduleCancel {time}` is armed at now + window and renewed every `renewMs` while
 * the process runs, so a process that freezes or dies leaves its resting orders for at most
 * `window` before the venue cancels them all. On a clean stop the switch is disarmed (the key
 * `time` omitted) unless the config says to leave it armed.
 *
 * The venue's rules: the time must be at least 5 s ahead; only an actual firing counts against
 * the 10 triggers a day (from 00:00 UTC), a renewal does not. A refusal of the arming itself
 * (the day's triggers used up, or the venue's volume prerequisite) is reported once and not
 * retried until the next UTC day: every retry would cost a request of the address's budget and
 * change nothing. An arming whose answer was lost is simply sent again at the next renewal.
 *
 * Cost: one action (IP weight 1, one request of the address budget) per account per renewal;
 * 60 s renewed every 20 s is 4 320 requests a day per address (VENUES.md §1.7 budgets).
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { HlAccount } from "./exchange.ts";
import type { Packable } from "./msgpack.ts";
import type { ExchangeResponse } from "./parse.ts";
import { scheduleCancelAction } from "./wire.ts";

/** the venue refuses a time closer than this */
export const MIN_LEAD_MS = 5_000;
const DAY_MS = 86_400_000;

export interface DeadManOptions {
  /** how far ahead each arming puts the cancel time */
  readonly windowMs: number;
  /** how often it is renewed (must leave the cancel time ≥ 5 s ahead with a margin) */
  readonly renewMs: number;
  /** on a clean stop: disarm (default) or leave the last arming to fire */
  readonly onExit: "disarm" | "leave";
}

export interface DeadManState {
  readonly account: string;
  /** the cancel time the venue last accepted (venue ms), null when disarmed or never armed */
  readonly armedUntil: number | null;
  /** accepted armings, the first included */
  readonly renewals: number;
  /** the venue's refusal text while it stands, else null */
  readonly refused: string | null;
}

interface Entry {
  readonly a: HlAccount;
  armedUntil: number | null;
  renewals: number;
  refused: string | null;
  refusedDay: number;
  inFlight: Promise<void> | undefined;
}

type Send = (a: HlAccount, action: Packable, what: string) => Promise<ExchangeResponse>;

/** Checks a window and renewal period against the venue's rule; the problem, or undefined. */
export function deadManProblem(windowMs: number, renewMs: number): string | undefined {
  if (!Number.isInteger(windowMs) || windowMs < 2 * MIN_LEAD_MS)
    return `window ${windowMs} ms must be an integer ≥ ${2 * MIN_LEAD_MS} ms (the venue wants ≥ 5 s ahead)`;
  if (!Number.isInteger(renewMs) || renewMs < 100 || renewMs > windowMs - MIN_LEAD_MS)
    return `renewal every ${renewMs} ms must be an integer in [100, window − ${MIN_LEAD_MS}] (${windowMs - MIN_LEAD_MS}) so each arming lands ≥ 5 s before the last one fires`;
  return undefined;
}

export class DeadMansSwitch {
  readonly #o: DeadManOptions;
  readonly #clock: Clock;
  readonly #send: Send;
  readonly #problem: (m: string) => void;
  readonly #entries = new Map<string, Entry>();
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(o: DeadManOptions, deps: { clock: Clock; send: Send; problem: (m: string) => void }) {
    const p = deadManProblem(o.windowMs, o.renewMs);
    if (p) throw new RangeError(`hyperliquid dead man's switch: ${p}`);
    this.#o = o;
    this.#clock = deps.clock;
    this.#send = deps.send;
    this.#problem = deps.problem;
  }

  /** Start renewing (every account added so far is armed now). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const e of this.#entries.values()) void this.#arm(e);
    this.#schedule();
  }

  /** Watch an account (re-binding replaces it); armed at once when running. */
  add(a: HlAccount): Promise<void> {
    const e: Entry = {
      a,
      armedUntil: null,
      renewals: 0,
      refused: null,
      refusedDay: -1,
      inFlight: undefined,
    };
    this.#entries.set(a.account, e);
    return this.#running ? this.#arm(e) : Promise.resolve();
  }

  /** Every armed account renewed now (also what each period does); resolves when answered. */
  async renewAll(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((e) => this.#arm(e)));
  }

  /** Stop renewing; disarm every account unless configured to leave the switch armed. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#timer) this.#clock.cancel(this.#timer);
    this.#timer = undefined;
    await Promise.all([...this.#entries.values()].map((e) => e.inFlight));
    if (this.#o.onExit === "leave") return;
    await Promise.all(
      [...this.#entries.values()]
        .filter((e) => e.armedUntil !== null)
        .map(async (e) => {
          try {
            const r = await this.#send(e.a, scheduleCancelAction(), "disarm scheduleCancel");
            if (r.status === "ok") e.armedUntil = null;
            else this.#problem(`hyperliquid wallet ${e.a.account}: disarming refused: ${r.response}`);
          } catch (err) {
            this.#problem(
              `hyperliquid wallet ${e.a.account}: disarming failed, the switch may still fire at ${new Date(e.armedUntil ?? 0).toISOString()}: ${(err as Error).message}`,
            );
          }
        }),
    );
  }

  states(): DeadManState[] {
    return [...this.#entries.values()].map((e) => ({
      account: e.a.account,
      armedUntil: e.armedUntil,
      renewals: e.renewals,
      refused: e.refused,
    }));
  }

  #schedule(): void {
    this.#timer = this.#clock.after(this.#o.renewMs, () => {
      this.#timer = undefined;
      if (!this.#running) return;
      void this.renewAll();
      this.#schedule();
    });
  }

  #arm(e: Entry): Promise<void> {
    if (!this.#running) return Promise.resolve();
    if (e.inFlight) return e.inFlight;
    const now = this.#clock.now();
    const day = Math.floor(now / DAY_MS);
    if (e.refused !== null && e.refusedDay === day) return Promise.resolve();
    const time = now + this.#o.windowMs;
    const run = (async () => {
      try {
        const r = await this.#send(e.a, scheduleCancelAction(time), "scheduleCancel");
        if (this.#entries.get(e.a.account) !== e) return;
        if (r.status === "ok") {
          e.armedUntil = time;
          e.renewals++;
          e.refused = null;
          return;
        }
        // the venue answered no: the day's triggers are spent or the account may not use it
        e.refused = r.response;
        e.refusedDay = day;
        this.#problem(
          `hyperliquid wallet ${e.a.account}: the dead man's switch cannot be armed: ${r.response} (not retried before 00:00 UTC; resting orders stay unguarded)`,
        );
      } catch (err) {
        // a lost answer (or an unreadable one): the next renewal arms again, inside the window
        const kind = err instanceof VenueUnknownOutcomeError ? "no answer" : "failed";
        this.#problem(
          `hyperliquid wallet ${e.a.account}: scheduleCancel renewal ${kind}: ${(err as Error).message}`,
        );
      } finally {
        e.inFlight = undefined;
      }
    })();
    e.inFlight = run;
    return run;
  }
}
