import assert from "node:assert/strict";
import { test } from "node:test";
import { Instrument } from "../../core/instrument.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { FORGET_AFTER_MS, OrderTracker } from "./account-stream.ts";
import type { PdxFillAnswer, PdxOrderAnswer } from "./parse.ts";

const INST = new Instrument({
  venue: "paradex",
  symbol: "BTC-USD-PERP",
  base: "BTC",
  quote: "USD",
  tickSize: "0.1",
  lotSize: "0.001",
  minNotionalUsd: 10,
  maxLeverage: 20,
  marginTiers: [],
  fundingIntervalHours: 8,
  makerFeeBps: 0,
  takerFeeBps: 2,
});

const order = (o: Partial<PdxOrderAnswer>): PdxOrderAnswer => ({
  id: "9",
  client_id: "pb1",
  market: "BTC-USD-PERP",
  side: "BUY",
  type: "LIMIT",
  instruction: "IOC",
  size: "0.003",
  price: "60000",
  remaining_size: "0.003",
  status: "NEW",
  created_at: 1,
  ...o,
});
const fill = (id: string, size: string, remaining: string): PdxFillAnswer => ({
  id,
  side: "BUY",
  liquidity: "TAKER",
  market: "BTC-USD-PERP",
  order_id: "9",
  price: "60000",
  size,
  fee: "0.01",
  created_at: 2,
  remaining_size: remaining,
  client_id: "pb1",
});

function tracker() {
  const events: VenueEvent[] = [];
  const t = new OrderTracker(
    (e) => events.push(...e),
    () => INST,
    () => 5,
  );
  return { t, events };
}

test("order tracker: socket messages before the answer are held, then told as ack → fills → end, each once", async () => {
  const { t, events } = tracker();
  t.track("w1", "pb1");
  t.onOrder("w1", order({ status: "OPEN" }));
  t.onFill("w1", fill("f1", "0.001", "0.002"));
  t.onFill("w1", fill("f1", "0.001", "0.002"));
  t.onOrder("w1", order({ status: "CLOSED", remaining_size: "0.002", cancel_reason: "IOC_CANCEL" }));
  assert.equal(events.length, 0, "nothing before the submit is decided");
  assert.deepEqual(await t.decision("w1", "pb1", 10), { kind: "accepted" });
  t.accept("w1", "pb1", "9");
  assert.deepEqual(
    events.map((e) => [e.type, e.type === "fill" ? e.remainingLots : e.type === "canceled" ? e.reason : ""]),
    [
      ["ack", ""],
      ["fill", 2],
      ["canceled", "ioc_remainder"],
    ],
  );
});

test("order tracker: closed unfilled with a refusal reason is one reject; a closed order is forgotten later", async (ctx) => {
  ctx.mock.timers.enable({ apis: ["setTimeout"] });
  const { t, events } = tracker();
  t.track("w1", "pb1");
  t.onOrder("w1", order({ status: "CLOSED", cancel_reason: "POST_ONLY_WOULD_CROSS" }));
  assert.deepEqual(await t.decision("w1", "pb1", 10), { kind: "refused", reason: "post_only_would_cross" });
  t.refuse("w1", "pb1", "post_only_would_cross");
  assert.deepEqual(
    events.map((e) => e.type),
    ["reject"],
  );
  assert.equal(t.size, 1);
  ctx.mock.timers.tick(FORGET_AFTER_MS - 1);
  assert.equal(t.size, 1, "kept for late messages");
  ctx.mock.timers.tick(1);
  assert.equal(t.size, 0, "forgotten after FORGET_AFTER_MS");
  // an order another run placed: reported as it comes, without an ack
  t.onFill("w1", { ...fill("f9", "0.001", "0"), client_id: "old7" });
  assert.deepEqual(
    events.map((e) => e.type),
    ["reject", "fill"],
  );
});
