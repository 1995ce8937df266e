import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigValues } from "../config/registry.ts";
import { SimClock } from "../core/clock.ts";
import { toUsd, usd } from "../core/money.ts";
import type { Fill } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import { engineSettings } from "../engine/config.ts";
import { openStore } from "../store/store.ts";
import { strategiesSection } from "../strategies/instances.ts";
import { type ScalpInstanceConfig, scalpDefaults } from "../strategies/scalp/config.ts";
import { deserialise } from "../strategies/scalp/position.ts";
import type { ScalpStrategy } from "../strategies/scalp/scalp.ts";
import { TouchRecordingSimVenue } from "./backtest-fills.ts";
import { startNode } from "./node.ts";
import { COINM_CONTRACT_USD, loadRecorded, RECORDED_SPECS } from "./scalp-recorded.ts";
import {
  type FillRow,
  gapSplit,
  type ScalpBacktestReport,
  type ScalpTrade,
  summarise,
  type TradeFill,
  unhedged,
} from "./scalp-report.ts";

export type { ScalpBacktestReport, ScalpTrade } from "./scalp-report.ts";
export { formatScalpReport } from "./scalp-report.ts";

/**
 * scalp on the recorded books of ../shared/data: the same six minutes of Binance USD-M and COIN-M
 * BTC and ETH perpetuals, fed in receipt-time order into two simulated venues on a SimClock, with
 * the real engine and store and the same strategy code as paper and live (startNode). The clock
 * only moves with the recording, so two runs give the same report. Positions open at the end are
 * closed (reason shutdown).
 */
export interface ScalpBacktestOptions {
  /** the folder holding the recordings (../shared/data from the repository) */
  readonly dataDir: string;
  readonly scalp: ScalpInstanceConfig;
  /** latency of each simulated venue, ms (default 0: every request a microtask) */
  readonly latencyMs?: number;
  /** a what-if fee tier on both venues instead of VIP 0 (bps; the strategy reads it from the instruments) */
  readonly fees?: { readonly makerBps: number; readonly takerBps: number };
}

export const WALLET = "scalp-01";

/** The default data folder: ../shared/data beside the repository. */
export function defaultDataDir(repoRoot: string): string {
  return join(repoRoot, "..", "shared", "data");
}

/** The scalp settings of the named instance (or the first scalp instance), else the defaults. */
export function scalpSettingsFrom(values: ConfigValues, instance?: string): ScalpInstanceConfig {
  const tables = strategiesSection.get(values);
  if (instance !== undefined) {
    const t = tables[instance];
    if (t === undefined || t.kind !== "scalp")
      throw new Error(`no scalp instance [strategies.${instance}] in the config`);
    return t;
  }
  for (const t of Object.values(tables)) if (t.kind === "scalp") return t;
  return scalpDefaults({ enabled: true });
}

export async function runScalpBacktest(o: ScalpBacktestOptions): Promise<ScalpBacktestReport> {
  if (!existsSync(join(o.dataDir, "usdm-btcusdt_20240808.gz")))
    throw new Error(
      `backtest scalp: the recordings are not in ${o.dataDir} (usdm-*, coinm-* of ../shared/data)`,
    );
  const events = await loadRecorded(o.dataDir);
  const start = events[0].ts;
  const end = events[events.length - 1].ts;
  const clock = new SimClock(start);
  const dir = mkdtempSync(join(tmpdir(), "perpbot-scalp-bt-"));
  const venues = new Map<string, TouchRecordingSimVenue>(
    (["usdm", "coinm"] as const).map((id) => [
      id,
      new TouchRecordingSimVenue({
        id,
        instruments: RECORDED_SPECS[id].map((x) =>
          o.fees ? { ...x, makerFeeBps: o.fees.makerBps, takerFeeBps: o.fees.takerBps } : x,
        ),
        clock,
        seed: id,
        latencyMs: o.latencyMs ?? 0,
        defaultLeverage: o.scalp.leverage,
        defaultMarginMode: "isolated",
      }),
    ]),
  );
  // the first second of the recordings (each file opens with its REST snapshot) before the node
  let i = 0;
  for (; i < events.length && events[i].ts <= start + 1000; i++) venues.get(events[i].venue)?.feed(events[i]);
  await clock.runUntil(events[i - 1].ts);
  for (const v of venues.values()) v.deposit(WALLET, usd(o.scalp.paper_equity_usd));
  const store = await openStore(`sqlite:${join(dir, "backtest.db")}`);
  const base = engineSettings();
  try {
    const node = await clock.drive(
      startNode({
        store,
        venues: venues as ReadonlyMap<string, Venue>,
        clock,
        wallets: [WALLET],
        instances: [
          {
            spec: { name: "scalp", kind: "scalp", wallets: [WALLET], venues: [...venues.keys()], seed: 1 },
            config: o.scalp,
            maxExposureUsd: undefined,
          },
        ],
        engineSettings: {
          ...base,
          closeSlippageBps: o.scalp.exit_slippage_bps,
          limits: { ...base.limits, maxBookAgeMs: 2_000 },
        },
      }),
    );
    const equity = async () => {
      let e = 0;
      for (const v of venues.values()) e += (await clock.drive(v.accountState(WALLET))).equityUsd;
      return e;
    };
    const equity0 = await equity();
    for (; i < events.length; i++) {
      const e = events[i];
      if (e.ts > clock.now()) await clock.runUntil(e.ts);
      venues.get(e.venue)?.feed(e);
    }
    const scalp = node.instances.get("scalp")!.strategy as ScalpStrategy;
    await clock.advance(1000);
    await clock.drive(scalp.close("all", "shutdown"));
    await clock.advance(5000);
    const state = node.instances.get("scalp")!.context.state;
    const groups = await node.engine.groups({ strategy: "scalp" });
    const fills: (Fill & { venue: string })[] = [];
    for (const [id, v] of venues)
      for (const f of await clock.drive(v.fills(WALLET, 0))) fills.push({ ...f, venue: id });
    // each group's fills from the store, each with its order's purpose and the book it was sent on
    const purposeOf = new Map(
      (await store.orders.ofGroups(groups.map((g) => g.id))).map((o) => [o.clientOrderId, o.purpose]),
    );
    const fillsOf = new Map<string, (TradeFill & FillRow)[]>();
    for (const f of await store.fills.ofGroupOrders()) {
      if (f.groupId === null) continue;
      const cid = f.clientOrderId ?? "";
      const row = {
        venue: f.venue,
        symbol: f.symbol,
        side: f.side,
        qty: Number(f.size),
        price: Number(f.price),
        fee: toUsd(f.fee),
        ts: f.ts,
        entry: purposeOf.get(cid) === "entry",
        at: venues.get(f.venue)!.touches.get(cid),
      };
      const list = fillsOf.get(f.groupId);
      if (list === undefined) fillsOf.set(f.groupId, [row]);
      else list.push(row);
    }
    const trades: ScalpTrade[] = [];
    for (const g of groups) {
      const saved = await state.get(`closed:${g.id}`);
      const p = saved === undefined ? undefined : deserialise(saved);
      const long = g.legs.find((l) => l.side === "buy");
      const short = g.legs.find((l) => l.side === "sell");
      const coinm = g.legs.find((l) => l.venue === "coinm");
      const qty = p?.long.qty ?? 0;
      const notional = qty * (p?.long.entryPrice ?? 0);
      const cUsd = coinm ? (COINM_CONTRACT_USD[coinm.symbol] ?? 0) : 0;
      const contracts = coinm && cUsd > 0 && coinm.avgPrice > 0 ? (qty * coinm.avgPrice) / cUsd : 0;
      const own = fillsOf.get(g.id) ?? [];
      const capturedBps = notional > 0 ? ((g.realisedPnlUsd - g.feesUsd) / notional) * 10_000 : Number.NaN;
      const predictedEdgeBps = Number(g.meta.predictedEdgeBps ?? Number.NaN);
      const gap = gapSplit({
        predictedEdgeBps,
        capturedBps,
        notionalUsd: notional,
        feesUsd: g.feesUsd,
        qty: Number(g.meta.qty ?? 0),
        touchBuy: Number(g.meta.touchBuy ?? Number.NaN),
        touchSell: Number(g.meta.touchSell ?? Number.NaN),
        takerFeeBuyBps: Number(g.meta.takerFeeBuyBps ?? 0),
        takerFeeSellBps: Number(g.meta.takerFeeSellBps ?? 0),
        fills: own,
      });
      const u = unhedged(own, (venue, symbol) => venues.get(venue)!.instrument(symbol).spec.base);
      trades.push({
        id: g.id,
        base: String(g.meta.base ?? ""),
        pair: `${long?.venue ?? "?"}>${short?.venue ?? "?"}`,
        long: long ? `${long.venue}:${long.symbol}` : "",
        short: short ? `${short.venue}:${short.symbol}` : "",
        status: g.status,
        reason: g.closeReason ?? g.failureReason ?? g.status,
        openedAt: g.createdAt,
        holdS: ((g.closedAt ?? clock.now()) - g.createdAt) / 1000,
        qty,
        notionalUsd: notional,
        predictedEdgeBps,
        touchBuy: Number(g.meta.touchBuy ?? Number.NaN),
        touchSell: Number(g.meta.touchSell ?? Number.NaN),
        fillEdgeBps: p?.entryEdgeBps ?? Number.NaN,
        capturedBps,
        feesUsd: g.feesUsd,
        pnlUsd: g.realisedPnlUsd,
        netUsd: g.realisedPnlUsd - g.feesUsd,
        coinmContracts: contracts,
        contractRoundingUsd: cUsd > 0 ? Math.abs(Math.round(contracts) - contracts) * cUsd : 0,
        ...gap,
        unhedgedMs: u.ms,
        unhedgedMaxUsd: u.maxUsd,
        unhedgedUsdSeconds: u.usdSeconds,
      });
    }
    const equityChangeUsd = (await equity()) - equity0;
    const report = summarise({
      startTs: start,
      endTs: end,
      events: events.length,
      trades,
      fills: fills.map((f) => ({
        venue: f.venue,
        symbol: f.symbol,
        side: f.side,
        qty: venues.get(f.venue)!.instrument(f.symbol).sizeValue(f.sizeLots),
        price: venues.get(f.venue)!.instrument(f.symbol).priceValue(f.priceTicks),
        fee: toUsd(f.fee),
        ts: f.ts,
      })),
      baseOf: (venue, symbol) => venues.get(venue)!.instrument(symbol).spec.base,
      rejections: { ...scalp.rejections },
      bestEdgeBps: scalp.bestEdges(),
      entryFailures: { ...scalp.entryFailures },
      entries: scalp.entries,
      equityChangeUsd,
      feeSchedule: Object.fromEntries(
        [...venues].flatMap(([id, v]) =>
          v
            .instruments()
            .map((x) => [
              `${id}:${x.symbol}`,
              { makerBps: x.spec.makerFeeBps, takerBps: x.spec.takerFeeBps },
            ]),
        ),
      ),
      assumptions: [
        `Binance USD-M and COIN-M BTC/ETH perpetuals, 2024-08-08, the same minutes (receipt times); ${o.fees ? `what-if fees on both venues: maker ${o.fees.makerBps} bps, taker ${o.fees.takerBps} bps (VIP 0 is 2 / 5)` : "both venues at VIP 0 fees: maker 2 bps, taker 5 bps"}`,
        "COIN-M levels converted to base units at their price (contracts x 100 or 10 USD / price); PnL in USD at the exit price equals the inverse PnL; whole-contract rounding is not enforced and shown per trade",
        `$${o.scalp.paper_equity_usd} on each venue; ${o.scalp.leverage}x isolated; venue latency ${o.latencyMs ?? 0} ms; IOC fills against the recorded book, which the recording then overwrites (no market impact carried)`,
        "trades and funding prints are not replayed (IOC only; no funding boundary in these minutes is settled)",
        "positions open at the end are closed (reason shutdown)",
        "the gap predicted - captured: slippage of the entry fills against the touches the decision read and of the other fills against their own book when the engine sent them; fees beyond the entry taker fees the prediction took off; basis drift the rest (mostly the basis at the exit)",
      ],
    });
    await clock.drive(node.stop());
    return report;
  } finally {
    for (const v of venues.values()) v.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
