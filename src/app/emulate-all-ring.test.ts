import assert from "node:assert/strict";
import { test } from "node:test";
import { NINE_VENUES } from "../testing/live-cli.ts";
import { farmPairs } from "./emulate-all.ts";

/**
 * The farm instances `perpbot emulate all --write-config` writes: a ring over three or more
 * venues (each venue first, so long, in one instance and second, so short, in the next), the one
 * pair of two venues, none for one venue; two wallets of their own per instance.
 */
test("nine venues: a ring of nine instances, every venue long in one and short in another", () => {
  const farms = farmPairs(NINE_VENUES);
  assert.equal(farms.length, 9);
  for (const k of NINE_VENUES) {
    assert.equal(farms.filter((f) => f.venues[0] === k).length, 1, `${k} first (long) once`);
    assert.equal(farms.filter((f) => f.venues[1] === k).length, 1, `${k} second (short) once`);
  }
  for (const f of farms) assert.notEqual(f.venues[0], f.venues[1], f.name);
  const wallets = farms.flatMap((f) => f.wallets);
  assert.equal(new Set(wallets).size, 18, "two wallets of its own per instance");
  assert.deepEqual(farms[8].venues, ["grvt", "hyperliquid"], "the last closes the ring on the first");
  assert.equal(farms[0].name, "farm_hyperliquid_lighter");
});

test("two venues: their one pair; one venue: no cross-venue instance", () => {
  assert.deepEqual(
    farmPairs(["aster", "backpack"]).map((f) => [f.name, ...f.venues, ...f.wallets]),
    [["farm_aster_backpack", "aster", "backpack", "emu01", "emu02"]],
  );
  assert.deepEqual(farmPairs(["aster"]), []);
});

test("four venues: a ring of four instances (every pair would be six)", () => {
  const farms = farmPairs(["a", "b", "c", "d"]);
  assert.deepEqual(
    farms.map((f) => f.venues.join("-")),
    ["a-b", "b-c", "c-d", "d-a"],
  );
});
