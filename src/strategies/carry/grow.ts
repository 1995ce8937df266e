import type { GroupLegIntent, GroupOpenOptions, MarketView, StrategyContext } from "../contract.ts";
import type { CarryConfig } from "./config.ts";
import type { Opportunity } from "./entry.ts";
import { type CarryPosition, type CarrySlice, legOf, type SliceLeg, withSlice } from "./position.ts";
import { entrySequence } from "./sequence.ts";

/**
 * Scale-up and scale-down of a held position through the engine's group intents: a scale-up is
 * a group of its own (`<entry group>-s<seq>`, meta `scaleUpOf`) opened all-or-nothing like an
 * entry, whose fills are merged into the position (summed quantity, average entry, fees, ledger
 * quantity); a scale-down closes the newest slice's group (reason `scale_down`) and takes exactly
 * what it added back out, banking its realised PnL. Decisions are scale.ts.
 */

/** What growing and shrinking a position needs of the strategy (the scan's host has it all). */
export interface GrowHost {
  readonly ctx: StrategyContext;
  readonly config: CarryConfig;
  readonly account: string;
  readonly rejections: Record<string, number>;
  /** the same counts by venue pair, `<long venue>><short venue>:<reason>`; none: not kept */
  readonly rejectionsByPair?: Record<string, number>;
  nextSeq(): number;
  /** the position is still held and not being closed; absent: always */
  isHeld?(p: CarryPosition): boolean;
  /** store the position (its state slot) */
  adopt(p: CarryPosition): Promise<void>;
  alert(severity: "warning" | "critical", key: string, title: string, message: string): void;
  log(level: "info" | "warn" | "error", msg: string): void;
}

/** One refusal of a candidate: counted by reason, and by reason for its venue pair when kept. */
export function reject(
  h: Pick<GrowHost, "rejections" | "rejectionsByPair">,
  reason: string,
  op?: { readonly long: { readonly venue: string }; readonly short: { readonly venue: string } },
): void {
  h.rejections[reason] = (h.rejections[reason] ?? 0) + 1;
  if (op === undefined || h.rejectionsByPair === undefined) return;
  const k = `${op.long.venue}>${op.short.venue}:${reason}`;
  h.rejectionsByPair[k] = (h.rejectionsByPair[k] ?? 0) + 1;
}

/** The entry style of every carry open (STRATEGIES.md "Entry"). */
export function entryStyle(c: CarryConfig): GroupOpenOptions["entry"] {
  // each leg: up to entry_retry_max IOCs for its unfilled part within entry_retry_window_s
  const iocAttempts = c.entry_retry_max;
  return c.maker_entry
    ? {
        kind: "maker_first",
        makerTimeoutMs: c.maker_timeout_s * 1000,
        maxSlippageBps: c.max_slippage_bps,
        iocAttempts,
      }
    : { kind: "ioc", maxSlippageBps: c.max_slippage_bps, iocAttempts };
}

/**
 * How long an entry group waits for its fills: the IOCs' retry window, after the post-only rest
 * when entries are maker-first (the rest is spent before the first IOC goes out; a window of the
 * retries alone ended a maker entry with the default 15 s rest before its IOC was sent).
 */
export function entryFillTimeoutMs(c: CarryConfig): number {
  return (c.entry_retry_window_s + (c.maker_entry ? c.maker_timeout_s : 0)) * 1000;
}

/** A leg's listing: venue, symbol and base units per contract. */
export interface LegGrid {
  readonly venue: string;
  readonly symbol: string;
  readonly multiplier: number;
}

/**
 * One quantity in base units on the coarser of the two lot grids for `sizeUsd` at `unitPrice`,
 * so both legs hold exactly the same amount; undefined when it rounds below a venue's minimum.
 */
export function commonLots(
  market: MarketView,
  long: LegGrid,
  short: LegGrid,
  sizeUsd: number,
  unitPrice: number,
): { qty: number; longLots: number; shortLots: number } | undefined {
  const li = market.instrument(long.venue, long.symbol);
  const si = market.instrument(short.venue, short.symbol);
  const stepL = li.lot.value * long.multiplier;
  const stepS = si.lot.value * short.multiplier;
  const step = Math.max(stepL, stepS);
  const qty = Math.floor(sizeUsd / unitPrice / step + 1e-9) * step;
  const longLots = Math.round(qty / stepL);
  const shortLots = Math.round(qty / stepS);
  const minNotional = Math.max(li.spec.minNotionalUsd, si.spec.minNotionalUsd);
  if (
    !(qty > 0) ||
    qty * unitPrice < minNotional ||
    Math.abs(longLots * stepL - shortLots * stepS) > step * 1e-6
  )
    return undefined;
  return { qty, longLots, shortLots };
}

function resizeLedgers(h: GrowHost, p: CarryPosition, longQty: number, shortQty: number, now: number): void {
  const m = h.ctx.market;
  for (const [leg, ledger, qty] of [
    [p.long, p.ledgers.long, longQty],
    [p.short, p.ledgers.short, shortQty],
  ] as const)
    ledger.resize(now, qty, m.fundingRatePerHour(leg.venue, leg.symbol), m.mark(leg.venue, leg.symbol));
}

/** Open one slice of `sliceUsd` on the position's own legs; true when it was merged. */
export async function scaleUp(
  h: GrowHost,
  p: CarryPosition,
  op: Opportunity,
  sliceUsd: number,
): Promise<boolean> {
  const { ctx, config: c } = h;
  const now = ctx.clock.now();
  const unitPrice = (op.long.asks[0].price + op.short.bids[0].price) / 2;
  const lots = commonLots(ctx.market, p.long, p.short, sliceUsd, unitPrice);
  if (lots === undefined) {
    reject(h, "below_min_size", op);
    return false;
  }
  const groupId = `${p.groupId}-s${h.nextSeq().toString(36)}`;
  // the thinner leg first, as an entry (sequence.ts); the slice's own net is its detected edge
  const { first, sequence } = entrySequence(
    c,
    ctx.market,
    op,
    { long: p.long, short: p.short },
    lots.qty,
    op.netBps,
  );
  const legs: GroupLegIntent[] = [
    { venue: p.long.venue, account: h.account, symbol: p.long.symbol, side: "buy", sizeLots: lots.longLots },
    {
      venue: p.short.venue,
      account: h.account,
      symbol: p.short.symbol,
      side: "sell",
      sizeLots: lots.shortLots,
    },
  ];
  h.log(
    "info",
    `carry scale-up ${groupId}: ${p.base} +$${(lots.qty * unitPrice).toFixed(2)} at ${op.yield8hBps.toFixed(1)} bps/8h, net ${op.netBps.toFixed(1)} bps`,
  );
  p.sliceGroups?.push(groupId);
  const out = await ctx.intents.openGroup(legs, {
    groupId,
    entry: entryStyle(c),
    fillTimeoutMs: entryFillTimeoutMs(c),
    hedged: true,
    extends: p.groupId,
    sequence,
    meta: {
      kind: "carry",
      scaleUpOf: p.groupId,
      base: p.base,
      long: p.long.venue,
      short: p.short.venue,
      yieldBps: op.yield8hBps,
      netBps: op.netBps,
      sliceUsd,
      firstLeg: first,
    },
  });
  // a failed slice also waits scale_up_cooldown_s before the next try
  p.lastScaleAt = now;
  if (!out.ok) {
    await h.adopt(p);
    h.log("warn", `carry scale-up ${groupId} failed: ${out.reason}: ${out.detail}`);
    h.alert(
      "warning",
      `carry.scale_up_failed:${p.base}`,
      "Carry scale-up failed",
      `${groupId}: ${out.reason}: ${out.detail}`,
    );
    return false;
  }
  const fl = out.legs.find((l) => l.side === "buy")!;
  const fs = out.legs.find((l) => l.side === "sell")!;
  if (h.isHeld?.(p) === false) {
    // the position was closed (an operator's close) while the slice opened: the slice goes too
    await ctx.intents.closeGroup(groupId, "failed", "its position closed while the scale-up opened", {
      slippageBps: c.max_slippage_bps,
    });
    return false;
  }
  const ratio = Math.min(fl.filledLots / fl.targetLots, fs.filledLots / fs.targetLots);
  if (ratio < c.min_fill_ratio) {
    await h.adopt(p);
    await ctx.intents.closeGroup(
      groupId,
      "failed",
      `scale-up filled ${(ratio * 100).toFixed(0)} % of its size < min_fill_ratio: unwound`,
      { slippageBps: c.max_slippage_bps },
    );
    return false;
  }
  const part = (f: typeof fl, mult: number): SliceLeg => {
    const { leg } = legOf(f, ctx.market, mult, now);
    return { lots: leg.lots, qty: leg.qty, entryPrice: leg.entryPrice, feesUsd: leg.feesUsd };
  };
  const a = part(fl, p.long.multiplier);
  const b = part(fs, p.short.multiplier);
  const slice: CarrySlice = { groupId, at: now, sizeUsd: a.qty * a.entryPrice, long: a, short: b };
  resizeLedgers(h, p, p.long.qty + a.qty, p.short.qty + b.qty, now);
  p.long = withSlice(p.long, a, 1);
  p.short = withSlice(p.short, b, 1);
  p.sizeUsd += slice.sizeUsd;
  p.slices.push(slice);
  p.scaleUps += 1;
  await h.adopt(p);
  return true;
}

/**
 * Close a slice, the newest unless told (reason `scale_down`, `why` on its group), and take what
 * it added out of the position; true when it is flat.
 */
export async function scaleDown(
  h: GrowHost,
  p: CarryPosition,
  why: string,
  s: CarrySlice | undefined = p.slices[p.slices.length - 1],
): Promise<boolean> {
  const { ctx, config: c } = h;
  if (s === undefined) return false;
  h.log("info", `carry scale-down ${s.groupId}: ${why}`);
  const out = await ctx.intents.closeGroup(s.groupId, "scale_down", why, { slippageBps: c.max_slippage_bps });
  if (!out.ok) {
    h.alert(
      "critical",
      `carry.close_failed:${s.groupId}`,
      "Carry slice not flat yet",
      `${s.groupId}: ${out.detail}`,
    );
    return false;
  }
  const now = ctx.clock.now();
  const g = (await ctx.groups({ groupIds: [s.groupId] })).find((x) => x.id === s.groupId);
  resizeLedgers(h, p, p.long.qty - s.long.qty, p.short.qty - s.short.qty, now);
  p.long = withSlice(p.long, s.long, -1);
  p.short = withSlice(p.short, s.short, -1);
  p.sizeUsd -= s.sizeUsd;
  p.slices = p.slices.filter((x) => x.groupId !== s.groupId);
  p.bankedUsd += (g?.realisedPnlUsd ?? 0) - (g?.feesUsd ?? 0);
  p.lastScaleAt = now;
  await h.adopt(p);
  return true;
}
