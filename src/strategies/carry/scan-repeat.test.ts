import assert from "node:assert/strict";
import { test } from "node:test";
import { emptyBlocks } from "./blocks.ts";
import { carryDefaults } from "./config.ts";
import { ScanRepeat } from "./scan-repeat.ts";

const c = carryDefaults();
const held = { positions: "g1|BTC|simA>simB|1|64/500/500/0/0;", ids: ["g1"], timed: ["0/0/1/0"] };

function readsAt(r: ScanRepeat<string>, now: number) {
  return r.reads(now, c, [], [], 1_000, held, emptyBlocks(), ["closed"], [])!;
}

test("scan repeat: after a scan that ran the optimisation rule, a repeat runs the rule again and needs it to find nothing", () => {
  const r = new ScanRepeat<string>();
  const tallies = [{ below_threshold: 3 }];
  // the optimisation rule as the scan hands it over: finds nothing while `replaceable` is false
  let replaceable = false;
  let runs = 0;
  const rule = () => {
    runs++;
    return !replaceable;
  };
  r.remember(readsAt(r, 0), true, [{}], tallies, ["a"], [], rule);
  const listed: string[][] = [];
  const record = (_ts: number, list: readonly string[]) => listed.push([...list]);
  assert.equal(
    r.repeat(readsAt(r, 15_000), tallies, new Map(), record),
    true,
    "the rule still finds nothing",
  );
  assert.equal(runs, 1, "it ran again");
  assert.deepEqual(tallies, [{ below_threshold: 6 }], "the last scan's counts added again");
  assert.deepEqual(listed, [["a"]]);
  // the held positions' MTM moved (a check ran): the rule now finds one to replace
  replaceable = true;
  assert.equal(r.repeat(readsAt(r, 30_000), tallies, new Map(), record), false, "a full scan is needed");
  assert.deepEqual(tallies, [{ below_threshold: 6 }], "nothing added");
  // a scan that did not run the rule does not ask it
  r.remember(readsAt(r, 30_000), true, [{}], tallies, ["a"], [], undefined);
  assert.equal(r.repeat(readsAt(r, 45_000), tallies, new Map(), record), true);
  assert.equal(runs, 2);
});
