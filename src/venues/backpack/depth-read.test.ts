import assert from "node:assert/strict";
import { test } from "node:test";
import { frameOf, readDepthEvent } from "./depth-read.ts";
import { BackpackPayloadError, DepthEventSchema } from "./parse.ts";

// the docs' depth event ("Streams", "Depth": numbers) and ccxt's captured one (js/src/pro/backpack.js
// handleOrderBook's comment: E and T as digit strings)
const DOCS = {
  e: "depth",
  E: 1694687965941000,
  s: "SOL_USDC",
  a: [["18.70", "0.000"]],
  b: [
    ["18.67", "0.832"],
    ["18.68", "0.000"],
  ],
  U: 94978271,
  u: 94978271,
  T: 1694687965940999,
};
const CCXT = {
  E: "1754903057555305",
  T: "1754903057554352",
  U: 1345937436,
  a: [],
  b: [],
  e: "depth",
  s: "ETH_USDC",
  u: 1345937436,
};

test("the docs' depth event reads as the schema describes it, levels as numbers", () => {
  const d = readDepthEvent(DOCS, "depth event");
  const z = DepthEventSchema.parse(DOCS);
  assert.deepEqual([d.E, d.U, d.u], [z.E, z.U, z.u]);
  assert.deepEqual(d.asks, [{ price: 18.7, size: 0 }]);
  assert.deepEqual(d.bids, [
    { price: 18.67, size: 0.832 },
    { price: 18.68, size: 0 },
  ]);
});

test("times and sequence numbers as digit strings (ccxt's captured sample) read as numbers", () => {
  const d = readDepthEvent(CCXT, "depth event");
  assert.deepEqual([d.E, d.U, d.u, d.bids, d.asks], [1754903057555305, 1345937436, 1345937436, [], []]);
});

test("a bad field is a BackpackPayloadError naming what was read and the field's path", () => {
  const bad = (data: unknown, re: RegExp) =>
    assert.throws(
      () => readDepthEvent(data, "depth event of SOL_USDC"),
      (e: unknown) => e instanceof BackpackPayloadError && re.test(e.message),
    );
  bad(
    { ...DOCS, b: [["18.67", 0.8]] },
    /^backpack: depth event of SOL_USDC did not parse at b\.0\.1: a decimal string$/,
  );
  bad({ ...DOCS, a: [["x", "1"]] }, /did not parse at a\.0\.0: a decimal string/);
  bad({ ...DOCS, a: [["1"]] }, /did not parse at a\.0: expected \[price, size\]/);
  bad({ ...DOCS, U: -1 }, /did not parse at U: expected a non-negative integer \(or its digits\), got -1/);
  bad({ ...DOCS, E: "17e5" }, /did not parse at E/);
  bad({ ...DOCS, b: undefined }, /did not parse at b: expected an array/);
  bad({ ...DOCS, s: 5 }, /did not parse at s: expected the symbol/);
  bad([], /did not parse at \(root\): expected an object/);
});

test("frames: stream and data, anything else is not a frame", () => {
  assert.deepEqual(frameOf({ stream: "depth.SOL_USDC", data: DOCS }), {
    stream: "depth.SOL_USDC",
    data: DOCS,
  });
  for (const x of [null, [], { id: 1, result: null }, { stream: 5, data: {} }, { stream: "s", data: [] }])
    assert.equal(frameOf(x), undefined);
});
