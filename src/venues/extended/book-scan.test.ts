import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/random.ts";
import { scanBookFrame } from "./book-scan.ts";
import { BOOK_DELTA, BOOK_SNAPSHOT } from "./fixtures/payloads.ts";
import { BookFrameSchema } from "./parse.ts";

const zodOf = (text: string) => BookFrameSchema.parse(JSON.parse(text));

test("the direct reader gives zod's BookFrame for the fixtures and for generated frames", () => {
  for (const f of [BOOK_SNAPSHOT, BOOK_DELTA]) {
    const text = JSON.stringify(f);
    const scanned = scanBookFrame(text);
    assert.ok(scanned !== undefined, text);
    assert.deepEqual(scanned, zodOf(text));
  }
  // levels with the absolute size `c`, negative changes, long decimals, empty sides, keys reordered
  const odd = [
    '{"ts":1701563440100,"type":"DELTA","data":{"m":"BTC-USD","b":[{"p":"25670","q":"-0.1","c":"0"}],"a":[]},"seq":2}',
    '{"seq":9,"data":{"a":[{"p":"25770.123456789012345","q":"0.00001"}],"b":[],"m":"ETH-USD"},"type":"SNAPSHOT","ts":0}',
    '{"ts":5,"type":"DELTA","data":{"m":"BTC-USD","b":[],"a":[]},"seq":3}',
  ];
  for (const text of odd) {
    const scanned = scanBookFrame(text);
    assert.ok(scanned !== undefined, text);
    assert.deepEqual(scanned, zodOf(text));
  }
  const rng = new Rng(7);
  const rnd = () => rng.next();
  for (let i = 0; i < 300; i++) {
    const side = () =>
      Array.from({ length: Math.floor(rnd() * 6) }, () => ({
        p: (60_000 + rnd() * 100).toFixed(1),
        q: ((rnd() - 0.5) * 2).toFixed(5),
      }));
    const text = JSON.stringify({
      ts: i,
      type: "DELTA",
      data: { m: "BTC-USD", b: side(), a: side() },
      seq: i,
    });
    assert.deepEqual(scanBookFrame(text), zodOf(text), text);
  }
});

test("odd frames are left to JSON + zod: whitespace, unknown or repeated keys, numbers for decimals, escapes, non-ASCII, truncation", () => {
  const base = JSON.stringify(BOOK_DELTA);
  const odd = [
    JSON.stringify(BOOK_DELTA, null, 1),
    base.replace('"seq":2', '"seq":2,"extra":1'),
    base.replace('"m":"BTC-USD"', '"m":"BTC-USD","m":"ETH-USD"'),
    base.replace('"p":"25670"', '"p":25670'),
    base.replace('"q":"0.3"', '"q":"3e-1"'),
    base.replace('"q":"0.3"', '"q":"+0.3"'),
    base.replace('"q":"0.3"', '"q":".3"'),
    base.replace('"m":"BTC-USD"', '"m":"BTC\\u002dUSD"'),
    base.replace('"m":"BTC-USD"', '"m":"BTC–USD"'),
    base.replace('"ts":1701563440100', '"ts":1701563440100.0'),
    base.replace('"type":"DELTA"', '"type":"delta"'),
    base.replace('"p":"25660","q":"0.3"', '"q":"0.3","p":"25660"'),
    base.slice(0, -1),
    `${base} `,
    base.replace('"seq":2', '"seq":-2'),
  ];
  for (const text of odd) assert.equal(scanBookFrame(text), undefined, text);
  // the JSON way still reads the ones that are valid, as before
  assert.deepEqual(zodOf(odd[0]), zodOf(base));
  assert.deepEqual(zodOf(odd[11]), zodOf(base));
  assert.equal(zodOf(odd[7]).data.m, "BTC-USD");
  assert.throws(() => zodOf(odd[3]), /expected string/);
});
