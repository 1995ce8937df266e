import type { CloseReason, GroupLegIntent, StrategyContext } from "../contract.ts";
import type { PairLeg, TradablePair } from "../pairs/discover.ts";
import { type BlockState, blockedWhy, entryFailed } from "./blocks.ts";
import type { CarryInstanceConfig } from "./config.ts";
import { evaluate, type Opportunity, rank, type VenueQuote } from "./entry.ts";
import { quoteOf, universe } from "./market.ts";
import { type CarryPosition, legOf } from "./position.ts";
import type { ScanRepeat } from "./scan-repeat.ts";

/** What a scan needs of the running strategy. */
export interface ScanHost {
  readonly ctx: StrategyContext;
  readonly config: CarryInstanceConfig;
  readonly venues: readonly string[];
  readonly account: string;
  readonly positions: ReadonlyMap<string, CarryPosition>;
  readonly blocks: BlockState;
  readonly confirms: Map<string, number>;
  readonly rejections: Record<string, number>;
  peakEquity(equityUsd: number): number;
  nextSeq(): number;
  adopt(p: CarryPosition): Promise<void>;
  saveBlocks(): Promise<void>;
  closeNow(groupId: string, reason: CloseReason, detail: string): Promise<void>;
  alert(severity: "warning" | "critical", key: string, title: string, message: string): void;
  log(level: "info" | "warn" | "error", msg: string): void;
  /** the scan's every evaluated pair, best net first (the opportunity scanner of the dashboard) */
  recordScan?(ts: number, list: readonly ScannedOpportunity[]): void;
  /** kept between scans so a scan that reads what the last one read repeats it (scan-repeat.ts) */
  readonly repeat?: ScanRepeat<ScannedOpportunity>;
}

function circuits(h: ScanHost): string[] {
  return h.venues.map((v) => h.ctx.venueCircuit(v));
}

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
  for (const p of h.positions.values()) {
    openTotal += p.sizeUsd;
    openByBase.set(p.base, (openByBase.get(p.base) ?? 0) + p.sizeUsd);
  }
  const passing: Opportunity[] = [];
  const scanned: ScannedOpportunity[] = [];
  const seen = new Set<string>();
  const pairs = universe(ctx.market, h.venues, c.pairs, c.min_volume_24h_usd);
  // a listing's quote (20 levels a side) is read once a scan, however many venue pairs it is in
  // (a listing is one leg object of one pair)
  const quotes = new Map<PairLeg, VenueQuote>();
  const quote = (leg: PairLeg): VenueQuote => {
    let q = quotes.get(leg);
    if (q === undefined) {
      q = quoteOf(ctx.market, leg);
      quotes.set(leg, q);
    }
    return q;
  };
  // a scan that reads what the last one read repeats its outcome (scan-repeat.ts)
  const reads = h.repeat?.reads(now, c, pairs, accounts, peak, openByBase, h.blocks, circuits(h));
  if (reads !== undefined) {
    for (const pair of pairs) if (!openByBase.has(pair.base)) for (const l of pair.legs) quote(l);
    for (const [leg, q] of quotes) reads.quotes.set(leg, q);
    if (h.confirms.size === 0 && h.repeat!.repeat(reads, h.rejections, h.recordScan)) return;
  }
  const before = { ...h.rejections };
  // the loop below never awaits, so each venue's free margin is read once a scan
  const freeByVenue = new Map(h.venues.map((v, k) => [v, accounts[k]?.availableUsd ?? 0]));
  const free = (v: string) => freeByVenue.get(v) ?? ctx.portfolio.account(v, h.account)?.availableUsd ?? 0;
  for (const pair of pairs) {
    if (openByBase.has(pair.base)) continue;
    for (let i = 0; i < pair.legs.length; i++) {
      for (let j = i + 1; j < pair.legs.length; j++) {
        const [a, b] = [pair.legs[i], pair.legs[j]];
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
        const key = `${pair.base}:${op.long.venue}>${op.short.venue}`;
        seen.add(key);
        const why = blockedWhy(h.blocks, pair.base, `${op.long.venue}>${op.short.venue}`, now);
        const rejections = [
          ...op.rejections,
          ...(why ? ["blocked"] : []),
          ...(op.sizeUsd <= 0 ? ["no_allocation"] : []),
          // no entry on a venue whose requests keep failing (STRATEGIES.md: "not with an open circuit")
          ...(ctx.venueCircuit(a.venue) !== "closed" || ctx.venueCircuit(b.venue) !== "closed"
            ? ["circuit_open"]
            : []),
        ];
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
        if (rejections.length > 0) {
          h.confirms.delete(key);
          for (const r of rejections) h.rejections[r] = (h.rejections[r] ?? 0) + 1;
          continue;
        }
        const n = (h.confirms.get(key) ?? 0) + 1;
        h.confirms.set(key, n);
        if (n < c.required_confirms) continue;
        passing.push(op);
      }
    }
  }
  for (const k of [...h.confirms.keys()]) if (!seen.has(k)) h.confirms.delete(k);
  h.recordScan?.(
    now,
    scanned.sort((x, y) => y.netBps - x.netBps),
  );
  if (reads !== undefined) {
    const rejectedAll = passing.length === 0 && h.confirms.size === 0;
    h.repeat!.remember(reads, rejectedAll, before, h.rejections, h.recordScan ? scanned : undefined);
  }
  for (const op of rank(passing)) {
    if (op.sanityAlert)
      h.alert(
        "warning",
        `carry.sanity:${op.base}`,
        "Carry yield looks too good",
        `${op.base} ${op.yield8hBps.toFixed(0)} bps/8h > ${c.sanity_alert_bps}: size x 0.7`,
      );
    await openOne(h, op, pairs);
  }
}

/** Open one opportunity as one all-or-nothing group of two legs with one base quantity. */
async function openOne(h: ScanHost, op: Opportunity, pairs: readonly TradablePair[]): Promise<void> {
  const { ctx, config: c } = h;
  const pair = pairs.find((p) => p.base === op.base);
  const longLeg = pair?.legs.find((l) => l.venue === op.long.venue);
  const shortLeg = pair?.legs.find((l) => l.venue === op.short.venue);
  if (!longLeg || !shortLeg) return;
  const li = ctx.market.instrument(longLeg.venue, longLeg.symbol);
  const si = ctx.market.instrument(shortLeg.venue, shortLeg.symbol);
  // one quantity in base units on the coarser grid, so both legs hold exactly the same amount
  const stepL = li.lot.value * longLeg.multiplier;
  const stepS = si.lot.value * shortLeg.multiplier;
  const step = Math.max(stepL, stepS);
  const unitPrice = (op.long.asks[0].price + op.short.bids[0].price) / 2;
  const qty = Math.floor(op.sizeUsd / unitPrice / step + 1e-9) * step;
  const longLots = Math.round(qty / stepL);
  const shortLots = Math.round(qty / stepS);
  const minNotional = Math.max(li.spec.minNotionalUsd, si.spec.minNotionalUsd);
  if (
    !(qty > 0) ||
    qty * unitPrice < minNotional ||
    Math.abs(longLots * stepL - shortLots * stepS) > step * 1e-6
  ) {
    h.rejections.below_min_size = (h.rejections.below_min_size ?? 0) + 1;
    return;
  }
  const now = ctx.clock.now();
  const groupId = `${ctx.instance}-${now.toString(36)}-${h.nextSeq().toString(36)}`;
  const legs: GroupLegIntent[] = [
    { venue: longLeg.venue, account: h.account, symbol: longLeg.symbol, side: "buy", sizeLots: longLots },
    { venue: shortLeg.venue, account: h.account, symbol: shortLeg.symbol, side: "sell", sizeLots: shortLots },
  ];
  const meta = {
    kind: "carry",
    base: op.base,
    long: longLeg.venue,
    short: shortLeg.venue,
    entryYieldBps: op.yield8hBps,
    netBps: op.netBps,
    costBps: op.costBps,
    breakevenHours: op.breakevenHours,
    thresholdBps: op.thresholdBps,
  };
  h.log(
    "info",
    `carry entry ${groupId}: ${op.base} long ${longLeg.venue} short ${shortLeg.venue}, ${op.yield8hBps.toFixed(1)} bps/8h, net ${op.netBps.toFixed(1)} bps, $${(qty * unitPrice).toFixed(2)}`,
  );
  const out = await ctx.intents.openGroup(legs, {
    groupId,
    entry: c.maker_entry
      ? { kind: "maker_first", makerTimeoutMs: c.maker_timeout_s * 1000, maxSlippageBps: c.max_slippage_bps }
      : { kind: "ioc", maxSlippageBps: c.max_slippage_bps },
    fillTimeoutMs: c.entry_retry_window_s * 1000,
    hedged: true,
    meta,
  });
  h.confirms.delete(`${op.base}:${op.long.venue}>${op.short.venue}`);
  if (!out.ok) {
    // the engine unwound whatever filled; the group record says why
    entryFailed(h.blocks, c, op.base, now);
    await h.saveBlocks();
    h.alert(
      "warning",
      `carry.open_failed:${op.base}`,
      "Carry entry failed",
      `${groupId}: ${out.reason}: ${out.detail}`,
    );
    return;
  }
  const fl = out.legs.find((l) => l.side === "buy")!;
  const fs = out.legs.find((l) => l.side === "sell")!;
  const a = legOf(fl, ctx.market, longLeg.multiplier, now);
  const b = legOf(fs, ctx.market, shortLeg.multiplier, now);
  const p: CarryPosition = {
    groupId,
    base: op.base,
    long: a.leg,
    short: b.leg,
    openedAt: now,
    entryYieldBps: op.yield8hBps,
    sizeUsd: a.leg.qty * a.leg.entryPrice,
    ledgers: { long: a.ledger, short: b.ledger },
    peakBps: Number.NEGATIVE_INFINITY,
    samples: [],
    missingBboChecks: 0,
    deferredSince: null,
    spikeUntil: 0,
    lastMtmUsd: 0,
    lastMtmBps: 0,
    lastCy: op.yield8hBps,
  };
  await h.adopt(p);
  const ratio = Math.min(fl.filledLots / fl.targetLots, fs.filledLots / fs.targetLots);
  if (ratio < c.min_fill_ratio) {
    entryFailed(h.blocks, c, op.base, now);
    await h.saveBlocks();
    await h.closeNow(
      groupId,
      "failed",
      `entry filled ${(ratio * 100).toFixed(0)} % of its size < min_fill_ratio ${(c.min_fill_ratio * 100).toFixed(0)} %: unwound`,
    );
  }
}
