import { type FillRow, type OrderTouch, priceParts, unhedged } from "./backtest-fills.ts";

export { type FillRow, unhedged } from "./backtest-fills.ts";

/**
 * The scalp backtest report (STRATEGIES.md 2.4): per trade the edge predicted at the touches, at
 * the fills and captured at the close, the gap between predicted and captured split into
 * slippage, fees and basis drift, fees and PnL, and the trade's own unhedged exposure; time and
 * size ever unhedged from the venues' own fills (not from the strategy's view of itself);
 * rejections by gate; totals per venue pair.
 */
export interface ScalpTrade {
  readonly id: string;
  readonly base: string;
  /** `<long venue>> <short venue>` */
  readonly pair: string;
  readonly long: string;
  readonly short: string;
  readonly status: string;
  readonly reason: string;
  readonly openedAt: number;
  readonly holdS: number;
  readonly qty: number;
  readonly notionalUsd: number;
  readonly predictedEdgeBps: number;
  readonly touchBuy: number;
  readonly touchSell: number;
  readonly fillEdgeBps: number;
  /** (realised PnL - fees) / entry notional */
  readonly capturedBps: number;
  readonly feesUsd: number;
  readonly pnlUsd: number;
  readonly netUsd: number;
  /** the COIN-M leg in contracts (qty x price / contract USD); 0 without one */
  readonly coinmContracts: number;
  /** USD a whole-contract order would leave unhedged */
  readonly contractRoundingUsd: number;
  /**
   * predicted - captured, bps of the entry notional, = gapSlippageBps + gapFeesBps + gapBasisDriftBps
   * (gapSplit below)
   */
  readonly gapBps: number;
  readonly gapSlippageBps: number;
  readonly gapFeesBps: number;
  readonly gapBasisDriftBps: number;
  readonly slippageUsd: number;
  /** from the trade's own fills: one leg without the other, or unequal legs */
  readonly unhedgedMs: number;
  readonly unhedgedMaxUsd: number;
  readonly unhedgedUsdSeconds: number;
}

export interface PairSummary {
  trades: number;
  wins: number;
  predictedEdgeBps: number;
  fillEdgeBps: number;
  capturedBps: number;
  feesUsd: number;
  pnlUsd: number;
  netUsd: number;
  /** means over the pair's trades, bps */
  gapBps: number;
  gapSlippageBps: number;
  gapFeesBps: number;
  gapBasisDriftBps: number;
  unhedgedUsdSeconds: number;
}

export interface ScalpBacktestReport {
  readonly from: string;
  readonly to: string;
  readonly events: number;
  readonly entries: number;
  readonly trades: number;
  readonly exitsByReason: Record<string, number>;
  readonly rejections: Record<string, number>;
  /** best edge the decision saw per venue pair, bps net of taker fees and the buffer */
  readonly bestEdgeBps: Record<string, number>;
  readonly entryFailures: Record<string, number>;
  readonly feeSchedule: Record<string, { makerBps: number; takerBps: number }>;
  readonly feesUsd: number;
  readonly pnlUsd: number;
  readonly netUsd: number;
  readonly equityChangeUsd: number;
  /** mean over trades, bps */
  readonly predictedEdgeBps: number;
  readonly fillEdgeBps: number;
  readonly capturedBps: number;
  /** means over trades of the gap and its parts, bps */
  readonly gapBps: number;
  readonly gapSlippageBps: number;
  readonly gapFeesBps: number;
  readonly gapBasisDriftBps: number;
  readonly unhedged: {
    readonly ms: number;
    readonly maxUsd: number;
    readonly usdSeconds: number;
    readonly maxBaseUnits: Record<string, number>;
  };
  readonly perPair: Record<string, PairSummary>;
  readonly perTrade: readonly ScalpTrade[];
  readonly assumptions: readonly string[];
}

export interface SummaryInput {
  readonly startTs: number;
  readonly endTs: number;
  readonly events: number;
  readonly trades: readonly ScalpTrade[];
  readonly fills: readonly FillRow[];
  readonly baseOf: (venue: string, symbol: string) => string;
  readonly rejections: Record<string, number>;
  readonly bestEdgeBps: Record<string, number>;
  readonly entryFailures: Record<string, number>;
  readonly entries: number;
  readonly equityChangeUsd: number;
  readonly feeSchedule: Record<string, { makerBps: number; takerBps: number }>;
  readonly assumptions: readonly string[];
}

/** A fill of a trade's group, with what its price is measured against. */
export interface TradeFill {
  readonly side: "buy" | "sell";
  /** base units and USD per base unit */
  readonly qty: number;
  readonly price: number;
  /** an entry order's fill (measured against the decision's touches), or a trim, unwind or close */
  readonly entry: boolean;
  /** the book a non-entry order was priced from when the engine sent it */
  readonly at: OrderTouch | undefined;
}

export interface GapInput {
  readonly predictedEdgeBps: number;
  readonly capturedBps: number;
  readonly notionalUsd: number;
  /** every fee of the trade, entry and exit */
  readonly feesUsd: number;
  /** the decision (group meta): planned quantity, the touches and taker fees the edge used */
  readonly qty: number;
  readonly touchBuy: number;
  readonly touchSell: number;
  readonly takerFeeBuyBps: number;
  readonly takerFeeSellBps: number;
  readonly fills: readonly TradeFill[];
}

/**
 * The gap between the edge predicted and the edge captured, in bps of the entry notional (the
 * base of capturedBps): `gap = predicted - captured = slippage + fees + basis drift`.
 * - slippage: each fill against its reference, worse = positive: the entry fills against the
 *   touches the decision read (the ask it bought at, the bid it sold at), every other fill
 *   (trims, unwinds, closes) against the touch of its own book when the engine sent it;
 * - fees: every fee paid less the entry taker fees the prediction already took off (the planned
 *   quantity at the decision's touches), so mostly the exit's fees;
 * - basis drift: the rest. The prediction counts the spread between the venues at entry as if
 *   the position then closed at no cost, so this is mostly what the two books' basis was at the
 *   exit touches, plus the buffer the prediction took off and any planned quantity not filled.
 * NaN throughout when nothing was held (no notional).
 */
export function gapSplit(g: GapInput): {
  gapBps: number;
  gapSlippageBps: number;
  gapFeesBps: number;
  gapBasisDriftBps: number;
  slippageUsd: number;
} {
  let slippageUsd = 0;
  for (const f of g.fills) {
    const ref = f.entry
      ? f.side === "buy"
        ? { touch: g.touchBuy, mid: g.touchBuy }
        : { touch: g.touchSell, mid: g.touchSell }
      : f.at;
    slippageUsd += priceParts(f.side, f.qty, f.price, ref).slippageUsd;
  }
  const predictedFeesUsd =
    g.qty * ((g.touchBuy * g.takerFeeBuyBps + g.touchSell * g.takerFeeSellBps) / 10_000);
  const bps = (usd: number) => (g.notionalUsd > 0 ? (usd / g.notionalUsd) * 10_000 : Number.NaN);
  const gapBps = g.notionalUsd > 0 ? g.predictedEdgeBps - g.capturedBps : Number.NaN;
  const gapSlippageBps = bps(slippageUsd);
  const gapFeesBps = bps(g.feesUsd - predictedFeesUsd);
  return {
    gapBps,
    gapSlippageBps,
    gapFeesBps,
    gapBasisDriftBps: gapBps - gapSlippageBps - gapFeesBps,
    slippageUsd,
  };
}

const mean = (xs: readonly number[]) => {
  const ok = xs.filter(Number.isFinite);
  return ok.length === 0 ? 0 : ok.reduce((s, x) => s + x, 0) / ok.length;
};

export function summarise(s: SummaryInput): ScalpBacktestReport {
  const exitsByReason: Record<string, number> = {};
  const perPair: Record<string, PairSummary> = {};
  for (const t of s.trades) {
    exitsByReason[t.reason] = (exitsByReason[t.reason] ?? 0) + 1;
    const p = perPair[t.pair] ?? {
      trades: 0,
      wins: 0,
      predictedEdgeBps: 0,
      fillEdgeBps: 0,
      capturedBps: 0,
      feesUsd: 0,
      pnlUsd: 0,
      netUsd: 0,
      gapBps: 0,
      gapSlippageBps: 0,
      gapFeesBps: 0,
      gapBasisDriftBps: 0,
      unhedgedUsdSeconds: 0,
    };
    perPair[t.pair] = p;
    p.trades++;
    if (t.netUsd > 0) p.wins++;
    p.feesUsd += t.feesUsd;
    p.pnlUsd += t.pnlUsd;
    p.netUsd += t.netUsd;
    p.unhedgedUsdSeconds += t.unhedgedUsdSeconds;
  }
  for (const [k, p] of Object.entries(perPair)) {
    const ts = s.trades.filter((t) => t.pair === k);
    p.predictedEdgeBps = mean(ts.map((t) => t.predictedEdgeBps));
    p.fillEdgeBps = mean(ts.map((t) => t.fillEdgeBps));
    p.capturedBps = mean(ts.map((t) => t.capturedBps));
    p.gapBps = mean(ts.map((t) => t.gapBps));
    p.gapSlippageBps = mean(ts.map((t) => t.gapSlippageBps));
    p.gapFeesBps = mean(ts.map((t) => t.gapFeesBps));
    p.gapBasisDriftBps = mean(ts.map((t) => t.gapBasisDriftBps));
  }
  const sum = (f: (t: ScalpTrade) => number) => s.trades.reduce((a, t) => a + f(t), 0);
  return {
    from: new Date(s.startTs).toISOString(),
    to: new Date(s.endTs).toISOString(),
    events: s.events,
    entries: s.entries,
    trades: s.trades.filter((t) => t.status === "closed" || t.status === "open").length,
    exitsByReason,
    rejections: s.rejections,
    bestEdgeBps: s.bestEdgeBps,
    entryFailures: s.entryFailures,
    feeSchedule: s.feeSchedule,
    feesUsd: sum((t) => t.feesUsd),
    pnlUsd: sum((t) => t.pnlUsd),
    netUsd: sum((t) => t.netUsd),
    equityChangeUsd: s.equityChangeUsd,
    predictedEdgeBps: mean(s.trades.map((t) => t.predictedEdgeBps)),
    fillEdgeBps: mean(s.trades.map((t) => t.fillEdgeBps)),
    capturedBps: mean(s.trades.map((t) => t.capturedBps)),
    gapBps: mean(s.trades.map((t) => t.gapBps)),
    gapSlippageBps: mean(s.trades.map((t) => t.gapSlippageBps)),
    gapFeesBps: mean(s.trades.map((t) => t.gapFeesBps)),
    gapBasisDriftBps: mean(s.trades.map((t) => t.gapBasisDriftBps)),
    unhedged: unhedged(s.fills, s.baseOf),
    perPair,
    perTrade: s.trades,
    assumptions: s.assumptions,
  };
}

export function formatScalpReport(r: ScalpBacktestReport): string {
  const m = (x: number) => `${x < 0 ? "-" : ""}$${Math.abs(x).toFixed(4)}`;
  const kv = (o: Record<string, number>) =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "none";
  const lines = [
    `scalp backtest on recorded books ${r.from} .. ${r.to} (${r.events} events): ${r.entries} entries sent, ${r.trades} trades`,
    `fees: ${Object.entries(r.feeSchedule)
      .map(([k, f]) => `${k} ${f.makerBps}/${f.takerBps} bps`)
      .join(", ")}`,
    `exits: ${kv(r.exitsByReason)}`,
    `rejections: ${kv(r.rejections)}`,
    `entry failures: ${kv(r.entryFailures)}`,
    `best edge seen (bps, net of taker fees and buffer): ${
      Object.entries(r.bestEdgeBps)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(", ") || "none"
    }`,
    `edge (mean bps): predicted ${r.predictedEdgeBps.toFixed(2)}  at fill ${r.fillEdgeBps.toFixed(2)}  captured ${r.capturedBps.toFixed(2)}`,
    `gap predicted - captured (mean bps): ${r.gapBps.toFixed(2)} = slippage ${r.gapSlippageBps.toFixed(2)} + fees ${r.gapFeesBps.toFixed(2)} + basis drift ${r.gapBasisDriftBps.toFixed(2)}`,
    `PnL ${m(r.pnlUsd)}  fees ${m(r.feesUsd)}  net ${m(r.netUsd)}  equity change ${m(r.equityChangeUsd)}`,
    `unhedged: ${r.unhedged.ms} ms in all, at most $${r.unhedged.maxUsd.toFixed(2)} beyond one instant, ${r.unhedged.usdSeconds.toFixed(3)} USD x s`,
    "",
    "per venue pair (long>short): trades wins  predicted  at-fill  captured      fees       net     gap  slip  fees  drift  unhedged USD x s",
  ];
  for (const [k, p] of Object.entries(r.perPair))
    lines.push(
      `  ${k.padEnd(24)} ${String(p.trades).padStart(6)} ${String(p.wins).padStart(4)} ${p.predictedEdgeBps.toFixed(2).padStart(10)} ${p.fillEdgeBps.toFixed(2).padStart(8)} ${p.capturedBps.toFixed(2).padStart(9)} ${m(p.feesUsd).padStart(9)} ${m(p.netUsd).padStart(9)} ${p.gapBps.toFixed(2).padStart(7)} ${p.gapSlippageBps.toFixed(2).padStart(5)} ${p.gapFeesBps.toFixed(2).padStart(5)} ${p.gapBasisDriftBps.toFixed(2).padStart(6)} ${p.unhedgedUsdSeconds.toFixed(3).padStart(17)}`,
    );
  if (r.perTrade.length > 0) {
    lines.push(
      "",
      "trade                          base long                short               reason          hold s  predicted  fill  captured     net  contracts     gap   slip   fees  drift  unhedged ms  USD x s",
    );
    for (const t of r.perTrade)
      lines.push(
        [
          t.id.padEnd(30),
          t.base.padEnd(4),
          t.long.padEnd(19),
          t.short.padEnd(19),
          t.reason.padEnd(15),
          t.holdS.toFixed(1).padStart(6),
          t.predictedEdgeBps.toFixed(2).padStart(10),
          t.fillEdgeBps.toFixed(2).padStart(5),
          t.capturedBps.toFixed(2).padStart(9),
          m(t.netUsd).padStart(8),
          t.coinmContracts.toFixed(2).padStart(10),
          t.gapBps.toFixed(2).padStart(7),
          t.gapSlippageBps.toFixed(2).padStart(6),
          t.gapFeesBps.toFixed(2).padStart(6),
          t.gapBasisDriftBps.toFixed(2).padStart(6),
          String(t.unhedgedMs).padStart(12),
          t.unhedgedUsdSeconds.toFixed(3).padStart(8),
        ].join(" "),
      );
  }
  lines.push("", "assumptions:", ...r.assumptions.map((a) => `  - ${a}`));
  return lines.join("\n");
}
