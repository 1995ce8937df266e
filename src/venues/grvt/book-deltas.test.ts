import assert from "node:assert/strict";
import { test } from "node:test";
import type { MarketEvent } from "../../core/market.ts";
import { L2Book } from "../../data/book.ts";
import { BTC_INSTRUMENT } from "../../testing/grvt-ccxt.ts";
import { makeGrvtHarness } from "../../testing/grvt-conformance.ts";
import { GrvtBookDeltas } from "./book-deltas.ts";
import { GRVT_DEFAULT_FEES, instrumentOf } from "./capabilities.ts";
import { InstrumentSchema } from "./parse.ts";

const INST = instrumentOf("grvt", InstrumentSchema.parse(BTC_INSTRUMENT), GRVT_DEFAULT_FEES);
const lv = (price: string, size: string) => ({ price, size });
const frame = (bids: { price: string; size: string }[], asks: { price: string; size: string }[]) => ({
  event_time: 1_767_292_408_400_000_000n,
  instrument: INST.symbol,
  bids,
  asks,
});
const levels = (b: L2Book, side: "bid" | "ask") => {
  const out: [number, number][] = [];
  b.walk(side, (t, s) => {
    out.push([INST.priceValue(t), s]);
    return true;
  });
  return out;
};

test("v1.book.d: snapshot then deltas in sequence; a duplicate is ignored; a gap resyncs and drops deltas until the snapshot", () => {
  const book = new L2Book(INST);
  let resyncs = 0;
  const d = new GrvtBookDeltas(book, "grvt", () => resyncs++);
  assert.equal(d.onFrame(5n, frame([lv("1.0", "1")], [])), undefined, "no delta before a snapshot");
  d.expectFirst(41n);
  const snap = d.onFrame(0n, frame([lv("90000.0", "1"), lv("89999.9", "2")], [lv("90000.1", "3")]));
  assert.equal(snap?.snapshot, true);
  assert.equal(d.onFrame(40n, frame([lv("90000.0", "9")], [])), undefined, "older than the first delta");
  const first = d.onFrame(41n, frame([lv("90000.0", "0")], [lv("90000.1", "4")]));
  assert.equal(first?.snapshot, false);
  assert.deepEqual(levels(book, "bid"), [[89999.9, 2]], '"0" removed the level');
  assert.deepEqual(levels(book, "ask"), [[90000.1, 4]]);
  assert.equal(d.onFrame(41n, frame([lv("89999.9", "7")], [])), undefined, "a duplicate");
  assert.ok(d.onFrame(42n, frame([lv("89999.8", "5")], [])));
  assert.equal(d.applied, 2);
  assert.deepEqual(levels(book, "bid"), [
    [89999.9, 2],
    [89999.8, 5],
  ]);
  // 43 is lost: 44 is a gap
  assert.equal(d.onFrame(44n, frame([lv("89999.9", "0")], [])), undefined);
  assert.equal(d.gaps, 1);
  assert.equal(resyncs, 1);
  assert.equal(d.synced, false);
  assert.equal(d.onFrame(45n, frame([lv("89999.7", "1")], [])), undefined, "dropped while resyncing");
  assert.deepEqual(levels(book, "bid").length, 2, "the book was not touched after the gap");
  // the resubscription's snapshot: first delta unknown (no answer yet) takes whatever comes next
  d.onFrame(0n, frame([lv("89000.0", "1")], [lv("91000.0", "1")]));
  assert.deepEqual(levels(book, "bid"), [[89000, 1]]);
  assert.ok(d.onFrame(77n, frame([lv("89000.0", "2")], [])));
  assert.equal(d.onFrame(79n, frame([], [])), undefined);
  assert.equal(d.gaps, 2);
});

test("grvt emulator v1.book.d: a lost delta is detected, the book resubscribed and rebuilt from its snapshot", async () => {
  const h = await makeGrvtHarness();
  const seen: MarketEvent[] = [];
  const stop = h.venue.onMarket((e) => seen.push(e));
  const unsubscribe = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
  try {
    const at = (gap: number) =>
      h.driver.setBook({
        bidTicks: h.referenceTicks - gap,
        askTicks: h.referenceTicks + gap,
        lotsPerLevel: h.unitLots,
      });
    await at(1);
    await h.settle();
    const book = h.venue.book(h.symbol);
    assert.equal(book.bestBidTicks(), h.referenceTicks - 1);
    const snapshots = () => seen.filter((e) => e.type === "book" && e.snapshot).length;
    const before = snapshots();
    assert.ok(
      seen.some((e) => e.type === "book" && !e.snapshot),
      "deltas arrive after the snapshot",
    );
    // the delta that removes the bid at -1 is lost; the next one (to -2) only adds and removes
    // levels relative to the lost state: applied blindly, the stale bid at -1 would stay on top
    h.emulator.driver.loseBookDeltas(1);
    await at(3);
    await at(2);
    await h.settle();
    await h.settle();
    assert.equal(book.bestBidTicks(), h.referenceTicks - 2, "rebuilt: the stale level is gone");
    assert.equal(book.bestAskTicks(), h.referenceTicks + 2);
    assert.ok(snapshots() > before, "a new snapshot came after the gap");
    // and deltas flow again on the new feed
    await at(4);
    await h.settle();
    assert.equal(book.bestBidTicks(), h.referenceTicks - 4);
  } finally {
    unsubscribe();
    stop();
    await h.close();
  }
});

test("grvt emulator v1.book.d: losing the very first delta is caught by the subscribe answer's first_sequence_number", async () => {
  const h = await makeGrvtHarness();
  try {
    const at = (gap: number) =>
      h.driver.setBook({
        bidTicks: h.referenceTicks - gap,
        askTicks: h.referenceTicks + gap,
        lotsPerLevel: h.unitLots,
      });
    await at(1);
    const unsubscribe = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
    await h.settle();
    const book = h.venue.book(h.symbol);
    assert.equal(book.bestBidTicks(), h.referenceTicks - 1, "the snapshot");
    // the first delta after the snapshot is lost: only the answer's first sequence shows it
    h.emulator.driver.loseBookDeltas(1);
    await at(3);
    await at(2);
    await h.settle();
    await h.settle();
    assert.equal(book.bestBidTicks(), h.referenceTicks - 2, "rebuilt from a new snapshot");
    unsubscribe();
  } finally {
    await h.close();
  }
});
