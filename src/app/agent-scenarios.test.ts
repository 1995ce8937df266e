import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { OrderRequest } from "../core/types.ts";
import type { CycleRecord } from "../strategies/agent/state.ts";
import type { ClosedTrade } from "../strategies/agent/types.ts";
import { AgentHarness } from "../testing/agent-harness.ts";
import { ForwardingVenue } from "../testing/forwarding-venue.ts";
import { LlmTestServer } from "../testing/llm-server.ts";

/** The agent on the simulated clock against a local OpenAI-compatible server (issue 17, 4 and 7). */
let server: LlmTestServer;
before(async () => {
  server = await LlmTestServer.start();
});
after(() => server.close());

const buyEth = (qty = 1, sl = 3400, tp = 3600) =>
  JSON.stringify({
    positions: {
      ETH: {
        coin: "ETH",
        signal: "buy",
        quantity: qty,
        leverage: 3,
        confidence: 0.7,
        exit_plan: { stop_loss: sl, take_profit: tp, invalidation: "price < 3300" },
        justification: "test entry",
      },
    },
    notes: "long ETH",
  });
const hold = JSON.stringify({ positions: {} });

async function kv<T>(h: AgentHarness, key: string): Promise<T | undefined> {
  const v = await h.store.kv.get(`ag.${key}`);
  return v === null ? undefined : (JSON.parse(v) as T);
}
const cycleDone = (h: AgentHarness, seq: number) => async () =>
  (await kv<CycleRecord>(h, `cycle:${seq}`))?.phase === "done";

test("a cycle opens a position with its stop and take-profit held first; a touched stop closes it on the same tick", async () => {
  const h = await AgentHarness.start({ server });
  try {
    server.push({ content: buyEth() });
    await h.until(cycleDone(h, 1), 120_000, "cycle 1");
    await h.until(async () => (await h.ethPosition()) === 1, 5_000, "the fill");
    const x = h.agent.exits.ETH;
    assert.equal(x.side, "long");
    assert.equal(x.stopLoss, 3400);
    assert.equal(x.takeProfit, 3600);
    assert.deepEqual(x.trigger, { op: "<", price: 3300 });
    const rec = (await kv<CycleRecord>(h, "cycle:1"))!;
    assert.equal(rec.decision?.outcome, "decided");
    assert.equal(rec.sent.length, 1);
    assert.ok(rec.sent[0].ok);
    assert.equal(rec.observation.markets.ETH.bid, 3500);
    // the stop is touched: the next book event closes it reduce-only, before any cycle
    server.fallback = { content: hold };
    h.price.eth = 3395;
    await h.until(async () => (await h.ethPosition()) === 0, 2_000, "the stop");
    await h.until(
      async () => ((await kv<ClosedTrade[]>(h, `trades:${h.agent.version!.id}`)) ?? []).length === 1,
      2_000,
      "the trade",
    );
    const [t] = (await kv<ClosedTrade[]>(h, `trades:${h.agent.version!.id}`))!;
    assert.equal(t.exitReason, "stop_loss");
    assert.match(t.entryReason, /^entry: test entry/);
    assert.ok(t.netUsd < 0);
    // the version's performance so far is in the observation: none at first, then the loss
    assert.equal(rec.observation.performance?.trades, 0);
    assert.equal(rec.observation.performance?.win_rate, null);
    const seq = (await kv<{ seq: number }>(h, "meta"))!.seq;
    await h.until(cycleDone(h, seq + 1), 120_000, "the next cycle");
    const next = (await kv<CycleRecord>(h, `cycle:${seq + 1}`))!.observation.performance!;
    assert.equal(next.trades, 1);
    assert.equal(next.win_rate, 0);
  } finally {
    server.fallback = undefined;
    await h.stop();
    h.remove();
  }
});

test("dry_run: the decision is validated and recorded, nothing is sent, no exit is armed", async () => {
  const h = await AgentHarness.start({ server, agent: { dry_run: true } });
  try {
    server.push({ content: buyEth() });
    await h.until(cycleDone(h, 1), 120_000, "cycle 1");
    const rec = (await kv<CycleRecord>(h, "cycle:1"))!;
    assert.equal(rec.decision?.outcome, "decided", "the reply parsed and validated");
    assert.equal(rec.sent.length, 0, "no order sent");
    assert.equal(await h.ethPosition(), 0);
    assert.deepEqual(await h.clock.drive(h.venue.openOrders("w1")), []);
    assert.equal(h.agent.exits.ETH, undefined, "no exit armed for a position never taken");
  } finally {
    await h.stop();
    h.remove();
  }
});

test("a malformed reply twice holds: nothing sent, the cycle recorded as parse_error", async () => {
  const h = await AgentHarness.start({ server });
  try {
    server.push(
      { content: '{"positions": {"ETH": {"coin": "ETH", "signal": "buy", "quantity": ' },
      { content: "no idea" },
    );
    await h.until(cycleDone(h, 1), 120_000, "cycle 1");
    const rec = (await kv<CycleRecord>(h, "cycle:1"))!;
    assert.equal(rec.decision?.outcome, "parse_error");
    assert.equal(rec.decision?.replies.length, 2);
    assert.equal(rec.sent.length, 0);
    assert.equal(await h.ethPosition(), 0);
  } finally {
    await h.stop();
    h.remove();
  }
});

test("restart while the model is thinking: the stored observation is asked again, one decision, one position", async () => {
  const h = await AgentHarness.start({ server });
  const dir = h.dir;
  server.push({ stallMs: 3_000 });
  const before = server.requests.length;
  await h.until(() => server.requests.length > before, 120_000, "the model call");
  const asked = server.requests[server.requests.length - 1].body.messages as { content: string }[];
  await h.crash();
  server.push({ content: buyEth() });
  const h2 = await AgentHarness.start({ server, dir, clock: h.clock });
  try {
    await h2.until(cycleDone(h2, 1), 60_000, "cycle 1 resumed");
    const again = server.requests[server.requests.length - 1].body.messages as { content: string }[];
    assert.equal(again[1].content, asked[1].content, "the same observation");
    assert.equal(await h2.ethPosition(), 1);
    assert.equal((await kv<{ seq: number }>(h2, "meta"))!.seq, 1);
    assert.equal(await kv(h2, "cycle:2"), undefined);
  } finally {
    await h2.stop();
    h2.remove();
  }
});

/** A venue that places the order but never answers: the process dies with the order in flight. */
class LostAck extends ForwardingVenue {
  override submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    void this.inner.submit(order);
    return new Promise(() => {});
  }
}
/** A venue that never receives the order. */
class Dropped extends ForwardingVenue {
  override submit(): Promise<{ venueOrderId: string }> {
    return new Promise(() => {});
  }
}

for (const [name, Wrap, expectFilledBefore] of [
  ["the order reached the venue but its answer was lost", LostAck, true],
  ["the order never reached the venue", Dropped, false],
] as const) {
  test(`restart after the decision was stored, ${name}: the position ends at the target once, the model is not asked again`, async () => {
    const h = await AgentHarness.start({ server, wrapVenue: (v) => new Wrap(v) });
    const dir = h.dir;
    server.push({ content: buyEth() });
    await h.until(async () => (await kv<CycleRecord>(h, "cycle:1"))?.phase === "decided", 120_000, "decided");
    await h.advance(500);
    assert.equal(await h.ethPosition(), expectFilledBefore ? 1 : 0);
    const asked = server.requests.length;
    await h.crash();
    const h2 = await AgentHarness.start({ server, dir, clock: h.clock });
    try {
      await h2.until(cycleDone(h2, 1), 60_000, "cycle 1 resumed");
      await h2.advance(500);
      assert.equal(await h2.ethPosition(), 1);
      assert.equal(server.requests.length, asked, "no second model call for cycle 1");
      const rec = (await kv<CycleRecord>(h2, "cycle:1"))!;
      assert.equal(rec.resumes, 1);
      assert.equal(h2.agent.exits.ETH.stopLoss, 3400);
    } finally {
      await h2.stop();
      h2.remove();
    }
  });
}

/** A venue whose first order is placed but whose answer never comes: the process dies mid-cycle. */
class FirstAckLost extends ForwardingVenue {
  private sent = 0;
  override submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    if (++this.sent > 1) return this.inner.submit(order);
    void this.inner.submit(order);
    return new Promise(() => {});
  }
}

test("restart between the two orders of one decision: the sent one is not repeated, the other is sent once", async () => {
  const h = await AgentHarness.start({ server, wrapVenue: (v) => new FirstAckLost(v) });
  const dir = h.dir;
  const both = JSON.parse(buyEth()) as { positions: Record<string, unknown> };
  both.positions.BTC = {
    coin: "BTC",
    signal: "buy",
    quantity: 0.01,
    leverage: 2,
    exit_plan: { stop_loss: 99_000, take_profit: 102_000, invalidation: "" },
    justification: "test entry",
  };
  server.push({ content: JSON.stringify(both) });
  await h.until(async () => (await kv<CycleRecord>(h, "cycle:1"))?.phase === "decided", 120_000, "decided");
  await h.advance(500);
  // coin order: BTC was sent (and filled; its answer lost), ETH not yet
  const btc = async (x: AgentHarness) =>
    (await x.venue.positions("w1")).find((p) => p.symbol === "BTC")?.sizeLots ?? 0;
  assert.ok((await btc(h)) > 0);
  assert.equal(await h.ethPosition(), 0);
  const asked = server.requests.length;
  await h.crash();
  const h2 = await AgentHarness.start({ server, dir, clock: h.clock });
  try {
    await h2.until(cycleDone(h2, 1), 60_000, "cycle 1 resumed");
    await h2.advance(500);
    assert.equal(await h2.ethPosition(), 1);
    assert.equal(h2.venue.instrument("BTC").sizeValue(await btc(h2)), 0.01);
    assert.equal(server.requests.length, asked, "no second model call for cycle 1");
    const fills = await h2.store.fills.list({ account: "w1" });
    assert.deepEqual(fills.map((f) => f.symbol).sort(), ["BTC", "ETH"], "one fill each");
    assert.equal(h2.agent.exits.BTC.stopLoss, 99_000);
    assert.equal(h2.agent.exits.ETH.stopLoss, 3400);
  } finally {
    await h2.stop();
    h2.remove();
  }
});
