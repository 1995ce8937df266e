import type { AccountView } from "../contract.ts";
import type { TradablePair } from "../pairs/discover.ts";
import type { BlockState } from "./blocks.ts";
import type { CarryInstanceConfig } from "./config.ts";
import { LISTING_READS } from "./market.ts";

/**
 * Not re-scanning what did not change. A scan is a function of what it reads: the pairs, every
 * quote, the accounts, the held positions, the blocks, the circuits and the clock. When a scan
 * reads exactly what the previous one read and that one changed nothing (no candidate reached
 * confirmation, so none was confirmed, decayed, opened or kept for optimisation, and every held
 * position's scale-up was refused), this scan would do the same for the same reasons: it adds
 * the previous scan's counts (rejections and scale-up refusals) and scanned list and stops.
 * Anything different, however small, and the scan runs in full.
 *
 * The clock enters a scan only through comparisons: a quote's rate and book ages against
 * max_rate_age_minutes and max_bbo_age_ms (entry.ts evaluate), block and cooldown ends
 * (blocks.ts blockedWhy), and a held position's age and scale-up cooldown (scale.ts
 * decideScaleUp, which `positionTimed` carries as scaleUpTimedInputs at the scan's time, with
 * the MTM's sign and floor; compared only for the positions whose last decision read them, not
 * for one refused on the opportunity alone, scale.ts OPPORTUNITY_REFUSALS). When the last scan
 * ran the optimisation rule (a candidate kept at the cap, which found no position to replace),
 * the rule is run again on the held positions as they are now (their MTM moves with every
 * check): a repeat needs it to find nothing again. Those
 * comparisons are what is compared here, not the times, so a refreshed book time or a minute of
 * ageing rate repeats a scan while a crossed limit does not. Edge decay and the stress rule act
 * only on a candidate past its gates, and such a scan is never repeated. The quotes are not
 * built to be compared: what they are made of is (market.ts listingReads; a new field of
 * VenueQuote must be read there too, a time compared as an age in sameListings).
 */
export interface ScanReads {
  readonly now: number;
  readonly config: CarryInstanceConfig;
  readonly pairs: readonly TradablePair[];
  /**
   * what the scan's quotes are made of, listing after listing in the order the scan evaluates
   * them (market.ts listingReads, LISTING_READS values each)
   */
  readonly listings: readonly unknown[];
  readonly accounts: readonly (AccountView | undefined)[];
  readonly peakEquityUsd: number;
  /** every held position as the scan's decisions read it (scan.ts heldInputs) */
  readonly positions: string;
  /** each held position's group id and scale-up inputs that move with the clock and the MTM */
  readonly positionIds: readonly string[];
  readonly positionTimed: readonly string[];
  /**
   * the blocks and cooldowns (what a scan reads of BlockState, blocks.ts isBlocked; the reversal
   * times and realised PnL behind them it does not read)
   */
  readonly blocks: string;
  /** the ends of every block and cooldown */
  readonly blockEnds: readonly number[];
  readonly circuits: string;
}

/** where in a listing's reads (market.ts listingReads) its times are: the rate's, then the book's */
const RATE_TS = 6;
const BBO_TS = 7;

/** `T`: one entry of the scanned list a scan hands to its host (scan.ts ScannedOpportunity) */
export class ScanRepeat<T> {
  private last: ScanReads | undefined;
  /** per tally of the host (rejections, scale-up refusals): what the last scan added */
  private added: Record<string, number>[] | undefined;
  private scanned: readonly T[] | undefined;
  /** the confirmations the last scan left (all past required_confirms), each counted again on a repeat */
  private confirmed: readonly string[] = [];
  /**
   * the last scan ran the optimisation rule (which found nothing): whether it still finds nothing
   * on the held positions as they are now; undefined when it did not run
   */
  private optimisation: (() => boolean) | undefined;
  /** the held positions whose scale-up decision last read their timed inputs */
  private timedRead: ReadonlySet<string> = new Set();
  /** scans repeated and scans run in full, for tests and benches */
  repeated = 0;
  full = 0;
  /** of the repeated, those that counted confirmations again (candidates kept at the cap) */
  repeatedConfirming = 0;
  /** false: every scan runs in full (tests compare the two) */
  enabled = true;
  /** the two arrays scans read their listings into, in turn (the last scan's is kept for comparing) */
  private readonly buffers: [unknown[], unknown[]] = [[], []];

  /**
   * An array for this scan's listing reads (market.ts listingReads): not the one the last scan's
   * reads are kept in. Its old content is overwritten (set its length to what was written).
   */
  buffer(): unknown[] {
    return this.last?.listings === this.buffers[0] ? this.buffers[1] : this.buffers[0];
  }

  /**
   * What a scan reads; `listings`: what its quotes are made of (market.ts listingReads), kept
   * as it is for the next scan's comparison. Undefined when off.
   */
  reads(
    now: number,
    config: CarryInstanceConfig,
    pairs: readonly TradablePair[],
    accounts: readonly (AccountView | undefined)[],
    peakEquityUsd: number,
    held: { positions: string; ids: readonly string[]; timed: readonly string[] },
    blocks: BlockState,
    circuits: readonly string[],
    listings: readonly unknown[],
  ): ScanReads | undefined {
    if (!this.enabled) return undefined;
    return {
      now,
      config,
      pairs,
      listings,
      accounts,
      peakEquityUsd,
      positions: held.positions,
      positionIds: held.ids,
      positionTimed: held.timed,
      blocks: JSON.stringify([blocks.blocked, blocks.cooldowns]),
      blockEnds: [...Object.values(blocks.blocked).map((b) => b.until), ...Object.values(blocks.cooldowns)],
      circuits: circuits.join(","),
    };
  }

  /**
   * Whether this scan reads what the last one read and may repeat its outcome; if so its
   * counts are added again to the same tallies (in the order `remember` was given them),
   * `record` gets its scanned list and each confirmation the last scan counted is counted again
   * (`confirms` must hold exactly those: candidates confirmed before it that changed nothing).
   */
  repeat(
    r: ScanReads,
    tallies: readonly Record<string, number>[],
    confirms: Map<string, number>,
    record?: (ts: number, list: readonly T[]) => void,
  ): boolean {
    const l = this.last;
    const added = this.added;
    if (l === undefined || added === undefined || added.length !== tallies.length) return false;
    if (confirms.size !== this.confirmed.length || this.confirmed.some((k) => !confirms.has(k))) return false;
    if (!same(l, r)) return false;
    for (let i = 0; i < r.positionIds.length; i++)
      if (this.timedRead.has(r.positionIds[i]) && l.positionTimed[i] !== r.positionTimed[i]) return false;
    if (this.optimisation !== undefined && !this.optimisation()) return false;
    for (let i = 0; i < tallies.length; i++)
      for (const [k, n] of Object.entries(added[i])) tallies[i][k] = (tallies[i][k] ?? 0) + n;
    for (const k of this.confirmed) confirms.set(k, (confirms.get(k) ?? 0) + 1);
    if (this.confirmed.length > 0) this.repeatedConfirming++;
    if (record !== undefined && this.scanned !== undefined) record(r.now, this.scanned);
    this.repeated++;
    return true;
  }

  /**
   * After a full scan: keep what it read and, when it changed nothing (`repeatable`), what it
   * added to each tally (`before`: copies of the tallies before it) and listed. `confirmed`: the
   * confirmations it counted (each already past required_confirms, so one more changes no
   * decision); `optimisation`: when it ran the optimisation rule (which found nothing to
   * replace), the rule again at a later time, true while it still finds nothing.
   */
  remember(
    r: ScanReads,
    repeatable: boolean,
    before: readonly Readonly<Record<string, number>>[],
    tallies: readonly Readonly<Record<string, number>>[],
    scanned: readonly T[] | undefined,
    confirmed: readonly string[] = [],
    optimisation: (() => boolean) | undefined = undefined,
    timedRead: ReadonlySet<string> = new Set(),
  ): void {
    this.full++;
    this.last = r;
    this.scanned = scanned;
    this.confirmed = confirmed;
    this.optimisation = optimisation;
    this.timedRead = timedRead;
    if (!repeatable) {
      this.added = undefined;
      return;
    }
    this.added = tallies.map((counts, i) => {
      const added: Record<string, number> = {};
      const b = before[i] ?? {};
      for (const [k, n] of Object.entries(counts)) if (n !== (b[k] ?? 0)) added[k] = n - (b[k] ?? 0);
      return added;
    });
  }
}

function same(a: ScanReads, b: ScanReads): boolean {
  if (
    a.config !== b.config ||
    a.peakEquityUsd !== b.peakEquityUsd ||
    a.positions !== b.positions ||
    a.circuits !== b.circuits ||
    a.blocks !== b.blocks ||
    a.pairs.length !== b.pairs.length ||
    a.accounts.length !== b.accounts.length ||
    a.listings.length !== b.listings.length
  )
    return false;
  for (let i = 0; i < a.pairs.length; i++) if (a.pairs[i] !== b.pairs[i]) return false;
  for (let i = 0; i < a.accounts.length; i++) {
    const x = a.accounts[i];
    const y = b.accounts[i];
    if (x?.equityUsd !== y?.equityUsd || x?.availableUsd !== y?.availableUsd) return false;
  }
  // blockedWhy compares each end with the time: one that passed in between changes its answer
  if (b.blockEnds.some((t) => t > a.now && t <= b.now)) return false;
  return sameListings(a.listings, a.now, b.listings, b.now, b.config);
}

/**
 * The listings read the same: the same leg, book and instrument, the book at the same version
 * (a book that counts no versions is never the same), the same rates, and each time on the same
 * side of its age limit at its own scan's time (entry.ts evaluate compares only that).
 */
function sameListings(
  p: readonly unknown[],
  pNow: number,
  q: readonly unknown[],
  qNow: number,
  c: CarryInstanceConfig,
): boolean {
  const maxRate = c.max_rate_age_minutes * 60_000;
  const maxBbo = c.max_bbo_age_ms;
  for (let i = 0; i < q.length; i += LISTING_READS) {
    if (q[i + 2] === undefined) return false;
    for (let k = 0; k < RATE_TS; k++) if (!Object.is(p[i + k], q[i + k])) return false;
    if (pNow - (p[i + RATE_TS] as number) > maxRate !== qNow - (q[i + RATE_TS] as number) > maxRate)
      return false;
    if (pNow - (p[i + BBO_TS] as number) > maxBbo !== qNow - (q[i + BBO_TS] as number) > maxBbo) return false;
  }
  return true;
}
