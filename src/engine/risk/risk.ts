import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import { type Money, moneyText } from "../../core/money.ts";
import type { Side } from "../../core/types.ts";

/**
 * The risk gate in front of every new order. Pure: the executor gathers the context (position,
 * working orders, book age, exposure) and asks; the gate never reads state itself, so every
 * rule is tested without I/O.
 */

/** ACTIVE: anything the rules allow. REDUCING: only orders that reduce exposure. HALTED: only cancels. */
export type TradingState = "ACTIVE" | "REDUCING" | "HALTED";

/** Why an order was refused: a closed set, stored and shown as is. */
export type RiskRefusal =
  | "invalid_order"
  | "halted"
  | "reducing_only"
  | "stale_book"
  | "cooldown"
  | "max_notional"
  | "allocation_cap"
  /** the venue's circuit breaker is open: its requests keep failing */
  | "venue_circuit_open";

export type RiskVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: RiskRefusal; readonly detail: string };

export const DEFAULT_MAX_BOOK_AGE_MS = 500;

export interface RiskLimits {
  /** no new exposure on a book older than this (ms) */
  readonly maxBookAgeMs: number;
  /** cap on one instrument's worst-case position notional; undefined: no cap */
  readonly maxNotionalPerInstrument?: Money;
  /** per-instrument overrides, by instrument key ("venue:symbol") */
  readonly maxNotionalByInstrument?: Readonly<Record<string, Money>>;
  /** gross notional each strategy may hold, by strategy name; a strategy not listed is uncapped */
  readonly allocationByStrategy?: Readonly<Record<string, Money>>;
}

export const DEFAULT_RISK_LIMITS: RiskLimits = { maxBookAgeMs: DEFAULT_MAX_BOOK_AGE_MS };

/** What the gate needs to know about the world for one order (one account, one instrument). */
export interface RiskContext {
  readonly state: TradingState;
  readonly nowMs: number;
  readonly limits: RiskLimits;
  /** the account's signed position in the instrument, lots: > 0 long, < 0 short */
  readonly positionLots: number;
  /** lots of the account's working orders in the instrument (open, in flight or unknown) */
  readonly workingBuyLots: number;
  readonly workingSellLots: number;
  /** time of the instrument's last book update; undefined when there is no book */
  readonly bookTs: number | undefined;
  /** the venue reports the instrument's book stream stale (dropped or silent) */
  readonly bookStreamStale?: boolean;
  /** why the venue's circuit breaker refuses new exposure (its requests keep failing); undefined: closed */
  readonly venueCircuitOpen?: string;
  /** gross notional the order's strategy holds and has working, across all instruments */
  readonly strategyExposure: Money;
  /** the symbol cools down until this time (ms); undefined or past: no cooldown */
  readonly cooldownUntilMs?: number;
}

export interface NewOrderCheck {
  readonly kind: "new";
  readonly strategy: string;
  readonly instrument: Instrument;
  readonly side: Side;
  readonly sizeLots: number;
  /** limit price, or a market order's protection price: the notional is valued at it */
  readonly priceTicks: number;
  readonly reduceOnly: boolean;
}

export interface CancelCheck {
  readonly kind: "cancel";
  readonly clientOrderId: string;
}

export type RiskCheck = NewOrderCheck | CancelCheck;

const OK: RiskVerdict = { ok: true };

function refuse(reason: RiskRefusal, detail: string): RiskVerdict {
  return { ok: false, reason, detail };
}

/**
 * Lots of the order that would add exposure. A reduce-only order adds none (the venue caps it at
 * the position). Otherwise the order first reduces what the position has left after the working
 * orders on the same side, and every lot beyond that opens exposure on the other side.
 */
export function exposureIncreaseLots(
  positionLots: number,
  workingBuyLots: number,
  workingSellLots: number,
  order: Pick<NewOrderCheck, "side" | "sizeLots" | "reduceOnly">,
): number {
  if (order.reduceOnly) return 0;
  // what is left to reduce once the working reducing orders have filled
  const reducible =
    order.side === "sell"
      ? Math.max(0, positionLots - workingSellLots)
      : Math.max(0, -positionLots - workingBuyLots);
  return Math.max(0, order.sizeLots - reducible);
}

/** The gate: `{ ok: true }`, or the first rule that refuses, with the numbers in `detail`. */
export function checkOrder(ctx: RiskContext, check: RiskCheck): RiskVerdict {
  // a cancel only ever removes risk: every state allows it
  if (check.kind === "cancel") return OK;
  const { instrument, side, sizeLots, priceTicks } = check;
  const where = `${instrument.key} ${side} ${sizeLots} lots @ ${priceTicks} ticks`;
  if (
    !Number.isSafeInteger(sizeLots) ||
    sizeLots <= 0 ||
    !Number.isSafeInteger(priceTicks) ||
    priceTicks <= 0
  )
    return refuse("invalid_order", `${where}: size and price must be positive integers`);
  if (ctx.state === "HALTED") return refuse("halted", `${where}: trading is halted, only cancels pass`);

  const increase = exposureIncreaseLots(ctx.positionLots, ctx.workingBuyLots, ctx.workingSellLots, check);
  // reductions pass every rule below: refusing to reduce risk is never the safe side
  if (increase === 0) return OK;

  if (ctx.state === "REDUCING")
    return refuse(
      "reducing_only",
      `${where}: would add ${increase} lots to position ${ctx.positionLots}; only reductions pass`,
    );

  if (ctx.venueCircuitOpen !== undefined)
    return refuse("venue_circuit_open", `${where}: ${ctx.venueCircuitOpen}`);

  const maxAge = ctx.limits.maxBookAgeMs;
  if (ctx.bookTs === undefined) return refuse("stale_book", `${where}: no book`);
  if (ctx.bookStreamStale === true)
    return refuse("stale_book", `${where}: the venue reports the book stream stale (dropped or silent)`);
  const age = ctx.nowMs - ctx.bookTs;
  if (age > maxAge) return refuse("stale_book", `${where}: book is ${age} ms old, max ${maxAge} ms`);

  if (ctx.cooldownUntilMs !== undefined && ctx.nowMs < ctx.cooldownUntilMs)
    return refuse(
      "cooldown",
      `${where}: ${instrument.symbol} cools down for ${ctx.cooldownUntilMs - ctx.nowMs} ms more`,
    );

  const cap = ctx.limits.maxNotionalByInstrument?.[instrument.key] ?? ctx.limits.maxNotionalPerInstrument;
  if (cap !== undefined) {
    // worst case: every working order on the same side fills too; reducing ones may be canceled
    const worst =
      side === "buy"
        ? ctx.positionLots + ctx.workingBuyLots + sizeLots
        : ctx.positionLots - ctx.workingSellLots - sizeLots;
    const notional = instrument.notional(worst, priceTicks);
    if (notional > cap)
      return refuse(
        "max_notional",
        `${where}: worst-case position ${worst} lots is ${moneyText(notional)} USD, cap ${moneyText(cap)} USD`,
      );
  }

  const allocation = ctx.limits.allocationByStrategy?.[check.strategy];
  if (allocation !== undefined) {
    const after = ctx.strategyExposure + instrument.notional(increase, priceTicks);
    if (after > allocation)
      return refuse(
        "allocation_cap",
        `${where}: strategy ${check.strategy} would hold ${moneyText(after)} USD, allocation ${moneyText(allocation)} USD`,
      );
  }
  return OK;
}

// ---- kill switch ----

export interface KillSwitchConfig {
  /** trip when equity falls more than this percentage below the session-start equity */
  readonly maxDrawdownPct: number;
  /** trip after this many consecutive equity drops; undefined or 0: off */
  readonly consecutiveDrops?: number;
}

export type KillReason = "max_drawdown" | "consecutive_drops";

export type KillVerdict =
  | { readonly trip: false }
  | {
      readonly trip: true;
      readonly reason: KillReason;
      readonly detail: string;
      /** stop new exposure and close every position */
      readonly action: "halt_and_flatten";
      /** REDUCING, not HALTED: flattening needs reducing orders to pass the gate */
      readonly tradingState: "REDUCING";
      readonly ts: number;
    };

/**
 * Watches account equity (floats: this is a decision, not a ledger) and trips on a drawdown from
 * the session's first equity, or on N drops in a row. Once tripped it stays tripped: a recovery
 * after the trip does not undo a flatten already under way. reset() starts a new session.
 */
export class KillSwitch {
  private readonly config: KillSwitchConfig;
  private sessionStart: number | undefined;
  private last: number | undefined;
  private lastTs = Number.NEGATIVE_INFINITY;
  private drops = 0;
  private verdict: KillVerdict = { trip: false };

  constructor(config: KillSwitchConfig) {
    if (!(config.maxDrawdownPct > 0 && config.maxDrawdownPct <= 100))
      throw new InvalidValueError(
        `kill switch: max_drawdown_pct ${config.maxDrawdownPct} must be in (0, 100]`,
      );
    const n = config.consecutiveDrops ?? 0;
    if (!Number.isSafeInteger(n) || n < 0)
      throw new InvalidValueError(`kill switch: consecutive_drops ${n} must be an integer >= 0`);
    this.config = config;
  }

  get tripped(): boolean {
    return this.verdict.trip;
  }
  get sessionStartEquity(): number | undefined {
    return this.sessionStart;
  }
  get consecutiveDrops(): number {
    return this.drops;
  }

  /**
   * Feed one equity observation; returns the verdict (the same tripped verdict on every call
   * after a trip). An observation older than the last one is ignored: snapshots can arrive out
   * of order, and an old one says nothing about now.
   */
  observeEquity(equityUsd: number, ts: number): KillVerdict {
    if (!Number.isFinite(equityUsd))
      throw new InvalidValueError(`kill switch: equity ${equityUsd} is not finite`);
    if (this.verdict.trip || ts < this.lastTs) return this.verdict;
    this.lastTs = ts;
    if (this.sessionStart === undefined) {
      if (!(equityUsd > 0))
        throw new InvalidValueError(`kill switch: session-start equity ${equityUsd} must be > 0`);
      this.sessionStart = equityUsd;
      this.last = equityUsd;
      return this.verdict;
    }
    this.drops = this.last !== undefined && equityUsd < this.last ? this.drops + 1 : 0;
    this.last = equityUsd;

    const drawdownPct = ((this.sessionStart - equityUsd) / this.sessionStart) * 100;
    if (drawdownPct > this.config.maxDrawdownPct)
      return this.trip(
        "max_drawdown",
        `equity ${equityUsd} is ${drawdownPct.toFixed(2)}% below session start ${this.sessionStart}, max ${this.config.maxDrawdownPct}%`,
        ts,
      );
    const n = this.config.consecutiveDrops ?? 0;
    if (n > 0 && this.drops >= n)
      return this.trip("consecutive_drops", `equity fell ${this.drops} times in a row, to ${equityUsd}`, ts);
    return this.verdict;
  }

  /** Start a new session from this equity (an operator re-arms after a trip). */
  reset(equityUsd: number, ts: number): void {
    this.sessionStart = undefined;
    this.last = undefined;
    this.lastTs = Number.NEGATIVE_INFINITY;
    this.drops = 0;
    this.verdict = { trip: false };
    this.observeEquity(equityUsd, ts);
  }

  private trip(reason: KillReason, detail: string, ts: number): KillVerdict {
    this.verdict = { trip: true, reason, detail, action: "halt_and_flatten", tradingState: "REDUCING", ts };
    return this.verdict;
  }
}
