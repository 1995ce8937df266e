import type { LegFillSummary, MarketView, PortfolioView } from "../contract.ts";
import { FundingLedger } from "./funding.ts";

/**
 * One carry position as the strategy tracks it: its two legs (long on the lower rate, short on
 * the higher), the funding ledger of each, and the exit counters. Serialised into the state slot
 * after every change, so a restart resumes peaks, deferrals and the ledger where they were.
 */
export interface CarryLeg {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: 1 | -1;
  readonly lots: number;
  /** base units (lots x lot size x multiplier) */
  readonly qty: number;
  readonly multiplier: number;
  /** average entry price per base unit */
  readonly entryPrice: number;
  readonly feesUsd: number;
  readonly intervalHours: number;
}

export interface CarryPosition {
  readonly groupId: string;
  readonly base: string;
  readonly long: CarryLeg;
  readonly short: CarryLeg;
  readonly openedAt: number;
  readonly entryYieldBps: number;
  /** one leg's notional at entry */
  readonly sizeUsd: number;
  readonly ledgers: { readonly long: FundingLedger; readonly short: FundingLedger };
  peakBps: number;
  samples: { ts: number; bps: number }[];
  missingBboChecks: number;
  deferredSince: number | null;
  spikeUntil: number;
  lastMtmUsd: number;
  lastMtmBps: number;
  lastCy: number;
}

export function legOf(
  f: LegFillSummary,
  market: MarketView,
  multiplier: number,
  openedAt: number,
): { leg: CarryLeg; ledger: FundingLedger } {
  const inst = market.instrument(f.venue, f.symbol);
  const side = f.side === "buy" ? 1 : -1;
  const qty = inst.sizeValue(f.filledLots) * multiplier;
  const leg: CarryLeg = {
    venue: f.venue,
    account: f.account,
    symbol: f.symbol,
    side,
    lots: f.filledLots,
    qty,
    multiplier,
    entryPrice: f.avgPrice / multiplier,
    feesUsd: f.feesUsd,
    intervalHours: inst.spec.fundingIntervalHours,
  };
  const ledger = new FundingLedger({
    venue: f.venue,
    symbol: f.symbol,
    intervalHours: leg.intervalHours,
    side,
    qty,
    openedAt,
  });
  return { leg, ledger };
}

/** Executable exit price per base unit of a leg (long sells at the bid, short buys at the ask). */
export function exitPrice(market: MarketView, leg: CarryLeg): number {
  const inst = market.instrument(leg.venue, leg.symbol);
  const bbo = market.bbo(leg.venue, leg.symbol);
  const t = leg.side > 0 ? bbo.bidTicks : bbo.askTicks;
  return t === undefined ? Number.NaN : inst.priceValue(t) / leg.multiplier;
}

/**
 * mtm_usd: price PnL at executable exit prices vs the average entries, plus ledger funding, minus
 * fees paid and the projected exit taker fees (STRATEGIES.md "MTM").
 */
export function markToMarket(market: MarketView, p: CarryPosition): { mtmUsd: number; pricePnlUsd: number } {
  let price = 0;
  let exitFees = 0;
  for (const leg of [p.long, p.short]) {
    const px = exitPrice(market, leg);
    price += leg.side * leg.qty * (px - leg.entryPrice);
    const taker = market.instrument(leg.venue, leg.symbol).spec.takerFeeBps;
    exitFees += (leg.qty * px * taker) / 10_000;
  }
  const funding = p.ledgers.long.totalUsd + p.ledgers.short.totalUsd;
  const fees = p.long.feesUsd + p.short.feesUsd;
  return { mtmUsd: price + funding - fees - exitFees, pricePnlUsd: price };
}

/** Current yield per 8 h in bps: `(r_short - r_long) x 8 x 10^4`, > 0 while collecting. */
export function currentYieldBps(market: MarketView, p: CarryPosition): number {
  const rs = market.fundingRatePerHour(p.short.venue, p.short.symbol);
  const rl = market.fundingRatePerHour(p.long.venue, p.long.symbol);
  return (rs - rl) * 8 * 10_000;
}

/** Liquidation distance of a leg from the venue's liquidation price; NaN when none reported. */
export function liquidationDistance(portfolio: PortfolioView, market: MarketView, leg: CarryLeg): number {
  const pos = portfolio.position(leg.venue, leg.account, leg.symbol);
  if (pos === undefined || pos.liquidationPrice === null) return Number.NaN;
  const mark = market.mark(leg.venue, leg.symbol);
  if (!(mark > 0)) return Number.NaN;
  return leg.side > 0 ? (mark - pos.liquidationPrice) / mark : (pos.liquidationPrice - mark) / mark;
}

/** BBO age of a leg; Infinity when a side is empty (no usable BBO). */
export function bboAge(market: MarketView, leg: CarryLeg, now: number): number {
  const b = market.bbo(leg.venue, leg.symbol);
  if (b.bidTicks === undefined || b.askTicks === undefined) return Number.POSITIVE_INFINITY;
  return now - b.ts;
}

export function serialise(p: CarryPosition): string {
  const { ledgers, ...rest } = p;
  return JSON.stringify({ ...rest, ledgers: { long: ledgers.long.toJSON(), short: ledgers.short.toJSON() } });
}

export function deserialise(text: string): CarryPosition {
  const j = JSON.parse(text);
  const mk = (leg: CarryLeg, data: Parameters<FundingLedger["restore"]>[0]) => {
    const l = new FundingLedger({ ...leg, openedAt: j.openedAt });
    l.restore(data);
    return l;
  };
  return { ...j, ledgers: { long: mk(j.long, j.ledgers.long), short: mk(j.short, j.ledgers.short) } };
}
