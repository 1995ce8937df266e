import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SimClock } from "../core/clock.ts";
import type { MarketEvent } from "../core/market.ts";
import { L2Book } from "./book.ts";
import { SyntheticMarket, type SyntheticMarketOptions } from "./synthetic.ts";
import { syntheticInstruments } from "./synthetic-instruments.ts";

const START = Date.UTC(2026, 0, 1);
const instruments = syntheticInstruments(["alpha", "beta"], ["BTC", "ETH", "SOL", "DOGE"]);

function market(extra: Partial<SyntheticMarketOptions> = {}): SyntheticMarket {
  return new SyntheticMarket({ seed: 7, instruments, startMs: START, ...extra });
}

function run(m: SyntheticMarket, steps: number, each?: (events: MarketEvent[]) => void): MarketEvent[] {
  const all: MarketEvent[] = [];
  for (let i = 0; i < steps; i++) {
    const events = m.step();
    each?.(events);
    all.push(...events);
  }
  return all;
}

function correlation(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe("SyntheticMarket", () => {
  it("is deterministic: the same seed gives identical events, another seed different ones", () => {
    const a = run(market(), 1500);
    const b = run(market(), 1500);
    assert.deepEqual(a, b);
    const c = run(market({ seed: 8 }), 1500);
    assert.notDeepEqual(a, c);
  });

  it("an instrument's stream does not depend on which other instruments are simulated", () => {
    const alone = new SyntheticMarket({ seed: 7, instruments: [instruments[0]], startMs: START });
    const key = instruments[0].key;
    const mine = (e: MarketEvent) => `${e.venue}:${e.symbol}` === key;
    assert.deepEqual(run(alone, 500).filter(mine), run(market(), 500).filter(mine));
  });

  it("emits every kind of event, stamped at step times", () => {
    const m = market({ stepMs: 1000 });
    const events = run(m, 600);
    const kinds = new Set(events.map((e) => e.type));
    assert.deepEqual([...kinds].sort(), ["book", "funding", "mark", "trade"]);
    for (const e of events) assert.equal((e.ts - START) % 1000, 0);
    // marks every 3 s, funding every 60 s, per instrument
    assert.equal(events.filter((e) => e.type === "mark").length, 200 * instruments.length);
    assert.equal(events.filter((e) => e.type === "funding").length, 10 * instruments.length);
    assert.equal(m.nextStepAt, START + 600_000);
  });

  it("books stay on each venue's grid, uncrossed, with realistic depth", () => {
    const m = market();
    const books = new Map(instruments.map((i) => [i.key, new L2Book(i)]));
    run(m, 3000, (events) => {
      for (const e of events) {
        if (e.type === "book") books.get(`${e.venue}:${e.symbol}`)!.apply(e); // throws if off grid
        if (e.type === "trade") {
          const book = books.get(`${e.venue}:${e.symbol}`)!;
          const touch = e.side === "buy" ? book.bestAskTicks() : book.bestBidTicks();
          assert.equal(book.priceToTicks(e.price), touch, "trades print at the touch");
        }
      }
      for (const book of books.values()) {
        const spread = book.spreadTicks()!;
        assert.ok(spread >= 1 && spread <= 3, `${book.instrument.key} spread ${spread} ticks`);
      }
    });
    for (const book of books.values()) {
      assert.equal(book.levelCount("bid"), 20);
      assert.equal(book.levelCount("ask"), 20);
      const usd = (side: "bid" | "ask") => book.depth(side, 20).reduce((s, l) => s + l.price * l.size, 0);
      const touchUsd = book.depth("ask", 1)[0].price * book.depth("ask", 1)[0].size;
      const base = book.instrument.spec.base;
      const expectedTouch = { BTC: 250_000, ETH: 150_000, SOL: 50_000, DOGE: 30_000 }[base]!;
      assert.ok(
        touchUsd > expectedTouch * 0.2 && touchUsd < expectedTouch * 1.8,
        `${base} touch $${touchUsd}`,
      );
      // sizes grow away from the touch: 20 levels hold many times the touch
      assert.ok(
        usd("bid") > expectedTouch * 30 && usd("bid") < expectedTouch * 150,
        `${base} depth $${usd("bid")}`,
      );
    }
  });

  it("mids of the same underlying are highly correlated across venues", () => {
    const m = market({ stepMs: 60_000 });
    const a: number[] = [];
    const b: number[] = [];
    let prevA = 0;
    let prevB = 0;
    for (let i = 0; i < 3000; i++) {
      m.step();
      const ma = m.state("alpha:ETH-PERP").mid;
      const mb = m.state("beta:ETH-PERP").mid;
      if (i > 0) {
        a.push(Math.log(ma / prevA));
        b.push(Math.log(mb / prevB));
      }
      prevA = ma;
      prevB = mb;
    }
    const rho = correlation(a, b);
    assert.ok(rho > 0.9, `1-minute return correlation ${rho}`);
    // different underlyings are independent walks
    const btc = market({ stepMs: 60_000 });
    const r1: number[] = [];
    const r2: number[] = [];
    let p1 = btc.indexPrice("BTC");
    let p2 = btc.indexPrice("SOL");
    for (let i = 0; i < 3000; i++) {
      btc.step();
      r1.push(Math.log(btc.indexPrice("BTC") / p1));
      r2.push(Math.log(btc.indexPrice("SOL") / p2));
      p1 = btc.indexPrice("BTC");
      p2 = btc.indexPrice("SOL");
    }
    assert.ok(Math.abs(correlation(r1, r2)) < 0.1);
  });

  it("the basis mean-reverts: bounded, centred on zero, with the configured spread", () => {
    const m = market({ stepMs: 5000, basisStdBps: 3, basisHalfLifeMinutes: 10 });
    const basis: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      m.step();
      const s = m.state("alpha:BTC-PERP");
      basis.push(s.basis);
      assert.ok(Math.abs(s.mid / s.indexPrice - 1 - s.basis) < 1e-12);
    }
    const mean = basis.reduce((x, y) => x + y, 0) / basis.length;
    const std = Math.sqrt(basis.reduce((x, y) => x + (y - mean) ** 2, 0) / basis.length);
    assert.ok(Math.abs(mean) < 1e-4, `mean basis ${mean}`);
    assert.ok(std > 2e-4 && std < 4e-4, `basis std ${std}`);
    assert.ok(Math.max(...basis.map(Math.abs)) < 20e-4, "never more than ~7 std away");
    // reversion: the basis one hour later is nearly uncorrelated with now (half-life 10 min)
    const lag = 720;
    const rho = correlation(basis.slice(0, -lag), basis.slice(lag));
    assert.ok(rho < 0.25, `1-hour autocorrelation ${rho}`);
  });

  it("funding rates mean-revert and flip sign over a long run, within the cap", () => {
    const m = market({ stepMs: 60_000 });
    const byBook = new Map<string, number[]>();
    run(m, 30 * 24 * 60, (events) => {
      for (const e of events) {
        if (e.type !== "funding") continue;
        const key = `${e.venue}:${e.symbol}`;
        if (!byBook.has(key)) byBook.set(key, []);
        byBook.get(key)!.push(e.ratePerHour);
      }
    });
    assert.equal(byBook.size, instruments.length);
    for (const [key, rates] of byBook) {
      let flips = 0;
      for (let i = 1; i < rates.length; i++) if (Math.sign(rates[i]) !== Math.sign(rates[i - 1])) flips++;
      assert.ok(flips >= 2, `${key}: ${flips} sign flips in 30 days`);
      const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
      assert.ok(mean > -2e-5 && mean < 5e-5, `${key}: mean funding ${mean}/h`);
      assert.ok(rates.every((r) => Math.abs(r) <= 0.04));
    }
  });

  it("attach runs steps on the injected clock and stops cleanly", () => {
    const clock = new SimClock(START);
    const m = market({ stepMs: 1000 });
    const seen: MarketEvent[] = [];
    const stop = m.attach(clock, (e) => {
      assert.equal(e.ts, clock.now());
      seen.push(e);
    });
    clock.runUntilSync(START + 9_500);
    assert.equal(new Set(seen.map((e) => e.ts)).size, 10);
    assert.deepEqual(seen, run(market({ stepMs: 1000 }), 10));
    stop();
    assert.equal(clock.pending, 0);
    const before = seen.length;
    clock.runUntilSync(START + 20_000);
    assert.equal(seen.length, before);
  });

  it("reports every bad option at once", () => {
    assert.throws(
      () => market({ stepMs: 0, bookLevels: 1, tradeProbability: 2 }),
      (e: unknown) =>
        e instanceof Error &&
        /stepMs = 0/.test(e.message) &&
        /bookLevels = 1/.test(e.message) &&
        /tradeProbability = 2/.test(e.message),
    );
    assert.throws(() => market({ initialPrices: { BTC: -1 } }), /initialPrices.BTC = -1/);
    assert.throws(
      () => new SyntheticMarket({ seed: 1, instruments: [], startMs: 0 }),
      /instruments must not be empty/,
    );
  });
});
