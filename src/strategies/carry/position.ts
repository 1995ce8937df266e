import type { LegFillSummary, MarketView, PortfolioView } from "../contract.ts";
import { FundingLedger } from "./funding.ts";

/**
 * One carry position as the strategy tracks it: its two legs (long on the lower rate, short on
 * the higher), the funding ledger of each, and the exit counters. Serialised into the state slot
 * after every change, so a restart resumes peaks, deferrals and the ledger where they were.
 */
export interface CarryLeg {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: 1 | -1;
  readonly lots: number;
  /** base units (lots x lot size x multiplier) */
  readonly qty: number;
  readonly multiplier: number;
  /** average entry price per base unit */
  readonly entryPrice: number;
  readonly feesUsd: number;
  readonly intervalHours: number;
}

/** One scale-up of a position: its own group, with what its legs added. */
export interface CarrySlice {
  readonly groupId: string;
  readonly at: number;
  /** one leg's notional the slice added */
  readonly sizeUsd: number;
  readonly long: SliceLeg;
  readonly short: SliceLeg;
}

export interface SliceLeg {
  readonly lots: number;
  readonly qty: number;
  readonly entryPrice: number;
  readonly feesUsd: number;
}

export interface CarryPosition {
  /** the entry's group; scale-ups are groups of their own (`slices`) */
  readonly groupId: string;
  readonly base: string;
  /** both legs over every group of the position: summed quantity, average entry, fees */
  long: CarryLeg;
  short: CarryLeg;
  readonly openedAt: number;
  readonly entryYieldBps: number;
  /** one leg's notional at entry, scale-ups included (less scale-downs) */
  sizeUsd: number;
  /** the entry's own size (scale-ups stop at 2.85 x this) */
  initialSizeUsd: number;
  /** scale-ups held, oldest first (a scale-down closes the newest) */
  slices: CarrySlice[];
  /**
   * every scale-up group opened for the position, held, scaled down or failed (what its close
   * reads of the store); undefined in a state saved before it was kept
   */
  sliceGroups?: string[];
  /** scale-ups done over the position's life (max_scale_ups) */
  scaleUps: number;
  /** last scale-up or scale-down (ms; 0: none): scale_up_cooldown_s runs from it */
  lastScaleAt: number;
  /** price PnL less fees of the slices already closed by scale-downs */
  bankedUsd: number;
  readonly ledgers: { readonly long: FundingLedger; readonly short: FundingLedger };
  peakBps: number;
  samples: { ts: number; bps: number }[];
  missingBboChecks: number;
  deferredSince: number | null;
  /** checks since deferredSince whose decisions were deferred for a stale BBO */
  deferredChecks: number;
  /**
   * a non-urgent exit waiting for a venue's circuit breaker to close (carry.ts): the exit's
   * reason when it first waited, since when, the checks it waited and the venues; null: none
   */
  circuitWait: CircuitWait | null;
  spikeUntil: number;
  lastMtmUsd: number;
  lastMtmBps: number;
  lastCy: number;
}

/** What carry.ts keeps of an exit that waits for a venue's circuit, for the group's record. */
export interface CircuitWait {
  readonly reason: string;
  readonly since: number;
  readonly checks: number;
  readonly venues: readonly string[];
}

export function legOf(
  f: LegFillSummary,
  market: MarketView,
  multiplier: number,
  openedAt: number,
): { leg: CarryLeg; ledger: FundingLedger } {
  const inst = market.instrument(f.venue, f.symbol);
  const side = f.side === "buy" ? 1 : -1;
  const qty = inst.sizeValue(f.filledLots) * multiplier;
  const leg: CarryLeg = {
    venue: f.venue,
    account: f.account,
    symbol: f.symbol,
    side,
    lots: f.filledLots,
    qty,
    multiplier,
    entryPrice: f.avgPrice / multiplier,
    feesUsd: f.feesUsd,
    intervalHours: inst.spec.fundingIntervalHours,
  };
  const ledger = new FundingLedger({
    venue: f.venue,
    symbol: f.symbol,
    intervalHours: leg.intervalHours,
    side,
    qty,
    openedAt,
  });
  return { leg, ledger };
}

/** Executable exit price per base unit of a leg (long sells at the bid, short buys at the ask). */
export function exitPrice(market: MarketView, leg: CarryLeg): number {
  const inst = market.instrument(leg.venue, leg.symbol);
  const bbo = market.bbo(leg.venue, leg.symbol);
  const t = leg.side > 0 ? bbo.bidTicks : bbo.askTicks;
  return t === undefined ? Number.NaN : inst.priceValue(t) / leg.multiplier;
}

/**
 * mtm_usd: price PnL at executable exit prices vs the average entries, plus ledger funding, minus
 * fees paid and the projected exit taker fees (STRATEGIES.md "MTM").
 */
export function markToMarket(market: MarketView, p: CarryPosition): { mtmUsd: number; pricePnlUsd: number } {
  let price = 0;
  let exitFees = 0;
  for (const leg of [p.long, p.short]) {
    const px = exitPrice(market, leg);
    price += leg.side * leg.qty * (px - leg.entryPrice);
    const taker = market.instrument(leg.venue, leg.symbol).spec.takerFeeBps;
    exitFees += (leg.qty * px * taker) / 10_000;
  }
  const funding = p.ledgers.long.totalUsd + p.ledgers.short.totalUsd;
  const fees = p.long.feesUsd + p.short.feesUsd;
  return { mtmUsd: price + funding - fees - exitFees + p.bankedUsd, pricePnlUsd: price };
}

/** Current yield per 8 h in bps: `(r_short - r_long) x 8 x 10^4`, > 0 while collecting. */
export function currentYieldBps(market: MarketView, p: CarryPosition): number {
  const rs = market.fundingRatePerHour(p.short.venue, p.short.symbol);
  const rl = market.fundingRatePerHour(p.long.venue, p.long.symbol);
  return (rs - rl) * 8 * 10_000;
}

/**
 * The yield per 8 h entries and scale-ups are decided on: like currentYieldBps, with each venue's
 * predicted rate where it publishes one (entry.ts decisionRate).
 */
export function decisionYieldBps(market: MarketView, p: CarryPosition): number {
  const r = (l: CarryLeg) =>
    market.predictedFundingRatePerHour?.(l.venue, l.symbol) ?? market.fundingRatePerHour(l.venue, l.symbol);
  return (r(p.short) - r(p.long)) * 8 * 10_000;
}

/** Liquidation distance of a leg from the venue's liquidation price; NaN when none reported. */
export function liquidationDistance(portfolio: PortfolioView, market: MarketView, leg: CarryLeg): number {
  const pos = portfolio.position(leg.venue, leg.account, leg.symbol);
  if (pos === undefined || pos.liquidationPrice === null) return Number.NaN;
  const mark = market.mark(leg.venue, leg.symbol);
  if (!(mark > 0)) return Number.NaN;
  return leg.side > 0 ? (mark - pos.liquidationPrice) / mark : (pos.liquidationPrice - mark) / mark;
}

/** BBO age of a leg; Infinity when a side is empty (no usable BBO). */
export function bboAge(market: MarketView, leg: CarryLeg, now: number): number {
  const b = market.bbo(leg.venue, leg.symbol);
  if (b.bidTicks === undefined || b.askTicks === undefined) return Number.POSITIVE_INFINITY;
  return now - b.ts;
}

/**
 * The position as JSON: its fields, then `ledgers` (each FundingLedger's toJSONText). The same text
 * as JSON.stringify of that object; the ledgers' settled rows, which grow with the position's
 * age, are not serialised again on every check while they stay the same (toJSONText), nor are
 * the legs, the slices and the MTM samples (objects never modified once made: a change makes a
 * new one, withSlice, and their doubles are most of the text's cost).
 */
export function serialise(p: CarryPosition): string {
  const { long, short } = p.ledgers;
  return withLedgers(fieldsText(p, undefined), long.toJSONText(), short.toJSONText());
}

/**
 * What a check changes on every run (carry.ts checkEach): the MTM, its samples and peak, the
 * stale-data counters and the yield, and each ledger's estimate (its pending amount and the time
 * it is accrued to). The rest of a position changes at an entry, a scale-up or down and a
 * settlement.
 */
const WATCHED = new Set([
  "peakBps",
  "samples",
  "missingBboChecks",
  "deferredSince",
  "deferredChecks",
  "circuitWait",
  "spikeUntil",
  "lastMtmUsd",
  "lastMtmBps",
  "lastCy",
]);

/**
 * The position in two texts, saved in one transaction (carry.ts: `pos:<group>`, and `watch`, one
 * object of every held position's watched text): `held`, what
 * changes only at an entry, a scale-up or down and a settlement (the legs, slices, sizes, the
 * ledgers' settled rows), and `watched`, what every check changes (WATCHED and the ledgers'
 * estimates). A check writes `watched` and, only when it differs from the one last written,
 * `held`: the settled rows, most of the text, are not written every 30 s. deserialise(held,
 * watched) gives the position serialise wrote.
 */
export function serialiseParts(p: CarryPosition): { held: string; watched: string } {
  return { held: heldText(p), watched: watchedText(p) };
}

/** serialiseParts' held text */
export function heldText(p: CarryPosition): string {
  const { long, short } = p.ledgers;
  return withLedgers(fieldsText(p, false), long.settledJSONText(), short.settledJSONText());
}

/** serialiseParts' watched text */
export function watchedText(p: CarryPosition): string {
  const { long, short } = p.ledgers;
  return withLedgers(fieldsText(p, true), long.estimateJSONText(), short.estimateJSONText());
}

/**
 * What the held text is made of, without writing it: every field heldText writes, primitives by
 * value, objects by identity (a leg or a slice is never modified once made: a change makes a new
 * one), arrays by length and elements, and per ledger the ledger, its settled rows' count and its
 * quantity. Two equal stamps (sameStamp) of one position give the same held text, so a check
 * builds the text only when the stamp moved.
 */
export function heldStamp(p: CarryPosition): unknown[] {
  const fields = p as unknown as Record<string, unknown>;
  const out: unknown[] = [];
  for (const k in fields) {
    if (k === "ledgers" || WATCHED.has(k)) continue;
    const v = fields[k];
    out.push(k, v);
    if (Array.isArray(v)) out.push(v.length, ...v);
  }
  for (const l of [p.ledgers.long, p.ledgers.short]) out.push(l, l.settledCount, l.qty);
  return out;
}

export function sameStamp(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** fieldsText's `fields`, then `ledgers` with each ledger's text, and the closing brace */
function withLedgers(fields: string, long: string, short: string): string {
  return `${fields}${fields.length > 1 ? "," : ""}"ledgers":{"long":${long},"short":${short}}}`;
}

/**
 * `{` and the position's fields but its ledgers as JSON, without the closing brace: every field
 * (`watched` undefined), or only those in WATCHED (true) or only the others (false).
 */
function fieldsText(p: CarryPosition, watched: boolean | undefined): string {
  const fields = p as unknown as Record<string, unknown>;
  // most fields hold the value they held at the last check: their text is the one written then
  let kept = keptTexts.get(p);
  if (kept === undefined) {
    kept = new Map();
    keptTexts.set(p, kept);
  }
  let out = "{";
  // (for-in visits the own keys in the order JSON.stringify writes them: a plain object)
  for (const k in fields) {
    if (k === "ledgers") continue;
    if (watched !== undefined && WATCHED.has(k) !== watched) continue;
    const v = fields[k];
    let text: string | undefined;
    if ((k === "long" || k === "short") && typeof v === "object" && v !== null) text = frozenText(v);
    else if ((k === "slices" || k === "samples") && Array.isArray(v)) text = listText(v, kept, k);
    else if (v === null || (typeof v !== "object" && typeof v !== "function")) {
      const last = kept.get(k);
      if (last !== undefined && Object.is(last.value, v)) text = last.text;
      else {
        text = valueText(v);
        if (last === undefined) kept.set(k, { value: v, text });
        else {
          last.value = v;
          last.text = text;
        }
      }
    } else text = valueText(v);
    // undefined (a field absent, a function) is left out, as JSON.stringify leaves it out
    if (text === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${keyText(k)}:${text}`;
  }
  return out;
}

/** per position, each primitive field's last value and its JSON text */
const keptTexts = new WeakMap<CarryPosition, Map<string, KeptText>>();

/** a field's last value and its text (a list's: its elements then and their texts) */
interface KeptText {
  value: unknown;
  text: string | undefined;
  readonly texts?: string[];
}

/**
 * JSON.stringify of one field value, numbers and booleans written directly (most of a position's
 * fields are numbers: JSON writes a finite number as String does, anything else as null).
 */
function valueText(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  return JSON.stringify(v);
}

/** JSON of objects never modified once made (a leg, a slice, an MTM sample), written once each */
const frozenTexts = new WeakMap<object, string>();

function frozenText(o: object): string {
  let t = frozenTexts.get(o);
  if (t === undefined) {
    t = JSON.stringify(o);
    frozenTexts.set(o, t);
  }
  return t;
}

/** an array (modified in place: not kept) of objects never modified once made */
function listText(xs: readonly object[], kept: Map<string, KeptText>, k: string): string {
  // a check drops the oldest samples and adds one: the texts of those it keeps are found by
  // position in the last list (by identity, no lookup per element)
  const slot = k === "samples" ? "samples[]" : "slices[]";
  const last = kept.get(slot) as { value: readonly object[]; texts: string[] } | undefined;
  const prev = last?.value;
  let d = 0;
  if (prev !== undefined && xs.length > 0) {
    d = prev.indexOf(xs[0]);
    if (d < 0) d = prev.length;
  }
  const texts: string[] = new Array(xs.length);
  let out = "[";
  for (let i = 0; i < xs.length; i++) {
    // (a new one written here, not kept by object: a sample lives only as long as its window)
    const t = prev !== undefined && prev[d + i] === xs[i] ? last!.texts[d + i] : JSON.stringify(xs[i]);
    texts[i] = t;
    out += `${i > 0 ? "," : ""}${t}`;
  }
  kept.set(slot, { value: xs.slice(), texts, text: undefined });
  return `${out}]`;
}

const keyTexts = new Map<string, string>();

function keyText(k: string): string {
  let t = keyTexts.get(k);
  if (t === undefined) {
    t = JSON.stringify(k);
    keyTexts.set(k, t);
  }
  return t;
}

/** A leg with a slice added (`sign` +1) or taken out (-1) at the slice's own entry price. */
export function withSlice(leg: CarryLeg, s: SliceLeg, sign: 1 | -1): CarryLeg {
  const qty = leg.qty + sign * s.qty;
  const cost = leg.qty * leg.entryPrice + sign * s.qty * s.entryPrice;
  return {
    ...leg,
    lots: leg.lots + sign * s.lots,
    qty,
    entryPrice: qty > 1e-12 ? cost / qty : leg.entryPrice,
    feesUsd: leg.feesUsd + sign * s.feesUsd,
  };
}

/** Every group of the position: the entry's, then the slices'. */
export function groupIdsOf(p: CarryPosition): string[] {
  return [p.groupId, ...p.slices.map((s) => s.groupId)];
}

/**
 * A position from serialise's text, or from serialiseParts' two (`watched`: the second, as text
 * or parsed; a state saved in one text, before the two, has every field in `text`).
 */
export function deserialise(text: string, watched?: unknown): CarryPosition {
  const held = JSON.parse(text);
  // (the watched text, or what it parses to: carry keeps every position's in one JSON object)
  const w =
    typeof watched === "string" ? JSON.parse(watched) : (watched as Record<string, unknown> | undefined);
  const j = {
    initialSizeUsd: 0,
    slices: [],
    scaleUps: 0,
    lastScaleAt: 0,
    bankedUsd: 0,
    deferredChecks: 0,
    circuitWait: null,
    ...held,
    ...w,
    ledgers: held.ledgers,
  };
  if (!(j.initialSizeUsd > 0)) j.initialSizeUsd = j.sizeUsd;
  const mk = (leg: CarryLeg, side: "long" | "short") => {
    const l = new FundingLedger({ ...leg, openedAt: j.openedAt });
    l.restore({ ...held.ledgers[side], ...w?.ledgers?.[side] });
    return l;
  };
  return { ...j, ledgers: { long: mk(j.long, "long"), short: mk(j.short, "short") } };
}
