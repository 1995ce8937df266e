import type { CloseReason, GroupLegIntent, StrategyContext } from "../contract.ts";
import type { PairLeg, TradablePair } from "../pairs/discover.ts";
import { type BlockState, entryFailed } from "./blocks.ts";
import type { CarryInstanceConfig } from "./config.ts";
import { edgeAtFillsBps, type Opportunity } from "./entry.ts";
import { commonLots, entryFillTimeoutMs, entryStyle, reject } from "./grow.ts";
import { type CarryPosition, legOf } from "./position.ts";
import { entrySequence } from "./sequence.ts";

/** What opening an entry needs of the running strategy (scan.ts ScanHost has it all). */
export interface OpenHost {
  readonly ctx: StrategyContext;
  readonly config: CarryInstanceConfig;
  readonly account: string;
  readonly blocks: BlockState;
  readonly confirms: Map<string, number>;
  /** opportunity key -> net bps at its first confirmation (edge_decay_ratio); none: not kept */
  readonly detected?: Map<string, number>;
  /** `venue:symbol` -> leverage carry set there this run (set once, before the first entry) */
  readonly leverageSet?: Map<string, number>;
  /** the outcome of each entry (hedged: open and kept), for the stress rule; none: not kept */
  readonly entries?: { ts: number; hedged: boolean }[];
  readonly rejections: Record<string, number>;
  /** the same counts by venue pair, `<long venue>><short venue>:<reason>`; none: not kept */
  readonly rejectionsByPair?: Record<string, number>;
  nextSeq(): number;
  adopt(p: CarryPosition): Promise<void>;
  saveBlocks(): Promise<void>;
  closeNow(groupId: string, reason: CloseReason, detail: string): Promise<void>;
  alert(severity: "warning" | "critical", key: string, title: string, message: string): void;
  log(level: "info" | "warn" | "error", msg: string): void;
}

/** A candidate starts over: no confirmations, no detected edge. */
export function forget(h: OpenHost, key: string): void {
  h.confirms.delete(key);
  h.detected?.delete(key);
}

async function setLeverage(h: OpenHost, long: PairLeg, short: PairLeg): Promise<boolean> {
  const legs = [long, short];
  const { ctx, config: c } = h;
  const set = ctx.intents.setLeverage;
  if (set === undefined) return true;
  const lev = Math.min(
    c.leverage,
    ...legs.map((l) => ctx.market.instrument(l.venue, l.symbol).spec.maxLeverage),
  );
  for (const leg of legs) {
    const k = `${leg.venue}:${leg.symbol}`;
    if (h.leverageSet?.get(k) === lev) continue;
    try {
      await set(leg.venue, h.account, leg.symbol, lev, "isolated");
      h.leverageSet?.set(k, lev);
    } catch (e) {
      reject(h, "leverage_refused", { long, short });
      h.log("warn", `carry: ${k} refused leverage ${lev}x isolated: ${(e as Error).message}`);
      return false;
    }
  }
  return true;
}

/**
 * Open one opportunity as one all-or-nothing group of two legs with one base quantity, the
 * thinner leg first and the other for its fill (sequence.ts); false
 * when it was refused before anything was sent or said (below the size of a lot).
 */
export async function openOne(
  h: OpenHost,
  op: Opportunity,
  pairs: readonly TradablePair[],
): Promise<boolean> {
  const { ctx, config: c } = h;
  const pair = pairs.find((p) => p.base === op.base);
  const longLeg = pair?.legs.find((l) => l.venue === op.long.venue);
  const shortLeg = pair?.legs.find((l) => l.venue === op.short.venue);
  if (!longLeg || !shortLeg) return false;
  // one quantity in base units on the coarser grid, so both legs hold exactly the same amount
  const unitPrice = (op.long.asks[0].price + op.short.bids[0].price) / 2;
  const lots = commonLots(ctx.market, longLeg, shortLeg, op.sizeUsd, unitPrice);
  if (lots === undefined) {
    reject(h, "below_min_size", op);
    return false;
  }
  const { qty, longLots, shortLots } = lots;
  // leverage (capped at both markets' max), isolated, set first on both venues
  if (!(await setLeverage(h, longLeg, shortLeg))) return true;
  const now = ctx.clock.now();
  const groupId = `${ctx.instance}-${now.toString(36)}-${h.nextSeq().toString(36)}`;
  const key = `${op.base}:${op.long.venue}>${op.short.venue}`;
  const detected = h.detected?.get(key) ?? op.netBps;
  // the thinner leg first, the other for its fill, re-priced between them (sequence.ts)
  const { first, sequence } = entrySequence(
    c,
    ctx.market,
    op,
    { long: longLeg, short: shortLeg },
    qty,
    detected,
  );
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
    // the rates the decision used: the venue's prediction where it gives one (entry.ts)
    predicted: [op.long.predictedRatePerHour !== undefined, op.short.predictedRatePerHour !== undefined],
    // the leg the sequential entry sent first ("long" or "short")
    firstLeg: first,
  };
  h.log(
    "info",
    `carry entry ${groupId}: ${op.base} long ${longLeg.venue} short ${shortLeg.venue}, ${op.yield8hBps.toFixed(1)} bps/8h, net ${op.netBps.toFixed(1)} bps, $${(qty * unitPrice).toFixed(2)}`,
  );
  const out = await ctx.intents.openGroup(legs, {
    groupId,
    entry: entryStyle(c),
    fillTimeoutMs: entryFillTimeoutMs(c),
    hedged: true,
    meta,
    sequence,
  });
  forget(h, key);
  if (!out.ok) {
    // the engine unwound whatever filled; the group record says why
    h.entries?.push({ ts: now, hedged: false });
    entryFailed(h.blocks, c, op.base, now);
    await h.saveBlocks();
    h.alert(
      "warning",
      `carry.open_failed:${op.base}`,
      "Carry entry failed",
      `${groupId}: ${out.reason}: ${out.detail}`,
    );
    return true;
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
    initialSizeUsd: a.leg.qty * a.leg.entryPrice,
    slices: [],
    sliceGroups: [],
    scaleUps: 0,
    lastScaleAt: 0,
    bankedUsd: 0,
    ledgers: { long: a.ledger, short: b.ledger },
    peakBps: Number.NEGATIVE_INFINITY,
    samples: [],
    missingBboChecks: 0,
    deferredSince: null,
    deferredChecks: 0,
    circuitWait: null,
    spikeUntil: 0,
    lastMtmUsd: 0,
    lastMtmBps: 0,
    lastCy: op.yield8hBps,
  };
  await h.adopt(p);
  const ratio = Math.min(fl.filledLots / fl.targetLots, fs.filledLots / fs.targetLots);
  // the edge re-priced at the fills (the hedge was re-priced before it was sent, sequence.ts;
  // here with both legs' real prices and fees)
  const atFills = edgeAtFillsBps(c, op, {
    longPrice: a.leg.entryPrice,
    shortPrice: b.leg.entryPrice,
    feesUsd: a.leg.feesUsd + b.leg.feesUsd,
    sizeUsd: p.sizeUsd,
  });
  const why =
    ratio < c.min_fill_ratio
      ? `entry filled ${(ratio * 100).toFixed(0)} % of its size < min_fill_ratio ${(c.min_fill_ratio * 100).toFixed(0)} %: unwound`
      : atFills < c.edge_decay_ratio * detected
        ? `edge at the fills ${atFills.toFixed(1)} bps < edge_decay_ratio ${c.edge_decay_ratio} x ${detected.toFixed(1)} detected: unwound`
        : undefined;
  h.entries?.push({ ts: now, hedged: why === undefined });
  if (h.entries && h.entries.length > 100) h.entries.splice(0, h.entries.length - 100);
  if (why !== undefined) {
    entryFailed(h.blocks, c, op.base, now);
    await h.saveBlocks();
    await h.closeNow(groupId, "failed", why);
  }
  return true;
}
