import assert from "node:assert/strict";
import { test } from "node:test";
import { usd } from "../../core/money.ts";
import type { AccountReport, PositionReport } from "../../core/types.ts";
import { feedBook, feedMark, harness, order } from "../../testing/sim.ts";
import type { SimExchange } from "./exchange.ts";
import { accountReport, positionReports } from "./reports.ts";
import type { SimVenue } from "./sim-venue.ts";

/** the venue's core, to compute the reports afresh beside the venue's kept answers */
function exchangeOf(venue: SimVenue): SimExchange {
  return (venue as unknown as { exchange: SimExchange }).exchange;
}

test("the venue's kept account answers equal the reports computed afresh after every kind of change", async () => {
  const { venue, clock } = harness();
  const ex = exchangeOf(venue);
  const btc = venue.instrument("BTC");
  const eth = venue.instrument("ETH");
  const b = btc.price("60000");
  const e = eth.price("3000");
  let last: { account: AccountReport; positions: readonly PositionReport[] } | undefined;
  // every step must change what the reports say (else it would not test the cache), and the
  // answers must then be what the uncached path gives
  const check = async (step: string) => {
    const account = await venue.accountState("alice");
    const positions = await venue.positions("alice");
    assert.deepEqual(account, accountReport(ex, "alice"), `${step}: account state`);
    assert.deepEqual(positions, positionReports(ex, "alice"), `${step}: positions`);
    if (last !== undefined)
      assert.notDeepEqual({ account, positions }, last, `${step} changed nothing the reports show`);
    // nothing changed since: the same answer again
    assert.equal(await venue.accountState("alice"), account, `${step}: account state kept`);
    assert.equal(await venue.positions("alice"), positions, `${step}: positions kept`);
    last = { account, positions };
  };

  venue.deposit("alice", usd(10_000));
  feedBook(venue, btc, b, 1, 3);
  feedBook(venue, eth, e, 10, 3);
  await check("deposit");
  await venue.submit(order("BTC", "buy", b + 1, btc.size("0.01")));
  await check("a fill opens a cross position");
  feedBook(venue, btc, b + 100, 1, 3);
  await check("the book's mid moves the mark");
  feedMark(venue, btc, btc.priceValue(b + 50));
  await check("a mark from the feed");
  await venue.setLeverage("alice", "BTC", 5, "cross");
  await check("leverage of the open cross position");
  await venue.submit(order("ETH", "buy", e - 100, eth.size("0.5"), { tif: "gtc" }));
  await check("a resting order holds margin");
  await venue.amend("alice", "ETH", restingId(venue), { sizeLots: eth.size("0.8") });
  await check("an amend changes the order margin");
  await venue.cancel("alice", "ETH", restingId(venue));
  await check("the cancel releases it");
  await venue.setLeverage("alice", "ETH", 2, "cross");
  await venue.submit(order("ETH", "buy", e - 1, eth.size("0.5"), { tif: "gtc" }));
  await check("a resting order at another leverage setting");
  await venue.setLeverage("alice", "ETH", 4, "cross");
  await check("the setting alone changes its margin");
  await venue.cancel("alice", "ETH", restingId(venue));
  await venue.setLeverage("alice", "ETH", 3, "isolated");
  await venue.submit(order("ETH", "buy", e + 1, eth.size("0.5")));
  await check("an isolated position");
  await venue.updateIsolatedMargin("alice", "ETH", usd(100));
  await check("collateral added to it");
  await venue.submit(order("BTC", "sell", b + 100, btc.size("0.004")));
  await check("a partial close");
  venue.deposit("alice", usd(1));
  await check("cash alone");
  await clock.advance(0);
  venue.close();
});

/** the client id of alice's one resting order */
function restingId(venue: SimVenue): string {
  const open = [...(exchangeOf(venue).state.openOrdersByAccount.get("alice") ?? [])];
  assert.equal(open.length, 1, "one resting order");
  return open[0].clientOrderId;
}
