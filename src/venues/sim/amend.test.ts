import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { usd } from "../../core/money.ts";
import { VenueRejectError } from "../../core/venue.ts";
import { feedBook, feedMark, fillsOf, flush, harness, order } from "../../testing/sim.ts";

/** BTC book: bids 59_999 and below, asks 60_000 and above (1 BTC each), alice funded. */
function world(options: Parameters<typeof harness>[0] = {}) {
  const h = harness(options);
  const btc = h.venue.instrument("BTC");
  h.venue.deposit("alice", usd(100_000));
  feedBook(h.venue, btc, 59_999, 1, 5, 60_000);
  feedMark(h.venue, btc, 60_000);
  return { ...h, btc };
}

test("an amend moves a resting order in place: same ids, new price and size, events and status agree", async () => {
  const { venue, events } = world();
  const { venueOrderId } = await venue.submit(
    order("BTC", "buy", 59_990, 1000, { tif: "gtc", clientOrderId: "m1" }),
  );
  const r = await venue.amend("alice", "BTC", "m1", { priceTicks: 59_995, sizeLots: 1500 });
  assert.deepEqual(r, { venueOrderId, priceTicks: 59_995, sizeLots: 1500 });
  await flush();
  const replaced = events.find((e) => e.type === "replaced");
  assert.deepEqual(replaced, {
    type: "replaced",
    ts: replaced?.ts,
    account: "alice",
    clientOrderId: "m1",
    venueOrderId,
    priceTicks: 59_995,
    sizeLots: 1500,
  });
  const rep = await venue.orderStatus("alice", "m1");
  assert.equal(rep?.priceTicks, 59_995);
  assert.equal(rep?.sizeLots, 1500);
  assert.equal(rep?.status, "open");
  // a size-only change keeps the price
  await venue.amend("alice", "BTC", "m1", { sizeLots: 800 });
  assert.equal((await venue.orderStatus("alice", "m1"))?.priceTicks, 59_995);
});

test("queue priority: a price change or a larger size goes to the back, a smaller size keeps its place", async () => {
  const { venue, events, btc } = world();
  await venue.submit(order("BTC", "sell", 60_010, 1000, { tif: "gtc", clientOrderId: "first" }));
  await venue.submit(order("BTC", "sell", 60_010, 1000, { tif: "gtc", clientOrderId: "second" }));
  const fillFirst = async () => {
    // a trade at 60_010 for 0.001 BTC (100 lots) fills only the order at the front of the queue
    venue.feed({
      type: "trade",
      venue: "simA",
      symbol: "BTC",
      ts: 0,
      price: 60_010,
      size: 0.001,
      side: "buy",
    });
    await flush();
    return fillsOf(events).at(-1)?.clientOrderId;
  };
  await venue.amend("alice", "BTC", "first", { sizeLots: 900 });
  assert.equal(await fillFirst(), "first", "a smaller size keeps its place");
  await venue.amend("alice", "BTC", "first", { sizeLots: 2000 });
  assert.equal(await fillFirst(), "second", "a larger size goes behind");
  await venue.amend("alice", "BTC", "second", { priceTicks: 60_011 });
  await venue.amend("alice", "BTC", "second", { priceTicks: 60_010 });
  assert.equal(await fillFirst(), "first", "a price change goes behind");
  assert.equal(btc.symbol, "BTC");
});

test("a post-only amend that would cross is refused and the order rests unchanged", async () => {
  const { venue, events } = world();
  await venue.submit(order("BTC", "buy", 59_990, 1000, { tif: "post_only", clientOrderId: "po" }));
  await assert.rejects(
    venue.amend("alice", "BTC", "po", { priceTicks: 60_000 }),
    (e) => e instanceof VenueRejectError && e.reason === "post_only_would_cross",
  );
  await flush();
  assert.deepEqual(
    events.filter((e) => e.type === "replace_reject").map((e) => e.type === "replace_reject" && e.reason),
    ["post_only_would_cross"],
  );
  const rep = await venue.orderStatus("alice", "po");
  assert.equal(rep?.status, "open");
  assert.equal(rep?.priceTicks, 59_990);
});

test("refusals: unknown order, finished order, size not above what filled", async () => {
  const { venue } = world();
  const reason = (r: string) => (e: unknown) => e instanceof VenueRejectError && e.reason === r;
  await assert.rejects(venue.amend("alice", "BTC", "nope", { sizeLots: 5 }), reason("unknown_order"));
  await venue.submit(order("BTC", "buy", 60_000, 1000, { clientOrderId: "ioc" }));
  await assert.rejects(venue.amend("alice", "BTC", "ioc", { sizeLots: 5 }), reason("order_not_open"));
  await venue.submit(order("BTC", "sell", 60_010, 1000, { tif: "gtc", clientOrderId: "part" }));
  venue.feed({ type: "trade", venue: "simA", symbol: "BTC", ts: 0, price: 60_010, size: 0.004, side: "buy" });
  await flush();
  assert.equal((await venue.orderStatus("alice", "part"))?.filledLots, 400);
  await assert.rejects(venue.amend("alice", "BTC", "part", { sizeLots: 400 }), reason("invalid_amend"));
  await venue.amend("alice", "BTC", "part", { sizeLots: 1400 });
  assert.equal((await venue.orderStatus("alice", "part"))?.sizeLots, 1400);
});

test("a gtc order amended across the book fills at once", async () => {
  const { venue, events } = world();
  await venue.submit(order("BTC", "buy", 59_990, 1000, { tif: "gtc", clientOrderId: "g" }));
  await venue.amend("alice", "BTC", "g", { priceTicks: 60_000 });
  await flush();
  assert.deepEqual(
    events.slice(-2).map((e) => e.type),
    ["replaced", "fill"],
  );
  assert.equal((await venue.orderStatus("alice", "g"))?.status, "filled");
});

test("an amended order survives a restart of a durable venue at its new price, size and place", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-sim-amend-"));
  try {
    const dbPath = join(dir, "sim.sqlite");
    const a = world({ dbPath });
    await a.venue.submit(order("BTC", "buy", 59_990, 1000, { tif: "gtc", clientOrderId: "d" }));
    await a.venue.amend("alice", "BTC", "d", { priceTicks: 59_980, sizeLots: 1200 });
    a.venue.close();
    const b = harness({ dbPath });
    const [rep] = await b.venue.openOrders("alice");
    assert.equal(rep.clientOrderId, "d");
    assert.equal(rep.priceTicks, 59_980);
    assert.equal(rep.sizeLots, 1200);
    b.venue.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
