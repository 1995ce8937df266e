import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { usd } from "../../core/money.ts";
import type { Fill, Side, TimeInForce } from "../../core/types.ts";
import { feedBook, flush, harness, T0 } from "../../testing/sim.ts";

const ACCOUNTS = ["a0", "a1", "a2"] as const;
const SYMBOLS = ["BTC", "SOL", "DOGE"] as const;
const START = { BTC: 60_000, SOL: 150, DOGE: 0.15 } as const;

type Op =
  | {
      kind: "order";
      account: number;
      symbol: number;
      side: Side;
      tif: TimeInForce;
      market: boolean;
      reduceOnly: boolean;
      offsetTicks: number;
      notionalUsd: number;
    }
  | { kind: "mark"; symbol: number; move: number }
  | { kind: "trade"; symbol: number; side: Side; size: number; away: number }
  | { kind: "rate"; symbol: number; ratePerHour: number }
  | { kind: "advance"; minutes: number }
  | { kind: "leverage"; account: number; symbol: number; leverage: number; isolated: boolean }
  | { kind: "cancelAll"; account: number };

// integers scaled down: fast-check doubles crowd near zero, which would hide big market moves
const idx = (n: number) => fc.integer({ min: 0, max: n - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      account: idx(3),
      symbol: idx(3),
      side: fc.constantFrom<Side>("buy", "sell"),
      tif: fc.constantFrom<TimeInForce>("gtc", "ioc", "post_only"),
      market: fc.boolean(),
      reduceOnly: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
      offsetTicks: fc.integer({ min: -30, max: 30 }),
      notionalUsd: fc.integer({ min: 5, max: 150_000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("mark" as const),
      symbol: idx(3),
      move: fc.integer({ min: -350, max: 350 }).map((x) => x / 1000),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("trade" as const),
      symbol: idx(3),
      side: fc.constantFrom<Side>("buy", "sell"),
      size: fc.integer({ min: 0, max: 200 }).map((x) => x / 100),
      away: fc.integer({ min: -100, max: 100 }).map((x) => x / 10_000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("rate" as const),
      symbol: idx(3),
      ratePerHour: fc.integer({ min: -1000, max: 1000 }).map((x) => x / 100_000),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      minutes: fc.integer({ min: 1, max: 300 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("leverage" as const),
      account: idx(3),
      symbol: idx(3),
      leverage: fc.integer({ min: 1, max: 20 }),
      isolated: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancelAll" as const), account: idx(3) }) },
);

/** What the random runs exercised, so a property that silently tests nothing fails. */
const seen = { fills: 0, liquidations: 0, funding: 0, rejects: 0, makerFills: 0 };

const OPS = fc.array(opArb, { minLength: 10, maxLength: 80, size: "max" });

interface Observed {
  fills: Fill[];
  reduceOnly: Set<string>;
  limits: Map<string, { side: Side; priceTicks: number }>;
}

/** Run a random sequence; after every step Σ cash + sinks − deposits must be exactly 0. */
async function run(ops: readonly Op[]): Promise<Observed> {
  const { venue, clock, events } = harness();
  const marks = new Map<string, number>(Object.entries(START));
  const reduceOnly = new Set<string>();
  const limits = new Map<string, { side: Side; priceTicks: number }>();
  for (const a of ACCOUNTS) venue.deposit(a, usd(20_000));
  for (const s of SYMBOLS) {
    venue.feed({ type: "funding", venue: "simA", symbol: s, ts: clock.now(), ratePerHour: 0.0001 });
  }
  const refresh = (symbol: string) => {
    const inst = venue.instrument(symbol);
    const mark = marks.get(symbol)!;
    venue.feed({ type: "mark", venue: "simA", symbol, ts: clock.now(), markPrice: mark, oraclePrice: mark });
    const bid = inst.roundPrice(mark, "buy", "down");
    feedBook(venue, inst, bid, 40_000 / mark, 8, bid + 1, clock.now());
  };
  for (const s of SYMBOLS) refresh(s);
  let n = 0;
  for (const op of ops) {
    const ignore = () => {};
    switch (op.kind) {
      case "order": {
        const symbol = SYMBOLS[op.symbol];
        const inst = venue.instrument(symbol);
        const mark = marks.get(symbol)!;
        const priceTicks = Math.max(1, inst.roundPrice(mark, op.side, "nearest") + op.offsetTicks);
        const sizeLots = Math.max(1, inst.roundSize(op.notionalUsd / mark, "down"));
        const clientOrderId = `o${n++}`;
        if (op.reduceOnly) reduceOnly.add(clientOrderId);
        limits.set(clientOrderId, { side: op.side, priceTicks });
        await venue
          .submit({
            clientOrderId,
            account: ACCOUNTS[op.account],
            symbol,
            side: op.side,
            type: op.market ? "market" : "limit",
            priceTicks,
            sizeLots,
            tif: op.tif,
            reduceOnly: op.reduceOnly,
          })
          .catch(ignore);
        break;
      }
      case "mark": {
        const symbol = SYMBOLS[op.symbol];
        marks.set(symbol, marks.get(symbol)! * (1 + op.move));
        refresh(symbol);
        break;
      }
      case "trade": {
        const symbol = SYMBOLS[op.symbol];
        const inst = venue.instrument(symbol);
        const price = inst.priceValue(
          inst.roundPrice(marks.get(symbol)! * (1 + op.away), op.side, "nearest"),
        );
        venue.feed({
          type: "trade",
          venue: "simA",
          symbol,
          ts: clock.now(),
          price,
          size: (op.size * 40_000) / marks.get(symbol)!,
          side: op.side,
        });
        break;
      }
      case "rate":
        venue.feed({
          type: "funding",
          venue: "simA",
          symbol: SYMBOLS[op.symbol],
          ts: clock.now(),
          ratePerHour: op.ratePerHour,
        });
        break;
      case "advance":
        await clock.runUntil(clock.now() + op.minutes * 60_000);
        break;
      case "leverage":
        await venue
          .setLeverage(
            ACCOUNTS[op.account],
            SYMBOLS[op.symbol],
            op.leverage,
            op.isolated ? "isolated" : "cross",
          )
          .catch(ignore);
        break;
      case "cancelAll":
        for (const o of await venue.openOrders(ACCOUNTS[op.account])) {
          await venue.cancel(o.account, o.symbol, o.clientOrderId);
        }
        break;
    }
    assert.equal(venue.conservationResidual(), 0n, `after ${JSON.stringify(op)}`);
  }
  await flush();
  // every order and position the venue reports sits on the grid
  for (const a of ACCOUNTS) {
    for (const o of await venue.openOrders(a)) {
      for (const v of [o.priceTicks, o.sizeLots, o.sizeLots - o.filledLots])
        assert.ok(Number.isSafeInteger(v) && v > 0);
    }
    for (const p of await venue.positions(a)) assert.ok(Number.isSafeInteger(p.sizeLots) && p.sizeLots !== 0);
  }
  assert.ok(clock.now() >= T0);
  for (const e of events) {
    if (e.type === "fill") seen.fills++;
    if (e.type === "fill" && e.fill.liquidity === "maker") seen.makerFills++;
    if (e.type === "liquidation") seen.liquidations++;
    if (e.type === "funding") seen.funding++;
    if (e.type === "reject") seen.rejects++;
  }
  venue.close();
  return { fills: events.flatMap((e) => (e.type === "fill" ? [e.fill] : [])), reduceOnly, limits };
}

test("property: money is conserved and every fill is on the grid and within its limit", async () => {
  await fc.assert(
    fc.asyncProperty(OPS, async (ops) => {
      const { fills, limits } = await run(ops);
      for (const f of fills) {
        assert.ok(Number.isSafeInteger(f.priceTicks) && f.priceTicks > 0, `fill price ${f.priceTicks}`);
        assert.ok(Number.isSafeInteger(f.sizeLots) && f.sizeLots > 0, `fill size ${f.sizeLots}`);
        const limit = limits.get(f.clientOrderId);
        if (limit !== undefined && f.liquidity !== "liquidation") {
          assert.ok(
            limit.side === "buy" ? f.priceTicks <= limit.priceTicks : f.priceTicks >= limit.priceTicks,
          );
        }
      }
    }),
    { numRuns: 60 },
  );
  for (const [k, v] of Object.entries(seen)) assert.ok(v > 0, `the random runs produced no ${k}`);
});

test("property: a reduce-only fill never increases or flips a position", async () => {
  await fc.assert(
    fc.asyncProperty(OPS, async (ops) => {
      const { fills, reduceOnly } = await run(ops);
      const held = new Map<string, number>();
      for (const f of fills) {
        const key = `${f.account}/${f.symbol}`;
        const before = held.get(key) ?? 0;
        const after = before + (f.side === "buy" ? f.sizeLots : -f.sizeLots);
        if (reduceOnly.has(f.clientOrderId)) {
          assert.ok(
            Math.abs(after) < Math.abs(before),
            `reduce-only ${f.clientOrderId}: ${before} -> ${after}`,
          );
          assert.ok(after === 0 || Math.sign(after) === Math.sign(before));
        }
        held.set(key, after);
      }
    }),
    { numRuns: 60 },
  );
});
