import type { Instrument } from "../../core/instrument.ts";
import { mulDiv } from "../../core/money.ts";
import type { VenueEvent } from "../../core/venue.ts";
import type { FundingRatePoint, SimState } from "./state.ts";

/**
 * Funding settlement. Each instrument settles at its own interval on epoch-aligned boundaries
 * (every full hour for 1 h; 00:00/04:00/... UTC for 4 h; 00:00/08:00/16:00 UTC for 8 h, as
 * Hyperliquid and Binance-format venues such as Aster do). At a boundary every open position
 * pays size x mark x ratePerHour x intervalHours; positive rate: longs pay shorts (DOMAIN.md §2).
 * An instrument under continuous funding (SimVenueOptions.continuousFunding) settles every step
 * instead, for the step's hours.
 */

const HOUR_MS = 3_600_000;
/** the hourly rate x hours is turned into an exact fraction with this denominator */
const RATE_SCALE = 1_000_000_000_000_000n;

export function intervalMs(inst: Instrument): number {
  return Math.round(inst.spec.fundingIntervalHours * HOUR_MS);
}

/** The last boundary at or before `ms`. */
export function boundaryAtOrBefore(ms: number, interval: number): number {
  return Math.floor(ms / interval) * interval;
}

/** Rate in force at `ts`: the last update stamped at or before it (0 before the first one). */
export function rateAt(series: readonly FundingRatePoint[] | undefined, ts: number): number {
  if (series === undefined) return 0;
  // the series is short (pruned at each settlement) and sorted by ts
  for (let i = series.length - 1; i >= 0; i--) if (series[i].ts <= ts) return series[i].ratePerHour;
  return 0;
}

/** Insert a rate keeping the series sorted by ts (a later update at the same ts replaces it). */
export function addRate(series: FundingRatePoint[], point: FundingRatePoint): void {
  let i = series.length;
  while (i > 0 && series[i - 1].ts > point.ts) i--;
  if (i > 0 && series[i - 1].ts === point.ts) series[i - 1] = point;
  else if (i === series.length) series.push(point);
  else series.splice(i, 0, point);
}

/** Drop points no future boundary can use: keep the last one at or before `settledTs`. */
export function pruneRates(series: FundingRatePoint[], settledTs: number): void {
  let keepFrom = 0;
  for (let i = 0; i < series.length; i++) if (series[i].ts <= settledTs) keepFrom = i;
  if (keepFrom > 0) series.splice(0, keepFrom);
}

/**
 * The signed cash change of one position at a settlement: negative when the account pays.
 * Rounded toward −infinity, so the venue never pays out a fraction it did not receive.
 */
export function fundingAmount(
  inst: Instrument,
  sizeLots: number,
  markTicks: number,
  ratePerHour: number,
  hours: number,
): bigint {
  const notional = inst.notional(sizeLots, markTicks);
  const fraction = BigInt(Math.round(ratePerHour * hours * Number(RATE_SCALE)));
  const paidByLong = mulDiv(notional, fraction, RATE_SCALE, sizeLots > 0 ? "up" : "down");
  return sizeLots > 0 ? -paidByLong : paidByLong;
}

/**
 * Settle one boundary for every open position of the instrument, at the given mark, for `hours`
 * of funding (default: the instrument's interval; a continuous-funding step's length otherwise).
 * Returns the funding events; the changes are recorded in `state` for the store.
 */
export function settleFunding(
  state: SimState,
  inst: Instrument,
  boundaryTs: number,
  markPrice: number | undefined,
  hours = inst.spec.fundingIntervalHours,
): VenueEvent[] {
  const symbol = inst.symbol;
  const series = state.fundingRates.get(symbol);
  const rate = rateAt(series, boundaryTs);
  state.fundingClock.set(symbol, boundaryTs);
  if (series !== undefined) pruneRates(series, boundaryTs);
  state.changes.meta = true;
  const events: VenueEvent[] = [];
  // without a mark there is nothing to value the positions at; a venue would not settle either
  if (rate === 0 || markPrice === undefined || !(markPrice > 0)) return events;
  const markTicks = Math.max(1, inst.roundPrice(markPrice, "buy", "nearest"));
  const positions = [...(state.positionsBySymbol.get(symbol) ?? [])].sort(byAccount);
  for (const p of positions) {
    if (p.sizeLots === 0) continue;
    const amount = fundingAmount(inst, p.sizeLots, markTicks, rate, hours);
    if (amount === 0n) continue;
    state.transfer(state.account(p.account), "funding", amount);
    p.fundingPaid -= amount;
    if (p.mode === "isolated") p.isolatedMargin += amount;
    state.touchPosition(p);
    state.changes.funding.push({
      account: p.account,
      symbol,
      ts: boundaryTs,
      amount,
      ratePerHour: rate,
      hours,
      markPrice: inst.priceValue(markTicks),
      sizeLots: p.sizeLots,
    });
    events.push({
      type: "funding",
      ts: boundaryTs,
      account: p.account,
      symbol,
      amount,
      ratePerHour: rate,
      hours,
    });
  }
  return events;
}

function byAccount(a: { account: string }, b: { account: string }): number {
  return a.account < b.account ? -1 : a.account > b.account ? 1 : 0;
}
