/**
 * Seeded fault runs of the hedged maker (issue 16 acceptance): quotes on simA, hedges on simB,
 * while account events are lost (a dropped account stream on either venue), fill events are
 * delivered twice, the process restarts, someone trades the accounts by hand and B's book thins
 * out. Checked on the venues' own positions once a second: a delta B could take (at least B's
 * minimum) must not outlive the event that made it unless a fault explains it, and the run must
 * end with less than B's minimum unhedged.
 */
import { Rng } from "../../core/random.ts";
import type { Side } from "../../core/types.ts";
import type { ForwardingVenue } from "../forwarding-venue.ts";
import { HedgeHarness, type HedgeHarnessOptions } from "../hedge-harness.ts";
import { DuplicatingVenue } from "./duplicating-venue.ts";

export interface HedgedFaultCounts {
  runs: number;
  makerFills: number;
  hedgeFills: number;
  /** maker fills that won the race against the quote's cancel */
  raceFills: number;
  lostEventWindows: number;
  duplicatedEvents: number;
  restarts: number;
  manualTrades: number;
  thinBookWindows: number;
  /** once-a-second checks made (the seconds no fault or its grace period covers) */
  checkedSeconds: number;
  /** checks with a hedgeable delta no fault explains: a fill not hedged by its event */
  unhedgedBeyondOneEvent: number;
  /** checks where the unhedged delta passed the bound (max_unhedged_usd) with no fault to explain it */
  boundBreaches: number;
  /** runs ending with a delta of B's minimum or more */
  unhedgedAtEnd: number;
  /** the largest delta left at a run's end (the residue below B's minimum), base units */
  maxEndResidue: number;
  /** seeds of the runs with a failure, to replay one (MAKER_FAULTS_DEBUG=1 prints its checks) */
  failedSeeds: number[];
}

export function emptyHedgedCounts(runs: number): HedgedFaultCounts {
  return {
    runs,
    makerFills: 0,
    hedgeFills: 0,
    raceFills: 0,
    lostEventWindows: 0,
    duplicatedEvents: 0,
    restarts: 0,
    manualTrades: 0,
    thinBookWindows: 0,
    checkedSeconds: 0,
    unhedgedBeyondOneEvent: 0,
    boundBreaches: 0,
    unhedgedAtEnd: 0,
    maxEndResidue: 0,
    failedSeeds: [],
  };
}

/**
 * How long after a fault the check leaves the delta alone: lost events are found by the engine's
 * reconciler (every 15 s), a manual trade and a restart by the lane's next tick, a thin book by
 * the retry as soon as B can take the hedge.
 */
const GRACE_MS = { lost: 16_000, manual: 3_000, restart: 3_000, thin: 2_000 } as const;
const THICK = [5, 5, 5, 5, 5];

let manualSeq = 0;
async function manualTrade(h: HedgeHarness, onB: boolean, side: Side, size: number): Promise<void> {
  const v = onB ? h.b : h.a;
  const inst = onB ? h.instB : h.instA;
  const bid = onB ? h.books.bBid : h.books.aBid;
  const away = onB ? 500 : 50;
  await v.submit({
    clientOrderId: `manual-${++manualSeq}`,
    account: "w1",
    symbol: inst.symbol,
    side,
    type: "limit",
    priceTicks: side === "buy" ? bid + away : bid - away,
    sizeLots: inst.roundSize(size, "down"),
    tif: "ioc",
    reduceOnly: false,
  });
  await h.advance(1);
}

export async function hedgedFaultRun(seed: number, counts: HedgedFaultCounts, steps = 120): Promise<void> {
  // a run depends on its seed only (not on the runs before it)
  let restarts = 0;
  const rng = new Rng(`hedged-faults:${seed}`);
  const dups: DuplicatingVenue[] = [];
  const wrap = (name: string) => (v: ConstructorParameters<typeof ForwardingVenue>[0]) => {
    const d = new DuplicatingVenue(v, rng.fork(`dup:${name}:${restarts}`));
    d.rate = 0.2;
    dups.push(d);
    return d;
  };
  const options: HedgeHarnessOptions = {
    seed,
    config: { max_position_qty: 0.3, hedge_timeout_s: 60, fill_timeout_s: 5 },
    wrapA: wrap("A") as HedgeHarnessOptions["wrapA"],
    wrapB: wrap("B") as HedgeHarnessOptions["wrapB"],
  };
  let h = await HedgeHarness.start(options);
  const dir = h.dir;
  // B's touch sits this many B ticks from A's (both 0.1 and 0.01 grids), moving slowly: sometimes
  // the buys pay, sometimes the sells
  let offset = rng.int(-600, 600);
  const placeB = () => {
    h.books.bBid = h.books.aBid * 10 + offset;
  };
  placeB();
  let downUntil = 0;
  let down: "A" | "B" | undefined;
  let thinUntil = 0;
  let explainedUntil = 0;
  try {
    for (let step = 0; step < steps; step++) {
      h.books.aBid += rng.int(-2, 2);
      offset = Math.max(-800, Math.min(800, offset + rng.int(-60, 60)));
      placeB();
      if (rng.chance(0.4)) await h.trade("sell", h.books.aBid - rng.int(0, 40), rng.int(1, 1200));
      if (rng.chance(0.4)) await h.trade("buy", h.books.aBid + rng.int(1, 80), rng.int(1, 1200));
      const now = h.clock.now();
      if (down === undefined && rng.chance(0.03)) {
        down = rng.chance(0.5) ? "A" : "B";
        (down === "A" ? h.a : h.b).dropStream("account");
        downUntil = now + rng.int(2_000, 8_000);
        counts.lostEventWindows++;
      } else if (down !== undefined && now >= downUntil) {
        (down === "A" ? h.a : h.b).restoreStream("account");
        down = undefined;
        explainedUntil = Math.max(explainedUntil, now + GRACE_MS.lost);
      }
      if (thinUntil === 0 && rng.chance(0.02)) {
        h.books.bSizes = [0.01, 0.01];
        thinUntil = now + rng.int(2_000, 6_000);
        counts.thinBookWindows++;
      } else if (thinUntil !== 0 && now >= thinUntil) {
        h.books.bSizes = THICK;
        thinUntil = 0;
        explainedUntil = Math.max(explainedUntil, now + GRACE_MS.thin);
      }
      if (rng.chance(0.015)) {
        const onB = rng.chance(0.5);
        await manualTrade(h, onB, rng.chance(0.5) ? "buy" : "sell", rng.int(1, 10) / 100);
        counts.manualTrades++;
        explainedUntil = Math.max(explainedUntil, now + GRACE_MS.manual);
      }
      if (rng.chance(0.008)) {
        await h.crash();
        counts.restarts++;
        restarts++;
        h = await HedgeHarness.start({ ...options, dir, clock: h.clock });
        placeB();
        h.books.bSizes = thinUntil === 0 ? THICK : h.books.bSizes;
        down = undefined;
        explainedUntil = Math.max(explainedUntil, h.clock.now() + GRACE_MS.restart);
      }
      await h.advance(1000);
      const t = await h.truth();
      const mark = h.instA.priceValue(h.books.aBid);
      const minB = minHedge(h);
      if (h.clock.now() > explainedUntil && down === undefined && thinUntil === 0) {
        counts.checkedSeconds++;
        if (Math.abs(t.delta) >= minB) {
          counts.unhedgedBeyondOneEvent++;
          if (process.env.MAKER_FAULTS_DEBUG)
            process.stderr.write(
              `seed ${seed} step ${step}: venue A ${t.posA} B ${t.posB}; lane ${JSON.stringify(h.strategy.lane("w1", "ETH")?.view())}\n${h.node.engine
                .orders({ openOnly: true })
                .filter((o) => o.tif !== "post_only")
                .map(
                  (o) =>
                    `  ${o.venue} ${o.side} ${o.sizeLots} ${o.tif} ${o.status} filled ${o.filledLots} updated ${o.updatedAt}`,
                )
                .join("\n")}\n`,
            );
        }
        if (Math.abs(t.delta) * mark > 2 * 0.1 * mark + 1e-9) counts.boundBreaches++;
      }
    }
    if (down !== undefined) (down === "A" ? h.a : h.b).restoreStream("account");
    h.books.bSizes = THICK;
    // quiet: no trades; the engine reconciles and the lane hedges what is left
    await h.advance(60_000);
    const t = await h.truth();
    if (Math.abs(t.delta) >= minHedge(h)) {
      counts.unhedgedAtEnd++;
      if (process.env.MAKER_FAULTS_DEBUG)
        process.stderr.write(
          `seed ${seed} end: venue A ${t.posA} B ${t.posB}; lane ${JSON.stringify(h.strategy.lane("w1", "ETH")?.view())}\n`,
        );
    }
    counts.maxEndResidue = Math.max(counts.maxEndResidue, Math.abs(t.delta));
    const r = h.strategy.reports()[0];
    counts.makerFills += r.makerFills;
    counts.hedgeFills += r.hedgeFills;
    counts.raceFills += r.raceFills;
    counts.duplicatedEvents += dups.reduce((s, d) => s + d.duplicated, 0);
  } finally {
    await h.stop();
    h.remove();
  }
}

/** B's smallest hedge at B's touch now: one lot, at least the minimum notional */
function minHedge(h: HedgeHarness): number {
  const lot = h.instB.sizeValue(1);
  const px = h.instB.priceValue(h.books.bBid);
  return Math.max(lot, Math.ceil(h.instB.spec.minNotionalUsd / px / lot) * lot);
}

export async function hedgedFaultRuns(runs: number, seed0 = 1, steps = 120): Promise<HedgedFaultCounts> {
  const counts = emptyHedgedCounts(runs);
  for (let i = 0; i < runs; i++) {
    const before = counts.unhedgedBeyondOneEvent + counts.boundBreaches + counts.unhedgedAtEnd;
    await hedgedFaultRun(seed0 + i, counts, steps);
    if (counts.unhedgedBeyondOneEvent + counts.boundBreaches + counts.unhedgedAtEnd > before)
      counts.failedSeeds.push(seed0 + i);
  }
  return counts;
}
