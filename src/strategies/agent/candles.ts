/**
 * Candles built from the prices the agent sees on the market view (book mids on each book event,
 * trade sizes for volume): no venue is asked for history. `[openTs, open, high, low, close,
 * volume]`, oldest first; the forming candle is kept apart until its period ends. Serialisable, so
 * the series survives a restart in the instance's state slot.
 */
export type Candle = [ts: number, open: number, high: number, low: number, close: number, volume: number];

export interface CandleSeriesState {
  readonly periodMs: number;
  readonly keep: number;
  readonly closed: Candle[];
  readonly forming: Candle | null;
}

export class CandleSeries {
  readonly periodMs: number;
  readonly keep: number;
  private closed: Candle[];
  private forming: Candle | null;

  constructor(periodMs: number, keep: number, state?: CandleSeriesState) {
    this.periodMs = periodMs;
    this.keep = keep;
    this.closed = state?.periodMs === periodMs ? state.closed.slice(-keep) : [];
    this.forming = state?.periodMs === periodMs ? state.forming : null;
  }

  /** A price at `ts` (and traded volume, 0 for a book update). Out-of-order prices are dropped. */
  add(ts: number, price: number, volume = 0): void {
    if (!(price > 0) || !Number.isFinite(price)) return;
    const start = ts - (ts % this.periodMs);
    const f = this.forming;
    if (f !== null && start < f[0]) return;
    if (f === null || start > f[0]) {
      if (f !== null) this.pushClosed(f, start);
      this.forming = [start, price, price, price, price, volume];
      return;
    }
    f[2] = Math.max(f[2], price);
    f[3] = Math.min(f[3], price);
    f[4] = price;
    f[5] += volume;
  }

  /** Gaps without prices repeat the last close (flat candles), so a period is never skipped. */
  private pushClosed(f: Candle, nextStart: number): void {
    this.closed.push(f);
    for (
      let t = f[0] + this.periodMs;
      t < nextStart && nextStart - t <= this.periodMs * this.keep;
      t += this.periodMs
    )
      this.closed.push([t, f[4], f[4], f[4], f[4], 0]);
    if (this.closed.length > this.keep) this.closed.splice(0, this.closed.length - this.keep);
  }

  /** Closed candles up to `now` (the forming one counts once its period has ended). */
  candles(now: number): Candle[] {
    const f = this.forming;
    const out = this.closed.slice();
    if (f !== null && now >= f[0] + this.periodMs) out.push([...f] as Candle);
    return out.slice(-this.keep);
  }

  state(): CandleSeriesState {
    return { periodMs: this.periodMs, keep: this.keep, closed: this.closed, forming: this.forming };
  }
}
