import assert from "node:assert/strict";
import { test } from "node:test";
import { carryDefaults } from "../strategies/carry/config.ts";
import { runCarryBacktest } from "./carry-backtest.ts";

test("carry backtest: deterministic per seed; funding per leg = the venue's payments; figures add up to the equity change", async () => {
  const o = { days: 1, seed: 1, carry: carryDefaults() };
  const a = await runCarryBacktest(o);
  const b = await runCarryBacktest(o);
  assert.deepEqual(a, b, "same seed, same report");
  assert.ok(a.trades > 0, "the synthetic funding offers at least one entry in a day");
  for (const t of a.perTrade) {
    assert.ok(Math.abs(t.fundingLongUsd - t.venueFundingLongUsd) < 1e-3, `${t.id} long leg`);
    assert.ok(Math.abs(t.fundingShortUsd - t.venueFundingShortUsd) < 1e-3, `${t.id} short leg`);
    assert.notEqual(t.closeReason, null);
  }
  assert.ok(
    Math.abs(a.netUsd - a.equityChangeUsd) < 0.01,
    `net ${a.netUsd} vs equity change ${a.equityChangeUsd}`,
  );
  assert.equal(
    Object.values(a.exitsByReason).reduce((s, n) => s + n, 0),
    a.trades,
    "every trade has an exit reason",
  );
  const other = await runCarryBacktest({ ...o, seed: 2 });
  assert.notDeepEqual(other.perTrade, a.perTrade, "another seed, another path");
});

test("carry backtest on a synthetic universe: three venues, every venue pair scanned, figures add up", async () => {
  const o = { days: 0.25, seed: 3, carry: carryDefaults(), universe: { venues: 3, bases: 6 } };
  const r = await runCarryBacktest(o);
  assert.ok(r.trades > 0, "the wider universe offers entries");
  const venues = new Set(r.perTrade.flatMap((t) => [t.long.split(":")[0], t.short.split(":")[0]]));
  assert.ok(venues.has("simC"), `a third venue is traded: ${[...venues].join(", ")}`);
  const bases = new Set(r.perTrade.map((t) => t.base));
  assert.ok(
    [...bases].every((b) => ["BTC", "ETH", "SOL", "DOGE", "S005", "S006"].includes(b)),
    [...bases].join(","),
  );
  assert.ok(
    Math.abs(r.netUsd - r.equityChangeUsd) < 0.01,
    `net ${r.netUsd} vs equity change ${r.equityChangeUsd}`,
  );
  assert.deepEqual(await runCarryBacktest(o), r, "deterministic");
  await assert.rejects(
    runCarryBacktest({ ...o, universe: { venues: 1, bases: 3 } }),
    /venues must be a whole number from 2/,
  );
});
