import type { Instrument } from "../../core/instrument.ts";
import { toUsd } from "../../core/money.ts";
import type { Fill } from "../../core/types.ts";

/**
 * What the maker reports per account and contract (STRATEGIES.md 3.5), accumulated from its own
 * fill events and kept in the instance's state slot so a restart continues the figures. Fees are
 * the venue's: positive paid, negative a rebate. PnL is realised PnL net of fees (funding is not in
 * the fill events and is not counted here). Cost per $1M = -PnL / volume x 10^6.
 */
export interface LaneStats {
  fills: number;
  volumeUsd: number;
  makerVolumeUsd: number;
  takerVolumeUsd: number;
  feesPaidUsd: number;
  rebatesUsd: number;
  realisedPnlUsd: number;
  tpPlaced: number;
  /** mismatches the reconcile found and repaired */
  repairs: number;
  /** lots of take-profit cancelled as excess by reconcile */
  excessCancelledLots: number;
}

export function emptyStats(): LaneStats {
  return {
    fills: 0,
    volumeUsd: 0,
    makerVolumeUsd: 0,
    takerVolumeUsd: 0,
    feesPaidUsd: 0,
    rebatesUsd: 0,
    realisedPnlUsd: 0,
    tpPlaced: 0,
    repairs: 0,
    excessCancelledLots: 0,
  };
}

export function addFill(s: LaneStats, fill: Fill, inst: Instrument): void {
  const notional = inst.sizeValue(fill.sizeLots) * inst.priceValue(fill.priceTicks);
  s.fills++;
  s.volumeUsd += notional;
  if (fill.liquidity === "maker") s.makerVolumeUsd += notional;
  else s.takerVolumeUsd += notional;
  const fee = toUsd(fill.fee);
  if (fee >= 0) s.feesPaidUsd += fee;
  else s.rebatesUsd += -fee;
  s.realisedPnlUsd += toUsd(fill.realisedPnl);
}

export interface LaneReport extends LaneStats {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  /** realised PnL net of fees and rebates */
  readonly netPnlUsd: number;
  /** -net PnL per $1M of volume; null before any volume */
  readonly costPerMillionUsd: number | null;
  readonly makerShare: number | null;
}

export function laneReport(venue: string, account: string, symbol: string, s: LaneStats): LaneReport {
  const netPnlUsd = s.realisedPnlUsd - s.feesPaidUsd + s.rebatesUsd;
  return {
    venue,
    account,
    symbol,
    ...s,
    netPnlUsd,
    costPerMillionUsd: s.volumeUsd > 0 ? (-netPnlUsd / s.volumeUsd) * 1e6 : null,
    makerShare: s.volumeUsd > 0 ? s.makerVolumeUsd / s.volumeUsd : null,
  };
}

/** One status line per lane. */
export function reportLine(r: LaneReport, extra: string): string {
  const usd = (x: number) => `${x < 0 ? "-" : ""}$${Math.abs(x).toFixed(2)}`;
  const share = r.makerShare === null ? "-" : `${(r.makerShare * 100).toFixed(0)}%`;
  const cost = r.costPerMillionUsd === null ? "-" : usd(r.costPerMillionUsd);
  return `  ${r.account} ${r.venue} ${r.symbol}: ${extra}  volume ${usd(r.volumeUsd)} (maker ${share})  fees ${usd(r.feesPaidUsd)}  rebates ${usd(r.rebatesUsd)}  net PnL ${usd(r.netPnlUsd)}  cost/$1M ${cost}  repairs ${r.repairs}`;
}
