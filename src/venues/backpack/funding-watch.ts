import type { VenueEvent } from "../../core/venue.ts";
import * as reads from "./reads.ts";

/**
 * Backpack pushes no funding event on its account streams; a settlement shows as a position
 * update and a new row in /wapi/v1/history/funding. So a position update (or, at the latest,
 * the periodic poll) reads the history and emits each payment not seen before as a `funding`
 * event. What the history held when the account was bound counts as seen.
 */
export class FundingWatch {
  readonly #ctx: reads.ReadContext;
  readonly #emit: (e: VenueEvent) => void;
  readonly #seen = new Map<string, Set<string>>();
  readonly #pending = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #pollMs: number;
  #poll: ReturnType<typeof setInterval> | undefined;

  constructor(ctx: reads.ReadContext, emit: (e: VenueEvent) => void, pollMs = 60_000) {
    this.#ctx = ctx;
    this.#emit = emit;
    this.#pollMs = pollMs;
  }

  async seed(account: string): Promise<void> {
    const seen = new Set<string>();
    for (const p of await reads.fundingPayments(this.#ctx, account, 0)) seen.add(`${p.symbol}|${p.ts}`);
    this.#seen.set(account, seen);
    this.#poll ??= setInterval(() => {
      for (const a of this.#seen.keys()) this.poke(a);
    }, this.#pollMs);
    this.#poll.unref?.();
  }

  /** Read the history soon (coalescing a burst of position updates into one read). */
  poke(account: string): void {
    if (this.#pending.has(account) || !this.#seen.has(account)) return;
    this.#pending.set(
      account,
      setTimeout(() => {
        this.#pending.delete(account);
        void this.#read(account).catch(() => undefined);
      }, 20),
    );
  }

  async #read(account: string): Promise<void> {
    const seen = this.#seen.get(account);
    if (seen === undefined) return;
    for (const p of await reads.fundingPayments(this.#ctx, account, 0)) {
      const key = `${p.symbol}|${p.ts}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.#emit({
        type: "funding",
        ts: p.ts,
        account,
        symbol: p.symbol,
        amount: p.amount,
        ratePerHour: p.ratePerHour,
        hours: p.hours,
      });
    }
  }

  stop(): void {
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
    for (const t of this.#pending.values()) clearTimeout(t);
    this.#pending.clear();
  }
}
