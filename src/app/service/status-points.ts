import { NO_POINTS, type WalletPointsReport } from "../../core/venue-points.ts";
import type { StoredVenuePoints } from "./venue-points.ts";

/**
 * Venue points in the status report (issue 13 item 1): each wallet row of a venue with a points
 * endpoint gets the points the live run last read for it (with when), each venue and the report
 * their sums; a venue without an endpoint says so instead of showing 0.
 */

/** What a venue without a points endpoint shows (Hyperliquid, VENUES.md §1.9; the simulator). */
export { NO_POINTS };
/** A wallet on a venue that has points, whose points the live run has not read yet. */
export const POINTS_NOT_READ = "not read yet";

/** One wallet's points as the venue last reported them. */
export interface StatusWalletPoints {
  readonly total: number;
  readonly lastWeek: number;
  /** when the venue was read (ms) */
  readonly ts: number;
}

/** Points summed over wallets (a venue's, or the report's), with the span of their read times. */
export interface StatusPointsSum {
  readonly total: number;
  readonly lastWeek: number;
  /** wallets with a reading */
  readonly wallets: number;
  /** the oldest and newest read times among them (ms) */
  readonly oldestTs: number;
  readonly newestTs: number;
}

/** What a row carries about points: the figure, or a note saying why there is none. */
export interface PointsCells<P> {
  readonly points?: P;
  /** NO_POINTS or POINTS_NOT_READ, when there is no figure */
  readonly pointsNote?: string;
}

interface WalletRow {
  readonly wallet: string;
  readonly venue: string;
}

/**
 * The rows with their points: wallet rows (a wallet with points but no groups gets a row made
 * by `emptyWallet`), venue rows (likewise), and the report's sum; `stored` is what the live run
 * kept (src/app/service/venue-points.ts).
 */
export function withPoints<W extends WalletRow, V extends { readonly venue: string }>(
  parts: { readonly wallets: readonly W[]; readonly venues: readonly V[] },
  stored: StoredVenuePoints,
  empty: { wallet(wallet: string, venue: string): W; venue(venue: string): V },
): {
  wallets: (W & PointsCells<StatusWalletPoints>)[];
  venues: (V & PointsCells<StatusPointsSum>)[];
  points: PointsCells<StatusPointsSum>;
} {
  const sources = new Set(stored.sources);
  const key = (wallet: string, venue: string) => `${wallet}|${venue}`;
  const by = new Map<string, WalletPointsReport>();
  for (const p of stored.points) if (sources.has(p.venue)) by.set(key(p.account, p.venue), p);
  const rows = [...parts.wallets];
  const seen = new Set(rows.map((w) => key(w.wallet, w.venue)));
  for (const p of by.values())
    if (!seen.has(key(p.account, p.venue))) rows.push(empty.wallet(p.account, p.venue));
  const wallets = rows
    .map((w): W & PointsCells<StatusWalletPoints> => {
      if (!sources.has(w.venue)) return { ...w, pointsNote: NO_POINTS };
      const p = by.get(key(w.wallet, w.venue));
      return p === undefined
        ? { ...w, pointsNote: POINTS_NOT_READ }
        : { ...w, points: { total: p.total, lastWeek: p.lastWeek, ts: p.ts } };
    })
    .sort((a, b) => cmp(a.wallet, b.wallet) || cmp(a.venue, b.venue));
  const venueRows = [...parts.venues];
  const venueIds = new Set(venueRows.map((v) => v.venue));
  for (const p of by.values())
    if (!venueIds.has(p.venue)) {
      venueIds.add(p.venue);
      venueRows.push(empty.venue(p.venue));
    }
  const venues = venueRows
    .map((v): V & PointsCells<StatusPointsSum> => ({
      ...v,
      ...sumCells(
        sources.has(v.venue),
        [...by.values()].filter((p) => p.venue === v.venue),
      ),
    }))
    .sort((a, b) => cmp(a.venue, b.venue));
  return {
    wallets,
    venues,
    points: sumCells(
      venues.some((v) => sources.has(v.venue)),
      [...by.values()].filter((p) => venueIds.has(p.venue)),
    ),
  };
}

function sumCells(hasSource: boolean, points: readonly WalletPointsReport[]): PointsCells<StatusPointsSum> {
  if (!hasSource) return { pointsNote: NO_POINTS };
  if (points.length === 0) return { pointsNote: POINTS_NOT_READ };
  return {
    points: {
      total: round(points.reduce((s, p) => s + p.total, 0)),
      lastWeek: round(points.reduce((s, p) => s + p.lastWeek, 0)),
      wallets: points.length,
      oldestTs: Math.min(...points.map((p) => p.ts)),
      newestTs: Math.max(...points.map((p) => p.ts)),
    },
  };
}

/** sums of decimal points without float dust (Lighter reports 4 decimals) */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
