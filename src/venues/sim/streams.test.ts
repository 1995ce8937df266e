import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import type { StreamStatusChange } from "../../core/venue-streams.ts";
import { catalogInstruments } from "./catalog.ts";
import { SimVenue } from "./sim-venue.ts";

const T0 = Date.UTC(2026, 0, 5);

function venue(staleAfterMs?: number) {
  const clock = new SimClock(T0);
  const v = new SimVenue({ id: "simA", instruments: catalogInstruments("simA"), clock, staleAfterMs });
  const mark = (price: number) =>
    v.feed({
      type: "mark",
      venue: "simA",
      symbol: "BTC",
      ts: clock.now(),
      markPrice: price,
      oraclePrice: price,
    });
  return { clock, v, mark };
}

test("a subscribed stream silent for staleAfterMs is reported stale, and recovers with the next message", async () => {
  const { clock, v, mark } = venue(1_000);
  const changes: StreamStatusChange[] = [];
  v.onStreamStatus((c) => changes.push(c));
  v.subscribe({ symbol: "BTC", channel: "mark" });
  mark(60_000);
  await clock.advance(900);
  assert.equal(changes.length, 0, "fresh within the window");
  await clock.advance(1_200);
  assert.deepEqual(
    changes.map((c) => [c.stream, c.stale, c.ready]),
    [["mark:BTC", true, true]],
  );
  assert.equal(v.streams().find((s) => s.stream === "mark:BTC")?.stale, true);
  mark(60_010);
  assert.deepEqual(changes.at(-1) && [changes.at(-1)!.stream, changes.at(-1)!.stale], ["mark:BTC", false]);
  await v.close();
  assert.equal(clock.pending, 0, "no stale timer left after close");
});

test("without staleAfterMs no timer runs, and an unsubscribed stream is not listed", async () => {
  const { clock, v } = venue();
  const before = clock.pending;
  const stop = v.subscribe({ symbol: "BTC", channel: "book" });
  assert.equal(clock.pending, before);
  assert.deepEqual(
    v.streams().map((s) => s.stream),
    ["account", "book:BTC"],
  );
  stop();
  stop(); // a second call does not take another subscriber's hold
  assert.deepEqual(
    v.streams().map((s) => s.stream),
    ["account"],
  );
  assert.throws(() => v.subscribe({ symbol: "NOPE", channel: "book" }), /unknown symbol "NOPE"/);
  assert.throws(() => v.dropStream("book:BTC"), /stream "book:BTC" is not subscribed/);
  await v.close();
});

test("a dropped account stream loses its events, as a dropped socket does; the venue state still has them", async () => {
  const { clock, v } = venue();
  v.deposit("w1", 10n ** 18n);
  v.feed({
    type: "book",
    venue: "simA",
    symbol: "BTC",
    ts: clock.now(),
    snapshot: true,
    bids: [{ price: 59_999, size: 1 }],
    asks: [{ price: 60_001, size: 1 }],
  });
  const types: string[] = [];
  v.onEvent((e) => types.push(e.type));
  v.dropStream("account");
  const order = {
    clientOrderId: "pb-drop-1",
    account: "w1",
    symbol: "BTC",
    side: "buy" as const,
    type: "limit" as const,
    priceTicks: 60_001,
    sizeLots: 1_000,
    tif: "ioc" as const,
    reduceOnly: false,
  };
  await clock.drive(v.submit(order), 1);
  await clock.advance(10);
  assert.deepEqual(types, [], "nothing reached the listener");
  assert.equal((await clock.drive(v.orderStatus("w1", "pb-drop-1"), 1))?.status, "filled");
  v.restoreStream("account");
  assert.equal(v.streams()[0].stale, false);
  await v.close();
});
