/**
 * Paradex funding accrues continuously rather than in settlements: the rate quoted per market is
 * for its `funding_period_hours` (VENUES.md §5, `/v1/markets`), and a position pays or earns
 * the pro-rata share of it for every instant it is held:
 *   payment(t0→t1) = −side·|size| · mark · rate · (t1 − t0) / period
 * (a long pays a positive rate). Amounts are decimal numbers here, in the settlement currency.
 */
export interface AccrualInput {
  /** signed position size, base units (long > 0) */
  readonly size: number;
  readonly markPx: number;
  /** the funding rate over one period */
  readonly ratePerPeriod: number;
  readonly periodHours: number;
  readonly fromMs: number;
  readonly toMs: number;
}

/** What the account receives (negative: pays) over [fromMs, toMs]. */
export function accruedFunding(a: AccrualInput): number {
  if (!(a.periodHours > 0))
    throw new RangeError(`paradex funding: funding_period_hours ${a.periodHours} must be > 0`);
  if (a.toMs < a.fromMs)
    throw new RangeError(`paradex funding: interval ends (${a.toMs}) before it starts (${a.fromMs})`);
  const fraction = (a.toMs - a.fromMs) / (a.periodHours * 3_600_000);
  return -a.size * a.markPx * a.ratePerPeriod * fraction;
}

/** The rate per hour of a per-period rate (the engine's unit). */
export function hourlyRate(ratePerPeriod: number, periodHours: number): number {
  if (!(periodHours > 0))
    throw new RangeError(`paradex funding: funding_period_hours ${periodHours} must be > 0`);
  return ratePerPeriod / periodHours;
}
