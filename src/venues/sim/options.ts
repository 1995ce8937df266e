import type { Clock } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import { Instrument, type InstrumentSpec } from "../../core/instrument.ts";
import type { MutableBook } from "../../core/market.ts";
import type { MarginMode } from "../../core/types.ts";
import type { VenueCapabilities } from "../../core/venue.ts";
import type { SimFaults } from "./faults.ts";
import { type FillModel, fillModelProblems } from "./queue.ts";

export interface SimVenueOptions {
  /** venue id; every instrument's spec.venue must equal it */
  readonly id: string;
  readonly instruments: readonly (Instrument | InstrumentSpec)[];
  /** the only source of time: funding boundaries, latency and event timestamps come from it */
  readonly clock: Clock;
  /** seed of the fault injector (default: the venue id) */
  readonly seed?: number | string;
  /**
   * Milliseconds between a request being sent and the venue processing it, and between the venue
   * producing an event from market data or a timer and listeners receiving it. 0 (the default)
   * is still asynchronous: a microtask.
   */
  readonly latencyMs?: number;
  readonly faults?: SimFaults;
  /** SQLite file for durable state; absent or ":memory:" keeps everything in memory */
  readonly dbPath?: string;
  /**
   * Called once when a state change cannot be saved (a full disk, a damaged or read-only file):
   * the venue then refuses every request as unavailable, ignores market data and stops its
   * timers, since what it holds in memory is ahead of what a restart would find on disk.
   */
  readonly onStoreFailure?: (error: Error) => void;
  /** liquidation fee in bps of the liquidated notional, paid to the insurance sink (default 50) */
  readonly liquidationFeeBps?: number;
  /** leverage before an account sets one (default 20, capped at the instrument's maxLeverage) */
  readonly defaultLeverage?: number;
  /** margin mode before an account sets one (default "cross") */
  readonly defaultMarginMode?: MarginMode;
  /** the market book of one instrument (default: the data layer's L2Book) */
  readonly createBook?: (inst: Instrument) => MutableBook;
  /** keep every emitted VenueEvent for determinism checks (default false: memory grows) */
  readonly recordEventLog?: boolean;
  readonly capabilities?: Partial<VenueCapabilities>;
  /**
   * A subscribed market stream with no message for this long is reported stale (checked once per
   * window, so it is seen within two windows). Undefined (the default): streams never go stale
   * by silence, only when dropped, and no timer runs.
   */
  readonly staleAfterMs?: number;
  /**
   * How resting orders fill (queue.ts): "cross" (default) or "queue" (queue position behind the
   * visible size, with its own order placement and cancel latencies, which then replace
   * `latencyMs` for submits / amends and cancels).
   */
  readonly fillModel?: FillModel;
  /**
   * Readers of `book()` see each book re-sent every this many ms, changed or not, as on a feed
   * that publishes books on a timer (book-refresh.ts): for a backtest whose synthetic market moves
   * more slowly than its strategies check book ages. Undefined (the default): a book's time is
   * its last change.
   */
  readonly bookRefreshMs?: number;
  /**
   * Continuous funding, as Paradex accrues it: the instruments listed (all when `symbols` is
   * absent) settle every `stepMs` instead of at their `fundingIntervalHours` boundaries, each
   * settlement paying `size x mark x ratePerHour x stepMs / 1 h` at the rate and mark in force.
   * The instruments keep their `fundingIntervalHours` (the period a venue quotes its rate for).
   * Steps are epoch-aligned like the boundaries (docs/simulator.md, "Funding").
   */
  readonly continuousFunding?: { readonly stepMs: number; readonly symbols?: readonly string[] };
}

/**
 * The simulator supports every order type the engine sends and meters nothing. Its client order
 * ids are 32 base64url characters starting "pb", the ids perpbot has always sent it.
 */
export const DEFAULT_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "text", length: 32, prefix: "pb", alphabet: "base64url" },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  batchOrders: false,
  marketOrders: true,
  amend: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross", "isolated"],
  rateLimits: [],
  accountSigner: "none",
};

/** Instruments by symbol, after checking every option; all problems are reported at once. */
export function checkOptions(o: SimVenueOptions): Map<string, Instrument> {
  const errors: string[] = [];
  const where = `sim venue ${JSON.stringify(o.id)}`;
  if (typeof o.id !== "string" || !/^[A-Za-z0-9_.-]+$/.test(o.id)) {
    errors.push("id must be a non-empty string of letters, digits, '_', '.', '-'");
  }
  const instruments = new Map<string, Instrument>();
  (o.instruments ?? []).forEach((x, i) => {
    try {
      const inst = x instanceof Instrument ? x : new Instrument(x);
      if (inst.venue !== o.id)
        errors.push(`instruments[${i}] (${inst.key}) belongs to venue "${inst.venue}"`);
      else if (instruments.has(inst.symbol))
        errors.push(`instruments[${i}]: duplicate symbol ${inst.symbol}`);
      else instruments.set(inst.symbol, inst);
    } catch (e) {
      errors.push(`instruments[${i}]: ${(e as Error).message}`);
    }
  });
  if (instruments.size === 0 && errors.length === 0) errors.push("instruments must not be empty");
  if (o.clock === undefined) errors.push("clock is required");
  if (o.latencyMs !== undefined && !(o.latencyMs >= 0 && Number.isFinite(o.latencyMs))) {
    errors.push(`latencyMs ${o.latencyMs} must be a finite number >= 0`);
  }
  if (o.staleAfterMs !== undefined && !(o.staleAfterMs > 0 && Number.isFinite(o.staleAfterMs))) {
    errors.push(`staleAfterMs ${o.staleAfterMs} must be a finite number > 0`);
  }
  if (o.liquidationFeeBps !== undefined && !(o.liquidationFeeBps >= 0 && o.liquidationFeeBps <= 10_000)) {
    errors.push(`liquidationFeeBps ${o.liquidationFeeBps} must be in [0, 10000]`);
  }
  if (o.defaultLeverage !== undefined && !(o.defaultLeverage >= 1)) {
    errors.push(`defaultLeverage ${o.defaultLeverage} must be >= 1`);
  }
  if (
    o.defaultMarginMode !== undefined &&
    o.defaultMarginMode !== "cross" &&
    o.defaultMarginMode !== "isolated"
  ) {
    errors.push(`defaultMarginMode "${String(o.defaultMarginMode)}" must be cross or isolated`);
  }
  if (o.bookRefreshMs !== undefined && !(o.bookRefreshMs > 0 && Number.isFinite(o.bookRefreshMs))) {
    errors.push(`bookRefreshMs ${o.bookRefreshMs} must be a finite number > 0`);
  }
  if (o.fillModel !== undefined) errors.push(...fillModelProblems(o.fillModel));
  const cf = o.continuousFunding;
  if (cf !== undefined) {
    if (!(Number.isSafeInteger(cf.stepMs) && cf.stepMs > 0))
      errors.push(`continuousFunding.stepMs ${cf.stepMs} must be a whole number of ms > 0`);
    for (const [i, sym] of (cf.symbols ?? []).entries())
      if (!instruments.has(sym))
        errors.push(`continuousFunding.symbols[${i}]: "${sym}" is not an instrument of the venue`);
  }
  if (errors.length > 0) throw new InvalidValueError(`${where}: ${errors.join("; ")}`);
  return instruments;
}
