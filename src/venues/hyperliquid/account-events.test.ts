import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { VenueEvent } from "../../core/venue.ts";
import { AccountEvents, cancelReason } from "./account-events.ts";
import { marketsFromMeta } from "./instruments.ts";

/**
 * User-stream payloads in the documented shapes (HLd "WebSocket subscriptions": WsOrder,
 * WsUserFills, WsUserFundings) mapped to events once each: acks and terminal events per cloid,
 * fills by tid, fundings by time and coin, snapshots only for what happened since the binding.
 */
const markets = marketsFromMeta("hyperliquid", {
  universe: [{ name: "BTC", szDecimals: 5, maxLeverage: 40 }],
});
const CLOID = "0x000000000000000000000000000000aa";
const T0 = 1_750_000_000_000;

function setup() {
  const events: VenueEvent[] = [];
  const problems: string[] = [];
  const a = new AccountEvents({
    account: "w01",
    since: T0,
    market: (s) => markets.get(s),
    emit: (e) => events.push(e),
    problem: (m) => problems.push(m),
  });
  a.track({
    cloid: CLOID,
    symbol: "BTC",
    side: "buy",
    sizeLots: 300,
    priceTicks: 970_000,
    tif: "gtc",
    reduceOnly: false,
  });
  return { a, events, problems };
}
const wsOrder = (status: string, sz = "0.003") => ({
  order: {
    coin: "BTC",
    side: "B",
    limitPx: "97000",
    sz,
    oid: 42,
    timestamp: T0,
    origSz: "0.003",
    cloid: CLOID,
  },
  status,
  statusTimestamp: T0 + 5,
});
const fill = (tid: number, sz: string, time = T0 + 10) => ({
  coin: "BTC",
  px: "97000",
  sz,
  side: "B",
  time,
  startPosition: "0",
  dir: "Open Long",
  closedPnl: "0.0",
  hash: "0xabc",
  oid: 42,
  crossed: false,
  fee: "-0.001",
  tid,
  feeToken: "USDC",
  cloid: CLOID,
});

describe("hyperliquid account events", () => {
  it("one ack whether the answer or the stream says it first; one cancel", () => {
    const { a, events } = setup();
    a.onOrderUpdates([wsOrder("open")]);
    a.ack(CLOID, 42, T0 + 6);
    a.onOrderUpdates([wsOrder("open")]);
    assert.deepEqual(
      events.map((e) => e.type),
      ["ack"],
    );
    a.end(CLOID, "canceled", "user", T0 + 7);
    a.onOrderUpdates([wsOrder("canceled")]);
    assert.deepEqual(
      events.map((e) => e.type),
      ["ack", "canceled"],
    );
    assert.ok(
      events[1].type === "canceled" && events[1].venueOrderId === "42" && events[1].reason === "user",
    );
  });

  it("fills dedupe by tid and count the remaining size down; the snapshot holds only what is new", () => {
    const { a, events } = setup();
    // the first snapshot: one fill of history (before the binding), one made since
    a.onUserFills({ user: "0x1", isSnapshot: true, fills: [fill(1, "0.001", T0 - 1000), fill(2, "0.001")] });
    a.onUserFills({ user: "0x1", fills: [fill(2, "0.001"), fill(3, "0.002", T0 + 20)] });
    // a reconnect's snapshot repeats them all
    a.onUserFills({
      user: "0x1",
      isSnapshot: true,
      fills: [fill(1, "0.001", T0 - 1000), fill(2, "0.001"), fill(3, "0.002", T0 + 20)],
    });
    const fills = events.filter((e) => e.type === "fill");
    assert.deepEqual(
      fills.map(
        (e) =>
          e.type === "fill" && [
            e.fill.fillId,
            e.fill.sizeLots,
            e.remainingLots,
            e.fill.clientOrderId,
            e.fill.liquidity,
          ],
      ),
      [
        ["2", 100, 200, CLOID, "maker"],
        ["3", 200, 0, CLOID, "maker"],
      ],
    );
    assert.ok(
      fills[0].type === "fill" && fills[0].fill.fee === -1_000_000_000n,
      "a maker rebate is a negative fee",
    );
    assert.equal(events[0].type, "ack", "a fill of an order not yet acknowledged acks it");
  });

  it("fundings dedupe by time and coin; rejects and venue cancels carry stable reasons", () => {
    const { a, events, problems } = setup();
    const f = {
      time: T0 + 3_600_000,
      coin: "BTC",
      usdc: "-0.0291",
      szi: "0.003",
      fundingRate: "0.0001",
      nSamples: 1,
    };
    a.onUserFundings({ user: "0x1", isSnapshot: true, fundings: [{ ...f, time: T0 - 3_600_000 }, f] });
    a.onUserFundings({ user: "0x1", fundings: [f] });
    const funding = events.filter((e) => e.type === "funding");
    assert.equal(funding.length, 1);
    assert.ok(
      funding[0].type === "funding" &&
        funding[0].amount === -29_100_000_000n &&
        funding[0].ratePerHour === 0.0001,
    );
    a.onOrderUpdates([wsOrder("perpMarginRejected")]);
    assert.ok(
      events.some((e) => e.type === "reject" && e.clientOrderId === CLOID && e.reason === "perp_margin"),
    );
    const other = "0x000000000000000000000000000000bb";
    a.track({
      cloid: other,
      symbol: "BTC",
      side: "sell",
      sizeLots: 300,
      priceTicks: 980_000,
      tif: "gtc",
      reduceOnly: true,
      oid: 43,
    });
    a.ack(other, 43, T0);
    a.onOrderUpdates([
      { ...wsOrder("reduceOnlyCanceled"), order: { ...wsOrder("x").order, oid: 43, cloid: null } },
    ]);
    assert.ok(
      events.some((e) => e.type === "canceled" && e.clientOrderId === other && e.reason === "reduce_only"),
      "found by oid",
    );
    assert.equal(cancelReason("marginCanceled"), "margin");
    assert.equal(cancelReason("selfTradeCanceled"), "self_trade");
    assert.equal(cancelReason("perpMarginRejected"), "perp_margin");
    a.onUserFills({ nope: 1 });
    assert.match(problems[0], /userFills for w01: no fills list/);
  });
});
