import { ATR, EMA, MACD, RSI } from "trading-signals";
import type { Candle } from "./candles.ts";

/**
 * Indicators of STRATEGIES.md 4.1 on the agent's candles, with trading-signals: EMA (seeded with
 * the first price; reported only once it has seen its period), RSI (Wilder smoothing), MACD(12,26,9)
 * and ATR. Too few candles: null, never a padded 50 or 0 (the seed padded them).
 */
const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

function series<T>(
  values: readonly number[],
  make: () => { update(x: number, r: boolean): T | null; isStable: boolean },
): (T | null)[] {
  const ind = make();
  return values.map((v) => {
    const r = ind.update(v, false);
    return ind.isStable ? r : null;
  });
}

const lastN = (xs: readonly (number | null)[], n = 10) =>
  xs.slice(-n).map((x) => (x === null ? null : round(x)));
const last = (xs: readonly (number | null)[]) => (xs.length === 0 ? null : (xs[xs.length - 1] ?? null));

export interface Indicators1m {
  readonly ema20: (number | null)[];
  /** ((EMA12 - EMA26) - EMA9) / price x 100 */
  readonly macd_hist_pct: (number | null)[];
  readonly rsi7: (number | null)[];
  readonly rsi14: (number | null)[];
  /** std of the last 15 one-minute log returns x sqrt(525600) (annualised, a fraction) */
  readonly rv_15m: number | null;
}

export interface Indicators6h {
  readonly ema20: number | null;
  readonly ema50: number | null;
  readonly atr3: number | null;
  readonly atr14: number | null;
  readonly rsi14: number | null;
  readonly macd_hist_pct: number | null;
  /** last candle's volume / mean volume of the series */
  readonly volume_vs_avg: number | null;
}

function macdHistPct(closes: readonly number[]): (number | null)[] {
  const macd = series(closes, () => new MACD(new EMA(12), new EMA(26), new EMA(9)));
  return macd.map((m, i) => (m === null ? null : (m.histogram / closes[i]) * 100));
}

export function realizedVol(closes: readonly number[], n = 15): number | null {
  if (closes.length < n + 1) return null;
  const c = closes.slice(-(n + 1));
  const r = c.slice(1).map((x, i) => Math.log(x / c[i]));
  const mean = r.reduce((s, x) => s + x, 0) / r.length;
  const variance = r.reduce((s, x) => s + (x - mean) ** 2, 0) / (r.length - 1);
  return round(Math.sqrt(variance) * Math.sqrt(525_600));
}

export function indicators1m(candles: readonly Candle[]): Indicators1m {
  const closes = candles.map((c) => c[4]);
  return {
    ema20: lastN(series(closes, () => new EMA(20))),
    macd_hist_pct: lastN(macdHistPct(closes)),
    rsi7: lastN(series(closes, () => new RSI(7))),
    rsi14: lastN(series(closes, () => new RSI(14))),
    rv_15m: realizedVol(closes),
  };
}

function atr(candles: readonly Candle[], n: number): number | null {
  const ind = new ATR(n);
  let r: number | null = null;
  for (const c of candles) r = ind.update({ high: c[2], low: c[3], close: c[4] }, false);
  return ind.isStable && r !== null ? round(r) : null;
}

export function indicators6h(candles: readonly Candle[]): Indicators6h {
  const closes = candles.map((c) => c[4]);
  const vols = candles.map((c) => c[5]);
  const meanVol = vols.length === 0 ? 0 : vols.reduce((s, x) => s + x, 0) / vols.length;
  return {
    ema20: round(last(series(closes, () => new EMA(20))) ?? Number.NaN),
    ema50: round(last(series(closes, () => new EMA(50))) ?? Number.NaN),
    atr3: atr(candles, 3),
    atr14: atr(candles, 14),
    rsi14: round(last(series(closes, () => new RSI(14))) ?? Number.NaN),
    macd_hist_pct: round(last(macdHistPct(closes)) ?? Number.NaN),
    volume_vs_avg: meanVol > 0 ? round(vols[vols.length - 1] / meanVol, 4) : null,
  };
}
