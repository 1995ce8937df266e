import assert from "node:assert/strict";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import fc from "fast-check";
import { WebSocketServer } from "ws";
import { frameOf, readDepthEvent } from "./depth-read.ts";
import { readFrame, ScannedDepth, scanDepthFrame } from "./depth-scan.ts";
import { BackpackPayloadError } from "./parse.ts";
import { BackpackSocket } from "./ws.ts";

// the samples depth-read.test.ts uses: the docs' depth event ("Streams", "Depth": numbers) and
// ccxt's captured one (js/src/pro/backpack.js handleOrderBook's comment: E and T as digit strings)
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

const frame = (data: unknown, stream = "depth.SOL_USDC") => JSON.stringify({ stream, data });

/** what the connector makes of a text without the direct reader: JSON.parse, frameOf, readDepthEvent */
function reference(text: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  const f = frameOf(json);
  if (f === undefined) return "not a frame";
  return { stream: f.stream, depth: depthOf(f.data) };
}

function depthOf(data: unknown): unknown {
  try {
    const d = readDepthEvent(data, "depth event");
    return { E: d.E, U: d.U, u: d.u, bids: d.bids, asks: d.asks };
  } catch (e) {
    assert.ok(e instanceof BackpackPayloadError);
    return e.message;
  }
}

/** the same through readFrame (the socket's path), and whether the direct reader took it */
function ours(text: string): { outcome: unknown; scanned: boolean } {
  const f = readFrame(text);
  if (f === undefined) return { outcome: isJson(text) ? "not a frame" : "not JSON", scanned: false };
  const d = f.data;
  if (!(d instanceof ScannedDepth))
    return { outcome: { stream: f.stream, depth: depthOf(d) }, scanned: false };
  assert.equal(d.symbol, JSON.parse(text).data.s);
  return {
    outcome: { stream: f.stream, depth: { E: d.E, U: d.U, u: d.u, bids: d.bids, asks: d.asks } },
    scanned: true,
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("the direct depth reader", () => {
  test("the docs' and ccxt's samples read as the JSON path reads them, directly", () => {
    for (const [data, stream] of [
      [DOCS, "depth.SOL_USDC"],
      [CCXT, "depth.ETH_USDC"],
    ] as const) {
      const text = frame(data, stream);
      const d = scanDepthFrame(text);
      assert.ok(d !== undefined, stream);
      assert.equal(d.stream, stream);
      assert.equal(d.symbol, data.s);
      assert.deepEqual(ours(text), { outcome: reference(text), scanned: true });
    }
    const d = scanDepthFrame(frame(DOCS));
    assert.deepEqual(d?.bids, [
      { price: 18.67, size: 0.832 },
      { price: 18.68, size: 0 },
    ]);
    assert.deepEqual(
      [d?.E, d?.U, d?.u, d?.asks],
      [1694687965941000, 94978271, 94978271, [{ price: 18.7, size: 0 }]],
    );
  });

  test("data before stream, and the keys in another order, are read too", () => {
    const text = JSON.stringify({
      data: { b: DOCS.b, u: 3, a: [], s: "SOL_USDC", U: 2, E: "7" },
      stream: "depth.SOL_USDC",
    });
    assert.deepEqual(ours(text), { outcome: reference(text), scanned: true });
  });

  test("odd frames go the JSON way, and a bad field still gets depth-read's error naming it", () => {
    const cases: [string, RegExp | string][] = [
      [
        frame({ ...DOCS, b: [["18.67", 0.8]] }),
        /^backpack: depth event did not parse at b\.0\.1: a decimal string$/,
      ],
      [frame({ ...DOCS, a: [["x", "1"]] }), /did not parse at a\.0\.0: a decimal string/],
      [frame({ ...DOCS, U: -1 }), /did not parse at U: expected a non-negative integer/],
      [frame({ ...DOCS, E: "17e5" }), /did not parse at E/],
      [frame({ ...DOCS, s: 5 }), /did not parse at s: expected the symbol/],
      [frame({ ...DOCS, b: undefined }), /did not parse at b: expected an array/],
    ];
    for (const [text, want] of cases) {
      assert.equal(scanDepthFrame(text), undefined, text);
      const r = ours(text);
      assert.equal(r.scanned, false);
      assert.match((r.outcome as { depth: string }).depth, want as RegExp);
      assert.deepEqual(r.outcome, reference(text));
    }
    // not JSON, not a frame, another stream, whitespace, an escape, a repeated key: as before
    for (const text of [
      '{"stream":"depth.SOL_USDC","data":{',
      '{"id":1,"result":null}',
      frame({ ...DOCS }, "trade.SOL_USDC"),
      JSON.stringify({ stream: "depth.SOL_USDC", data: DOCS }, null, 1),
      frame({ ...DOCS, s: 'SOL"USDC' }),
      frame(DOCS).replace('"U":', '"U":1,"U":'),
      frame({ ...DOCS, extra: { n: [1, 2] } }),
    ]) {
      assert.equal(scanDepthFrame(text), undefined, text);
      assert.deepEqual(ours(text).outcome, reference(text), text);
    }
  });
});

// ---------------------------------------------------------------- generated messages

const plainDecimal = fc
  .tuple(fc.nat({ max: 10_000_000 }), fc.option(fc.stringMatching(/^\d{1,8}$/), { nil: undefined }))
  .map(([i, f]) => (f === undefined ? String(i) : `${i}.${f}`));
const oddDecimal = fc.constantFrom(
  "-1.5",
  "1e5",
  "",
  "x",
  "00.10",
  "5.",
  ".5",
  "123456789012.123456789",
  "0.000",
  "-0",
);
const decimal = fc.oneof({ weight: 40, arbitrary: plainDecimal }, { weight: 1, arbitrary: oddDecimal });
const level = fc.oneof(
  { weight: 60, arbitrary: fc.tuple(decimal, decimal) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([0.8, "1"], ["1"], ["1", "2", "3"], null, "1,2") },
);
const side = fc.array(level, { maxLength: 6 });
const int = fc.oneof(
  { weight: 4, arbitrary: fc.nat() },
  { weight: 3, arbitrary: fc.nat().map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 1e15, max: Number.MAX_SAFE_INTEGER }) },
  { weight: 2, arbitrary: fc.integer({ min: 1e15, max: Number.MAX_SAFE_INTEGER }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(-1, 1.5, "17e5", "007", "-3", 2 ** 60, "9007199254740993", null),
  },
);
const symbol = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("SOL_USDC", "BTC_USDC_PERP") },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('A"B', "a\\b", "é", "\n", "\u0001") },
);
const extra = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.constantFrom("x", "n", "id", "E2"), fc.jsonValue({ maxDepth: 2 })),
  },
);
const depthData = fc
  .record(
    { e: fc.constant("depth"), E: int, s: symbol, a: side, b: side, U: int, u: int, T: int },
    { requiredKeys: ["E", "s", "a", "b", "U", "u"] },
  )
  .chain((d) => fc.tuple(fc.shuffledSubarray(Object.entries(d), { minLength: Object.keys(d).length }), extra))
  .map(([entries, more]) => ({ ...Object.fromEntries(entries), ...more }));
const message = fc
  .tuple(
    depthData,
    fc.constantFrom(
      ...["depth.SOL_USDC", "depth.BTC_USDC_PERP"].flatMap((s) => [s, s, s, s]),
      ...["depth.", "trade.SOL_USDC", 'depth.A"B'],
    ),
    fc.boolean(),
    fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 1),
  )
  .map(([data, stream, streamFirst, indent]) =>
    JSON.stringify(streamFirst ? { stream, data } : { data, stream }, null, indent || undefined),
  );

describe("the direct depth reader against the JSON path, on generated frames", () => {
  test("every frame reads the same both ways: the diff, the error, or nothing", () => {
    let scanned = 0;
    fc.assert(
      fc.property(message, (text) => {
        const r = ours(text);
        if (r.scanned) scanned++;
        assert.deepEqual(r.outcome, reference(text));
      }),
      { numRuns: 3000 },
    );
    assert.ok(scanned > 300, `the direct reader took only ${scanned} of 3000`);
  });

  test("a frame in the venue's usual form is always read directly", () => {
    const usual = fc
      .record({
        E: fc.oneof(fc.nat(), fc.nat().map(String)),
        s: fc.constant("SOL_USDC"),
        a: fc.array(fc.tuple(plainDecimal, plainDecimal), { maxLength: 6 }),
        b: fc.array(fc.tuple(plainDecimal, plainDecimal), { maxLength: 6 }),
        U: fc.nat(),
        u: fc.nat(),
      })
      .map((d) => frame({ e: "depth", ...d, T: 5 }));
    fc.assert(
      fc.property(usual, (text) => {
        assert.deepEqual(ours(text), { outcome: reference(text), scanned: true });
      }),
      { numRuns: 1000 },
    );
  });
});

test("the socket hands a depth frame over as the direct reader's diff, other frames as JSON's", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const mark = { stream: "markPrice.SOL_USDC", data: { e: "markPrice", E: 1, s: "SOL_USDC", p: "18.7" } };
  server.on("connection", (c) => {
    c.send(frame(DOCS));
    c.send(JSON.stringify(mark));
  });
  const got: [string, unknown][] = [];
  const socket = new BackpackSocket(`ws://127.0.0.1:${port}`, {
    onFrame: (stream, data) => got.push([stream, data]),
    onUp: () => undefined,
    onDown: () => undefined,
  });
  try {
    await socket.connect();
    for (let i = 0; i < 200 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got.length, 2);
    assert.ok(got[0][1] instanceof ScannedDepth);
    assert.equal(got[0][0], "depth.SOL_USDC");
    assert.deepEqual((got[0][1] as ScannedDepth).bids, readDepthEvent(DOCS, "x").bids);
    assert.deepEqual(got[1], [mark.stream, mark.data]);
  } finally {
    await socket.close();
    server.close();
  }
});
