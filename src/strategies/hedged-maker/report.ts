import { emptyStats, type LaneReport, type LaneStats, laneReport } from "../maker/report.ts";

/**
 * What the hedged maker reports per account and contract (STRATEGIES.md 3.5, hedged): the maker
 * report of each venue (volume, maker/taker split, fees, rebates, PnL, cost per $1M) and the
 * hedge figures: unhedged notional x seconds, the largest unhedged delta, hedge slippage against
 * B's executable price, and how often the exposure bound stopped the quotes. Kept in the lane's
 * state slot so a restart continues them.
 */
export interface HedgeStats {
  a: LaneStats;
  b: LaneStats;
  quotesPlaced: number;
  /** maker fills on A (each one is hedged) */
  makerFills: number;
  /** maker fills that arrived for a quote being cancelled (the fill won the race) */
  raceFills: number;
  hedgesPlaced: number;
  hedgeFills: number;
  /** hedge IOCs that left part of their size unfilled (retried with backoff) */
  hedgeShortfalls: number;
  /** sum over hedge fills of the slippage against the executable price expected, bps x fills */
  hedgeSlippageBpsSum: number;
  /** unwinds on A after hedge_timeout_s */
  unwinds: number;
  /** times the exposure bound kept a quote from resting */
  capStops: number;
  maxAbsDeltaBase: number;
  maxUnhedgedUsd: number;
  unhedgedUsdSeconds: number;
}

export function emptyHedgeStats(): HedgeStats {
  return {
    a: emptyStats(),
    b: emptyStats(),
    quotesPlaced: 0,
    makerFills: 0,
    raceFills: 0,
    hedgesPlaced: 0,
    hedgeFills: 0,
    hedgeShortfalls: 0,
    hedgeSlippageBpsSum: 0,
    unwinds: 0,
    capStops: 0,
    maxAbsDeltaBase: 0,
    maxUnhedgedUsd: 0,
    unhedgedUsdSeconds: 0,
  };
}

export interface HedgeReport {
  readonly account: string;
  readonly symbol: string;
  readonly maker: LaneReport;
  readonly hedge: LaneReport;
  /** both venues together */
  readonly volumeUsd: number;
  readonly netPnlUsd: number;
  readonly costPerMillionUsd: number | null;
  /** the unhedged delta now (A + B, base units): the residue below B's minimum */
  readonly residueBase: number;
  readonly quotesPlaced: number;
  readonly makerFills: number;
  readonly raceFills: number;
  readonly hedgesPlaced: number;
  readonly hedgeFills: number;
  readonly hedgeShortfalls: number;
  readonly meanHedgeSlippageBps: number | null;
  readonly unwinds: number;
  readonly capStops: number;
  readonly maxAbsDeltaBase: number;
  readonly maxUnhedgedUsd: number;
  readonly unhedgedUsdSeconds: number;
}

export function hedgeReport(
  venues: { a: string; b: string; symbolA: string; symbolB: string },
  account: string,
  s: HedgeStats,
  residueBase: number,
): HedgeReport {
  const maker = laneReport(venues.a, account, venues.symbolA, s.a);
  const hedge = laneReport(venues.b, account, venues.symbolB, s.b);
  const volumeUsd = maker.volumeUsd + hedge.volumeUsd;
  const netPnlUsd = maker.netPnlUsd + hedge.netPnlUsd;
  return {
    account,
    symbol: venues.symbolA,
    maker,
    hedge,
    volumeUsd,
    netPnlUsd,
    costPerMillionUsd: volumeUsd > 0 ? (-netPnlUsd / volumeUsd) * 1e6 : null,
    residueBase,
    quotesPlaced: s.quotesPlaced,
    makerFills: s.makerFills,
    raceFills: s.raceFills,
    hedgesPlaced: s.hedgesPlaced,
    hedgeFills: s.hedgeFills,
    hedgeShortfalls: s.hedgeShortfalls,
    meanHedgeSlippageBps: s.hedgeFills > 0 ? s.hedgeSlippageBpsSum / s.hedgeFills : null,
    unwinds: s.unwinds,
    capStops: s.capStops,
    maxAbsDeltaBase: s.maxAbsDeltaBase,
    maxUnhedgedUsd: s.maxUnhedgedUsd,
    unhedgedUsdSeconds: s.unhedgedUsdSeconds,
  };
}

/** One status line per lane. */
export function hedgeReportLine(r: HedgeReport, extra: string): string {
  const usd = (x: number) => `${x < 0 ? "-" : ""}$${Math.abs(x).toFixed(2)}`;
  const slip = r.meanHedgeSlippageBps === null ? "-" : `${r.meanHedgeSlippageBps.toFixed(2)} bps`;
  const cost = r.costPerMillionUsd === null ? "-" : usd(r.costPerMillionUsd);
  return `  ${r.account} ${r.maker.venue}/${r.hedge.venue} ${r.symbol}: ${extra}  volume ${usd(r.volumeUsd)}  fills ${r.makerFills} hedged by ${r.hedgeFills}  residue ${r.residueBase}  max unhedged ${usd(r.maxUnhedgedUsd)}  unhedged $*s ${r.unhedgedUsdSeconds.toFixed(1)}  hedge slippage ${slip}  net PnL ${usd(r.netPnlUsd)}  cost/$1M ${cost}`;
}
