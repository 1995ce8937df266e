import type { Store } from "../../store/store.ts";

/**
 * What only the running process knows (marks, positions as the engine holds them, each group's
 * liquidation distance, account equity), written to the store by the runner's LiveRecorder
 * (src/app/live-recorder.ts) every few seconds, so that every surface reads it from the store
 * alone, the same whether it runs inside `perpbot run` or as `perpbot api` beside it.
 */

export const LIVE_KV_KEY = "live.snapshot";
/** a snapshot older than this is shown as stale (the runner stopped or is stuck) */
export const LIVE_STALE_MS = 15_000;

export interface LivePosition {
  readonly venue: string;
  readonly wallet: string;
  readonly symbol: string;
  /** signed base units: + long */
  readonly size: number;
  readonly entryPrice: number;
  readonly markPrice: number;
  readonly notionalUsd: number;
  readonly unrealisedPnlUsd: number;
  readonly liquidationPrice: number | null;
  /** |mark - liquidation| / mark; null without a liquidation price */
  readonly liquidationDistance: number | null;
}

export interface LiveGroup {
  readonly id: string;
  readonly strategy: string;
  /** the nearest of its legs' distances to liquidation (fraction of the mark); null: not judged */
  readonly minLiquidationDistance: number | null;
  readonly notionalUsd: number;
  readonly unrealisedPnlUsd: number;
  readonly netDeltaUsd: number;
}

export interface LiveAccount {
  readonly venue: string;
  readonly wallet: string;
  readonly equityUsd: number;
  readonly availableUsd: number;
  readonly maintenanceMarginUsd: number;
}

/** A carry or scalp instance's scanner as its last scan or book update left it (its status view). */
export interface LiveScanner {
  readonly instance: string;
  readonly kind: string;
  /** carry: the last scan's evaluated pairs, best net first ({ ts, list }), or null before one */
  readonly opportunities?: unknown;
  /** scalp: the edge per venue pair now, and the best seen (bps) */
  readonly edgeBps?: Readonly<Record<string, number>>;
  readonly bestEdgeBps?: Readonly<Record<string, number>>;
  /** rejection reason -> count since start */
  readonly rejections: Readonly<Record<string, number>>;
}

/** A strategy instance as the runner runs it: its kind, its wallets and its allocation. */
export interface LiveInstance {
  readonly instance: string;
  readonly kind: string;
  readonly wallets: readonly string[];
  /** `max_exposure_usd`, the engine's allocation cap; null: none */
  readonly maxExposureUsd: number | null;
  /** acting (false: paused by the operator, or stopped) */
  readonly running: boolean;
}

/** One instrument as the runner's market streams hold it. */
export interface LiveMarket {
  readonly venue: string;
  readonly symbol: string;
  /** NaN-free: null when no mark was seen yet */
  readonly markPrice: number | null;
  readonly fundingRatePerHour: number;
  /** ms since the book's last update (null: never updated) */
  readonly bookAgeMs: number | null;
}

export interface LiveSnapshot {
  readonly ts: number;
  readonly pid: number;
  readonly tradingState: string;
  readonly equityUsd: number;
  readonly accounts: readonly LiveAccount[];
  readonly positions: readonly LivePosition[];
  readonly groups: readonly LiveGroup[];
  /** carry and scalp instances' scanners (absent in a snapshot of an older runner) */
  readonly scanners?: readonly LiveScanner[];
  /** every strategy instance of the run (absent in a snapshot of an older runner) */
  readonly instances?: readonly LiveInstance[];
  /** every instrument's mark, funding rate and book age (absent in a snapshot of an older runner) */
  readonly markets?: readonly LiveMarket[];
  /** per venue and rate-limit scope, the share of the budget in use (absent in older snapshots) */
  readonly rateLimits?: readonly { venue: string; scope: string; used: number }[];
}

export interface LiveView extends LiveSnapshot {
  /** older than LIVE_STALE_MS at the reader's wall time */
  readonly stale: boolean;
}

export async function writeLiveSnapshot(store: Pick<Store, "kv">, s: LiveSnapshot): Promise<void> {
  await store.kv.put(LIVE_KV_KEY, JSON.stringify(s), s.ts);
}

/** The last snapshot a runner wrote, or undefined when none ever did (or it is unreadable). */
export async function readLiveSnapshot(store: Pick<Store, "kv">, now: number): Promise<LiveView | undefined> {
  const raw = await store.kv.get(LIVE_KV_KEY);
  if (raw === null) return undefined;
  try {
    const s = JSON.parse(raw) as LiveSnapshot;
    if (typeof s.ts !== "number" || !Array.isArray(s.positions)) return undefined;
    return { ...s, stale: now - s.ts > LIVE_STALE_MS };
  } catch {
    return undefined;
  }
}
