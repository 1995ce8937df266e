import type { Instrument } from "../../core/instrument.ts";
import type { BookView } from "../../core/market.ts";
import type { Money } from "../../core/money.ts";
import type { Side } from "../../core/types.ts";
import { checkOrder, type RiskLimits, type RiskVerdict, type TradingState } from "./risk.ts";

/**
 * The stateful side of the risk gate: the trading state, the limits, per-instrument cooldowns and
 * each strategy's exposure. It gathers the context for one order and asks the pure checkOrder()
 * of risk.ts; every order the engine sends passes here first (gateway.place).
 */
export class RiskGate {
  state: TradingState;
  readonly limits: RiskLimits;
  private readonly cooldowns = new Map<string, number>();
  private readonly strategyExposure: (strategy: string) => Money;
  private readonly bookStreamStale: (instrumentKey: string) => boolean;
  private readonly venueRefusal: (venue: string) => string | undefined;

  constructor(
    limits: RiskLimits,
    strategyExposure: (strategy: string) => Money,
    state: TradingState = "ACTIVE",
    /** whether the venue reports the instrument's book stream stale (StreamHealth) */
    bookStreamStale: (instrumentKey: string) => boolean = () => false,
    /** why the venue's circuit breaker refuses new exposure now (VenueCircuits), or undefined */
    venueRefusal: (venue: string) => string | undefined = () => undefined,
  ) {
    this.venueRefusal = venueRefusal;
    this.limits = limits;
    this.strategyExposure = strategyExposure;
    this.state = state;
    this.bookStreamStale = bookStreamStale;
  }

  /** Nothing at all is sent (a read that type narrowing of `state` cannot stale). */
  get halted(): boolean {
    return this.state === "HALTED";
  }

  /** No new exposure on this instrument until `untilMs`. */
  coolDown(instrumentKey: string, untilMs: number): void {
    this.cooldowns.set(instrumentKey, Math.max(untilMs, this.cooldowns.get(instrumentKey) ?? 0));
  }

  check(
    order: {
      readonly inst: Instrument;
      readonly book: BookView;
      readonly side: Side;
      readonly sizeLots: number;
      readonly priceTicks: number;
      readonly reduceOnly: boolean;
      readonly strategy: string;
    },
    exposure: { positionLots: number; workingBuyLots: number; workingSellLots: number },
    nowMs: number,
  ): RiskVerdict {
    const { inst, book } = order;
    // a book with an empty side has no usable age: treat it as no book
    const hasBook = book.bestBidTicks() !== undefined && book.bestAskTicks() !== undefined;
    const allocation = this.limits.allocationByStrategy?.[order.strategy];
    return checkOrder(
      {
        state: this.state,
        nowMs,
        limits: this.limits,
        positionLots: exposure.positionLots,
        workingBuyLots: exposure.workingBuyLots,
        workingSellLots: exposure.workingSellLots,
        bookTs: hasBook ? book.lastUpdateTs : undefined,
        bookStreamStale: this.bookStreamStale(inst.key),
        venueCircuitOpen: this.venueRefusal(inst.venue),
        strategyExposure: allocation === undefined ? 0n : this.strategyExposure(order.strategy),
        cooldownUntilMs: this.cooldowns.get(inst.key),
      },
      {
        kind: "new",
        strategy: order.strategy,
        instrument: inst,
        side: order.side,
        sizeLots: order.sizeLots,
        priceTicks: order.priceTicks,
        reduceOnly: order.reduceOnly,
      },
    );
  }
}
