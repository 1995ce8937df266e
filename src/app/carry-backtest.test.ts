import assert from "node:assert/strict";
import { test } from "node:test";
import { carryDefaults } from "../strategies/carry/config.ts";
import { type CarryBacktestReport, formatCarryReport, runCarryBacktest } from "./carry-backtest.ts";

/**
 * STRATEGIES.md 1.4: the report's parts add up, per trade and in total, and to the equity change
 * the venues report to the cent.
 */
function partsAddUp(r: CarryBacktestReport): void {
  // every rejection is counted for the venue pair of its candidate, the pairs add up to the total
  const summed: Record<string, number> = {};
  for (const [pair, reasons] of Object.entries(r.rejectionsByPair)) {
    const [long, short] = pair.split(">");
    assert.ok(long !== "" && short !== "" && long !== short, `pair ${pair}`);
    for (const [why, n] of Object.entries(reasons)) summed[why] = (summed[why] ?? 0) + n;
  }
  assert.deepEqual(summed, r.rejections);
  const near = (x: number, y: number, what: string, tol = 1e-3) =>
    assert.ok(Math.abs(x - y) < tol, `${what}: ${x} vs ${y}`);
  for (const t of r.perTrade) {
    near(
      t.feesLongMakerUsd + t.feesLongTakerUsd + t.feesShortMakerUsd + t.feesShortTakerUsd,
      t.feesUsd,
      `${t.id} fees per leg and liquidity`,
    );
    // the price parts come from the fills and their books, the basis PnL from the engine's records
    near(t.basisDriftUsd - t.spreadUsd - t.slippageUsd, t.basisPnlUsd, `${t.id} drift - spread - slippage`);
    near(t.fundingLongUsd + t.fundingShortUsd + t.basisPnlUsd - t.feesUsd, t.netUsd, `${t.id} net`);
    assert.ok(
      t.fundingEstimatedLongUsd !== null && t.fundingEstimatedShortUsd !== null,
      `${t.id} estimates kept`,
    );
    if (t.sizeUsd > 0)
      near(t.capturedBps ?? Number.NaN, (t.netUsd / t.sizeUsd) * 1e4, `${t.id} captured`, 0.01);
    // (the yield shown to 0.01 bps: its yearly figure to 0.11 %)
    near(t.entryYieldAprPct, t.entryYieldBps * 10.95, `${t.id} entry yield per year`, 0.12);
  }
  assert.ok(
    Math.abs(r.unexplainedUsd) < 0.005,
    `equity change not explained by the parts: ${r.unexplainedUsd}`,
  );
  near(
    r.fundingUsd + r.basisDriftUsd - r.spreadUsd - r.slippageUsd - r.feesMakerUsd - r.feesTakerUsd,
    r.equityChangeUsd,
    "the parts = the equity change",
    0.005,
  );
  const pairs = Object.values(r.perPair);
  assert.equal(
    pairs.reduce((s, p) => s + p.trades, 0),
    r.trades,
    "every trade in one venue pair",
  );
  near(
    pairs.reduce((s, p) => s + p.netUsd, 0),
    r.netUsd,
    "the pairs' net",
    0.005,
  );
  assert.ok(r.maxDrawdownUsd >= 0 && r.maxDrawdownPct >= 0 && r.maxDrawdownPct < 100);
}

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
  partsAddUp(a);
  // IOC entries (the default): taker fees only, both legs filled at one instant
  assert.equal(a.feesMakerUsd, 0);
  assert.ok(a.feesTakerUsd > 0);
  assert.deepEqual(a.unhedged, { ms: 0, maxUsd: 0, usdSeconds: 0 });
  assert.ok(a.spreadUsd > 0, "every taker fill crossed half the spread");
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
  partsAddUp(r);
  assert.ok(Object.keys(r.perPair).length > 1, `several venue pairs: ${Object.keys(r.perPair).join(", ")}`);
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

test("carry backtest with maker entries: the first leg maker-first, the hedge an IOC for its fill, the time one leg waited for the other", async () => {
  // the thinner leg first (STRATEGIES.md 1.1 "Entry"): post-only for maker_timeout_s (the default
  // 15 s), then an IOC for the rest; the other leg only then, IOC only, for what the first filled.
  // The group waits the rest plus the IOCs' window for its fills (with the window alone, 10 s,
  // the IOC was never sent: not_filled)
  // no scale-ups: each trade is one group, whose first leg alone rests post-only (a slice's first
  // leg may be the other side: a trade with slices may have maker fees on both)
  const c = carryDefaults({ maker_entry: true, max_scale_ups: 0 });
  const r = await runCarryBacktest({ days: 1, seed: 1, carry: c });
  assert.ok(r.trades > 0);
  assert.equal(r.exitsByReason.not_filled ?? 0, 0, JSON.stringify(r.exitsByReason));
  partsAddUp(r);
  assert.ok(r.feesMakerUsd > 0, `maker fees ${r.feesMakerUsd}`);
  // a post-only buy rests at the bid: filled below the ask its order saw, so slippage is negative
  assert.ok(r.slippageUsd < 0, `slippage ${r.slippageUsd}`);
  const maker = r.perTrade.filter((t) => t.feesLongMakerUsd + t.feesShortMakerUsd > 0);
  assert.ok(maker.length > 0, "some entry's first leg filled as a maker");
  for (const t of maker) {
    // only the first leg rests post-only: the hedge is an IOC, so never both legs maker
    // (exits are IOCs too: maker fees are the entries' alone)
    assert.ok(t.feesLongMakerUsd === 0 || t.feesShortMakerUsd === 0, `${t.id}: both legs maker`);
  }
  // the hedge goes once the first leg is done, for its fill: a full maker fill is hedged at once
  // (on the simulator, in the same instant); a leg waits alone only after a partial post-only fill
  const waited = r.perTrade.filter((t) => t.unhedgedMs > 0);
  for (const t of waited) {
    // at most one leg's notional was unhedged, for the time counted
    assert.ok(t.unhedgedMaxUsd > 0 && t.unhedgedMaxUsd <= t.sizeUsd * 1.02, `${t.id}: $${t.unhedgedMaxUsd}`);
    assert.ok(
      t.unhedgedUsdSeconds <= (t.unhedgedMaxUsd * t.unhedgedMs) / 1000 + 1e-3 && t.unhedgedUsdSeconds > 0,
      `${t.id}: ${t.unhedgedUsdSeconds} USD x s`,
    );
  }
  assert.equal(
    r.unhedged.ms,
    waited.reduce((s, t) => s + t.unhedgedMs, 0),
  );
  assert.ok(formatCarryReport(r).includes("unhedged: "), "the text report shows it");
});
