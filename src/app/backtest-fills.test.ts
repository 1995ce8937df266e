import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import { feedBook, order, T0 } from "../testing/sim.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { type FillRow, priceParts, TouchRecordingSimVenue, unhedged } from "./backtest-fills.ts";

test("touch-recording venue: each order's touch and mid are the book's when it was sent, not when it filled", async () => {
  const clock = new SimClock(T0);
  const venue = new TouchRecordingSimVenue({
    id: "simA",
    instruments: catalogInstruments("simA"),
    clock,
    latencyMs: 100,
  });
  try {
    const btc = venue.instrument("BTC");
    venue.deposit("alice", usd(100_000));
    feedBook(venue, btc, 60_000, 0.01, 5, 60_002);
    const buy = order("BTC", "buy", 60_010, 2_000); // 0.02 BTC: two levels of the book at sending
    const sell = order("BTC", "sell", 59_990, 500);
    const sent = [venue.submit(buy), venue.submit(sell)];
    // the book moves up 3 ticks while the orders travel
    feedBook(venue, btc, 60_003, 0.01, 5, 60_005);
    await clock.drive(Promise.all(sent));
    assert.deepEqual(venue.touches.get(buy.clientOrderId), { touch: 60_002, mid: 60_001 });
    assert.deepEqual(venue.touches.get(sell.clientOrderId), { touch: 60_000, mid: 60_001 });
    const fills = await clock.drive(venue.fills("alice"));
    const bought = fills.filter((f) => f.side === "buy");
    assert.deepEqual(
      bought.map((f) => f.priceTicks),
      [60_005, 60_006],
      "filled on the book that arrived",
    );
    // what the buy paid beyond the ask its order saw: 3 and 4 ticks on 0.01 BTC each
    const slip = bought.reduce(
      (s, f) =>
        s +
        priceParts(
          "buy",
          btc.sizeValue(f.sizeLots),
          btc.priceValue(f.priceTicks),
          venue.touches.get(buy.clientOrderId),
        ).slippageUsd,
      0,
    );
    assert.ok(Math.abs(slip - 0.07) < 1e-9, String(slip));
    // the sell was priced at a bid of 60000 and filled at 60003: a better price, negative slippage
    const sold = fills.find((f) => f.side === "sell")!;
    const p = priceParts(
      "sell",
      0.005,
      btc.priceValue(sold.priceTicks),
      venue.touches.get(sell.clientOrderId),
    );
    assert.ok(Math.abs(p.slippageUsd - -0.015) < 1e-9, String(p.slippageUsd));
    // an order for an unknown symbol is refused as before, with nothing recorded
    const bad = order("NOPE", "buy", 1, 1);
    const refused = venue.submit(bad);
    refused.catch(() => {});
    await clock.advance(200);
    await assert.rejects(refused, /unknown symbol/);
    assert.equal(venue.touches.has(bad.clientOrderId), false);
  } finally {
    venue.close();
  }
});

test("price parts: cash = at mid - spread - slippage, for buys and sells, with and without a book reading", () => {
  const at = { touch: 100.5, mid: 100 };
  const b = priceParts("buy", 2, 101, at);
  assert.deepEqual(b, { atMidUsd: -200, spreadUsd: 1, slippageUsd: 1 });
  assert.equal(b.atMidUsd - b.spreadUsd - b.slippageUsd, -2 * 101);
  const s = priceParts("sell", 2, 99, { touch: 99.5, mid: 100 });
  assert.deepEqual(s, { atMidUsd: 200, spreadUsd: 1, slippageUsd: 1 });
  assert.equal(s.atMidUsd - s.spreadUsd - s.slippageUsd, 2 * 99);
  // a maker buy filled at the bid, below the ask its order saw: half the spread back
  assert.deepEqual(priceParts("buy", 1, 99.5, at), { atMidUsd: -100, spreadUsd: 0.5, slippageUsd: -1 });
  assert.deepEqual(priceParts("sell", 3, 10, undefined), { atMidUsd: 30, spreadUsd: 0, slippageUsd: 0 });
});

test("unhedged: exposure between one leg's fill and the other's, and after an unequal partial, by base", () => {
  const row = (
    venue: string,
    base: string,
    side: "buy" | "sell",
    qty: number,
    price: number,
    ts: number,
  ): FillRow => ({
    venue,
    symbol: base,
    side,
    qty,
    price,
    fee: 0,
    ts,
  });
  const fills = [
    // X: both legs at one instant: never apart
    row("a", "X", "buy", 1, 50, 0),
    row("b", "X", "sell", 1, 50, 0),
    // Y: 2 bought at 10, only 1.5 sold 3 s later, the last 0.5 a further 2 s after
    row("a", "Y", "buy", 2, 10, 1_000),
    row("b", "Y", "sell", 1.5, 10, 4_000),
    row("b", "Y", "sell", 0.5, 12, 6_000),
  ];
  const u = unhedged(fills, (_venue, symbol) => symbol);
  // $20 for 3 s, then 0.5 x $10 for 2 s
  assert.equal(u.ms, 5_000);
  assert.equal(u.maxUsd, 20);
  assert.equal(u.usdSeconds, 20 * 3 + 5 * 2);
  assert.deepEqual(u.maxBaseUnits, { X: 0, Y: 2 });
  assert.deepEqual(
    unhedged([], () => "X"),
    { ms: 0, maxUsd: 0, usdSeconds: 0, maxBaseUnits: {} },
  );
});
