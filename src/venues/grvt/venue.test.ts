import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { VenueRejectError } from "../../core/venue.ts";
import { makeGrvtHarness } from "../../testing/grvt-conformance.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { orderOf } from "../conformance/harness.ts";
import { GrvtConfigSchema } from "./config.ts";
import { GrvtVenue } from "./venue.ts";

test("grvt: a session the venue forgot (code 1000) is renewed once and the call goes through", async () => {
  const h = await makeGrvtHarness();
  try {
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots * 5,
    });
    h.emulator.driver.dropSessions();
    const order = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks - 10,
      sizeLots: h.unitLots,
      tif: "gtc",
    });
    const { venueOrderId } = await h.venue.submit(order);
    assert.match(venueOrderId, /^0x/);
    assert.equal((await h.venue.openOrders(h.account))[0]?.clientOrderId, order.clientOrderId);
  } finally {
    await h.close();
  }
});

test("grvt: binding a wallet to a sub-account it may not trade names the account and the sub-account", async () => {
  const h = await makeGrvtHarness();
  const venue = new GrvtVenue(GrvtConfigSchema.parse({ rest_url: h.emulator.url }), new WallClock());
  try {
    await venue.connect();
    const stranger = signerFromKeyBytes("secp256k1", randomBytes(32), "stranger");
    await assert.rejects(
      venue.bindAccount({ account: "w09", identity: { subAccount: h.subAccount }, signer: stranger }),
      (e: unknown) =>
        e instanceof VenueRejectError &&
        /account w09: sub-account 2147050003876484 refused/.test(e.message) &&
        e.reason === "grvt_1001",
    );
    await assert.rejects(
      venue.bindAccount({ account: "w10", identity: { subAccount: "not-a-number" }, signer: stranger }),
      /account w10: identity.subAccount must be the trading sub-account id/,
    );
  } finally {
    await venue.close();
    await h.close();
  }
});

test("grvt: a trades subscription receives the venue's prints as trade events (taker side)", async () => {
  const h = await makeGrvtHarness();
  try {
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots * 5,
    });
    const seen: { type: string; side?: string; price?: number }[] = [];
    const stopMarket = h.venue.onMarket((e) => seen.push(e as { type: string }));
    const stop = h.venue.subscribe({ symbol: h.symbol, channel: "trades" });
    await h.settle();
    await h.venue.submit(
      orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: h.unitLots, tif: "ioc" }),
    );
    await h.settle();
    const trades = seen.filter((e) => e.type === "trade");
    assert.equal(trades.length, 1, JSON.stringify(seen));
    assert.equal(trades[0].side, "buy");
    assert.equal(trades[0].price, h.venue.instrument(h.symbol).priceValue(h.referenceTicks + 1));
    assert.ok(h.venue.streams().some((s) => s.stream === `trades:${h.symbol}` && s.ready && !s.stale));
    stop();
    stopMarket();
  } finally {
    await h.close();
  }
});
