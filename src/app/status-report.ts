import { type Money, moneyText } from "../core/money.ts";
import { listGroupRecords } from "../engine/groups/group-records.ts";
import type { GroupRecord } from "../engine/groups/group-types.ts";
import type { Store } from "../store/store.ts";
import type { FarmTotals } from "../strategies/farm/accounting.ts";
import { farmAccountingFromStore } from "./accounting-query.ts";
import { RUNNER_STALE_MS, readRunnerHeartbeat } from "./control.ts";

/**
 * What `perpbot status` shows, read from the store alone (no venue connection; works whether a
 * `perpbot run` is running or not): the trading state, whether a runner is polling, every active
 * group with its legs, the most recently closed groups, and accounting per group and in total.
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

export interface StatusReport {
  readonly now: number;
  readonly tradingState: string;
  readonly runner: {
    readonly running: boolean;
    readonly pid: number | null;
    readonly lastSeen: number | null;
  };
  /** control requests not finished yet (pending or running) */
  readonly openRequests: number;
  readonly active: readonly StatusGroup[];
  readonly recentlyClosed: readonly StatusGroup[];
  /** every group in the store */
  readonly totals: StatusTotals & { readonly groups: number };
}

export async function loadStatusReport(
  store: Store,
  options: { now: number; recent: number },
): Promise<StatusReport> {
  const groups = await listGroupRecords(store.db, {});
  const acc = await farmAccountingFromStore(store.db, groups);
  const active = groups.filter((g) => g.status !== "closed" && g.status !== "failed");
  const recent = groups
    .filter((g) => g.status === "closed" || g.status === "failed")
    .sort((a, b) => (b.closedAt ?? b.updatedAt) - (a.closedAt ?? a.updatedAt))
    .slice(0, options.recent);
  const lotSizes = await lotSizesOf(store, [...active, ...recent]);
  const view = (g: GroupRecord): StatusGroup => {
    const closeAt = Number(g.meta.closeAt);
    const hasCloseAt = g.meta.closeAt !== undefined && Number.isFinite(closeAt);
    return {
      id: g.groupId,
      strategy: g.strategy,
      status: g.status,
      venues:
        typeof g.meta.label === "string" ? g.meta.label : [...new Set(g.legs.map((l) => l.venue))].join("/"),
      base:
        typeof g.meta.base === "string" ? g.meta.base : [...new Set(g.legs.map((l) => l.symbol))].join("/"),
      createdAt: g.createdAt,
      closeAt: hasCloseAt ? closeAt : null,
      closesInMs: hasCloseAt ? closeAt - options.now : null,
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
  const state = (await store.getKv(TRADING_STATE_KEY)) ?? "ACTIVE";
  const beat = await readRunnerHeartbeat(store);
  const openRequests = await store.db
    .selectFrom("control_requests")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "in", ["pending", "running"])
    .executeTakeFirstOrThrow();
  return {
    now: options.now,
    tradingState: state,
    runner: {
      running: beat !== undefined && options.now - beat.ts < RUNNER_STALE_MS,
      pid: beat?.pid ?? null,
      lastSeen: beat?.ts ?? null,
    },
    openRequests: Number(openRequests.n),
    active: active.map(view),
    recentlyClosed: recent.map(view),
    totals: { groups: groups.length, ...totalsOf(acc.total) },
  };
}

function totalsOf(t: FarmTotals | undefined): StatusTotals {
  const zero: Money = 0n;
  return {
    volumeUsd: Math.round((t?.volumeUsd ?? 0) * 100) / 100,
    feesUsd: moneyText(t?.fees ?? zero),
    fundingUsd: moneyText(t?.funding ?? zero),
    realisedPnlUsd: moneyText(t?.realisedPnl ?? zero),
    netPnlUsd: moneyText(t ? t.realisedPnl + t.funding - t.fees : zero),
    fills: t?.fills ?? 0,
  };
}

/** The lot size of each leg (`group|leg` → base units per lot) from the sizes of its stored orders. */
async function lotSizesOf(store: Store, groups: readonly GroupRecord[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const ids = groups.map((g) => g.groupId);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await store.db
      .selectFrom("orders")
      .select(["group_id", "leg_index", "size", "size_lots"])
      .where("group_id", "in", ids.slice(i, i + 500))
      .where("size_lots", ">", 0)
      .execute();
    for (const r of rows) {
      const key = `${r.group_id}|${r.leg_index}`;
      const lots = Number(r.size_lots);
      if (!out.has(key) && lots > 0) out.set(key, Number(r.size) / lots);
    }
  }
  return out;
}

function decimalsOf(lot: number): number {
  return Math.min(12, Math.max(0, Math.ceil(-Math.log10(lot) - 1e-9)));
}

function roundTo(x: number, decimals: number): number {
  return Number(x.toFixed(decimals));
}
