import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { SimClock } from "../core/clock.ts";
import type { MarketEvent } from "../core/market.ts";
import { usd } from "../core/money.ts";
import type { VenueEvent } from "../core/venue.ts";
import {
  loadMakerEvents,
  MAKER_BT_SPEC,
  type MakerBacktestReport,
  makerBacktestVenue,
  RECORDED_MAKER_FILE,
  runMakerBacktest,
} from "./maker-backtest.ts";
import { makerBacktestPlan } from "./maker-backtest-flags.ts";

/**
 * Pins of fixed replays, taken before the replay loop was optimised (issue 16's
 * maker_replay_events_per_s): the report of `perpbot backtest maker` with its default settings
 * (the bench's case) on the recorded feed and on a synthetic one, and a digest of everything the
 * simulated venue emits when the same events run through it with orders resting on both sides.
 * A speed-up that changes any fill, fee, queue wait or mark changes one of these.
 */

const DATA = process.env.PERPBOT_SHARED_DATA ?? join(import.meta.dirname, "..", "..", "..", "shared", "data");
const SKIP = existsSync(join(DATA, RECORDED_MAKER_FILE))
  ? false
  : `the recording ${RECORDED_MAKER_FILE} is not in ${DATA} (set PERPBOT_SHARED_DATA)`;

/** The report's figures, without the settings it echoes (asserted once, below). */
function figures(r: MakerBacktestReport): Omit<MakerBacktestReport, "source" | "fillModel" | "settings"> {
  const { source: _s, fillModel: _f, settings: _t, ...rest } = r;
  return rest;
}

async function defaultReport(flags: Parameters<typeof makerBacktestPlan>[0]): Promise<MakerBacktestReport> {
  const plan = makerBacktestPlan(flags, DATA);
  const { events, label } = await loadMakerEvents(plan.source);
  return runMakerBacktest({ events, sourceLabel: label, maker: plan.maker, fillModel: plan.fillModel });
}

test("pinned: the default maker backtest on the recorded feed (the bench's replay)", {
  skip: SKIP,
}, async () => {
  const r = await defaultReport({});
  assert.deepEqual(r.fillModel, { kind: "queue", placeLatencyMs: 20, cancelLatencyMs: 20 });
  assert.equal(r.settings.repriceIntervalS, 5);
  assert.deepEqual(figures(r), {
    startTs: 1723161255030,
    endTs: 1723161599833,
    events: 93956,
    fills: 34,
    makerFills: 34,
    takerFills: 0,
    volumeUsd: 4074.4593999999997,
    makerVolumeUsd: 4074.4593999999997,
    takerVolumeUsd: 0,
    makerShare: 1,
    feesPaidUsd: 0.81489188,
    rebatesUsd: 0,
    realisedPnlUsd: -0.566728671326,
    netRealisedPnlUsd: -1.381620551326,
    endPosition: 0.026,
    equityChangeUsd: -2.822391880006762,
    costPerMillionUsd: 692.7034001140771,
    realisedCostPerMillionUsd: 339.0929730029952,
    takeProfitsPlaced: 23,
    repairs: 0,
    queue: {
      ordersFilled: 33,
      waitP50Ms: 2261,
      waitP90Ms: 26725,
      waitMaxMs: 130802,
      waitMeanMs: 10826.242424242424,
      cancelledUnfilled: 8,
      queueFills: 16,
      throughFills: 18,
    },
  });
});

test("pinned: the default maker backtest on synthetic data, seed 1, 60 min", async () => {
  const r = await defaultReport({ synthetic: true, seed: "1", minutes: "60" });
  assert.deepEqual(figures(r), PINNED_SYNTHETIC);
});

/**
 * The events through the backtest's venue alone, with post-only orders resting 2-11 ticks behind
 * each side of the touch; each one that fills in full is replaced by a new one as far behind the
 * touch of the time, so the queue model has orders to work on all along (and the account a
 * position the liquidation check marks on every event). Every account event, the mark and the
 * touch after every 97th event, and the queue statistics at the end, hashed.
 */
async function venueDigest(events: readonly MarketEvent[]): Promise<{ digest: string; emitted: number }> {
  const clock = new SimClock(events[0].ts);
  const venue = makerBacktestVenue(clock, { kind: "queue", placeLatencyMs: 20, cancelLatencyMs: 20 });
  const book = venue.book(MAKER_BT_SPEC.symbol);
  const hash = createHash("sha256");
  let emitted = 0;
  let seq = 0;
  const replace: { side: "buy" | "sell"; k: number }[] = [];
  const behind = new Map<string, { side: "buy" | "sell"; k: number }>();
  const pending: Promise<unknown>[] = [];
  const place = (side: "buy" | "sell", k: number) => {
    const touch = side === "buy" ? book.bestBidTicks() : book.bestAskTicks();
    if (touch === undefined) return;
    const clientOrderId = `p${seq++}`;
    behind.set(clientOrderId, { side, k });
    const placed = venue.submit({
      clientOrderId,
      account: "pin",
      symbol: MAKER_BT_SPEC.symbol,
      side,
      type: "limit",
      priceTicks: side === "buy" ? touch - k : touch + k,
      sizeLots: 2 + (k % 4),
      tif: "post_only",
      reduceOnly: false,
    });
    pending.push(placed.catch((e: unknown) => hash.update(`refused ${String(e)}`)));
  };
  venue.onEvent((e: VenueEvent) => {
    emitted++;
    hash.update(JSON.stringify(e, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)));
    if (e.type === "fill" && e.remainingLots === 0) {
      const b = behind.get(e.fill.clientOrderId);
      if (b !== undefined) replace.push(b);
    }
  });
  try {
    venue.deposit("pin", usd(1_000_000));
    let i = 0;
    for (; i < events.length && events[i].ts <= events[0].ts + 1000; i++) venue.feed(events[i]);
    for (let k = 2; k < 12; k++) {
      place("buy", k);
      place("sell", k);
    }
    for (; i < events.length; i++) {
      await clock.runUntil(events[i].ts);
      for (const r of replace.splice(0)) place(r.side, r.k);
      venue.feed(events[i]);
      if (i % 97 === 0)
        hash.update(`${venue.markPrice(MAKER_BT_SPEC.symbol)} ${book.bestBidTicks()} ${book.bestAskTicks()}`);
    }
    await clock.advance(1000);
    await Promise.all(pending);
    hash.update(JSON.stringify(venue.queueStats()));
    return { digest: hash.digest("hex"), emitted };
  } finally {
    venue.close();
  }
}

test("pinned: every event the queue-model venue emits on the recorded feed", { skip: SKIP }, async () => {
  const { events } = await loadMakerEvents({ kind: "recorded", dataDir: DATA });
  assert.deepEqual(await venueDigest(events), PINNED_VENUE_RECORDED);
});

test("pinned: every event the queue-model venue emits on synthetic data", async () => {
  const { events } = await loadMakerEvents({ kind: "synthetic", seed: 3, minutes: 30 });
  assert.deepEqual(await venueDigest(events), PINNED_VENUE_SYNTHETIC);
});

const PINNED_SYNTHETIC = {
  startTs: 1767225600000,
  endTs: 1767229200000,
  events: 19911,
  fills: 543,
  makerFills: 543,
  takerFills: 0,
  volumeUsd: 65326.602599999984,
  makerVolumeUsd: 65326.602599999984,
  takerVolumeUsd: 0,
  makerShare: 1,
  feesPaidUsd: 13.065320519999998,
  rebatesUsd: 0,
  realisedPnlUsd: -2.699809567181999,
  netRealisedPnlUsd: -15.765130087181998,
  endPosition: 0.05,
  equityChangeUsd: -18.92951315753453,
  costPerMillionUsd: 289.7672985298417,
  realisedCostPerMillionUsd: 241.3278734807801,
  takeProfitsPlaced: 284,
  repairs: 0,
  queue: {
    ordersFilled: 543,
    waitP50Ms: 1820,
    waitP90Ms: 58730,
    waitMaxMs: 943480,
    waitMeanMs: 29476.70349907919,
    cancelledUnfilled: 46,
    queueFills: 12,
    throughFills: 531,
  },
};
const PINNED_VENUE_RECORDED = {
  digest: "385670d2d83fec42865ef2de8dce06a709593258693da293ccd4bd1664692d00",
  emitted: 60,
};
const PINNED_VENUE_SYNTHETIC = {
  digest: "f7ad73dd5f833846dad544020e5c517c0030cae4ae6645b2d7c197c0ab67c1a4",
  emitted: 234,
};
