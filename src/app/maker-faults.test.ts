import assert from "node:assert/strict";
import { test } from "node:test";
import { hedgedFaultRuns } from "../testing/maker-faults/hedged.ts";
import { makerFaultRuns } from "../testing/maker-faults/maker.ts";

// `npm run test:maker-faults` is the full acceptance run (1,000 of each); npm test runs enough to
// meet every fault and stays well under a minute on two busy cores (a hedged run costs ~2 maker runs)
const MAKER_RUNS = 20;
const HEDGED_RUNS = 12;

test("maker, seeded fault runs (lost and duplicated events, restarts, manual trades): every mismatch repaired, no duplicate take-profit", async () => {
  const c = await makerFaultRuns(MAKER_RUNS, 11);
  assert.ok(
    c.lostEventWindows > 0 && c.duplicatedEvents > 0 && c.restarts > 0 && c.manualTrades > 0,
    JSON.stringify(c),
  );
  assert.ok(c.mismatchesRepaired > 0, "the faults did cause mismatches");
  assert.equal(c.unrepaired, 0, JSON.stringify(c));
  assert.equal(c.duplicateTps, 0);
  assert.equal(c.duplicateTpSeconds, 0);
});

test("hedged maker, seeded fault runs (lost and duplicated events, restarts, manual trades, thin hedge book): no maker fill unhedged beyond its event", async () => {
  const c = await hedgedFaultRuns(HEDGED_RUNS, 11);
  assert.ok(
    c.lostEventWindows > 0 &&
      c.duplicatedEvents > 0 &&
      c.restarts > 0 &&
      c.manualTrades > 0 &&
      c.thinBookWindows > 0 &&
      c.makerFills > 0,
    JSON.stringify(c),
  );
  assert.equal(c.unhedgedBeyondOneEvent, 0, JSON.stringify(c));
  assert.equal(c.boundBreaches, 0, JSON.stringify(c));
  assert.equal(c.unhedgedAtEnd, 0, JSON.stringify(c));
  assert.ok(c.maxEndResidue < 0.002, `the residue stays below B's minimum: ${c.maxEndResidue}`);
});

// runs that found a cause (docs/strategies/maker.md, "Measured"): each failed before its fix
test("maker fault seeds 56 and 351 (a fill from the fill history, a repair after a slow cancel): no excess take-profit", async () => {
  for (const seed of [56, 351]) {
    const c = await makerFaultRuns(1, seed);
    assert.equal(
      c.duplicateTpSeconds + c.duplicateTps + c.unrepaired,
      0,
      `seed ${seed}: ${JSON.stringify(c)}`,
    );
  }
});

test("hedged fault seeds 170 and 546 (a manual trade on B unseen, a hedge IOC left open): hedged within the grace", async () => {
  for (const seed of [170, 546]) {
    const c = await hedgedFaultRuns(1, seed);
    assert.ok(c.checkedSeconds > 0);
    assert.equal(
      c.unhedgedBeyondOneEvent + c.unhedgedAtEnd + c.boundBreaches,
      0,
      `seed ${seed}: ${JSON.stringify(c)}`,
    );
  }
});
