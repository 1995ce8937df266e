import assert from "node:assert/strict";
import { test } from "node:test";
import { usd } from "../../core/money.ts";
import { feedBook, feedMark, fillsOf, flush, harness, order } from "../../testing/sim.ts";
import { liquidationPrice } from "./margin.ts";

// DOMAIN.md §1: liquidation prices the venue returned for real isolated positions.
const RECORDED = [
  {
    coin: "BTC",
    side: "buy",
    entry: "62739",
    size: "0.00077",
    collateral: 24.137992,
    lev: 2,
    liq: 31708.03843631,
  },
  {
    coin: "ETH",
    side: "sell",
    entry: "2642.8",
    size: "0.019",
    collateral: 25.091876,
    lev: 2,
    liq: 3924.18322043,
  },
  {
    coin: "SOL",
    side: "buy",
    entry: "173.06",
    size: "0.6",
    collateral: 20.735658,
    lev: 5,
    liq: 142.05186667,
  },
  {
    coin: "DOGE",
    side: "sell",
    entry: "0.14333",
    size: "351",
    collateral: 25.136807,
    lev: 2,
    liq: 0.20970228,
  },
] as const;

test("the formula alone reproduces the recorded liquidation prices", () => {
  const maxLev = { BTC: 50, ETH: 50, SOL: 20, DOGE: 20 };
  for (const r of RECORDED) {
    const sign = r.side === "buy" ? 1 : -1;
    const notional = Number(r.size) * Number(r.entry);
    const mmr = 1 / (2 * maxLev[r.coin]);
    const liq = liquidationPrice(sign, Number(r.size), Number(r.entry), r.collateral - notional * mmr, mmr);
    assert.ok(liq !== null && Math.abs(liq / r.liq - 1) < 1e-4, `${r.coin}: ${liq} vs ${r.liq}`);
  }
});

test("isolated positions opened through the simulator report the recorded liquidation prices", async () => {
  for (const r of RECORDED) {
    const { venue } = harness();
    const inst = venue.instrument(r.coin);
    const entry = inst.price(r.entry);
    const size = inst.size(r.size);
    venue.deposit("alice", usd(1000));
    // a book whose touch on the taker's side is exactly the recorded entry price
    feedBook(
      venue,
      inst,
      r.side === "buy" ? entry - 1 : entry,
      10_000,
      3,
      r.side === "buy" ? entry : entry + 1,
    );
    feedMark(venue, inst, inst.priceValue(entry));
    await venue.setLeverage("alice", r.coin, r.lev, "isolated");
    await venue.submit(order(r.coin, r.side, entry, size));
    const [opened] = await venue.positions("alice");
    assert.equal(opened.sizeLots, r.side === "buy" ? size : -size);
    assert.equal(opened.marginMode, "isolated");
    const notional = inst.sizeValue(size) * inst.priceValue(entry);
    assert.ok(Math.abs(opened.marginUsd - notional / r.lev) < 1e-9, `${r.coin} margin ${opened.marginUsd}`);
    // bring the collateral to what the venue held, as its margin transfer would
    await venue.updateIsolatedMargin("alice", r.coin, usd(r.collateral) - usd(opened.marginUsd));
    const [p] = await venue.positions("alice");
    assert.ok(Math.abs(p.marginUsd - r.collateral) < 1e-9);
    assert.ok(p.liquidationPrice !== null);
    const rel = Math.abs(p.liquidationPrice / r.liq - 1);
    assert.ok(rel < 1e-4, `${r.coin}: simulator ${p.liquidationPrice}, venue ${r.liq}, rel ${rel}`);
    assert.equal(venue.conservationResidual(), 0n);
    venue.close();
  }
});

test("a mark move through the liquidation price liquidates with the fee to insurance", async () => {
  const { venue, events } = harness({ liquidationFeeBps: 50 });
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(1000));
  feedBook(venue, btc, 62738, 1, 3, 62739);
  feedMark(venue, btc, 62739);
  await venue.setLeverage("alice", "BTC", 2, "isolated");
  await venue.submit(order("BTC", "buy", 62739, 77));
  const [p] = await venue.positions("alice");
  const liq = p.liquidationPrice!;
  const before = venue.sinks();
  // just above the liquidation price: nothing happens
  feedMark(venue, btc, liq + 2);
  await flush();
  assert.equal(events.filter((e) => e.type === "liquidation").length, 0);
  assert.equal((await venue.positions("alice")).length, 1);
  // through it: the whole position goes at the mark, as a liquidation fill with its fee
  const markTicks = Math.floor(liq) - 1;
  feedMark(venue, btc, markTicks);
  await flush();
  const liqEvents = events.filter((e) => e.type === "liquidation");
  assert.equal(liqEvents.length, 1);
  assert.deepEqual(
    { ...liqEvents[0], ts: 0 },
    { type: "liquidation", ts: 0, account: "alice", symbol: "BTC", sizeLots: 77, priceTicks: markTicks },
  );
  const liqFill = fillsOf(events).find((f) => f.liquidity === "liquidation")!;
  assert.equal(liqFill.side, "sell");
  assert.equal(liqFill.sizeLots, 77);
  const expectedFee = (btc.notional(77, markTicks) * 50n + 9_999n) / 10_000n;
  assert.equal(liqFill.fee, expectedFee);
  assert.deepEqual(await venue.positions("alice"), []);
  const after = venue.sinks();
  // fee into insurance; the loss stayed within the collateral, so no bad debt was drawn
  assert.equal(after.insurance - before.insurance, expectedFee);
  assert.equal(venue.conservationResidual(), 0n);
  const fills = await venue.fills("alice");
  assert.equal(fills.at(-1)?.liquidity, "liquidation");
});

test("a gap far through the liquidation price draws bad debt from the insurance sink", async () => {
  const { venue } = harness({ liquidationFeeBps: 50 });
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(10_000));
  feedBook(venue, btc, 59999, 1);
  feedMark(venue, btc, 60000);
  await venue.setLeverage("alice", "BTC", 10, "isolated");
  await venue.submit(order("BTC", "buy", 60000, 100_000)); // 1 BTC, 6000 USD margin at 10x
  const cashBefore = venue.cashOf("alice");
  const fee = venue.sinks().fees;
  assert.ok(fee > 0n);
  feedMark(venue, btc, 40000); // loss 20000 USD against 6000 of collateral
  await flush();
  assert.deepEqual(await venue.positions("alice"), []);
  // an isolated position loses its collateral and nothing more
  assert.equal(venue.cashOf("alice"), cashBefore - usd(6000));
  assert.ok(venue.sinks().insurance < 0n, "insurance paid out");
  assert.equal(venue.conservationResidual(), 0n);
});

test("a cross account below maintenance margin loses all its cross positions", async () => {
  const { venue, events } = harness();
  const btc = venue.instrument("BTC");
  const eth = venue.instrument("ETH");
  venue.deposit("alice", usd(1000));
  feedBook(venue, btc, 59999, 1);
  feedBook(venue, eth, 29999, 10);
  feedMark(venue, btc, 60000);
  feedMark(venue, eth, 3000);
  await venue.setLeverage("alice", "BTC", 20, "cross");
  await venue.setLeverage("alice", "ETH", 20, "cross");
  await venue.submit(order("BTC", "buy", 60000, 15_000)); // 9000 notional
  await venue.submit(order("ETH", "sell", 29_999, 30_000)); // 3 ETH short, ~9000 notional
  assert.equal((await venue.positions("alice")).length, 2);
  const state = await venue.accountState("alice");
  assert.ok(state.availableUsd > 0);
  // BTC falls 10 %: -900 USD against ~1000 of equity and ~180 of maintenance margin
  feedMark(venue, btc, 54000);
  await flush();
  assert.deepEqual(await venue.positions("alice"), []);
  const liquidated = events
    .filter((e) => e.type === "liquidation")
    .map((e) => (e.type === "liquidation" ? e.symbol : ""));
  assert.deepEqual(liquidated.sort(), ["BTC", "ETH"]);
  assert.equal(venue.conservationResidual(), 0n);
});

test("a position a trade grew since the last check is liquidated by the next book update, the mark unchanged", async () => {
  const { venue, events } = harness();
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(1000));
  feedBook(venue, btc, 59999, 1);
  feedMark(venue, btc, 60000);
  await venue.setLeverage("alice", "BTC", 20, "cross");
  await venue.submit(order("BTC", "buy", 60000, 15_000)); // 0.15 BTC, 9000 notional
  await venue.submit(order("BTC", "buy", 59000, 15_000, { tif: "post_only", clientOrderId: "rest" }));
  // the mark falls 9 %: -825 USD against ~995 of cash, above the ~82 maintenance margin
  feedMark(venue, btc, 54500);
  await flush();
  assert.equal((await venue.positions("alice"))[0]?.sizeLots, 15_000);
  // a trade fills the resting buy: 0.3 BTC at an average 59,500 is -1,500 USD at the mark, but
  // trades run no liquidation check; the next book update does, though neither the mark nor the
  // touch moved
  venue.feed({ type: "trade", venue: "simA", symbol: "BTC", ts: 0, price: 59000, size: 0.15, side: "sell" });
  await flush();
  assert.equal((await venue.positions("alice"))[0]?.sizeLots, 30_000);
  assert.equal(events.filter((e) => e.type === "liquidation").length, 0);
  venue.feed({
    type: "book",
    venue: "simA",
    symbol: "BTC",
    ts: 0,
    snapshot: false,
    bids: [{ price: btc.priceValue(59995), size: 2 }],
    asks: [],
  });
  await flush();
  assert.deepEqual(await venue.positions("alice"), []);
  assert.equal(events.filter((e) => e.type === "liquidation").length, 1);
  assert.equal(venue.conservationResidual(), 0n);
});
