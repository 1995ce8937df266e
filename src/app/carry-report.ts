import type { Liquidity } from "../core/types.ts";
import type { GroupRecord } from "../engine/executor.ts";
import type { CarryPosition } from "../strategies/carry/position.ts";
import { type OrderTouch, priceParts, unhedged } from "./backtest-fills.ts";

/**
 * The carry backtest report (STRATEGIES.md 1.4): per position and in total, funding per leg
 * (carry's estimate, its ledger of the settlements, the venue's own payments), fees per leg by
 * maker and taker, basis PnL split into drift, spread and slippage, time and notional unhedged,
 * edge predicted vs captured, entry yield vs realised APR; exits and rejections by reason, the
 * equity's drawdown and a breakdown per venue pair. Figures are computed once, from the groups,
 * the stored fills and the venues' payments, when the run has ended.
 */
export interface CarryTrade {
  readonly id: string;
  readonly base: string;
  readonly long: string;
  readonly short: string;
  readonly status: string;
  readonly closeReason: string | null;
  readonly openedAt: string;
  readonly hoursOpen: number;
  readonly sizeUsd: number;
  readonly entryYieldBps: number;
  /** per leg: the strategy's ledger (settled) and the venue's own payments over the position's life */
  readonly fundingLongUsd: number;
  readonly fundingShortUsd: number;
  readonly venueFundingLongUsd: number;
  readonly venueFundingShortUsd: number;
  readonly feesUsd: number;
  readonly basisPnlUsd: number;
  /** funding (ledger) + basis PnL - fees */
  readonly netUsd: number;
  /**
   * per leg: every estimate carry's ledger made (those the settlements replaced and the one left
   * at the close; 0 without a position); null when a settled row does not say what it replaced
   * (a state saved before the ledger kept it)
   */
  readonly fundingEstimatedLongUsd: number | null;
  readonly fundingEstimatedShortUsd: number | null;
  /** fees per leg by the fills' liquidity (anything not maker counts as taker) */
  readonly feesLongMakerUsd: number;
  readonly feesLongTakerUsd: number;
  readonly feesShortMakerUsd: number;
  readonly feesShortTakerUsd: number;
  /**
   * basis PnL = basisDriftUsd - spreadUsd - slippageUsd, each fill against the book its order
   * was priced from (backtest-fills.ts priceParts): drift is the PnL had every fill been at that
   * book's mid, spread the half spreads crossed, slippage what the fills paid beyond the touch
   */
  readonly basisDriftUsd: number;
  readonly spreadUsd: number;
  readonly slippageUsd: number;
  /** from the position's fills: one leg filled and not (yet) the other, or unequal after partials */
  readonly unhedgedMs: number;
  readonly unhedgedMaxUsd: number;
  readonly unhedgedUsdSeconds: number;
  /** the entry's predicted net bps over hold_min_hours (scan step 3), and net / size captured */
  readonly predictedNetBps: number | null;
  readonly capturedBps: number | null;
  /** entry yield per 8 h as a yearly %, and the funding and the net realised per year of the
   * notional held (the long leg's, averaged over the time it was held) */
  readonly entryYieldAprPct: number;
  readonly realisedFundingAprPct: number | null;
  readonly realisedAprPct: number | null;
}

export interface CarryPairSummary {
  trades: number;
  wins: number;
  fundingUsd: number;
  venueFundingUsd: number;
  feesUsd: number;
  basisPnlUsd: number;
  slippageUsd: number;
  netUsd: number;
  unhedgedUsdSeconds: number;
}

export interface CarryBacktestReport {
  readonly days: number;
  readonly seed: number;
  readonly trades: number;
  readonly exitsByReason: Record<string, number>;
  readonly rejections: Record<string, number>;
  readonly fundingUsd: number;
  readonly venueFundingUsd: number;
  readonly feesUsd: number;
  readonly basisPnlUsd: number;
  readonly netUsd: number;
  readonly equityChangeUsd: number;
  /** totals of the per-trade figures of the same names, summed before rounding */
  readonly fundingEstimatedUsd: number | null;
  readonly feesMakerUsd: number;
  readonly feesTakerUsd: number;
  readonly basisDriftUsd: number;
  readonly spreadUsd: number;
  readonly slippageUsd: number;
  readonly unhedged: { readonly ms: number; readonly maxUsd: number; readonly usdSeconds: number };
  /**
   * equity change - (funding + fees per leg + basis drift - spread - slippage), the parts summed
   * before rounding: what the parts do not explain (zero to the cent: tested)
   */
  readonly unexplainedUsd: number;
  /** the largest fall of the summed equity from a running peak, sampled every simulated hour */
  readonly maxDrawdownUsd: number;
  readonly maxDrawdownPct: number;
  /** per venue pair, `<long venue>><short venue>` */
  readonly perPair: Record<string, CarryPairSummary>;
  /** the rejections by venue pair (`<long venue>><short venue>`), then by reason */
  readonly rejectionsByPair: Record<string, Record<string, number>>;
  readonly perTrade: readonly CarryTrade[];
  readonly assumptions: readonly string[];
}

/** A stored fill of one of a position's groups, with the book its order was priced from. */
export interface PositionFill {
  readonly venue: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  /** contract units and USD per contract unit, as the instrument trades */
  readonly size: number;
  readonly price: number;
  readonly feeUsd: number;
  readonly liquidity: Liquidity;
  readonly ts: number;
  readonly at: OrderTouch | undefined;
}

export interface PositionInput {
  /** the entry's group */
  readonly group: GroupRecord;
  /** the entry's group and its scale-up slices */
  readonly own: readonly GroupRecord[];
  /** carry's position as it closed (undefined: the entry failed before carry held it) */
  readonly position: CarryPosition | undefined;
  readonly fills: readonly PositionFill[];
  /** the venue's payments to each leg's instrument over the position's life */
  readonly venueFundingLongUsd: number;
  readonly venueFundingShortUsd: number;
  readonly now: number;
}

/** The unrounded parts of a trade that the report's totals add up. */
export interface TradeParts {
  readonly fundingUsd: number;
  readonly venueFundingUsd: number;
  readonly fundingEstimatedUsd: number;
  readonly feesMakerUsd: number;
  readonly feesTakerUsd: number;
  readonly basisPnlUsd: number;
  readonly basisDriftUsd: number;
  readonly spreadUsd: number;
  readonly slippageUsd: number;
  readonly unhedgedMs: number;
  readonly unhedgedMaxUsd: number;
  readonly unhedgedUsdSeconds: number;
}

const YEAR_H = 24 * 365;

export function r2(x: number): number {
  return Math.round(x * 100) / 100;
}
export function r4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
const r4OrNull = (x: number) => (Number.isFinite(x) ? r4(x) : null);

/** One position's row of the report and its unrounded parts. */
export function carryTrade(i: PositionInput): { trade: CarryTrade; parts: TradeParts } {
  const { group: g, own, position: p } = i;
  const feesUsd = own.reduce((s, x) => s + x.feesUsd, 0);
  const basisUsd = own.reduce((s, x) => s + x.realisedPnlUsd, 0);
  const to = g.closedAt ?? i.now;
  const long = g.legs.find((l) => l.side === "buy");
  const short = g.legs.find((l) => l.side === "sell");
  const fl = p?.ledgers.long.settledUsd ?? 0;
  const fs = p?.ledgers.short.settledUsd ?? 0;
  const isLong = (f: PositionFill) =>
    long !== undefined && f.venue === long.venue && f.symbol === long.symbol;
  const fees = { longMaker: 0, longTaker: 0, shortMaker: 0, shortTaker: 0 };
  let drift = 0;
  let spread = 0;
  let slippage = 0;
  const mult = (f: PositionFill) => (isLong(f) ? p?.long.multiplier : p?.short.multiplier) ?? 1;
  for (const f of i.fills) {
    const maker = f.liquidity === "maker";
    if (isLong(f)) fees[maker ? "longMaker" : "longTaker"] += f.feeUsd;
    else fees[maker ? "shortMaker" : "shortTaker"] += f.feeUsd;
    const parts = priceParts(f.side, f.size, f.price, f.at);
    drift += parts.atMidUsd;
    spread += parts.spreadUsd;
    slippage += parts.slippageUsd;
  }
  // both legs in base units at USD per base unit, so legs of different contract sizes net
  const u = unhedged(
    i.fills.map((f) => ({ ...f, qty: f.size * mult(f), price: f.price / mult(f), fee: f.feeUsd })),
    () => "base",
  );
  const held = heldLong(i.fills.filter(isLong).map((f) => ({ ...f, qty: f.size * mult(f) })));
  const notional = held.avgQty * (p?.long.entryPrice ?? Number.NaN);
  const perYear = (usd: number) =>
    held.hours > 0 && notional > 0 ? r2((usd / notional) * (YEAR_H / held.hours) * 100) : null;
  const net = basisUsd - feesUsd + fl + fs;
  const sizeUsd = p?.sizeUsd ?? 0;
  const entryYieldBps = Number(g.meta.entryYieldBps ?? 0);
  const estL = p?.ledgers.long.estimatedTotalUsd ?? Number.NaN;
  const estS = p?.ledgers.short.estimatedTotalUsd ?? Number.NaN;
  const predicted = Number(g.meta.netBps);
  const trade: CarryTrade = {
    id: g.id,
    base: String(g.meta.base ?? ""),
    long: long ? `${long.venue}:${long.symbol}` : "",
    short: short ? `${short.venue}:${short.symbol}` : "",
    status: g.status,
    closeReason: g.closeReason ?? g.failureReason,
    openedAt: new Date(g.createdAt).toISOString(),
    hoursOpen: r2((to - g.createdAt) / 3_600_000),
    sizeUsd: r2(sizeUsd),
    entryYieldBps: r2(entryYieldBps),
    fundingLongUsd: r4(fl),
    fundingShortUsd: r4(fs),
    venueFundingLongUsd: r4(i.venueFundingLongUsd),
    venueFundingShortUsd: r4(i.venueFundingShortUsd),
    feesUsd: r4(feesUsd),
    basisPnlUsd: r4(basisUsd),
    netUsd: r4(net),
    fundingEstimatedLongUsd: p === undefined ? 0 : r4OrNull(estL),
    fundingEstimatedShortUsd: p === undefined ? 0 : r4OrNull(estS),
    feesLongMakerUsd: r4(fees.longMaker),
    feesLongTakerUsd: r4(fees.longTaker),
    feesShortMakerUsd: r4(fees.shortMaker),
    feesShortTakerUsd: r4(fees.shortTaker),
    basisDriftUsd: r4(drift),
    spreadUsd: r4(spread),
    slippageUsd: r4(slippage),
    unhedgedMs: u.ms,
    unhedgedMaxUsd: r4(u.maxUsd),
    unhedgedUsdSeconds: r4(u.usdSeconds),
    predictedNetBps: Number.isFinite(predicted) ? r2(predicted) : null,
    capturedBps: sizeUsd > 0 ? r2((net / sizeUsd) * 10_000) : null,
    entryYieldAprPct: r2((entryYieldBps / 10_000) * (YEAR_H / 8) * 100),
    realisedFundingAprPct: perYear(fl + fs),
    realisedAprPct: perYear(net),
  };
  const parts: TradeParts = {
    fundingUsd: fl + fs,
    venueFundingUsd: i.venueFundingLongUsd + i.venueFundingShortUsd,
    fundingEstimatedUsd: p === undefined ? 0 : estL + estS,
    feesMakerUsd: fees.longMaker + fees.shortMaker,
    feesTakerUsd: fees.longTaker + fees.shortTaker,
    basisPnlUsd: basisUsd,
    basisDriftUsd: drift,
    spreadUsd: spread,
    slippageUsd: slippage,
    unhedgedMs: u.ms,
    unhedgedMaxUsd: u.maxUsd,
    unhedgedUsdSeconds: u.usdSeconds,
  };
  return { trade, parts };
}

/** The long leg's base units held, averaged over the time from its first fill to its last. */
function heldLong(fills: readonly { side: "buy" | "sell"; qty: number; ts: number }[]): {
  avgQty: number;
  hours: number;
} {
  const sorted = [...fills].sort((a, b) => a.ts - b.ts);
  if (sorted.length < 2) return { avgQty: 0, hours: 0 };
  let qty = 0;
  let area = 0;
  for (let k = 0; k < sorted.length; k++) {
    if (k > 0) area += qty * (sorted[k].ts - sorted[k - 1].ts);
    qty += sorted[k].side === "buy" ? sorted[k].qty : -sorted[k].qty;
  }
  const span = sorted[sorted.length - 1].ts - sorted[0].ts;
  return span > 0 ? { avgQty: area / span, hours: span / 3_600_000 } : { avgQty: 0, hours: 0 };
}

/** The largest fall from a running peak of the equity samples: USD and % of that peak. */
export function maxDrawdown(equity: readonly number[]): { usd: number; pct: number } {
  let peak = Number.NEGATIVE_INFINITY;
  let usd = 0;
  let pct = 0;
  for (const e of equity) {
    if (e > peak) peak = e;
    if (peak - e > usd) {
      usd = peak - e;
      pct = peak > 0 ? (usd / peak) * 100 : 0;
    }
  }
  return { usd, pct };
}

export interface CarrySummaryInput {
  readonly days: number;
  readonly seed: number;
  readonly trades: readonly { trade: CarryTrade; parts: TradeParts }[];
  readonly rejections: Record<string, number>;
  /** carry's counts by venue pair, `<long venue>><short venue>:<reason>` */
  readonly rejectionsByPair?: Record<string, number>;
  readonly equityChangeUsd: number;
  /** the summed equity of every venue at the start, every simulated hour and the end */
  readonly equitySamples: readonly number[];
  readonly assumptions: readonly string[];
}

/** `long>short:reason` counts as pair -> reason -> count, pairs and reasons sorted */
function byPair(flat: Record<string, number>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const k of Object.keys(flat).sort()) {
    const i = k.lastIndexOf(":");
    const pair = k.slice(0, i);
    out[pair] ??= {};
    out[pair][k.slice(i + 1)] = flat[k];
  }
  return out;
}

export function summariseCarry(s: CarrySummaryInput): CarryBacktestReport {
  const perTrade = s.trades.map((t) => t.trade);
  const sum = (f: (t: CarryTrade) => number) => r4(perTrade.reduce((a, t) => a + f(t), 0));
  const raw = (f: (t: TradeParts) => number) => s.trades.reduce((a, t) => a + f(t.parts), 0);
  const exitsByReason: Record<string, number> = {};
  for (const t of perTrade)
    exitsByReason[t.closeReason ?? t.status] = (exitsByReason[t.closeReason ?? t.status] ?? 0) + 1;
  const perPair: Record<string, CarryPairSummary> = {};
  for (const { trade: t, parts } of s.trades) {
    const key = `${t.long.split(":")[0]}>${t.short.split(":")[0]}`;
    const p = perPair[key] ?? {
      trades: 0,
      wins: 0,
      fundingUsd: 0,
      venueFundingUsd: 0,
      feesUsd: 0,
      basisPnlUsd: 0,
      slippageUsd: 0,
      netUsd: 0,
      unhedgedUsdSeconds: 0,
    };
    perPair[key] = p;
    p.trades++;
    if (t.netUsd > 0) p.wins++;
    p.fundingUsd += parts.fundingUsd;
    p.venueFundingUsd += parts.venueFundingUsd;
    p.feesUsd += parts.feesMakerUsd + parts.feesTakerUsd;
    p.basisPnlUsd += parts.basisPnlUsd;
    p.slippageUsd += parts.slippageUsd;
    p.netUsd += parts.fundingUsd + parts.basisPnlUsd - parts.feesMakerUsd - parts.feesTakerUsd;
    p.unhedgedUsdSeconds += parts.unhedgedUsdSeconds;
  }
  for (const p of Object.values(perPair))
    for (const k of Object.keys(p) as (keyof CarryPairSummary)[])
      if (k !== "trades" && k !== "wins") p[k] = r4(p[k]);
  const explained =
    raw((t) => t.fundingUsd) +
    raw((t) => t.basisDriftUsd) -
    raw((t) => t.spreadUsd) -
    raw((t) => t.slippageUsd) -
    raw((t) => t.feesMakerUsd) -
    raw((t) => t.feesTakerUsd);
  const dd = maxDrawdown(s.equitySamples);
  const estimated = raw((t) => t.fundingEstimatedUsd);
  return {
    days: s.days,
    seed: s.seed,
    trades: perTrade.length,
    exitsByReason,
    rejections: s.rejections,
    fundingUsd: sum((t) => t.fundingLongUsd + t.fundingShortUsd),
    venueFundingUsd: sum((t) => t.venueFundingLongUsd + t.venueFundingShortUsd),
    feesUsd: sum((t) => t.feesUsd),
    basisPnlUsd: sum((t) => t.basisPnlUsd),
    netUsd: sum((t) => t.netUsd),
    equityChangeUsd: r4(s.equityChangeUsd),
    fundingEstimatedUsd: Number.isFinite(estimated) ? r4(estimated) : null,
    feesMakerUsd: r4(raw((t) => t.feesMakerUsd)),
    feesTakerUsd: r4(raw((t) => t.feesTakerUsd)),
    basisDriftUsd: r4(raw((t) => t.basisDriftUsd)),
    spreadUsd: r4(raw((t) => t.spreadUsd)),
    slippageUsd: r4(raw((t) => t.slippageUsd)),
    unhedged: {
      ms: raw((t) => t.unhedgedMs),
      maxUsd: r4(s.trades.reduce((a, t) => Math.max(a, t.parts.unhedgedMaxUsd), 0)),
      usdSeconds: r4(raw((t) => t.unhedgedUsdSeconds)),
    },
    unexplainedUsd: r4(s.equityChangeUsd - explained),
    maxDrawdownUsd: r4(dd.usd),
    maxDrawdownPct: r4(dd.pct),
    perPair,
    rejectionsByPair: byPair(s.rejectionsByPair ?? {}),
    perTrade,
    assumptions: s.assumptions,
  };
}

export function formatCarryReport(r: CarryBacktestReport): string {
  const m = (x: number) => `${x < 0 ? "-" : ""}$${Math.abs(x).toFixed(2)}`;
  const m4 = (x: number | null) => (x === null ? "n/a" : `${x < 0 ? "-" : ""}$${Math.abs(x).toFixed(4)}`);
  const n = (x: number | null, d = 1) => (x === null ? "n/a" : x.toFixed(d));
  const lines = [
    `carry backtest: ${r.days} days, seed ${r.seed}, ${r.trades} trades`,
    `exits: ${
      Object.entries(r.exitsByReason)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    }`,
    `rejections: ${
      Object.entries(r.rejections)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    }`,
    `funding ${m(r.fundingUsd)} (venue settled ${m(r.venueFundingUsd)}, carry estimated ${r.fundingEstimatedUsd === null ? "n/a" : m(r.fundingEstimatedUsd)})  fees ${m(r.feesUsd)} (maker ${m(r.feesMakerUsd)}, taker ${m(r.feesTakerUsd)})  basis PnL ${m(r.basisPnlUsd)}  net ${m(r.netUsd)}  equity change ${m(r.equityChangeUsd)}`,
    `basis PnL = drift at the mids ${m4(r.basisDriftUsd)} - spread ${m4(r.spreadUsd)} - slippage ${m4(r.slippageUsd)}; equity change not explained by the parts ${m4(r.unexplainedUsd)}`,
    `unhedged: ${r.unhedged.ms} ms in all, at most $${r.unhedged.maxUsd.toFixed(2)}, ${r.unhedged.usdSeconds.toFixed(3)} USD x s`,
    `max drawdown of equity (hourly): ${m(r.maxDrawdownUsd)} (${r.maxDrawdownPct.toFixed(2)} %)`,
    "",
    "per venue pair (long>short): trades wins   funding (venue)        fees    basis  slippage       net  unhedged USD x s",
  ];
  for (const [k, p] of Object.entries(r.perPair))
    lines.push(
      `  ${k.padEnd(25)} ${String(p.trades).padStart(6)} ${String(p.wins).padStart(4)} ${`${m(p.fundingUsd)} (${m(p.venueFundingUsd)})`.padStart(17)} ${m(p.feesUsd).padStart(11)} ${m(p.basisPnlUsd).padStart(8)} ${m4(p.slippageUsd).padStart(9)} ${m(p.netUsd).padStart(9)} ${p.unhedgedUsdSeconds.toFixed(3).padStart(17)}`,
    );
  lines.push("", "rejections per venue pair (long>short):");
  for (const [k, reasons] of Object.entries(r.rejectionsByPair))
    lines.push(
      `  ${k.padEnd(25)} ${Object.entries(reasons)
        .map(([why, n]) => `${why} ${n}`)
        .join(", ")}`,
    );
  lines.push(
    "",
    "trade                       base  long          short         reason        hours    size  yield8h  fund L/S (venue)            fees   basis     net",
  );
  for (const t of r.perTrade) {
    lines.push(
      [
        t.id.padEnd(27),
        t.base.padEnd(5),
        t.long.padEnd(13),
        t.short.padEnd(13),
        String(t.closeReason ?? t.status).padEnd(13),
        t.hoursOpen.toFixed(2).padStart(5),
        t.sizeUsd.toFixed(0).padStart(7),
        t.entryYieldBps.toFixed(1).padStart(8),
        `${t.fundingLongUsd.toFixed(3)}/${t.fundingShortUsd.toFixed(3)} (${t.venueFundingLongUsd.toFixed(3)}/${t.venueFundingShortUsd.toFixed(3)})`.padEnd(
          27,
        ),
        m(t.feesUsd).padStart(7),
        m(t.basisPnlUsd).padStart(7),
        m(t.netUsd).padStart(7),
      ].join(" "),
    );
    lines.push(
      `    funding estimated L/S ${n(t.fundingEstimatedLongUsd, 3)}/${n(t.fundingEstimatedShortUsd, 3)}  fees maker/taker L ${t.feesLongMakerUsd.toFixed(3)}/${t.feesLongTakerUsd.toFixed(3)} S ${t.feesShortMakerUsd.toFixed(3)}/${t.feesShortTakerUsd.toFixed(3)}  basis = drift ${t.basisDriftUsd.toFixed(4)} - spread ${t.spreadUsd.toFixed(4)} - slippage ${t.slippageUsd.toFixed(4)}`,
      `    unhedged ${t.unhedgedMs} ms, at most $${t.unhedgedMaxUsd.toFixed(2)}, ${t.unhedgedUsdSeconds.toFixed(3)} USD x s  edge predicted ${n(t.predictedNetBps)} bps, captured ${n(t.capturedBps)} bps  APR: entry yield ${t.entryYieldAprPct.toFixed(1)} %, realised funding ${n(t.realisedFundingAprPct)} %, net ${n(t.realisedAprPct)} %`,
    );
  }
  lines.push("", "assumptions:", ...r.assumptions.map((a) => `  - ${a}`));
  return lines.join("\n");
}
