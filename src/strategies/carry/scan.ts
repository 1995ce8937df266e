import type { StrategyContext } from "../contract.ts";
import type { PairLeg } from "../pairs/discover.ts";
import { isBlocked } from "./blocks.ts";
import { evaluate, type Opportunity, quoteDepthUsd, rank, stressWhy, type VenueQuote } from "./entry.ts";
import { reject, scaleUp } from "./grow.ts";
import { LISTING_READS, listingReads, quoteFromReads, quoteOf, universe } from "./market.ts";
import { forget, type OpenHost, openOne } from "./open.ts";
import { type CarryPosition, decisionYieldBps } from "./position.ts";
import {
  decideScaleUp,
  OPPORTUNITY_REFUSALS,
  optimisationTarget,
  scaleUpState,
  scaleUpTimedInputs,
} from "./scale.ts";
import type { ScanRepeat } from "./scan-repeat.ts";

/** A total cap with less room than this is full (no position that small is worth its fees). */
const MIN_ENTRY_USD = 10;

/** What a scan needs of the running strategy (and an entry, open.ts OpenHost). */
export interface ScanHost extends OpenHost {
  readonly venues: readonly string[];
  readonly positions: ReadonlyMap<string, CarryPosition>;
  /** scale-up refusal reason (scale.ts) -> count, and `done` for the slices opened */
  readonly scaleUps?: Record<string, number>;
  peakEquity(equityUsd: number): number;
  /** the position is still held and not being closed (no scale-up of a closing one); absent: always */
  isHeld?(p: CarryPosition): boolean;
  /** the scan's every evaluated pair, best net first (the opportunity scanner of the dashboard) */
  recordScan?(ts: number, list: readonly ScannedOpportunity[]): void;
  /** kept between scans so a scan that reads what the last one read repeats it (scan-repeat.ts) */
  readonly repeat?: ScanRepeat<ScannedOpportunity>;
}

function circuits(h: ScanHost): string[] {
  return h.venues.map((v) => h.ctx.venueCircuit(v));
}

/**
 * The held positions as this scan's decisions read them (scan-repeat.ts): which base and venues
 * each holds, whether it may grow and its own figures (scale.ts scaleUpStateInputs), then apart,
 * one a position, its scale-up inputs that move with the clock and the MTM at `now`
 * (scaleUpTimedInputs), with its group id.
 */
function heldInputs(h: ScanHost, now: number): { positions: string; ids: string[]; timed: string[] } {
  let positions = "";
  const ids: string[] = [];
  const timed: string[] = [];
  for (const p of h.positions.values()) {
    positions += heldInputText(p, h.isHeld?.(p) !== false);
    ids.push(p.groupId);
    timed.push(scaleUpTimedInputs(h.config, p, now));
  }
  return { positions, ids, timed };
}

/**
 * One held position's part of heldInputs' `positions`, written again only when what it is made
 * of changed (most scans find every position as the last one did).
 */
function heldInputText(p: CarryPosition, held: boolean): string {
  const k = keptHeld.get(p);
  const state = scaleUpState(p);
  if (
    k !== undefined &&
    k.held === held &&
    k.long === p.long.venue &&
    k.short === p.short.venue &&
    state.every((x, i) => Object.is(x, k.state[i]))
  )
    return k.text;
  const text = `${p.groupId}|${p.base}|${p.long.venue}>${p.short.venue}|${+held}|${state.join("/")};`;
  keptHeld.set(p, { held, long: p.long.venue, short: p.short.venue, state, text });
  return text;
}

const keptHeld = new WeakMap<
  CarryPosition,
  { held: boolean; long: string; short: string; state: readonly number[]; text: string }
>();

/** One evaluated base and venue direction of a scan, as status surfaces show it. */
export interface ScannedOpportunity {
  readonly base: string;
  readonly long: string;
  readonly short: string;
  readonly yield8hBps: number;
  readonly costBps: number;
  readonly netBps: number;
  readonly breakevenHours: number;
  readonly sizeUsd: number;
  /** empty: passes every gate */
  readonly rejections: readonly string[];
}

/**
 * One entry scan (STRATEGIES.md scan steps 1-5): every tradable base on every pair of the
 * instance's venues is evaluated; those passing every gate `required_confirms` scans in a row are
 * opened, best net first, one per base, none on a base already held, blocked or cooling down.
 * A held base is re-evaluated in its own direction for a scale-up (scale.ts), and scale-ups go
 * first, by MTM. At the total cap a confirmed candidate refused only for allocation may replace
 * the worst position (`optimization`); it enters on a later scan, once the cap has room.
 */
export async function scanOnce(h: ScanHost): Promise<void> {
  const { ctx, config: c } = h;
  const now = ctx.clock.now();
  const accounts = h.venues.map((v) => ctx.portfolio.account(v, h.account));
  if (accounts.some((a) => a === undefined)) return;
  const equity = accounts.reduce((s, a) => s + (a?.equityUsd ?? 0), 0);
  const peak = h.peakEquity(equity);
  let openTotal = 0;
  const openByBase = new Map<string, number>();
  const heldByBase = new Map<string, CarryPosition>();
  for (const p of h.positions.values()) {
    openTotal += p.sizeUsd;
    openByBase.set(p.base, (openByBase.get(p.base) ?? 0) + p.sizeUsd);
    heldByBase.set(p.base, p);
  }
  // at the cap: what is left of it would not make a position (sizes are whole lots, never exact)
  const atCap = equity * c.max_carry_total_alloc_pct - openTotal < MIN_ENTRY_USD;
  const passing: Opportunity[] = [];
  const capped: Opportunity[] = [];
  const growing: { p: CarryPosition; op: Opportunity }[] = [];
  const scanned: ScannedOpportunity[] = [];
  const seen = new Set<string>();
  const pairs = universe(ctx.market, h.venues, c.pairs, c.min_volume_24h_usd);
  // a listing's quote (20 levels a side) is read once a scan, however many venue pairs it is in
  // (a listing is one leg object of one pair)
  const quotes = new Map<PairLeg, VenueQuote>();
  // levels past what any decision of the scan reads are not read (entry.ts quoteDepthUsd)
  const depth = quoteDepthUsd(c);
  const quote = (leg: PairLeg): VenueQuote => {
    let q = quotes.get(leg);
    if (q === undefined) {
      q = quoteOf(ctx.market, leg, depth);
      quotes.set(leg, q);
    }
    return q;
  };
  // a scan that reads what the last one read repeats its outcome (scan-repeat.ts)
  // the tallies a repeated scan adds to again, always in this order
  const tallies = [h.rejections];
  if (h.scaleUps !== undefined) tallies.push(h.scaleUps);
  if (h.rejectionsByPair !== undefined) tallies.push(h.rejectionsByPair);
  let listings: unknown[] | undefined;
  if (h.repeat?.enabled === true) {
    // what every listing the loop below evaluates (a held base only on its own venues) reads,
    // without building its quote: a repeated scan builds none
    listings = h.repeat.buffer();
    let n = 0;
    for (const pair of pairs) {
      const held = heldByBase.get(pair.base);
      for (const l of pair.legs)
        if (held === undefined || l.venue === held.long.venue || l.venue === held.short.venue)
          n = listingReads(ctx.market, l, listings, n);
    }
    listings.length = n;
  }
  const reads =
    listings === undefined
      ? undefined
      : h.repeat?.reads(now, c, pairs, accounts, peak, heldInputs(h, now), h.blocks, circuits(h), listings);
  if (reads !== undefined && h.repeat!.repeat(reads, tallies, h.confirms, h.recordScan)) return;
  // the loop below evaluates every listing read: their quotes from what was read (same time)
  if (listings !== undefined)
    for (let i = 0; i < listings.length; i += LISTING_READS)
      quotes.set(listings[i] as PairLeg, quoteFromReads(listings, i, depth));
  const before = tallies.map((t) => ({ ...t }));
  // the confirmations before this scan, when every one is past required_confirms (else none)
  const confirmedBefore = [...h.confirms.values()].every((n) => n >= c.required_confirms)
    ? [...h.confirms.keys()]
    : undefined;
  // candidates that passed their gates this scan and changed a decision's inputs (a first
  // confirmation, one below or reaching required_confirms, a decay, one to enter)
  let gated = 0;
  // the loop below never awaits, so each venue's free margin is read once a scan
  const freeByVenue = new Map(h.venues.map((v, k) => [v, accounts[k]?.availableUsd ?? 0]));
  const free = (v: string) => freeByVenue.get(v) ?? ctx.portfolio.account(v, h.account)?.availableUsd ?? 0;
  for (const pair of pairs) {
    const held = heldByBase.get(pair.base);
    for (let i = 0; i < pair.legs.length; i++) {
      for (let j = i + 1; j < pair.legs.length; j++) {
        const [a, b] = [pair.legs[i], pair.legs[j]];
        // a held base is only looked at on its own two venues (a scale-up candidate)
        if (held && !sameVenues(held, a.venue, b.venue)) continue;
        const lev = Math.min(
          c.leverage,
          ctx.market.instrument(a.venue, a.symbol).spec.maxLeverage,
          ctx.market.instrument(b.venue, b.symbol).spec.maxLeverage,
        );
        const op = evaluate(
          c,
          pair.base,
          quote(a),
          quote(b),
          {
            equityUsd: equity,
            peakEquityUsd: peak,
            openTotalUsd: openTotal,
            openBaseUsd: openByBase.get(pair.base) ?? 0,
            freeMarginUsd: [free(a.venue), free(b.venue)],
            leverage: lev,
          },
          now,
        );
        const { key } = opportunityKey(pair.base, op.long.venue, op.short.venue);
        const why = isBlocked(h.blocks, pair.base, now, key);
        // no entry on a venue whose requests keep failing (STRATEGIES.md: "not with an open circuit")
        const circuit = ctx.venueCircuit(a.venue) !== "closed" || ctx.venueCircuit(b.venue) !== "closed";
        if (held) {
          if (held.long.venue !== op.long.venue) continue; // the differential flipped: exits handle it
          if (why || circuit) countScale(h, why ? "blocked" : "circuit_open");
          else if (h.isHeld?.(held) !== false) growing.push({ p: held, op });
          continue;
        }
        seen.add(key);
        const rejections: readonly string[] =
          why || op.sizeUsd <= 0 || circuit
            ? [
                ...op.rejections,
                ...(why ? ["blocked"] : []),
                ...(op.sizeUsd <= 0 ? ["no_allocation"] : []),
                ...(circuit ? ["circuit_open"] : []),
              ]
            : op.rejections;
        if (h.recordScan)
          scanned.push({
            base: op.base,
            long: op.long.venue,
            short: op.short.venue,
            yield8hBps: op.yield8hBps,
            costBps: op.costBps,
            netBps: op.netBps,
            breakevenHours: op.breakevenHours,
            sizeUsd: op.sizeUsd,
            rejections,
          });
        // at the cap, a candidate refused only for allocation keeps confirming: it may replace
        // the worst position (optimisation) and enter once the cap has room
        const onlyCap = atCap && rejections.every((r) => r === "no_allocation");
        if (rejections.length > 0 && !onlyCap) {
          forget(h, key);
          for (const r of rejections) reject(h, r, op);
          continue;
        }
        // (counted once, whether the caps left it a size below the room's $10 or none at all)
        if (onlyCap) reject(h, "no_allocation", op);
        const n = (h.confirms.get(key) ?? 0) + 1;
        h.confirms.set(key, n);
        // one confirmed before this scan changes nothing by confirming again (what it leads to,
        // an entry or a replacement, is looked at below)
        if (!(n > c.required_confirms)) gated++;
        if (n === 1) h.detected?.set(key, op.netBps);
        if (n < c.required_confirms) continue;
        // re-priced since detection: an edge that decayed below edge_decay_ratio starts over
        const first = h.detected?.get(key) ?? op.netBps;
        if (op.netBps < c.edge_decay_ratio * first) {
          forget(h, key);
          reject(h, "edge_decayed", op);
          continue;
        }
        (onlyCap ? capped : passing).push(op);
      }
    }
  }
  for (const k of [...h.confirms.keys()]) if (!seen.has(k)) forget(h, k);
  h.recordScan?.(
    now,
    scanned.sort((x, y) => y.netBps - x.netBps),
  );
  // scan step 5: scale-ups first, by MTM in dollars, each within the caps left by the ones before
  let others = [...h.positions.values()].filter((p) => p.slices.length > 0).length;
  // the positions whose decision read their timed inputs (the others' may change, same decision)
  const timedRead = new Set<string>();
  let grew = false;
  for (const { p, op } of growing.sort((x, y) => y.p.lastMtmUsd - x.p.lastMtmUsd)) {
    const free = (v: string) => ctx.portfolio.account(v, h.account)?.availableUsd ?? 0;
    const had = p.slices.length > 0;
    const d = decideScaleUp(c, p, op, {
      now,
      equityUsd: equity,
      openTotalUsd: openTotal,
      openBaseUsd: openByBase.get(p.base) ?? 0,
      othersScaledUp: others - (had ? 1 : 0),
      freeMarginUsd: [free(p.long.venue), free(p.short.venue)],
      leverage: Math.min(
        c.leverage,
        ctx.market.instrument(p.long.venue, p.long.symbol).spec.maxLeverage,
        ctx.market.instrument(p.short.venue, p.short.symbol).spec.maxLeverage,
      ),
    });
    if (d.ok || !OPPORTUNITY_REFUSALS.has(d.why)) timedRead.add(p.groupId);
    if (!d.ok) {
      countScale(h, d.why);
      continue;
    }
    grew = true;
    const sizeBefore = p.sizeUsd;
    if (await scaleUp(h, p, op, d.sliceUsd)) {
      countScale(h, "done");
      openTotal += p.sizeUsd - sizeBefore;
      openByBase.set(p.base, p.sizeUsd);
      if (!had) others++;
    }
  }
  // under stress new entries are halved (STRATEGIES.md "Sizing")
  const spreads = [...h.positions.values()].flatMap((p) => [p.long, p.short].map((l) => spreadBps(ctx, l)));
  const stress = stressWhy(spreads, h.entries ?? [], now);
  // an entry tried (an order, a leverage setting, an alert or a log line); entries refused before
  // any of that (no room, below the size of a lot) do the same again on the same reads
  let acted = false;
  if (stress !== undefined && passing.length > 0) {
    acted = true;
    h.log("info", `carry entries halved: ${stress}`);
  }
  for (const ranked of rank(passing)) {
    // the caps were sized before this scan's earlier entries: what they took is not there to take
    const room = equity * c.max_carry_total_alloc_pct - openTotal;
    if (!(room > 0)) {
      reject(h, "no_allocation", ranked);
      continue;
    }
    const want = ranked.sizeUsd * (stress === undefined ? 1 : 0.5);
    const op = { ...ranked, sizeUsd: Math.min(want, room) };
    acted ||= op.sanityAlert;
    if (op.sanityAlert)
      h.alert(
        "warning",
        `carry.sanity:${op.base}`,
        "Carry yield looks too good",
        `${op.base} ${op.yield8hBps.toFixed(0)} bps/8h > ${c.sanity_alert_bps}: size x 0.7`,
      );
    if (await openOne(h, op, pairs)) acted = true;
    for (const p of h.positions.values()) if (p.base === op.base) openTotal += p.sizeUsd;
  }
  // at the cap: replace the worst position by the best candidate, one a scan
  const best = rank(capped)[0];
  let replaced = false;
  const optimises = best !== undefined && passing.length === 0;
  if (optimises) {
    const target = optimisationTarget(c, heldForOptimisation(h), best);
    if (target !== undefined) {
      replaced = true;
      await h.closeNow(target.groupId, "optimization", target.detail);
    }
  }
  if (reads !== undefined) {
    // repeatable: no candidate changed a decision's inputs, nothing entered or was replaced,
    // every scale-up was refused, and the confirmations left are the ones found (all past
    // required_confirms: another scan reading the same counts each once more and decides alike)
    const confirmed = [...h.confirms.keys()];
    const repeatable =
      gated === 0 &&
      !grew &&
      !replaced &&
      !acted &&
      confirmedBefore !== undefined &&
      sameKeys(confirmedBefore, confirmed);
    h.repeat!.remember(
      reads,
      repeatable,
      before,
      tallies,
      h.recordScan ? scanned : undefined,
      confirmed,
      // the rule reads the held positions' MTM, which moves with every check: a repeat runs it again
      optimises ? () => optimisationTarget(c, heldForOptimisation(h), best) === undefined : undefined,
      timedRead,
    );
  }
}

/**
 * A candidate's direction (`long>short`) and key (`base:long>short`), the same string objects
 * on every scan: they are looked up in the confirmations and blocks on every evaluation, and a
 * string built anew is hashed anew.
 */
const keys = new Map<string, Map<string, Map<string, { direction: string; key: string }>>>();

function opportunityKey(base: string, long: string, short: string): { direction: string; key: string } {
  let byLong = keys.get(base);
  if (byLong === undefined) {
    byLong = new Map();
    keys.set(base, byLong);
  }
  let byShort = byLong.get(long);
  if (byShort === undefined) {
    byShort = new Map();
    byLong.set(long, byShort);
  }
  let k = byShort.get(short);
  if (k === undefined) {
    const direction = `${long}>${short}`;
    k = { direction, key: `${base}:${direction}` };
    byShort.set(short, k);
  }
  return k;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((k) => s.has(k));
}

/** The held positions as the optimisation rule reads them (scale.ts optimisationTarget). */
function heldForOptimisation(h: ScanHost) {
  return [...h.positions.values()].map((p) => ({
    groupId: p.groupId,
    base: p.base,
    cy: decisionYieldBps(h.ctx.market, p),
    lastMtmUsd: p.lastMtmUsd,
    sizeUsd: p.sizeUsd,
  }));
}

function spreadBps(ctx: StrategyContext, leg: { venue: string; symbol: string }): number {
  const b = ctx.market.bbo(leg.venue, leg.symbol);
  if (b.bidTicks === undefined || b.askTicks === undefined) return Number.NaN;
  return ((b.askTicks - b.bidTicks) / ((b.askTicks + b.bidTicks) / 2)) * 10_000;
}

function countScale(h: ScanHost, why: string): void {
  if (h.scaleUps) h.scaleUps[why] = (h.scaleUps[why] ?? 0) + 1;
}

function sameVenues(p: CarryPosition, a: string, b: string): boolean {
  return (p.long.venue === a && p.short.venue === b) || (p.long.venue === b && p.short.venue === a);
}
