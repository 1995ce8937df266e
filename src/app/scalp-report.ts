/**
 * The scalp backtest report (STRATEGIES.md 2.4): per trade the edge predicted at the touches, at
 * the fills and captured at the close, fees and PnL; time and size ever unhedged from the venues'
 * own fills (not from the strategy's view of itself); rejections by gate; totals per venue pair.
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
}

export interface FillRow {
  readonly venue: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly ts: number;
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

/**
 * Net base exposure over time from the venues' fills: every fill of one instant is applied
 * together (two legs filled at once were never apart), then the exposure holds until the next
 * instant. Returns how long any base was unhedged, the largest USD exposure and USD x seconds.
 */
export function unhedged(fills: readonly FillRow[], baseOf: SummaryInput["baseOf"]) {
  const sorted = [...fills].sort((a, b) => a.ts - b.ts);
  const net = new Map<string, number>();
  const px = new Map<string, number>();
  const maxBaseUnits: Record<string, number> = {};
  let ms = 0;
  let maxUsd = 0;
  let usdSeconds = 0;
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i];
    const b = baseOf(f.venue, f.symbol);
    net.set(b, (net.get(b) ?? 0) + (f.side === "buy" ? f.qty : -f.qty));
    px.set(b, f.price);
    const next = sorted[i + 1];
    if (next !== undefined && next.ts === f.ts) continue;
    let usd = 0;
    for (const [base, n] of net) {
      // below a billionth of a unit is float dust of equal fills, not exposure
      const x = Math.abs(n) < 1e-9 ? 0 : Math.abs(n);
      maxBaseUnits[base] = Math.max(maxBaseUnits[base] ?? 0, x);
      usd += x * (px.get(base) ?? 0);
    }
    maxUsd = Math.max(maxUsd, usd);
    if (next !== undefined && usd > 0) {
      ms += next.ts - f.ts;
      usdSeconds += (usd * (next.ts - f.ts)) / 1000;
    }
  }
  return { ms, maxUsd, usdSeconds, maxBaseUnits };
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
    };
    perPair[t.pair] = p;
    p.trades++;
    if (t.netUsd > 0) p.wins++;
    p.feesUsd += t.feesUsd;
    p.pnlUsd += t.pnlUsd;
    p.netUsd += t.netUsd;
  }
  for (const [k, p] of Object.entries(perPair)) {
    const ts = s.trades.filter((t) => t.pair === k);
    p.predictedEdgeBps = mean(ts.map((t) => t.predictedEdgeBps));
    p.fillEdgeBps = mean(ts.map((t) => t.fillEdgeBps));
    p.capturedBps = mean(ts.map((t) => t.capturedBps));
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
    `PnL ${m(r.pnlUsd)}  fees ${m(r.feesUsd)}  net ${m(r.netUsd)}  equity change ${m(r.equityChangeUsd)}`,
    `unhedged: ${r.unhedged.ms} ms in all, at most $${r.unhedged.maxUsd.toFixed(2)} beyond one instant, ${r.unhedged.usdSeconds.toFixed(3)} USD x s`,
    "",
    "per venue pair (long>short): trades wins  predicted  at-fill  captured      fees       net",
  ];
  for (const [k, p] of Object.entries(r.perPair))
    lines.push(
      `  ${k.padEnd(24)} ${String(p.trades).padStart(6)} ${String(p.wins).padStart(4)} ${p.predictedEdgeBps.toFixed(2).padStart(10)} ${p.fillEdgeBps.toFixed(2).padStart(8)} ${p.capturedBps.toFixed(2).padStart(9)} ${m(p.feesUsd).padStart(9)} ${m(p.netUsd).padStart(9)}`,
    );
  if (r.perTrade.length > 0) {
    lines.push(
      "",
      "trade                          base long                short               reason          hold s  predicted  fill  captured     net  contracts",
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
        ].join(" "),
      );
  }
  lines.push("", "assumptions:", ...r.assumptions.map((a) => `  - ${a}`));
  return lines.join("\n");
}
