import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, test } from "node:test";
import { ForwardingVenue } from "../core/forwarding-venue.ts";
import type { MarginMode } from "../core/types.ts";
import { type Venue, VenueRejectError } from "../core/venue.ts";
import { pairsSchema } from "../strategies/pairs/config.ts";
import { type CarryHarness, type CarryHarnessOptions, carryStarter } from "../testing/carry-harness.ts";
import { RefusingEntries } from "../testing/refusing-venue.ts";
import { LiveRecorder } from "./live-recorder.ts";
import { readLiveSnapshot } from "./service/live.ts";

/**
 * Every reason carry refuses an entry for (STRATEGIES.md 1.1 scan step 4, sizing, open), each
 * in a scenario on the simulated clock: the market or the account is made to fail that one gate,
 * and the test reads the strategy's count for the reason (carry.rejections and its status view),
 * the count the runner's live snapshot writes to the store (LiveRecorder: what `perpbot status`,
 * the API and the dashboard read), that no group was opened for it, and, where the scan lists it,
 * that the gate is the one the last scan says BTC failed. Then the condition goes away and the
 * entry is made: the gate, nothing else, held it back. The last test checks that every reason
 * the strategy's code can count has its scenario here.
 */

const start = carryStarter(after);
const SEC = 1000;
const MIN = 60_000;

/** The rejection counts of the carry instance as the runner's live snapshot stored them. */
async function storedRejections(h: CarryHarness): Promise<Record<string, number>> {
  const rec = new LiveRecorder({
    store: h.store,
    clock: h.clock,
    node: h.node,
    venues: ["simA", "simB"],
    wallets: ["c1"],
  });
  await h.clock.drive(rec.recordOnce());
  const snap = await readLiveSnapshot(h.store, h.clock.now());
  const s = snap?.scanners?.find((x) => x.instance === "carry_a");
  assert.ok(s, "the live snapshot in the store has the carry scanner");
  return { ...s.rejections };
}

/** The gates BTC failed in the last scan (the opportunity list), or undefined when it was not listed. */
function lastScanGates(h: CarryHarness): string[] | undefined {
  const o = h.carry.view().opportunities as { list: { base: string; rejections: string[] }[] } | null;
  return o?.list.find((x) => x.base === "BTC")?.rejections;
}

/**
 * The reason was counted (strategy, view and store), no group opened; `gates`: what the last
 * scan lists for BTC (undefined: not checked, the reason comes after the gates).
 */
async function refused(h: CarryHarness, reason: string, gates?: readonly string[]) {
  // (blocked and circuit_open follow an entry that failed with nothing held: its group is failed)
  const allowFailed = reason === "blocked" || reason === "circuit_open";
  assert.deepEqual(
    (await h.groups()).filter((g) => !(allowFailed && g.status === "failed")),
    [],
    `no group opened (rejections ${JSON.stringify(h.carry.rejections)})`,
  );
  assert.equal(h.carry.positions.size, 0);
  assert.ok((h.carry.rejections[reason] ?? 0) > 0, `${reason} in ${JSON.stringify(h.carry.rejections)}`);
  assert.ok(((h.carry.view().rejections as Record<string, number>)[reason] ?? 0) > 0, "in the status view");
  const stored = await storedRejections(h);
  assert.equal(stored[reason], h.carry.rejections[reason], "the count the live snapshot stored");
  if (gates !== undefined) assert.deepEqual(lastScanGates(h), gates, "the gates the last scan lists for BTC");
}

/** Once the condition is gone, the entry is made: one open group. */
async function entersOnce(h: CarryHarness, withinMs = 2 * MIN) {
  await h.advance(withinMs);
  const open = (await h.groups()).filter((g) => g.status === "open");
  assert.equal(
    open.length,
    1,
    `entered once the gate passed (rejections ${JSON.stringify(h.carry.rejections)})`,
  );
}

/** Each reason's scenario: it makes the gate fail, checks the refusal, then lets the entry through. */
const SCENARIOS: Record<string, () => Promise<void>> = {
  async below_threshold() {
    // the default differential nets about 53 bps over hold_min_hours: below a threshold of 60
    const h = await start({ carry: { min_funding_bps: 60 } });
    await h.advance(MIN);
    await refused(h, "below_threshold", ["below_threshold"]);
    h.setRate("simA", 0.0012); // 88 bps per 8 h: the net clears 60
    await entersOnce(h);
    await h.stop();
  },

  async breakeven_too_long() {
    // the round trip costs about 19 bps; at 9 bps an hour it takes about 2.1 h to earn back
    const h = await start({ carry: { max_breakeven_hours: 2 } });
    await h.advance(MIN);
    await refused(h, "breakeven_too_long", ["breakeven_too_long"]);
    h.setRate("simA", 0.0015); // 14 bps an hour: about 1.4 h
    await entersOnce(h);
    await h.stop();
  },

  async stale_rate() {
    // no differential at first; simA's funding prints stop
    const h = await start({ rates: { simA: 0.0001, simB: 0.0001 } });
    h.quietFunding.add("simA");
    await h.advance(16 * MIN);
    // simB's rate moves (a fresh print): a 72 bps differential against simA's 16-minute-old rate
    h.setRate("simB", -0.0008);
    await h.advance(MIN);
    await refused(h, "stale_rate", ["stale_rate"]);
    h.quietFunding.delete("simA"); // simA prints again within the minute
    await entersOnce(h);
    await h.stop();
  },

  async stale_bbo() {
    const h = await start();
    h.frozen.add("simB"); // simB's book stops updating
    await h.advance(MIN);
    await refused(h, "stale_bbo", ["stale_bbo"]);
    h.frozen.delete("simB");
    await entersOnce(h);
    await h.stop();
  },

  async no_book() {
    const h = await start();
    h.empty.add("simB"); // simB publishes an empty book
    await h.advance(MIN);
    // (without a mid the cost cannot be priced either: the threshold gates fail with it)
    await refused(h, "no_book");
    assert.ok(lastScanGates(h)?.includes("no_book"), JSON.stringify(lastScanGates(h)));
    h.empty.delete("simB");
    await entersOnce(h);
    await h.stop();
  },

  async thin_depth() {
    // simA's five levels a side show $125, below the position's size (about $144 before lots)
    const h = await start();
    h.levelUsd.simA = 25;
    await h.advance(MIN);
    await refused(h, "thin_depth", ["thin_depth"]);
    delete h.levelUsd.simA;
    await entersOnce(h);
    await h.stop();
  },

  async wide_spread() {
    // simB's touch spread widens to 12 bps, above a max_spread_pct of 10 bps (the steeper
    // differential pays for what the wider spread adds to the cost: only this gate fails)
    const h = await start({ rates: { simA: 0.0015 }, carry: { max_spread_pct: 0.001 } });
    h.spreadBps.simB = 12;
    await h.advance(MIN);
    await refused(h, "wide_spread", ["wide_spread"]);
    delete h.spreadBps.simB;
    await entersOnce(h);
    await h.stop();
  },

  async blocked() {
    // the first entry fails (simA rejects it): the base cools down entry_failure_cooldown_minutes
    let refuse = true;
    const wrap = (id: string, v: Venue): Venue =>
      id !== "simA" ? v : new RefusingEntries(v, () => refuse, "insufficient_margin");
    const h = await start({ wrapVenue: wrap as CarryHarnessOptions["wrapVenue"] });
    await h.advance(MIN);
    refuse = false;
    const [failed] = await h.groups();
    assert.equal(failed?.status, "failed", "the refused entry's group failed, nothing held");
    await h.advance(3 * MIN);
    await refused(h, "blocked", ["blocked"]);
    assert.equal((await h.groups()).length, 1, "no second try while cooling down");
    await entersOnce(h, 3 * MIN);
    await h.stop();
  },

  async no_allocation() {
    // the total cap is $100, one lot of simB: once BTC holds it, ETH (also paying) has no room
    const h = await start({
      rates: { simA: 0.0015 },
      carry: {
        pairs: pairsSchema.parse({ allowlist: ["BTC", "ETH"] }),
        max_carry_total_alloc_pct: 0.025,
        carry_alloc_pct: 1,
        max_symbol_alloc_pct: 0.025,
        max_scale_ups: 0,
      },
    });
    await h.advance(MIN);
    const held = async () => (await h.groups()).map((g) => [g.meta.base, g.status]);
    assert.deepEqual(await held(), [["BTC", "open"]]);
    const eth = () =>
      (
        h.carry.view().opportunities as { list: { base: string; sizeUsd: number; rejections: string[] }[] }
      ).list.find((x) => x.base === "ETH");
    // the cap leaves ETH a few cents: a size, but less than the $10 a position needs
    let before = h.carry.rejections.no_allocation ?? 0;
    await h.advance(MIN);
    assert.ok(eth()!.sizeUsd > 0 && eth()!.sizeUsd < 10, JSON.stringify(eth()));
    assert.ok((h.carry.rejections.no_allocation ?? 0) > before, JSON.stringify(h.carry.rejections));
    // simB's BTC falls 1 %: the equity, and the cap with it, drop below what BTC holds; ETH is
    // sized at nothing, and the scan lists it refused for that alone
    h.prices.simB.BTC = 99_000;
    await h.advance(MIN);
    assert.deepEqual(eth(), { ...eth()!, sizeUsd: 0, rejections: ["no_allocation"] });
    before = h.carry.rejections.no_allocation ?? 0;
    await h.advance(MIN);
    assert.ok((h.carry.rejections.no_allocation ?? 0) >= before + 4, "counted on each of the 4 scans");
    assert.deepEqual(await held(), [["BTC", "open"]], "no ETH entry");
    const stored = await storedRejections(h);
    assert.equal(stored.no_allocation, h.carry.rejections.no_allocation);
    await h.stop();
  },

  async circuit_open() {
    const h = await start();
    h.venues.simA.goDown(h.clock.now() + 3 * MIN);
    await h.advance(2 * MIN);
    // (an entry tried before the circuit opened fails with nothing held)
    await refused(h, "circuit_open");
    assert.ok(lastScanGates(h)?.includes("circuit_open"), JSON.stringify(lastScanGates(h)));
    await entersOnce(h, 4 * MIN);
    await h.stop();
  },

  async edge_decayed() {
    const h = await start({ rates: { simA: 0.002 } });
    // the scan at start sees no rate print yet; the one at 15 s detects the edge (its first pass)
    await h.advance(16 * SEC);
    assert.equal(h.carry.confirms.size, 1);
    h.setRate("simA", 0.0015); // the confirming scan finds 0.7 of the edge: below edge_decay_ratio
    await h.advance(15 * SEC);
    await refused(h, "edge_decayed");
    await entersOnce(h);
    await h.stop();
  },

  async leverage_refused() {
    let refuse = true;
    class NoLeverage extends ForwardingVenue {
      override setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode) {
        if (refuse) return Promise.reject(new VenueRejectError("leverage_not_allowed"));
        return super.setLeverage(account, symbol, leverage, mode);
      }
    }
    const wrap = (id: string, v: Venue): Venue => (id === "simB" ? new NoLeverage(v) : v);
    const h = await start({ wrapVenue: wrap as CarryHarnessOptions["wrapVenue"] });
    await h.advance(MIN);
    assert.deepEqual(await h.groups(), [], "nothing sent without the leverage set");
    await refused(h, "leverage_refused", []);
    refuse = false;
    await entersOnce(h);
    await h.stop();
  },

  async below_min_size() {
    // $1,000 a venue: the entry's size (about $72) is below one lot of simB (0.001 BTC, $100)
    const h = await start({ balanceUsd: 1_000 });
    await h.advance(MIN);
    await refused(h, "below_min_size", []);
    h.setRate("simA", 0.0015); // 112 bps per 8 h: the size clamps up to about $112, one lot
    await entersOnce(h);
    await h.stop();
  },
};

for (const [reason, run] of Object.entries(SCENARIOS)) test(`rejection ${reason}`, run);

test("every rejection reason carry counts has a scenario here", () => {
  const src = (f: string) => readFileSync(new URL(`../strategies/carry/${f}`, import.meta.url), "utf8");
  const reasons = new Set<string>();
  // the gates of entry.ts (the Rejection union)
  const union = /export type Rejection =([^;]+);/.exec(src("entry.ts"));
  assert.ok(union, "entry.ts declares the Rejection union");
  for (const m of union[1].matchAll(/"([a-z_]+)"/g)) reasons.add(m[1]);
  // what scan.ts, open.ts and grow.ts count themselves: `reject(h, "x", ...)` and `["x"]` lists
  for (const f of ["scan.ts", "open.ts", "grow.ts"]) {
    const text = src(f);
    for (const m of text.matchAll(/\breject\(h, "([a-z_]+)"/g)) reasons.add(m[1]);
    for (const m of text.matchAll(/\? \["([a-z_]+)"\] :/g)) reasons.add(m[1]);
  }
  assert.ok(reasons.size >= 12, [...reasons].join(", "));
  assert.deepEqual([...reasons].sort(), Object.keys(SCENARIOS).sort());
});
