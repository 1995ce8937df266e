import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { Rng } from "../../core/random.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import { allocateGroup } from "./allocation.ts";
import { type FarmConfig, farmSection } from "./config.ts";
import { groupWallets } from "./grouping.ts";
import { COARSE_FAILURES_TO_SKIP, FarmPlanner, type PlannedGroup, planGroups } from "./planner.ts";

const clock = new SimClock(Date.UTC(2026, 0, 1));
const venues = (["simA", "simB"] as const).map(
  (id) => new SimVenue({ id, instruments: catalogInstruments(id), clock, seed: id }),
);
const farm = (over: Partial<FarmConfig> = {}): FarmConfig => ({ ...farmSection.schema.parse({}), ...over });

test("in mixed mode, two idle wallets of a larger farm wait for the others instead of pairing", () => {
  const config = farm();
  for (let seed = 0; seed < 20; seed++) {
    const rng = new Rng(seed);
    assert.deepEqual(planGroups(["w1", "w2"], venues, config, rng, groupWallets, { totalWallets: 12 }), []);
    // a farm of two could never make a same-venue group: those two pair across venues
    assert.equal(planGroups(["w1", "w2"], venues, config, rng, groupWallets, { totalWallets: 2 }).length, 1);
  }
});

test("two wallets in the default mixed mode make a cross-venue pair", () => {
  const config = farm();
  assert.equal(config.mode, "mixed");
  for (let seed = 0; seed < 20; seed++) {
    const plans = planGroups(["w1", "w2"], venues, config, new Rng(seed), groupWallets);
    assert.equal(plans.length, 1, `seed ${seed}: no group from 2 wallets in mixed mode`);
    const [p] = plans;
    assert.equal(p.mode, "cross_venue");
    assert.equal(p.longs.length, 1);
    assert.equal(p.shorts.length, 1);
    assert.notEqual(p.longs[0].venue, p.shorts[0].venue);
    assert.equal(p.longs[0].instrument.spec.base, p.shorts[0].instrument.spec.base);
  }
});

test("when no group can form, the planner says why, once and not every round", () => {
  const lines: string[] = [];
  const planner = new FarmPlanner(farm({ mode: "same_venue" }), (m) => lines.push(m));
  for (let round = 0; round < 5; round++) {
    assert.deepEqual(planner.plan(["w1", "w2"], venues, new Rng(round), groupWallets), []);
  }
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /no group can form: 2 idle wallets: a same-venue group needs min_group_size 3/);
  // one venue: mixed mode cannot pair across venues either, and says so
  const one: string[] = [];
  new FarmPlanner(farm(), (m) => one.push(m)).plan(
    ["w1", "w2"],
    venues.slice(0, 1),
    new Rng(1),
    groupWallets,
  );
  assert.match(one[0] ?? "", /min_group_size 3, and cross-venue pairs need two farm venues/);
  // once a group can form again, a later failure is reported again
  assert.equal(planner.plan(["w1", "w2", "w3"], venues, new Rng(9), groupWallets).length, 1);
  planner.plan(["w1"], venues, new Rng(9), groupWallets);
  assert.equal(lines.length, 2);
});

test("a same-venue market whose groups keep failing on its coarse lot is skipped from then on, with one log line", () => {
  const sol = venues[1].instruments().find((i) => i.spec.base === "SOL")!;
  assert.equal(sol.spec.lotSize, "1");
  // five small wallets on 1-SOL lots (about $180): rounded to whole lots, the sides cannot meet
  const balances = [361, 132, 149, 308, 298];
  const alloc = allocateGroup(
    balances.map((b, i) => ({ walletId: `w${i}`, balanceUsd: b, instrument: sol })),
    { minLeverage: 2, maxLeverage: 3, maxImbalanceUsd: 2, longPrice: () => 180.2, shortPrice: () => 179.8 },
    new Rng(16),
  );
  assert.ok(!alloc.ok && alloc.reason === "imbalance", JSON.stringify(alloc));
  const member = (w: string) => ({ wallet: w, venue: "simB", instrument: sol });
  const plan: PlannedGroup = {
    mode: "same_venue",
    base: "SOL",
    label: "simB",
    longs: [member("w0"), member("w1")],
    shorts: [member("w2"), member("w3"), member("w4")],
  };
  const lines: string[] = [];
  const planner = new FarmPlanner(farm({ mode: "same_venue" }), (m) => lines.push(m));
  // a group that balances in between resets the count: one unlucky draw does not lose a market
  assert.equal(planner.allocationFailed(plan, alloc), false);
  planner.allocated(plan);
  for (let i = 1; i < COARSE_FAILURES_TO_SKIP; i++)
    assert.equal(planner.allocationFailed(plan, alloc), false);
  assert.deepEqual(lines, []);
  assert.equal(planner.allocationFailed(plan, alloc), true);
  assert.equal(planner.allocationFailed(plan, alloc), true);
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /skipping simB:SOLUSDT for same-venue groups.*one lot \(1 SOL ≈ \$180\.00\)/);
  const ids = Array.from({ length: 5 }, (_, i) => `w${i}`);
  let simBOther = 0;
  for (let seed = 0; seed < 200; seed++) {
    for (const p of planner.plan(ids, venues, new Rng(seed), groupWallets)) {
      assert.ok(!(p.label === "simB" && p.base === "SOL"), `seed ${seed}: simB SOL planned again`);
      if (p.label === "simB") simBOther++;
    }
  }
  assert.ok(simBOther > 0, "the venue's other markets are still used");
  assert.equal(lines.length, 1);
  // a fine-lot market (1 lot far below the bound) is never skipped: its failures are the caller's to log
  const eth = venues[0].instruments().find((i) => i.spec.base === "ETH")!;
  const fine: PlannedGroup = {
    ...plan,
    label: "simA",
    base: "ETH",
    longs: [{ ...member("w0"), venue: "simA", instrument: eth }],
  };
  const ethFail = { ok: false as const, reason: "imbalance" as const, detail: "x", referencePrice: 3_000 };
  for (let i = 0; i < 5; i++) assert.equal(planner.allocationFailed(fine, ethFail), false);
});

test("same-venue groups on 1-SOL lots balance exactly under the default bound", () => {
  // before the bound was on base units, sizes sent at ask+slippage vs bid-slippage never met
  // $2 on a $180 lot, and every round retried and logged the same failure
  const sol = venues[1].instruments().find((i) => i.spec.base === "SOL")!;
  const rng = new Rng(4);
  for (let t = 0; t < 100; t++) {
    const n = rng.int(3, 5);
    const ws = Array.from({ length: n }, (_, i) => ({
      walletId: `w${i}`,
      balanceUsd: rng.uniform(500, 5000) * 0.9,
      instrument: sol,
    }));
    const r = allocateGroup(
      ws,
      {
        minLeverage: 2,
        maxLeverage: 3,
        maxImbalanceUsd: 2,
        longPrice: () => 180.198,
        shortPrice: () => 179.802,
      },
      rng,
    );
    assert.ok(r.ok, `group ${t}: ${!r.ok && r.detail}`);
    assert.equal(r.imbalanceUsd, 0);
  }
});

test("cross_long_venue / cross_short_venue pin every cross-venue pair's sides (seed 001: long simA, short simB)", () => {
  // a third venue listing simB's contracts
  const three = [...venues, { id: "simC", instruments: () => catalogInstruments("simB") }];
  const seen = new Set<string>();
  for (let seed = 0; seed < 30; seed++) {
    const free = planGroups(["w1", "w2"], three, farm({ mode: "cross_venue" }), new Rng(seed), groupWallets);
    seen.add(free[0].label);
    const [p] = planGroups(
      ["w1", "w2"],
      three,
      farm({ mode: "cross_venue", cross_long_venue: "simA", cross_short_venue: "simB" }),
      new Rng(seed),
      groupWallets,
    );
    assert.equal(p.label, "simA>simB", `seed ${seed}`);
    assert.ok(p.longs.every((l) => l.venue === "simA") && p.shorts.every((s) => s.venue === "simB"));
    // only the long side pinned: the short venue is drawn among the others
    const [q] = planGroups(
      ["w1", "w2"],
      three,
      farm({ mode: "cross_venue", cross_long_venue: "simC" }),
      new Rng(seed),
      groupWallets,
    );
    assert.ok(q.longs[0].venue === "simC" && q.shorts[0].venue !== "simC", q.label);
  }
  assert.ok(seen.size > 1, `unpinned pairs vary their sides: ${[...seen]}`);
  // a pinned venue without the farm's markets makes no pair rather than another venue's
  assert.deepEqual(
    planGroups(
      ["w1", "w2"],
      venues,
      farm({ mode: "cross_venue", cross_long_venue: "nowhere" }),
      new Rng(1),
      groupWallets,
    ).filter((p) => p.mode === "cross_venue"),
    [],
  );
  assert.throws(
    () => farmSection.schema.parse({ cross_long_venue: "simA", cross_short_venue: "simA" }),
    /cross_short_venue[\s\S]*must differ from farm\.cross_long_venue/,
  );
});
