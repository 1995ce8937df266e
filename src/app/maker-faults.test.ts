import assert from "node:assert/strict";
import { test } from "node:test";
import { makerFaultRuns } from "../testing/maker-faults.ts";

// `node src/testing/maker-faults.ts --runs 1000` is the full acceptance run; npm test runs a few
test("seeded fault runs (lost and duplicated events, restarts, manual trades): every mismatch repaired, no duplicate take-profit", async () => {
  const c = await makerFaultRuns(4, 11);
  assert.ok(
    c.lostEventWindows > 0 && c.duplicatedEvents > 0 && c.restarts > 0 && c.manualTrades > 0,
    JSON.stringify(c),
  );
  assert.ok(c.mismatchesRepaired > 0, "the faults did cause mismatches");
  assert.equal(c.unrepaired, 0, JSON.stringify(c));
  assert.equal(c.duplicateTps, 0);
  assert.equal(c.duplicateTpSeconds, 0);
});
