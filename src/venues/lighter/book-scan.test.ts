import assert from "node:assert/strict";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import fc from "fast-check";
import { WebSocketServer } from "ws";
import type { BookUpdate } from "../../core/market.ts";
import { readMessage, ScannedBookMessage, scanBookMessage } from "./book-scan.ts";
import { BookSync } from "./book-sync.ts";
import { instrumentOf } from "./capabilities.ts";
import { ORDER_BOOK_DETAILS } from "./fixtures/payloads.ts";
import { MarketDetailsSchema, parseAs } from "./parse.ts";
import { LighterSocket } from "./ws.ts";

const [eth] = parseAs(MarketDetailsSchema, ORDER_BOOK_DETAILS, "x").order_book_details;
const inst = instrumentOf("lighter", eth);

// parse.ts's sample (ccxt pro lighter.js handleOrderBook's), snapshot then an update continuing its nonce
const SNAPSHOT = {
  type: "subscribed/order_book",
  channel: "order_book:0",
  offset: 41692864,
  order_book: {
    code: 0,
    asks: [{ price: "3327.46", size: "29.0915" }],
    bids: [{ price: "3327.45", size: "1.5" }],
    offset: 41692864,
    nonce: 3107818665,
    begin_nonce: 3107818600,
  },
  timestamp: 1764000000000,
};
const UPDATE = {
  ...SNAPSHOT,
  type: "update/order_book",
  offset: 41692865,
  order_book: {
    code: 0,
    asks: [{ price: "3327.46", size: "0" }],
    bids: [],
    offset: 41692865,
    nonce: 3107818670,
    begin_nonce: 3107818665,
  },
  timestamp: 1764000000100,
};

/**
 * A chain of texts fed to a book two ways, JSON.parse (the socket's path before the direct
 * reader) and readMessage (the socket's path now): what each message did (applied, dropped,
 * refused with which error), what the router reads (type, channel), and the books' end state.
 */
function run(texts: readonly string[], read: (t: string) => unknown) {
  const emitted: BookUpdate[] = [];
  let resyncs = 0;
  const b = new BookSync(
    inst,
    "lighter",
    (u) => emitted.push(u),
    () => resyncs++,
  );
  const outcomes = texts.map((t) => {
    let m: unknown;
    try {
      m = read(t);
    } catch {
      return "not JSON";
    }
    if (m === null || typeof m !== "object" || Array.isArray(m)) return "not an object";
    const r = m as Record<string, unknown>;
    const route = [r.type, r.channel];
    if (r.type !== "subscribed/order_book" && r.type !== "update/order_book") return { route };
    try {
      b.onMessage(m, 5);
      return { route, applied: emitted.length };
    } catch (e) {
      return { route, error: (e as Error).message };
    }
  });
  return { outcomes, emitted, resyncs, gaps: b.gaps, inSync: b.inSync, bid: b.book.bestBidTicks() };
}

const viaJson = (texts: readonly string[]) => run(texts, (t) => JSON.parse(t));
const viaSocket = (texts: readonly string[]) =>
  run(texts, (t) => {
    const m = readMessage(t);
    if (m === undefined) throw new Error("not JSON");
    return m;
  });

describe("the direct order-book reader", () => {
  test("the published sample and its update read directly, as the JSON path reads them", () => {
    const texts = [JSON.stringify(SNAPSHOT), JSON.stringify(UPDATE)];
    for (const t of texts) assert.ok(scanBookMessage(t) instanceof ScannedBookMessage, t);
    const s = scanBookMessage(texts[0]);
    assert.deepEqual(
      [s?.type, s?.channel, s?.offset, s?.timestamp, s?.order_book, s?.levels],
      [
        "subscribed/order_book",
        "order_book:0",
        41692864,
        1764000000000,
        { nonce: 3107818665, begin_nonce: 3107818600 },
        { bids: [{ price: 3327.45, size: 1.5 }], asks: [{ price: 3327.46, size: 29.0915 }] },
      ],
    );
    const ours = viaSocket(texts);
    assert.deepEqual(ours, viaJson(texts));
    assert.equal(ours.emitted.length, 2);
  });

  test("odd messages go the JSON way; a bad field still gets the schema's error naming it", () => {
    const bad = { ...UPDATE, order_book: { ...UPDATE.order_book, bids: [{ price: "3001.00", size: 2 }] } };
    const texts = [JSON.stringify(SNAPSHOT), JSON.stringify(bad)];
    assert.equal(scanBookMessage(texts[1]), undefined);
    const ours = viaSocket(texts);
    assert.match(
      (ours.outcomes[1] as { error: string }).error,
      /lighter order book of ETH: the payload does not parse: order_book\.bids\.0\.size: /,
    );
    assert.deepEqual(ours, viaJson(texts));
    for (const odd of [
      JSON.stringify(SNAPSHOT, null, 1),
      JSON.stringify({ ...SNAPSHOT, extra: [1] }),
      JSON.stringify({ ...SNAPSHOT, channel: 'order_book:"0' }),
      JSON.stringify({ ...SNAPSHOT, type: "update/trade" }),
      JSON.stringify(SNAPSHOT).replace('"offset":41692864,', '"offset":1,"offset":41692864,'),
      JSON.stringify(SNAPSHOT).slice(0, -1),
      JSON.stringify({ ...SNAPSHOT, timestamp: 1.5 }),
    ]) {
      assert.equal(scanBookMessage(odd), undefined, odd);
      assert.deepEqual(viaSocket([odd]), viaJson([odd]), odd);
    }
  });
});

// ---------------------------------------------------------------- generated messages

const price = fc
  .tuple(fc.integer({ min: 1, max: 9999 }), fc.constantFrom("", ".5", ".05", ".10", ".123", ".00"))
  .map(([i, f]) => `${i}${f}`);
const size = fc
  .tuple(fc.nat({ max: 500 }), fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }))
  .map(([i, f]) => (f === undefined ? String(i) : `${i}.${f}`));
const oddDecimal = fc.constantFrom<unknown>("-1", "1e2", "", "x", "007.50", 2, null, "12345678901234567.5");
const level = fc.oneof(
  { weight: 120, arbitrary: fc.record({ price, size }) },
  { weight: 1, arbitrary: fc.record({ price: oddDecimal, size }) },
  { weight: 1, arbitrary: fc.record({ price, size: oddDecimal }) },
  { weight: 1, arbitrary: fc.tuple(price, size).map(([p, s]) => ({ size: s, price: p })) },
  { weight: 1, arbitrary: fc.record({ price, size, n: fc.nat() }) },
);
const side = fc.array(level, { maxLength: 6 });
const int = fc.oneof(
  { weight: 20, arbitrary: fc.nat({ max: 40 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1e15, max: Number.MAX_SAFE_INTEGER }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 1.5, "7", 2 ** 60, null) },
);
const extra = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("x", "id", "ts"), fc.jsonValue({ maxDepth: 2 })) },
);
const shuffled = <T extends object>(a: fc.Arbitrary<T>) =>
  fc.tuple(a, extra).chain(([o, more]) =>
    fc
      .shuffledSubarray(Object.entries({ ...o, ...more }), {
        minLength: Object.keys({ ...o, ...more }).length,
      })
      .map(Object.fromEntries),
  );
const book = shuffled(
  fc.record(
    { code: fc.constant(0), asks: side, bids: side, offset: int, nonce: int, begin_nonce: int },
    { requiredKeys: ["asks", "bids"] },
  ),
);
const message = shuffled(
  fc.record(
    {
      type: fc.constantFrom(
        ...["subscribed/order_book", "update/order_book"].flatMap((t) => [t, t, t, t, t]),
        "update/trade",
        "subscribed/order_book ",
      ),
      channel: fc.constantFrom(
        "order_book:0",
        "order_book:0",
        "order_book:0",
        'order_book:"0',
        "order_book:é",
      ),
      offset: int,
      order_book: book,
      timestamp: int,
    },
    { requiredKeys: ["type", "channel", "offset", "order_book"] },
  ),
).chain((m) =>
  fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 1).map((indent) => JSON.stringify(m, null, indent || undefined)),
);

describe("the direct order-book reader against the JSON path, on generated messages", () => {
  test("every chain of messages does the same both ways: updates, errors, gaps, resyncs, the book", () => {
    let scanned = 0;
    let applied = 0;
    let all = 0;
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), (texts) => {
        all += texts.length;
        for (const t of texts) if (scanBookMessage(t) !== undefined) scanned++;
        const ours = viaSocket(texts);
        applied += ours.emitted.length;
        assert.deepEqual(ours, viaJson(texts));
      }),
      { numRuns: 1000 },
    );
    assert.ok(scanned > all / 5, `the direct reader took only ${scanned} of ${all} messages`);
    assert.ok(applied > 100, `only ${applied} updates were applied`);
  });
});

test("the socket hands an order-book message over as the direct reader's, other messages as JSON's", async () => {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const stats = { type: "update/market_stats", channel: "market_stats:0", market_stats: { market_id: 0 } };
  server.on("connection", (c) => {
    c.send(JSON.stringify(SNAPSHOT));
    c.send(JSON.stringify(stats));
  });
  const got: Record<string, unknown>[] = [];
  const socket = new LighterSocket(`ws://127.0.0.1:${port}`, {
    onMessage: (m) => got.push(m),
    onUp: () => undefined,
    onDown: () => undefined,
  });
  try {
    await socket.connect();
    for (let i = 0; i < 200 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got.length, 2);
    assert.ok(got[0] instanceof ScannedBookMessage);
    assert.deepEqual(
      viaJson([JSON.stringify(SNAPSHOT)]),
      run([""], () => got[0]),
    );
    assert.deepEqual(got[1], stats);
  } finally {
    await socket.close();
    server.close();
  }
});
