import assert from "node:assert/strict";
import type { MarketEvent } from "../../core/market.ts";
import { VenueRejectError } from "../../core/venue.ts";
import type { StreamStatusChange } from "../../core/venue-streams.ts";
import { orderOf, recordEvents, show, type VenueHarness } from "./harness.ts";

/** Account, history and stream checks of the conformance suite (see checks-orders.ts). */

async function buy(h: VenueHarness, lots: number): Promise<void> {
  await h.driver.setBook({
    bidTicks: h.referenceTicks - 1,
    askTicks: h.referenceTicks + 1,
    lotsPerLevel: h.unitLots * 10,
  });
  await h.drive(
    h.venue.submit(orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: lots, tif: "ioc" })),
  );
  await h.settle();
}

async function sell(h: VenueHarness, lots: number): Promise<void> {
  const order = orderOf(h, { side: "sell", priceTicks: h.referenceTicks - 1, sizeLots: lots, tif: "ioc" });
  await h.drive(h.venue.submit(order));
  await h.settle();
}

/** Positions and margin follow the fills: size, entry, initial and maintenance margin. */
export async function checkPositionsAndMargin(h: VenueHarness): Promise<void> {
  const before = await h.drive(h.venue.accountState(h.account));
  await buy(h, 5 * h.unitLots);
  const [p] = await h.drive(h.venue.positions(h.account));
  assert.equal(p?.sizeLots, 5 * h.unitLots, `long after a buy: ${show(p)}`);
  assert.equal(p.symbol, h.symbol);
  const inst = h.venue.instrument(h.symbol);
  assert.ok(Math.abs(p.entryPrice - inst.priceValue(h.referenceTicks + 1)) < 1e-9, `entry ${p.entryPrice}`);
  assert.ok(p.maintenanceMarginUsd > 0, "a position has maintenance margin");
  const a = await h.drive(h.venue.accountState(h.account));
  assert.ok(a.initialMarginUsd > 0 && a.maintenanceMarginUsd > 0, show(a));
  assert.ok(a.maintenanceMarginUsd < a.initialMarginUsd, "maintenance below initial margin");
  assert.ok(a.availableUsd < before.availableUsd, "margin in use is no longer available");
  await sell(h, 2 * h.unitLots);
  const [reduced] = await h.drive(h.venue.positions(h.account));
  assert.equal(reduced?.sizeLots, 3 * h.unitLots, "a sell reduces the long");
  await sell(h, 3 * h.unitLots);
  const after = await h.drive(h.venue.positions(h.account));
  assert.ok(
    after.every((x) => x.sizeLots === 0),
    `flat after selling it all: ${show(after)}`,
  );
  const flat = await h.drive(h.venue.accountState(h.account));
  assert.ok(flat.initialMarginUsd === 0, `no margin used when flat: ${show(flat)}`);
}

/** A funding settlement arrives as an event and in the funding history; longs pay a positive rate. */
export async function checkFundingEvents(h: VenueHarness): Promise<void> {
  await buy(h, 5 * h.unitLots);
  const rec = recordEvents(h.venue);
  const since = (await h.drive(h.venue.fills(h.account, 0))).at(-1)?.ts ?? 0;
  await h.driver.settleFunding(0.0001);
  await h.settle();
  rec.stop();
  const funding = rec.events.filter((e) => e.type === "funding" && e.account === h.account);
  assert.equal(funding.length, 1, `one funding event: ${show(rec.events.map((e) => e.type))}`);
  const e = funding[0];
  assert.ok(
    e.type === "funding" && e.symbol === h.symbol && e.amount < 0n,
    `the long paid: ${String(e.type === "funding" && e.amount)}`,
  );
  const history = await h.drive(h.venue.fundingPayments(h.account, since));
  assert.equal(history.length, 1, `funding history since ${since}: ${history.length} payments`);
  assert.equal(history[0].amount, e.type === "funding" ? e.amount : 0n, "history and event agree");
  assert.equal(history[0].sizeLots, 5 * h.unitLots);
  assert.deepEqual(
    await h.drive(h.venue.fundingPayments(h.account, history[0].ts + 1)),
    [],
    "sinceTs filters",
  );
}

/** fills(account, sinceTs) is the fill history, oldest first, from sinceTs on. */
export async function checkFillHistory(h: VenueHarness): Promise<void> {
  await buy(h, 2 * h.unitLots);
  const first = await h.drive(h.venue.fills(h.account, 0));
  assert.ok(first.length >= 1, "the buy is in the history");
  const cut = first.at(-1)!.ts + 1;
  // let venue time pass, so the sell is stamped after the cut
  await h.settle();
  await sell(h, 2 * h.unitLots);
  const all = await h.drive(h.venue.fills(h.account, 0));
  assert.ok(all.length > first.length, "the sell was added");
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].ts <= all[i].ts, "oldest first");
  assert.equal(
    all.reduce((n, f) => n + (f.side === "buy" ? f.sizeLots : -f.sizeLots), 0),
    0,
    "buys and sells net out",
  );
  const later = await h.drive(h.venue.fills(h.account, cut));
  assert.ok(
    later.every((f) => f.ts >= cut && f.side === "sell"),
    `sinceTs ${cut} keeps only the sell`,
  );
}

/** onMarket carries only the subscribed (symbol, channel) pairs, and stops at unsubscribe. */
export async function checkSubscriptions(h: VenueHarness): Promise<void> {
  const seen: MarketEvent[] = [];
  const stop = h.venue.onMarket((e) => seen.push(e));
  const book = () =>
    h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots,
    });
  const bookEvents = () =>
    seen.filter((e) => (e.type === "book" || e.type === "bbo") && e.symbol === h.symbol).length;
  await book();
  await h.settle();
  assert.equal(bookEvents(), 0, "no book data before a subscription");
  const unsubscribe = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
  await book();
  await h.settle();
  const subscribed = bookEvents();
  assert.ok(subscribed > 0, "book data once subscribed");
  unsubscribe();
  await book();
  await h.settle();
  assert.equal(bookEvents(), subscribed, "none after unsubscribing");
  stop();
}

/** A dropped stream is reported stale (by event and by streams()), and recovered when it returns. */
export async function checkStaleAndRecovered(h: VenueHarness): Promise<void> {
  const stream = `book:${h.symbol}`;
  const changes: StreamStatusChange[] = [];
  const stopStatus = h.venue.onStreamStatus((c) => changes.push(c));
  const seen: MarketEvent[] = [];
  const stopMarket = h.venue.onMarket((e) => seen.push(e));
  const unsubscribe = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
  const book = () =>
    h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots,
    });
  const statusOf = () => h.venue.streams().find((s) => s.stream === stream);
  await book();
  await h.settle();
  assert.deepEqual(
    { ready: statusOf()?.ready, stale: statusOf()?.stale },
    { ready: true, stale: false },
    "subscribed and fed",
  );
  assert.ok(statusOf()?.lastMessageTs !== null, "the last message time is known");
  await h.driver.dropStream(stream);
  await h.settle();
  assert.equal(statusOf()?.stale, true, `streams() reports the drop: ${show(statusOf())}`);
  assert.ok(
    changes.some((c) => c.stream === stream && c.stale && c.venue === h.venue.id),
    `a stale event was pushed: ${show(changes)}`,
  );
  await h.driver.restoreStream(stream);
  await book();
  await h.settle();
  assert.deepEqual(
    { ready: statusOf()?.ready, stale: statusOf()?.stale },
    { ready: true, stale: false },
    `recovered: ${show(statusOf())}`,
  );
  assert.ok(changes.at(-1)?.stream === stream && !changes.at(-1)?.stale, "a recovery event was pushed last");
  const afterRestore = seen.length;
  await book();
  await h.settle();
  assert.ok(seen.length > afterRestore, "data flows again");
  unsubscribe();
  stopMarket();
  stopStatus();
}

/** An account binding without a signer is accepted exactly when the venue signs nothing. */
export async function checkBindAccount(h: VenueHarness): Promise<void> {
  const binding = {
    account: `${h.account}-bind`,
    identity: { address: "0x0000000000000000000000000000000000000001" },
  };
  const result = await h.drive(h.venue.bindAccount(binding)).then(
    () => "bound",
    (e: unknown) => e,
  );
  if (h.venue.capabilities.accountSigner === "none") assert.equal(result, "bound", String(result));
  else
    assert.ok(
      result instanceof VenueRejectError,
      `a signer-less binding must be refused, got ${String(result)}`,
    );
  const bad = await h.drive(h.venue.bindAccount({ account: "", identity: {} })).then(
    () => "bound",
    (e: unknown) => e,
  );
  assert.ok(bad instanceof VenueRejectError, `an empty account id is refused, got ${String(bad)}`);
}
