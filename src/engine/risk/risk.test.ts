import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { InvalidValueError } from "../../core/errors.ts";
import { Instrument } from "../../core/instrument.ts";
import { usd } from "../../core/money.ts";
import {
  checkOrder,
  DEFAULT_RISK_LIMITS,
  exposureIncreaseLots,
  KillSwitch,
  type NewOrderCheck,
  type RiskContext,
  type RiskVerdict,
} from "./risk.ts";

// tick 0.1 USD, lot 0.001 BTC: 1 BTC = 1000 lots, 100 000 USD = 1 000 000 ticks
const BTC = new Instrument({
  venue: "sim",
  symbol: "BTC",
  base: "BTC",
  quote: "USD",
  tickSize: "0.1",
  lotSize: "0.001",
  minNotionalUsd: 10,
  maxLeverage: 50,
  marginTiers: [],
  fundingIntervalHours: 1,
  makerFeeBps: 1.5,
  takerFeeBps: 4.5,
});
const PRICE = 1_000_000;
const NOW = 1_000_000_000;

function ctx(over: Partial<RiskContext> = {}): RiskContext {
  return {
    state: "ACTIVE",
    nowMs: NOW,
    limits: DEFAULT_RISK_LIMITS,
    positionLots: 0,
    workingBuyLots: 0,
    workingSellLots: 0,
    bookTs: NOW - 100,
    strategyExposure: 0n,
    ...over,
  };
}

function order(side: "buy" | "sell", sizeLots: number, over: Partial<NewOrderCheck> = {}): NewOrderCheck {
  return {
    kind: "new",
    strategy: "farm",
    instrument: BTC,
    side,
    sizeLots,
    priceTicks: PRICE,
    reduceOnly: false,
    ...over,
  };
}

function reason(v: RiskVerdict): string {
  return v.ok ? "ok" : v.reason;
}

test("exposure increase is computed from position, working orders and reduce-only", () => {
  assert.equal(exposureIncreaseLots(0, 0, 0, order("buy", 5)), 5);
  assert.equal(exposureIncreaseLots(10, 0, 0, order("sell", 4)), 0, "partial close");
  assert.equal(exposureIncreaseLots(10, 0, 0, order("sell", 10)), 0, "full close");
  assert.equal(exposureIncreaseLots(10, 0, 0, order("sell", 15)), 5, "a flip opens the excess");
  assert.equal(exposureIncreaseLots(10, 0, 0, order("buy", 1)), 1, "adding to a long");
  assert.equal(exposureIncreaseLots(-10, 0, 0, order("buy", 10)), 0, "closing a short");
  assert.equal(exposureIncreaseLots(10, 0, 7, order("sell", 5)), 2, "a working sell already reduces 7");
  assert.equal(
    exposureIncreaseLots(0, 0, 0, order("sell", 5, { reduceOnly: true })),
    0,
    "venue caps reduce-only",
  );
});

test("HALTED refuses everything but cancels, reductions included", () => {
  const halted = ctx({ state: "HALTED", positionLots: 10 });
  assert.equal(reason(checkOrder(halted, order("buy", 1))), "halted");
  assert.equal(reason(checkOrder(halted, order("sell", 5))), "halted");
  assert.equal(reason(checkOrder(halted, order("sell", 5, { reduceOnly: true }))), "halted");
  assert.deepEqual(checkOrder(halted, { kind: "cancel", clientOrderId: "pb1" }), { ok: true });
});

test("REDUCING refuses new exposure and accepts a reduction", () => {
  const reducing = ctx({ state: "REDUCING", positionLots: 10 });
  const add = checkOrder(reducing, order("buy", 1));
  assert.equal(reason(add), "reducing_only");
  assert.ok(!add.ok && /add 1 lots to position 10/.test(add.detail), JSON.stringify(add));
  assert.equal(reason(checkOrder(reducing, order("sell", 15))), "reducing_only", "a flip adds exposure");
  assert.equal(reason(checkOrder(reducing, order("sell", 10))), "ok");
  assert.equal(reason(checkOrder(reducing, order("sell", 4, { reduceOnly: true }))), "ok");
  assert.equal(reason(checkOrder(reducing, { kind: "cancel", clientOrderId: "x" })), "ok");
});

test("a stale or missing book refuses new exposure but lets a reduction through", () => {
  const stale = ctx({ bookTs: NOW - 501, positionLots: -20 });
  const v = checkOrder(stale, order("sell", 1));
  assert.equal(reason(v), "stale_book");
  assert.ok(!v.ok && /501 ms old, max 500 ms/.test(v.detail));
  assert.equal(reason(checkOrder(stale, order("buy", 20))), "ok", "closing the short");
  assert.equal(reason(checkOrder(ctx({ bookTs: NOW - 500 }), order("buy", 1))), "ok", "exactly at the limit");
  assert.equal(reason(checkOrder(ctx({ bookTs: undefined }), order("buy", 1))), "stale_book");
  const lenient = ctx({ bookTs: NOW - 2000, limits: { ...DEFAULT_RISK_LIMITS, maxBookAgeMs: 5000 } });
  assert.equal(reason(checkOrder(lenient, order("buy", 1))), "ok");
});

test("a book stream the venue reports stale refuses new exposure however fresh the book looks", () => {
  const dropped = ctx({ bookTs: NOW, positionLots: -20, bookStreamStale: true });
  const v = checkOrder(dropped, order("sell", 1));
  assert.equal(reason(v), "stale_book");
  assert.ok(!v.ok && /book stream stale/.test(v.detail));
  assert.equal(reason(checkOrder(dropped, order("buy", 20))), "ok", "closing the short still passes");
  assert.equal(reason(checkOrder(ctx({ bookTs: NOW, bookStreamStale: false }), order("buy", 1))), "ok");
});

test("max notional per instrument counts the position and working orders on the same side", () => {
  // cap 10 000 USD = 100 lots at 100 000 USD
  const limits = { ...DEFAULT_RISK_LIMITS, maxNotionalPerInstrument: usd(10_000) };
  assert.equal(reason(checkOrder(ctx({ limits }), order("buy", 100))), "ok");
  assert.equal(reason(checkOrder(ctx({ limits }), order("buy", 101))), "max_notional");
  assert.equal(reason(checkOrder(ctx({ limits, positionLots: 60 }), order("buy", 41))), "max_notional");
  assert.equal(reason(checkOrder(ctx({ limits, workingBuyLots: 60 }), order("buy", 41))), "max_notional");
  assert.equal(reason(checkOrder(ctx({ limits, workingSellLots: 60 }), order("buy", 100))), "ok");
  // short side too, and a big reduction never hits the cap
  assert.equal(reason(checkOrder(ctx({ limits, positionLots: -90 }), order("sell", 11))), "max_notional");
  assert.equal(reason(checkOrder(ctx({ limits, positionLots: 500 }), order("sell", 500))), "ok");
  // a per-instrument override beats the default
  const override = { ...limits, maxNotionalByInstrument: { "sim:BTC": usd(20_000) } };
  assert.equal(reason(checkOrder(ctx({ limits: override }), order("buy", 150))), "ok");
  assert.equal(reason(checkOrder(ctx({ limits: override }), order("buy", 201))), "max_notional");
});

test("a strategy's allocation caps the exposure the order adds", () => {
  const limits = { ...DEFAULT_RISK_LIMITS, allocationByStrategy: { farm: usd(50_000) } };
  const held = ctx({ limits, strategyExposure: usd(45_000) });
  assert.equal(reason(checkOrder(held, order("buy", 50))), "ok", "45k + 5k = the allocation");
  const v = checkOrder(held, order("buy", 51));
  assert.equal(reason(v), "allocation_cap");
  assert.ok(!v.ok && /farm would hold 50100 USD, allocation 50000 USD/.test(v.detail), JSON.stringify(v));
  // only the increasing part counts: selling 90 against a 40-lot long adds the 50 past zero, 5 000 USD
  assert.equal(reason(checkOrder({ ...held, positionLots: 40 }, order("sell", 90))), "ok");
  assert.equal(reason(checkOrder(held, order("buy", 51, { strategy: "maker" }))), "ok", "uncapped strategy");
});

test("a symbol in cooldown takes no new exposure until the cooldown ends", () => {
  const cooling = ctx({ cooldownUntilMs: NOW + 30_000, positionLots: 5 });
  const v = checkOrder(cooling, order("buy", 1));
  assert.equal(reason(v), "cooldown");
  assert.ok(!v.ok && /30000 ms more/.test(v.detail));
  assert.equal(reason(checkOrder(cooling, order("sell", 5))), "ok", "closing is never cooled down");
  assert.equal(
    reason(checkOrder({ ...cooling, nowMs: NOW + 30_000, bookTs: NOW + 29_900 }, order("buy", 1))),
    "ok",
  );
});

test("invalid sizes and prices are refused with the numbers", () => {
  assert.equal(reason(checkOrder(ctx(), order("buy", 0))), "invalid_order");
  assert.equal(reason(checkOrder(ctx(), order("buy", 1.5))), "invalid_order");
  assert.equal(reason(checkOrder(ctx(), order("buy", 1, { priceTicks: Number.NaN }))), "invalid_order");
});

test("property: the gate never refuses a reduction unless halted, and never lets exposure grow in REDUCING", () => {
  const limits = {
    ...DEFAULT_RISK_LIMITS,
    maxNotionalPerInstrument: usd(1_000),
    allocationByStrategy: { farm: usd(1) },
  };
  fc.assert(
    fc.property(
      fc.constantFrom("ACTIVE", "REDUCING", "HALTED"),
      fc.integer({ min: -50, max: 50 }),
      fc.nat({ max: 20 }),
      fc.nat({ max: 20 }),
      fc.constantFrom("buy", "sell"),
      fc.integer({ min: 1, max: 60 }),
      fc.boolean(),
      fc.option(fc.nat({ max: 2000 }), { nil: undefined }),
      (state, pos, wb, ws, side, size, reduceOnly, bookAge) => {
        const c = ctx({
          state,
          positionLots: pos,
          workingBuyLots: wb,
          workingSellLots: ws,
          bookTs: bookAge === undefined ? undefined : NOW - bookAge,
          cooldownUntilMs: NOW + 1,
          limits,
          strategyExposure: usd(5),
        });
        const v = checkOrder(c, order(side, size, { reduceOnly }));
        const increase = exposureIncreaseLots(pos, wb, ws, { side, sizeLots: size, reduceOnly });
        if (state === "HALTED") assert.equal(reason(v), "halted");
        else if (increase === 0) assert.equal(reason(v), "ok");
        // every limit here is exceeded or stale, so no increase can pass
        else assert.ok(!v.ok);
        if (state === "REDUCING" && increase > 0) assert.equal(reason(v), "reducing_only");
      },
    ),
    { numRuns: 1000 },
  );
});

test("kill switch trips on drawdown beyond the limit from session start, and stays tripped", () => {
  const ks = new KillSwitch({ maxDrawdownPct: 10 });
  assert.equal(ks.observeEquity(10_000, 1).trip, false);
  assert.equal(ks.sessionStartEquity, 10_000);
  assert.equal(ks.observeEquity(11_000, 2).trip, false);
  assert.equal(ks.observeEquity(9_000, 3).trip, false, "exactly 10% is not beyond");
  const v = ks.observeEquity(8_999, 4);
  assert.ok(v.trip);
  assert.equal(v.reason, "max_drawdown");
  assert.equal(v.action, "halt_and_flatten");
  assert.equal(v.tradingState, "REDUCING");
  assert.match(v.detail, /10\.01% below session start 10000/);
  assert.equal(ks.observeEquity(12_000, 5).trip, true, "a recovery does not un-trip");
  ks.reset(8_000, 6);
  assert.equal(ks.tripped, false);
  assert.equal(ks.observeEquity(7_500, 7).trip, false, "6.25% from the new session start");
});

test("kill switch trips after N consecutive drops, and a rise resets the count", () => {
  const ks = new KillSwitch({ maxDrawdownPct: 50, consecutiveDrops: 3 });
  ks.observeEquity(1000, 0);
  assert.equal(ks.observeEquity(999, 1).trip, false);
  assert.equal(ks.observeEquity(998, 2).trip, false);
  assert.equal(ks.observeEquity(998, 3).trip, false, "flat is not a drop");
  assert.equal(ks.consecutiveDrops, 0);
  ks.observeEquity(997, 4);
  ks.observeEquity(996, 5);
  assert.equal(ks.observeEquity(1001, 6).trip, false, "a rise resets");
  ks.observeEquity(1000, 7);
  ks.observeEquity(999, 8);
  const v = ks.observeEquity(998, 9);
  assert.ok(v.trip && v.reason === "consecutive_drops", JSON.stringify(v));
  assert.equal(v.ts, 9);
});

test("kill switch ignores out-of-order snapshots and refuses impossible values", () => {
  const ks = new KillSwitch({ maxDrawdownPct: 5, consecutiveDrops: 2 });
  ks.observeEquity(1000, 10);
  assert.equal(ks.observeEquity(1, 5).trip, false, "older than the last observation");
  assert.equal(ks.consecutiveDrops, 0);
  assert.throws(() => ks.observeEquity(Number.NaN, 11), InvalidValueError);
  assert.throws(() => new KillSwitch({ maxDrawdownPct: 0 }), /max_drawdown_pct 0/);
  assert.throws(() => new KillSwitch({ maxDrawdownPct: 5, consecutiveDrops: -1 }), /consecutive_drops -1/);
  assert.throws(() => new KillSwitch({ maxDrawdownPct: 5 }).observeEquity(0, 1), /session-start equity 0/);
  // without consecutiveDrops, drops alone never trip
  const plain = new KillSwitch({ maxDrawdownPct: 50 });
  plain.observeEquity(1000, 0);
  for (let t = 1; t < 20; t++) assert.equal(plain.observeEquity(1000 - t, t).trip, false);
});

test("an open venue circuit refuses new exposure on the venue, never a reduction", () => {
  const open = ctx({ venueCircuitOpen: "sim: circuit open after 5 failed requests", positionLots: 10 });
  const v = checkOrder(open, order("buy", 5));
  assert.equal(reason(v), "venue_circuit_open");
  assert.match(v.ok ? "" : v.detail, /sim: circuit open after 5 failed requests/);
  assert.equal(reason(checkOrder(open, order("sell", 10))), "ok", "closing the position passes");
  assert.equal(reason(checkOrder(open, order("sell", 4, { reduceOnly: true }))), "ok");
  assert.equal(
    reason(checkOrder(ctx({ positionLots: 10 }), order("buy", 5))),
    "ok",
    "closed circuit: passes",
  );
});
