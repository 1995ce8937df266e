import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidValueError } from "../core/errors.ts";
import { Instrument } from "../core/instrument.ts";
import type { BookUpdate } from "../core/market.ts";
import { L2Book } from "./book.ts";

function instrument(tickSize = "0.1", symbol = "BTCUSDT"): Instrument {
  return new Instrument({
    venue: "test",
    symbol,
    base: "BTC",
    quote: "USDT",
    tickSize,
    lotSize: "0.001",
    minNotionalUsd: 5,
    maxLeverage: 50,
    marginTiers: [],
    fundingIntervalHours: 8,
    makerFeeBps: 1,
    takerFeeBps: 4,
  });
}

function diff(bids: [number, number][], asks: [number, number][], ts = 1, snapshot = false): BookUpdate {
  return {
    type: "book",
    venue: "test",
    symbol: "BTCUSDT",
    ts,
    snapshot,
    bids: bids.map(([price, size]) => ({ price, size })),
    asks: asks.map(([price, size]) => ({ price, size })),
  };
}

function levels(book: L2Book, side: "bid" | "ask"): [number, number][] {
  const out: [number, number][] = [];
  book.walk(side, (t, s) => {
    out.push([t, s]);
    return true;
  });
  return out;
}

describe("L2Book", () => {
  it("applies a snapshot then diffs, converting prices to ticks", () => {
    const book = new L2Book(instrument());
    book.apply(
      diff(
        [
          [61800.2, 2.5],
          [61800.0, 1],
        ],
        [
          [61800.3, 3.33],
          [61804.6, 0.057],
        ],
        10,
        true,
      ),
    );
    assert.equal(book.bestBidTicks(), 618002);
    assert.equal(book.bestAskTicks(), 618003);
    assert.equal(book.spreadTicks(), 1);
    assert.equal(book.mid(), 61800.25);
    assert.equal(book.lastUpdateTs, 10);
    book.apply(diff([[61800.2, 0]], [[61800.3, 1.5]], 11));
    assert.equal(book.bestBidTicks(), 618000);
    assert.equal(book.sizeAt("ask", 618003), 1.5);
    assert.equal(book.sizeAt("bid", 618002), 0);
    assert.deepEqual(book.depth("ask", 5), [
      { price: 61800.3, size: 1.5 },
      { price: 61804.6, size: 0.057 },
    ]);
    assert.equal(book.lastUpdateTs, 11);
  });

  it("a snapshot replaces every level", () => {
    const book = new L2Book(instrument());
    book.apply(diff([[100, 1]], [[101, 1]], 1, true));
    book.apply(diff([[200, 2]], [[201, 2]], 2, true));
    assert.deepEqual(levels(book, "bid"), [[2000, 2]]);
    assert.deepEqual(levels(book, "ask"), [[2010, 2]]);
  });

  it("walks from the touch outward and stops when the visitor says so", () => {
    const book = new L2Book(instrument("1"));
    for (const p of [95, 97, 99]) book.setLevel("bid", p, p / 10);
    for (const p of [104, 101, 102]) book.setLevel("ask", p, 1);
    assert.deepEqual(
      levels(book, "bid").map(([t]) => t),
      [99, 97, 95],
    );
    assert.deepEqual(
      levels(book, "ask").map(([t]) => t),
      [101, 102, 104],
    );
    const seen: number[] = [];
    book.walk("ask", (t) => {
      seen.push(t);
      return seen.length < 2;
    });
    assert.deepEqual(seen, [101, 102]);
    assert.equal(book.sizeWithin("bid", 2), 9.9 + 9.7);
  });

  it("keeps far-away levels (outside the window) and walks them after the near ones", () => {
    const book = new L2Book(instrument("0.01"), { initialWindowTicks: 64, maxWindowTicks: 1024 });
    book.apply(diff([[2681.62, 1]], [[2681.63, 2]]));
    book.apply(diff([[200.0, 10.229]], [[9000.0, 5]]));
    assert.equal(book.bestBidTicks(), 268162);
    assert.equal(book.bestAskTicks(), 268163);
    assert.deepEqual(levels(book, "bid"), [
      [268162, 1],
      [20000, 10.229],
    ]);
    assert.deepEqual(levels(book, "ask"), [
      [268163, 2],
      [900000, 5],
    ]);
    // Removing the touch leaves only the far level, which becomes the best.
    book.apply(diff([[2681.62, 0]], []));
    assert.equal(book.bestBidTicks(), 20000);
    assert.equal(book.sizeAt("bid", 20000), 10.229);
    assert.equal(book.levelCount("bid"), 1);
  });

  it("follows a price that drifts far from where it started (re-centring)", () => {
    const book = new L2Book(instrument("1"), { initialWindowTicks: 16, maxWindowTicks: 256 });
    for (let mid = 1000; mid < 5000; mid += 7) {
      book.setLevel("bid", mid - 1, 1);
      book.setLevel("ask", mid + 1, 1);
      book.setLevel("bid", mid - 8, 0);
      book.setLevel("ask", mid - 6, 0);
      assert.equal(book.bestBidTicks(), mid - 1);
      assert.equal(book.bestAskTicks(), mid + 1);
    }
  });

  it("refuses off-grid prices, negative sizes and foreign updates with a clear message", () => {
    const book = new L2Book(instrument("0.1"));
    assert.throws(
      () => book.apply(diff([[61800.25, 1]], [])),
      (e: unknown) =>
        e instanceof InvalidValueError && /test:BTCUSDT.*61800\.25.*tick grid 0\.1/.test(e.message),
    );
    assert.throws(() => book.apply(diff([[61800.2, -1]], [])), /size -1 at price 61800.2/);
    assert.throws(() => book.apply({ ...diff([], []), symbol: "ETHUSDT" }), /update for test:ETHUSDT/);
    assert.throws(() => book.setLevel("bid", 1.5, 1), /ticks 1.5/);
    assert.throws(() => book.setLevel("ask", 10, Number.NaN), /size NaN/);
    assert.throws(() => book.apply(diff([[0, 1]], [])), /price 0/);
  });

  it("accepts float noise of on-grid prices", () => {
    const book = new L2Book(instrument("0.01"));
    book.apply(diff([[0.1 + 0.2, 1]], [[61837.64, 1]]));
    assert.equal(book.bestBidTicks(), 30);
    assert.equal(book.bestAskTicks(), 6183764);
  });

  it("clear empties both sides", () => {
    const book = new L2Book(instrument("1"));
    book.setLevel("bid", 10, 1);
    book.setLevel("ask", 100000, 1);
    book.clear();
    assert.equal(book.bestBidTicks(), undefined);
    assert.equal(book.bestAskTicks(), undefined);
    assert.equal(book.mid(), undefined);
    assert.deepEqual(levels(book, "ask"), []);
    book.setLevel("bid", 12, 2);
    assert.deepEqual(levels(book, "bid"), [[12, 2]]);
  });

  it("version changes with every apply, setLevel and clear, and only with them", () => {
    const book = new L2Book(instrument());
    const seen = [book.version];
    book.apply(diff([[100, 1]], [[100.5, 1]], 1, true));
    seen.push(book.version);
    book.setLevel("bid", 999, 2);
    seen.push(book.version);
    book.walk("bid", () => true);
    book.sizeAt("bid", 999);
    assert.equal(book.version, seen.at(-1), "reads change nothing");
    book.clear();
    seen.push(book.version);
    assert.equal(new Set(seen).size, seen.length, `every change moved it: ${seen.join(", ")}`);
  });
});

/** Reference model: a Map per side, best found by scanning. Slow and obviously right. */
class MapBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  set(side: "bid" | "ask", ticks: number, size: number): void {
    const m = side === "bid" ? this.bids : this.asks;
    if (size === 0) m.delete(ticks);
    else m.set(ticks, size);
  }
  sorted(side: "bid" | "ask"): [number, number][] {
    const m = side === "bid" ? this.bids : this.asks;
    return [...m.entries()].sort((a, b) => (side === "bid" ? b[0] - a[0] : a[0] - b[0]));
  }
}

describe("L2Book property: matches a Map-based reference book", () => {
  it("same best prices and same levels after any update sequence", () => {
    const op = fc.record({
      side: fc.constantFrom("bid" as const, "ask" as const),
      // mostly near a drifting centre, sometimes far away, to exercise growth and overflow
      offset: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: -40, max: 40 }) },
        { weight: 1, arbitrary: fc.integer({ min: -5000, max: 5000 }) },
      ),
      drift: fc.integer({ min: -30, max: 30 }),
      size: fc.oneof(
        { weight: 2, arbitrary: fc.constant(0) },
        { weight: 3, arbitrary: fc.double({ min: 0.001, max: 50, noNaN: true }) },
      ),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.integer({ min: 16, max: 128 }), (ops, win) => {
        const book = new L2Book(instrument("1"), { initialWindowTicks: win, maxWindowTicks: win * 8 });
        const ref = new MapBook();
        let centre = 20000;
        for (const o of ops) {
          centre = Math.max(6000, centre + o.drift);
          const ticks = centre + o.offset;
          book.setLevel(o.side, ticks, o.size);
          ref.set(o.side, ticks, o.size);
          assert.equal(book.bestBidTicks(), ref.sorted("bid")[0]?.[0]);
          assert.equal(book.bestAskTicks(), ref.sorted("ask")[0]?.[0]);
        }
        assert.deepEqual(levels(book, "bid"), ref.sorted("bid"));
        assert.deepEqual(levels(book, "ask"), ref.sorted("ask"));
        for (const [t, s] of ref.sorted("bid")) assert.equal(book.sizeAt("bid", t), s);
        assert.equal(book.levelCount("ask"), ref.asks.size);
      }),
      { numRuns: 300 },
    );
  });

  it("snapshots interleaved with diffs match the reference", () => {
    const level = fc.tuple(fc.integer({ min: 900, max: 1100 }), fc.double({ min: 0, max: 9, noNaN: true }));
    const update = fc.record({
      snapshot: fc.boolean(),
      bids: fc.array(level, { maxLength: 12 }),
      asks: fc.array(level, { maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.array(update, { maxLength: 40 }), (updates) => {
        const book = new L2Book(instrument("0.5"), { initialWindowTicks: 16, maxWindowTicks: 64 });
        const ref = new MapBook();
        updates.forEach((u, i) => {
          book.apply(
            diff(
              u.bids.map(([t, s]) => [t * 0.5, s]),
              u.asks.map(([t, s]) => [t * 0.5, s]),
              i,
              u.snapshot,
            ),
          );
          if (u.snapshot) {
            ref.bids.clear();
            ref.asks.clear();
          }
          for (const [t, s] of u.bids) ref.set("bid", t, s);
          for (const [t, s] of u.asks) ref.set("ask", t, s);
        });
        assert.deepEqual(levels(book, "bid"), ref.sorted("bid"));
        assert.deepEqual(levels(book, "ask"), ref.sorted("ask"));
      }),
      { numRuns: 200 },
    );
  });
});

describe("L2Book.pack: levels converted once, applied the same", () => {
  it("a packed update sequence builds the same book as the plain one, level for level", () => {
    const level = fc.tuple(fc.integer({ min: 900, max: 1300 }), fc.double({ min: 0, max: 9, noNaN: true }));
    const update = fc.record({
      snapshot: fc.boolean(),
      bids: fc.array(level, { maxLength: 8 }),
      asks: fc.array(level, { maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.array(update, { maxLength: 40 }), (updates) => {
        const inst = instrument("0.5");
        const events = updates.map((u, i) =>
          diff(
            u.bids.map(([t, s]) => [t * 0.5, s]),
            u.asks.map(([t, s]) => [t * 0.5, s]),
            i,
            u.snapshot,
          ),
        );
        const packed = new L2Book(inst).pack(events);
        assert.equal(packed.length, events.length);
        const plain = new L2Book(inst, { initialWindowTicks: 16, maxWindowTicks: 64 });
        const fast = new L2Book(inst, { initialWindowTicks: 16, maxWindowTicks: 64 });
        for (let i = 0; i < events.length; i++) {
          assert.ok(packed[i].packed !== undefined);
          plain.apply(events[i]);
          fast.apply(packed[i]);
          assert.equal(fast.bestBidTicks(), plain.bestBidTicks());
          assert.equal(fast.bestAskTicks(), plain.bestAskTicks());
          assert.equal(fast.lastUpdateTs, plain.lastUpdateTs);
        }
        assert.deepEqual(levels(fast, "bid"), levels(plain, "bid"));
        assert.deepEqual(levels(fast, "ask"), levels(plain, "ask"));
      }),
      { numRuns: 200 },
    );
  });

  it("leaves other events and other instruments alone; a book on another grid ignores the packed levels", () => {
    const btc = instrument("0.5");
    const trade = {
      type: "trade",
      venue: "test",
      symbol: "BTCUSDT",
      ts: 1,
      price: 1,
      size: 1,
      side: "buy",
    } as const;
    const other = { ...diff([[100, 1]], []), symbol: "ETHUSDT" };
    const [t, o, b] = new L2Book(btc).pack([trade, other, diff([[100.5, 2]], [[101, 3]])]);
    assert.equal(t, trade);
    assert.equal(o, other);
    assert.ok(b.type === "book" && b.packed !== undefined);
    // a book on a 0.1 grid converts the prices itself: 100.5 is 1005 of its ticks, not 201
    const fine = new L2Book(instrument("0.1"));
    fine.apply(b);
    assert.deepEqual(levels(fine, "bid"), [[1005, 2]]);
    assert.deepEqual(levels(fine, "ask"), [[1010, 3]]);
  });

  it("a bad level is refused when packing, with the message apply gives", () => {
    const book = new L2Book(instrument("0.5"));
    assert.throws(() => book.pack([diff([[100.25, 1]], [])]), /price 100.25 is not on the tick grid 0.5/);
    assert.throws(
      () => book.pack([diff([], [[101, -1]], 7)]),
      /ask size -1 at price 101 \(ts 7\) must be >= 0/,
    );
  });
});
