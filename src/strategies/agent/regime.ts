import type { Candle } from "./candles.ts";
import type { Indicators1m, Indicators6h } from "./indicators.ts";

/**
 * The market regime label of STRATEGIES.md 4.1, with the inputs it came from so the model (and a
 * reader of the journal) sees why. Markets whose indicators are still null take no part.
 */
export interface RegimeInput {
  readonly coin: string;
  readonly mid: number;
  readonly ind1m: Indicators1m;
  readonly ind6h: Indicators6h;
  readonly candles1m: readonly Candle[];
}

export interface MarketRegimeInputs {
  readonly trend_score: number;
  readonly volatility: number;
  readonly up_votes: number;
  readonly change_5_pct: number | null;
}

export interface Regime {
  readonly type: "trending_up" | "trending_down" | "ranging" | "volatile_choppy" | "unknown";
  readonly strength: number | null;
  readonly volatility: number | null;
  readonly volatility_level: "low" | "moderate" | "high" | "extreme" | null;
  readonly sentiment: "risk_on" | "risk_off" | "neutral";
  readonly up_ratio: number | null;
  readonly inputs: Record<string, MarketRegimeInputs>;
}

const lastOf = (xs: readonly (number | null)[]) => (xs.length === 0 ? null : xs[xs.length - 1]);
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function regimeOf(markets: readonly RegimeInput[]): Regime {
  const inputs: Record<string, MarketRegimeInputs> = {};
  const changes: number[] = [];
  let upVotes = 0;
  let votes = 0;
  for (const m of markets) {
    const ema = lastOf(m.ind1m.ema20);
    const macd = lastOf(m.ind1m.macd_hist_pct);
    const rsi = lastOf(m.ind1m.rsi7);
    const c = m.candles1m;
    const change =
      c.length >= 6 ? ((c[c.length - 1][4] - c[c.length - 6][4]) / c[c.length - 6][4]) * 100 : null;
    if (change !== null) changes.push(change);
    if (ema === null || macd === null || rsi === null) continue;
    const score =
      Math.min((Math.abs(m.mid - ema) / ema) * 1000, 50) +
      Math.min(Math.abs(macd) * 20, 30) +
      Math.min(Math.abs(rsi - 50) / 2, 20);
    const atrPct = m.ind6h.atr14 === null ? 0 : (m.ind6h.atr14 / m.mid) * 100;
    const vol = Math.max(m.ind1m.rv_15m ?? 0, atrPct);
    const up = (m.mid > ema ? 1 : 0) + (macd > 0 ? 0.5 : 0);
    upVotes += up;
    votes += 1.5;
    inputs[m.coin] = {
      trend_score: r4(score),
      volatility: r4(vol),
      up_votes: up,
      change_5_pct: change === null ? null : r4(change),
    };
  }
  const scored = Object.values(inputs);
  let sentiment: Regime["sentiment"] = "neutral";
  if (changes.length >= 2) {
    const mean = changes.reduce((s, x) => s + x, 0) / changes.length;
    const upShare = changes.filter((x) => x > 0).length / changes.length;
    const downShare = changes.filter((x) => x < 0).length / changes.length;
    if (upShare >= 0.7 && mean > 0.3) sentiment = "risk_on";
    else if (downShare >= 0.7 && mean < -0.3) sentiment = "risk_off";
  }
  if (scored.length === 0)
    return {
      type: "unknown",
      strength: null,
      volatility: null,
      volatility_level: null,
      sentiment,
      up_ratio: null,
      inputs,
    };
  const strength = Math.min(scored.reduce((s, x) => s + x.trend_score, 0) / scored.length, 100);
  const volatility = scored.reduce((s, x) => s + x.volatility, 0) / scored.length;
  const upRatio = upVotes / votes;
  let type: Regime["type"] = "ranging";
  if (strength < 30) type = "ranging";
  else if (upRatio > 0.65 && strength > 50) type = "trending_up";
  else if (upRatio < 0.35 && strength > 50) type = "trending_down";
  else if (strength > 60) type = "volatile_choppy";
  const level =
    volatility < 0.5 ? "low" : volatility < 1.5 ? "moderate" : volatility < 3 ? "high" : "extreme";
  return {
    type,
    strength: r4(strength),
    volatility: r4(volatility),
    volatility_level: level,
    sentiment,
    up_ratio: r4(upRatio),
    inputs,
  };
}
