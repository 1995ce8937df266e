import type { Instrument } from "../../core/instrument.ts";
import type { Side } from "../../core/types.ts";
import type { OpenOrderView, StrategyContext } from "../contract.ts";
import type { HedgedMakerConfig } from "./config.ts";
import { breakEvenQuote, executableTicks, type Phase, quoteTicks } from "./logic.ts";

export interface HedgeLaneHost {
  readonly ctx: StrategyContext;
  readonly config: HedgedMakerConfig;
  readonly account: string;
  readonly instA: Instrument;
  readonly instB: Instrument;
  alert(severity: "info" | "warning" | "critical", key: string, title: string, message: string): void;
  log(level: "info" | "warn" | "error", msg: string): void;
}

/**
 * What a hedged maker lane reads of the engine's views: its orders on both venues, positions, the
 * unhedged delta, the mark, and the quote the phase asks for (priced from B's executable price).
 * Reads only; the lane decides and acts.
 */
export class LaneViews {
  private readonly h: HedgeLaneHost;

  constructor(h: HedgeLaneHost) {
    this.h = h;
  }

  ordersOn(venue: string, inst: Instrument): readonly OpenOrderView[] {
    return this.h.ctx.portfolio.openOrders(venue, this.h.account).filter((o) => o.symbol === inst.symbol);
  }
  /** resting post-only quotes on A */
  quotes(): OpenOrderView[] {
    return this.ordersOn(this.h.config.venue, this.h.instA).filter((o) => o.tif === "post_only");
  }
  /** hedges on B and unwinds on A not yet ended */
  inFlight(): boolean {
    return (
      this.ordersOn(this.h.config.hedge_venue, this.h.instB).length > 0 ||
      this.ordersOn(this.h.config.venue, this.h.instA).some((o) => o.tif !== "post_only")
    );
  }
  posA(): number {
    const p = this.h.ctx.portfolio.position(this.h.config.venue, this.h.account, this.h.instA.symbol);
    return this.h.instA.sizeValue(p?.sizeLots ?? 0);
  }
  posB(): number {
    const p = this.h.ctx.portfolio.position(this.h.config.hedge_venue, this.h.account, this.h.instB.symbol);
    return this.h.instB.sizeValue(p?.sizeLots ?? 0);
  }
  /** the unhedged delta, base units */
  delta(): number {
    // the two lot grids' sum, rounded off its float noise
    return Math.round((this.posA() + this.posB()) * 1e9) / 1e9;
  }
  mark(): number {
    const m = this.h.ctx.market.mark(this.h.config.venue, this.h.instA.symbol);
    if (m > 0) return m;
    const b = this.h.ctx.market.bbo(this.h.config.venue, this.h.instA.symbol);
    if (b.bidTicks === undefined || b.askTicks === undefined) return Number.NaN;
    return this.h.instA.priceValue((b.bidTicks + b.askTicks) / 2);
  }
  maxUnhedgedUsd(): number {
    return this.h.config.max_unhedged_usd ?? 2 * this.h.config.quantity * this.mark();
  }

  /** The quote the phase asks for: side, lots and A price from B's executable price; undefined: none. */
  desired(phase: Phase, target: number, posA: number) {
    if (phase === "done") return undefined;
    const side: Side = phase === "buy" ? "buy" : "sell";
    const sizeLots = this.h.instA.roundSize(
      Math.min(this.h.config.quantity, Math.abs(target - posA)),
      "down",
    );
    if (sizeLots < 1) return undefined;
    const a = this.h.ctx.market.bbo(this.h.config.venue, this.h.instA.symbol);
    if (a.bidTicks === undefined || a.askTicks === undefined) return undefined;
    const hedgeSide: Side = side === "buy" ? "sell" : "buy";
    const book = this.h.ctx.market.book(this.h.config.hedge_venue, this.h.instB.symbol);
    const exec = executableTicks(book, hedgeSide, this.h.instA.sizeValue(sizeLots));
    if (exec === undefined) return undefined;
    const cap = breakEvenQuote(
      side,
      this.h.instB.priceValue(exec),
      this.h.instA.spec.makerFeeBps,
      this.h.instB.spec.takerFeeBps,
      this.h.config.min_profit_bps,
    );
    const capTicks = this.h.instA.roundPrice(cap, side, "away_from_touch");
    const priceTicks = quoteTicks(side, a.bidTicks, a.askTicks, capTicks);
    if (priceTicks === undefined || !this.h.instA.isAllowedPrice(priceTicks)) return undefined;
    return { side, sizeLots, priceTicks };
  }
}
