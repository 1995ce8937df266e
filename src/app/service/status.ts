import { type Money, moneyText } from "../../core/money.ts";
import { listGroupRecords } from "../../engine/groups/group-records.ts";
import type { GroupRecord } from "../../engine/groups/group-types.ts";
import type { Store } from "../../store/store.ts";
import { costPerMillionUsd, type FarmAccounting, type FarmTotals } from "../../strategies/farm/accounting.ts";
import { groupSummary } from "../../strategies/farm/report.ts";
import { farmAccountingFromStore } from "./accounting.ts";
import { type RunnerState, runnerState } from "./control.ts";
import { readLiveSnapshot } from "./live.ts";
import {
  type PointsCells,
  type StatusPointsSum,
  type StatusWalletPoints,
  withPoints,
} from "./status-points.ts";
import { readVenueNotices } from "./venue-notices.ts";
import { readStoredVenuePoints } from "./venue-points.ts";

/**
 * What `perpbot status` shows, read from the store alone (no venue connection; works whether a
 * `perpbot run` is running or not): the trading state, whether a runner is polling, every active
 * group with its legs, the most recently closed groups, and accounting per group and in total,
 * all of it also per strategy instance (the groups' `strategy` column), so one process running
 * several instances shows each on its own.
 */

/** the engine's kv key of the persisted trading state (src/engine/executor.ts) */
const TRADING_STATE_KEY = "engine.trading_state";

export interface StatusTotals {
  readonly volumeUsd: number;
  /** exact decimal USD text */
  readonly feesUsd: string;
  readonly fundingUsd: string;
  readonly realisedPnlUsd: string;
  /** realised PnL + funding - fees */
  readonly netPnlUsd: string;
  /** the farming cost per $1M of volume: -net / volume x 1e6 (negative = profit; 0 without volume) */
  readonly costPerMillionUsd: number;
  readonly fills: number;
}

export interface StatusLeg {
  readonly venue: string;
  readonly wallet: string;
  readonly symbol: string;
  readonly side: "long" | "short";
  /** lots the leg holds now by the journal (signed: + long) */
  readonly lots: number;
  /** the same in base units (null when no order shows the lot size) */
  readonly size: number | null;
  readonly targetLots: number;
  /** average entry price, 0 when nothing filled */
  readonly avgPrice: number;
}

export interface StatusGroup {
  readonly id: string;
  readonly strategy: string;
  readonly status: string;
  readonly venues: string;
  readonly base: string;
  readonly createdAt: number;
  /** meta.closeAt, when the strategy set one */
  readonly closeAt: number | null;
  /** closeAt - now (negative: overdue) */
  readonly closesInMs: number | null;
  readonly closedAt: number | null;
  /** close reason, or the failure reason of a group that never opened */
  readonly reason: string | null;
  readonly legs: readonly StatusLeg[];
  readonly accounting: StatusTotals;
}

/**
 * One strategy instance's part of the report: the groups whose `strategy` column is its name,
 * and a summary of its state: how its groups ended, and what the runner last said of it.
 */
export interface StatusInstance {
  readonly strategy: string;
  readonly active: readonly StatusGroup[];
  /** its most recently closed groups (at most `recent`) */
  readonly recentlyClosed: readonly StatusGroup[];
  /** every group of the instance in the store */
  readonly totals: StatusTotals & { readonly groups: number };
  /** its closed groups by close reason (from the store: every run's) */
  readonly exits: Readonly<Record<string, number>>;
  /** its failed opens by failure reason (risk_refused covers an allocation_cap refusal) */
  readonly failedOpens: Readonly<Record<string, number>>;
  /**
   * The instance as the runner's last live snapshot has it (kind, wallets, `max_exposure_usd`,
   * acting, and for carry and scalp the scan rejections by reason since that run started), as
   * of `asOf`; null when no runner ever reported it (an instance of an older or another config).
   */
  readonly run: StatusInstanceRun | null;
}

export interface StatusInstanceRun {
  readonly kind: string;
  /** empty: every managed wallet (the single legacy farm) */
  readonly wallets: readonly string[];
  readonly maxExposureUsd: number | null;
  readonly running: boolean;
  /** carry and scalp only */
  readonly rejections: Readonly<Record<string, number>> | null;
  /** wall ms of the snapshot */
  readonly asOf: number;
  /** the snapshot is older than LIVE_STALE_MS: the runner stopped (this is how it left it) */
  readonly stale: boolean;
}

/**
 * One wallet on one venue: the unit a venue's points are paid on (volume) and what it cost, with
 * the venue's points for the wallet as last read (venues that report them: Lighter), or
 * `pointsNote` saying why there are none ("n/a (venue publishes no points)", "not read yet").
 */
export interface StatusWallet extends StatusTotals, PointsCells<StatusWalletPoints> {
  readonly wallet: string;
  readonly venue: string;
}

/** A venue's totals and the sum of its wallets' points (or the note why there are none). */
export interface StatusVenue extends StatusTotals, PointsCells<StatusPointsSum> {
  readonly venue: string;
}

export interface StatusReport {
  readonly now: number;
  readonly tradingState: string;
  readonly runner: RunnerState;
  /** control requests not finished yet (pending or running) */
  readonly openRequests: number;
  /** every instance's groups together */
  readonly active: readonly StatusGroup[];
  readonly recentlyClosed: readonly StatusGroup[];
  /** every group in the store */
  readonly totals: StatusTotals & { readonly groups: number };
  /** per strategy instance, by name */
  readonly instances: readonly StatusInstance[];
  /** per venue, over every group in the store, by venue id */
  readonly venues: readonly StatusVenue[];
  /** per wallet and venue, over every group in the store, by wallet then venue */
  readonly wallets: readonly StatusWallet[];
  /** every wallet's points summed (venues with points), or the note why there are none */
  readonly points: PointsCells<StatusPointsSum>;
  /** what the running live process's venues report (polled wallets, …); empty without a runner */
  readonly venueNotices: readonly { readonly venue: string; readonly key: string; readonly text: string }[];
}

export async function loadStatusReport(
  store: Store,
  options: { now: number; recent: number },
): Promise<StatusReport> {
  const groups = await listGroupRecords(store, {});
  const acc = await farmAccountingFromStore(store, groups);
  const isActive = (g: GroupRecord) => g.status !== "closed" && g.status !== "failed";
  const recentOf = (gs: readonly GroupRecord[]) =>
    gs
      .filter((g) => !isActive(g))
      .sort((a, b) => (b.closedAt ?? b.updatedAt) - (a.closedAt ?? a.updatedAt))
      .slice(0, options.recent);
  const active = groups.filter(isActive);
  const recent = recentOf(groups);
  const byStrategy = new Map<string, GroupRecord[]>();
  for (const g of groups) byStrategy.set(g.strategy, [...(byStrategy.get(g.strategy) ?? []), g]);
  const instanceRecent = new Map([...byStrategy].map(([name, gs]) => [name, recentOf(gs)]));
  const lotSizes = await lotSizesOf(store, [...active, ...recent, ...[...instanceRecent.values()].flat()]);
  const view = (g: GroupRecord): StatusGroup => {
    const summary = groupSummary(g.meta, g.legs);
    return {
      id: g.groupId,
      strategy: g.strategy,
      status: g.status,
      venues: summary.venues,
      base: summary.base,
      createdAt: g.createdAt,
      closeAt: summary.closeAt,
      closesInMs: summary.closeAt === null ? null : summary.closeAt - options.now,
      closedAt: g.closedAt,
      reason: g.closeReason ?? g.failureReason ?? null,
      legs: g.legs.map((l) => {
        const lot = lotSizes.get(`${g.groupId}|${l.legIndex}`);
        return {
          venue: l.venue,
          wallet: l.account,
          symbol: l.symbol,
          side: l.side === "buy" ? "long" : "short",
          lots: l.netLots,
          size: lot === undefined ? null : roundTo(l.netLots * lot, decimalsOf(lot)),
          targetLots: l.targetLots,
          avgPrice: l.avgPrice,
        };
      }),
      accounting: totalsOf(acc.byGroup.get(g.groupId)),
    };
  };
  const state = (await store.kv.get(TRADING_STATE_KEY)) ?? "ACTIVE";
  const live = await readLiveSnapshot(store, options.now);
  const runOf = (name: string): StatusInstanceRun | null => {
    const i = live?.instances?.find((x) => x.instance === name);
    if (live === undefined || i === undefined) return null;
    const scanner = live.scanners?.find((x) => x.instance === name);
    return {
      kind: i.kind,
      wallets: i.wallets,
      maxExposureUsd: i.maxExposureUsd,
      running: i.running,
      rejections: scanner === undefined ? null : { ...scanner.rejections },
      asOf: live.ts,
      stale: live.stale,
    };
  };
  // every instance with groups, and every one the runner reported (one that has traded nothing)
  for (const i of live?.instances ?? []) if (!byStrategy.has(i.instance)) byStrategy.set(i.instance, []);
  const instances = [...byStrategy]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(
      ([strategy, gs]): StatusInstance => ({
        strategy,
        active: gs.filter(isActive).map(view),
        recentlyClosed: (instanceRecent.get(strategy) ?? []).map(view),
        totals: { groups: gs.length, ...totalsOf(sumTotals(gs.map((g) => acc.byGroup.get(g.groupId)))) },
        exits: countBy(gs.filter((g) => g.status === "closed").map((g) => g.closeReason ?? "unknown")),
        failedOpens: countBy(
          gs.filter((g) => g.status === "failed").map((g) => g.failureReason ?? g.closeReason ?? "unknown"),
        ),
        run: runOf(strategy),
      }),
    );
  const runner = await runnerState(store, options.now);
  return {
    now: options.now,
    tradingState: state,
    runner,
    openRequests: await store.controlRequests.countOpen(),
    active: active.map(view),
    recentlyClosed: recent.map(view),
    totals: { groups: groups.length, ...totalsOf(acc.total) },
    instances,
    ...withPoints(perWalletAndVenue(acc), await readStoredVenuePoints(store), {
      wallet: (wallet, venue) => ({ wallet, venue, ...totalsOf(undefined) }),
      venue: (venue) => ({ venue, ...totalsOf(undefined) }),
    }),
    venueNotices: runner.running ? ((await readVenueNotices(store))?.notices ?? []) : [],
  };
}

/** How often each value occurs, keys sorted. */
function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of [...values].sort()) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** The accounting's per-venue and per-wallet-and-venue totals as the report lists them, sorted. */
function perWalletAndVenue(acc: FarmAccounting): Pick<StatusReport, "venues" | "wallets"> {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    venues: [...acc.byVenue].sort(([a], [b]) => cmp(a, b)).map(([venue, t]) => ({ venue, ...totalsOf(t) })),
    wallets: [...acc.byWalletVenue]
      .map(([key, t]) => {
        const cut = key.lastIndexOf("|");
        return { wallet: key.slice(0, cut), venue: key.slice(cut + 1), ...totalsOf(t) };
      })
      .sort((a, b) => cmp(a.wallet, b.wallet) || cmp(a.venue, b.venue)),
  };
}

function sumTotals(parts: readonly (FarmTotals | undefined)[]): FarmTotals {
  const out: FarmTotals = { volumeUsd: 0, fees: 0n, funding: 0n, realisedPnl: 0n, fills: 0 };
  for (const t of parts) {
    if (t === undefined) continue;
    out.volumeUsd += t.volumeUsd;
    out.fees += t.fees;
    out.funding += t.funding;
    out.realisedPnl += t.realisedPnl;
    out.fills += t.fills;
  }
  return out;
}

function totalsOf(t: FarmTotals | undefined): StatusTotals {
  const zero: Money = 0n;
  return {
    volumeUsd: Math.round((t?.volumeUsd ?? 0) * 100) / 100,
    feesUsd: moneyText(t?.fees ?? zero),
    fundingUsd: moneyText(t?.funding ?? zero),
    realisedPnlUsd: moneyText(t?.realisedPnl ?? zero),
    netPnlUsd: moneyText(t ? t.realisedPnl + t.funding - t.fees : zero),
    costPerMillionUsd: t ? Math.round(costPerMillionUsd(t) * 100) / 100 : 0,
    fills: t?.fills ?? 0,
  };
}

/** The lot size of each leg (`group|leg` → base units per lot) from the sizes of its stored orders. */
async function lotSizesOf(
  store: Pick<Store, "orders">,
  groups: readonly GroupRecord[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const ids = [...new Set(groups.map((g) => g.groupId))];
  for (const o of await store.orders.ofGroups(ids)) {
    const key = `${o.groupId}|${o.legIndex}`;
    if (!out.has(key) && o.sizeLots > 0) out.set(key, Number(o.sizeText) / o.sizeLots);
  }
  return out;
}

function decimalsOf(lot: number): number {
  return Math.min(12, Math.max(0, Math.ceil(-Math.log10(lot) - 1e-9)));
}

function roundTo(x: number, decimals: number): number {
  return Number(x.toFixed(decimals));
}
