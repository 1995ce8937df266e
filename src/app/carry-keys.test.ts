import assert from "node:assert/strict";
import { after, test } from "node:test";
import { type CarryHarnessOptions, carryStarter } from "../testing/carry-harness.ts";

/**
 * The carry keys the loops and the intents read, on the simulated clock: each changes what
 * happens when it changes (the keys pure decisions read: src/strategies/carry/keys.test.ts).
 */

const start = carryStarter(after);

/** groups after `ms` of simulated time with these keys */
async function groupsAfter(ms: number, carry: CarryHarnessOptions["carry"]) {
  const h = await start({ carry });
  await h.advance(ms);
  const gs = await h.groups();
  await h.stop();
  return gs;
}

test("funding_check_interval_s and required_confirms: how soon a differential is entered", async () => {
  // the scan at start sees no rate print yet; then one scan detects, the next confirms
  assert.equal((await groupsAfter(11_000, {})).length, 0, "15 s scans: nothing by 11 s");
  assert.equal((await groupsAfter(11_000, { funding_check_interval_s: 5 })).length, 1, "5 s scans: at 10 s");
  assert.equal((await groupsAfter(16_000, {})).length, 0, "two confirmations: not at 15 s");
  assert.equal((await groupsAfter(16_000, { required_confirms: 1 })).length, 1, "one: at 15 s");
});

test("maker_entry, maker_timeout_s, entry_retry_max, entry_retry_window_s, max_slippage_bps: the group intent carry sends", async () => {
  const [ioc] = await groupsAfter(60_000, {});
  assert.deepEqual(ioc.entry, { kind: "ioc", maxSlippageBps: 10, iocAttempts: 3 });
  assert.equal(ioc.fillTimeoutMs, 10_000);
  const [maker] = await groupsAfter(120_000, {
    maker_entry: true,
    maker_timeout_s: 20,
    entry_retry_window_s: 30,
    max_slippage_bps: 15,
    entry_retry_max: 1,
  });
  assert.deepEqual(maker.entry, {
    kind: "maker_first",
    makerTimeoutMs: 20_000,
    maxSlippageBps: 15,
    iocAttempts: 1,
  });
  // the post-only rest, then the IOCs' window
  assert.equal(maker.fillTimeoutMs, 50_000);
});

test("mtm_check_interval_s: how soon an exit is seen", async () => {
  const run = async (s: number) => {
    const h = await start({ carry: { mtm_check_interval_s: s } });
    await h.advance(60_000);
    assert.equal((await h.groups())[0]?.status, "open");
    h.prices.simA.BTC = 99_000; // take-profit: the short gains 100 bps
    await h.advance(60_000);
    const g = (await h.groups())[0];
    await h.stop();
    return g.closeReason;
  };
  assert.equal(await run(30), "take_profit");
  assert.equal(await run(300), null, "the next check is at 300 s");
});

test("leverage: set on both venues, isolated, before the first entry (capped at the market's max)", async () => {
  const run = async (leverage: number) => {
    const h = await start({ carry: { leverage } });
    // the accounts start elsewhere: 5x cross
    await h.clock.drive(h.venues.simA.setLeverage("c1", "BTC", 5, "cross"));
    await h.clock.drive(h.venues.simB.setLeverage("c1", "BTCUSDT", 5, "cross"));
    await h.advance(60_000);
    assert.equal((await h.groups())[0]?.status, "open");
    const legs = [
      ...(await h.venues.simA.positions("c1")).filter((p) => p.symbol === "BTC"),
      ...(await h.venues.simB.positions("c1")).filter((p) => p.symbol === "BTCUSDT"),
    ];
    await h.stop();
    return legs.map((p) => `${p.leverage}x ${p.marginMode}`);
  };
  assert.deepEqual(await run(3), ["3x isolated", "3x isolated"]);
  assert.deepEqual(await run(2), ["2x isolated", "2x isolated"]);
});
