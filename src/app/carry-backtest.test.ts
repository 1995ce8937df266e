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

test("carry backtest, market moving every minute with books re-sent every 5 s: scans that read what the last one read repeat it, and the report is the one of full scans", async () => {
  const o = {
    days: 0.5,
    seed: 4,
    carry: carryDefaults(),
    universe: { venues: 3, bases: 8 },
    stepMs: 60_000,
    bookRefreshMs: 5_000,
  };
  const stats: {
    repeated: number;
    full: number;
    repeatedConfirming?: number;
    scaleUps?: Record<string, number>;
  } = {
    repeated: 0,
    full: 0,
  };
  const fullStats: typeof stats = { repeated: 0, full: 0 };
  const fast = await runCarryBacktest({ ...o, scanStats: stats });
  const full = await runCarryBacktest({ ...o, repeatScans: false, scanStats: fullStats });
  assert.deepEqual(fast, full, "same report with and without repeated scans");
  // held positions are re-evaluated for scale-ups on repeated scans too: every refusal (the
  // time-dependent ones included: too_young, cooldown) and every slice counted alike
  assert.deepEqual(stats.scaleUps, fullStats.scaleUps, "same scale-up decisions");
  for (const k of ["done", "too_young", "cooldown"])
    assert.ok((stats.scaleUps?.[k] ?? 0) > 0, `scale-ups ${k}: ${JSON.stringify(stats.scaleUps)}`);
  assert.ok(fast.trades > 0, "positions opened and closed in between");
  assert.ok(stats.repeated > stats.full, `most scans repeat: ${stats.repeated} repeated, ${stats.full} full`);
  // candidates confirmed before and refused before anything is sent (below a lot's size) confirm
  // again on a repeat: the same report as full scans shows they decide alike
  assert.ok((stats.repeatedConfirming ?? 0) > 0, `repeats that confirm again: ${JSON.stringify(stats)}`);
  assert.ok(stats.full > 12 * 60, `a full scan at least every minute the market moved: ${stats.full}`);
  assert.ok(
    fast.assumptions.some((a) => /re-sent every 5 s/.test(a)),
    "the report says the books are re-sent",
  );
  // books re-sent every 20 s against scans every 15 s: book ages cross max_bbo_age_ms between
  // scans that read the same levels, so a repeat must notice a time limit crossed
  const aging = { ...o, days: 0.25, bookRefreshMs: 20_000 };
  const agingStats = { repeated: 0, full: 0 };
  const a = await runCarryBacktest({ ...aging, scanStats: agingStats });
  assert.deepEqual(a, await runCarryBacktest({ ...aging, repeatScans: false }));
  assert.ok((a.rejections.stale_bbo ?? 0) > 0, "stale books were seen");
  assert.ok(agingStats.repeated > 0, `some scans repeat: ${agingStats.repeated}`);
});
