import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SimClock } from "../../core/clock.ts";
import { Instrument } from "../../core/instrument.ts";
import { toUsd, usd } from "../../core/money.ts";
import { CarryHarness } from "../../testing/carry-harness.ts";
import { SIM_A_SPECS } from "../../venues/sim/catalog.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import { FundingLedger } from "./funding.ts";
import { type CarryPosition, deserialise } from "./position.ts";

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const BTC = SIM_A_SPECS[0];

/** A leg's funding: settled every 1, 4 or 8 h, or continuously (every `stepMs`, quoted per 8 h). */
type Interval = 1 | 4 | 8 | "continuous";
const interval = fc.constantFrom<Interval>(1, 4, 8, "continuous");
// rates per hour in steps of 0.001 % up to 0.2 %/h, either sign (0 included)
const ratePerHour = fc.integer({ min: -200, max: 200 }).map((x) => x * 1e-5);
// marks on BTC's 1-dollar tick (the venue values positions at the mark rounded to the tick)
const mark = fc.integer({ min: 80_000, max: 120_000 });

/** When a leg settles between `from` (exclusive) and `to` (inclusive), epoch-aligned. */
function boundaries(everyMs: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let b = Math.floor(from / everyMs) * everyMs + everyMs; b <= to; b += everyMs) out.push(b);
  return out;
}

/** The value in force at `ts`: the last change strictly before it, else the first value. */
function inForce<T>(first: T, changes: readonly { at: number; value: T }[], ts: number): T {
  let v = first;
  for (const c of changes) if (c.at < ts) v = c.value;
  return v;
}

/**
 * carry's funding ledger against the simulated venue's settlements: for any mix of settlement
 * intervals on the two legs (1 h, 4 h, 8 h, continuous), rates and a mark that change at any
 * time, and any tick rate of the strategy's accrual: (1) the ledger's settled total is the sum
 * of the venue's payments; (2) every payment is the position at the mark and rate in force at
 * its boundary for the hours it covers (for continuous funding, the step); (3) over every
 * interval the rates and mark did not change in, the estimate the ledger accrued by elapsed time
 * equals what the venue then settled: the rate is normalised once (per hour) and never rescaled.
 */
test("property: carry's funding ledger equals the venue's settled payments, any interval mix (1 h, 4 h, 8 h, continuous), rates and mark changing, any tick rate", async () => {
  await fc.assert(
    fc.asyncProperty(
      interval,
      interval,
      // the continuous step: 5 s to 5 min
      fc.constantFrom(5_000, 10_000, 60_000, 300_000),
      ratePerHour,
      ratePerHour,
      mark,
      // up to 6 changes of both rates and the mark, at half-second offsets (never on a boundary)
      fc.array(
        fc.record({ at: fc.integer({ min: 0, max: 12 * 3600 }), rL: ratePerHour, rS: ratePerHour, mark }),
        {
          maxLength: 6,
        },
      ),
      // the strategy's accrual tick: from 15 s (a fast check) to 20 min, not a divisor of the hour
      fc.integer({ min: 15_000, max: 20 * 60_000 }),
      fc.integer({ min: 3, max: 12 }),
      // where in the hour the legs open: 100 ms past a whole second, so the opening (a few
      // driven steps of 50 ms) never straddles a boundary or a step
      fc.integer({ min: 0, max: 3599 }),
      async (ivLong, ivShort, stepMs, rLong, rShort, mark0, rawChanges, tickMs, hours, offsetS) => {
        const clock = new SimClock(T0 + offsetS * 1000 + 100);
        const iv = { L: ivLong, S: ivShort };
        const specs = (["L", "S"] as const).map((symbol) => ({
          ...BTC,
          symbol,
          base: symbol,
          fundingIntervalHours: iv[symbol] === "continuous" ? 8 : iv[symbol],
        }));
        const continuous = (["L", "S"] as const).filter((s) => iv[s] === "continuous");
        const venue = new SimVenue({
          id: "simA",
          instruments: specs.map((x) => new Instrument(x)),
          clock,
          ...(continuous.length > 0 ? { continuousFunding: { stepMs, symbols: continuous } } : {}),
        });
        try {
          venue.deposit("c1", usd(1_000_000));
          const feedMark = (symbol: string, m: number) => {
            venue.feed({
              type: "book",
              venue: "simA",
              symbol,
              ts: clock.now(),
              snapshot: true,
              bids: [{ price: m - 1, size: 10 }],
              asks: [{ price: m + 1, size: 10 }],
            });
            venue.feed({
              type: "mark",
              venue: "simA",
              symbol,
              ts: clock.now(),
              markPrice: m,
              oraclePrice: m,
            });
          };
          const feedRate = (symbol: string, r: number) =>
            venue.feed({ type: "funding", venue: "simA", symbol, ts: clock.now(), ratePerHour: r });
          for (const symbol of ["L", "S"]) {
            feedMark(symbol, mark0);
            feedRate(symbol, symbol === "L" ? rLong : rShort);
          }
          const send = (symbol: string, side: "buy" | "sell", priceTicks: number) =>
            clock.drive(
              venue.submit({
                clientOrderId: `pb${symbol}${"x".repeat(29)}`,
                account: "c1",
                symbol,
                side,
                type: "limit",
                priceTicks,
                sizeLots: 1_000,
                tif: "ioc",
                reduceOnly: false,
              }),
            );
          await send("L", "buy", mark0 + 1);
          await send("S", "sell", mark0 - 1);
          await clock.advance(10);
          const openedAt = clock.now();
          const end = openedAt + hours * HOUR;
          const qty = 0.01;
          const ledgers = {
            L: new FundingLedger({
              venue: "simA",
              symbol: "L",
              intervalHours: specs[0].fundingIntervalHours,
              side: 1,
              qty,
              openedAt,
            }),
            S: new FundingLedger({
              venue: "simA",
              symbol: "S",
              intervalHours: specs[1].fundingIntervalHours,
              side: -1,
              qty,
              openedAt,
            }),
          };
          const changes = rawChanges
            .map((c) => ({ ...c, at: Math.floor(openedAt / 1000) * 1000 + c.at * 1000 + 500 }))
            .filter((c) => c.at > openedAt)
            .filter((c) => c.at < end)
            .sort((a, b) => a.at - b.at);
          const rateChanges = {
            L: changes.map((c) => ({ at: c.at, value: c.rL })),
            S: changes.map((c) => ({ at: c.at, value: c.rS })),
          };
          const markChanges = changes.map((c) => ({ at: c.at, value: c.mark }));
          const now = { rate: { L: rLong, S: rShort }, mark: mark0 };
          const replaced = {
            L: [] as { ts: number; estimate: number; settled: number }[],
            S: [] as { ts: number; estimate: number; settled: number }[],
          };
          venue.onEvent((e) => {
            if (e.type !== "funding" || (e.symbol !== "L" && e.symbol !== "S")) return;
            const settled = toUsd(e.amount);
            // what carry does with a venue's funding event (carry.ts onFunding)
            const estimate = ledgers[e.symbol].settle(e.ts, settled, e.ratePerHour, now.mark);
            replaced[e.symbol].push({ ts: e.ts, estimate, settled });
          });
          // the strategy's ticks and the market's changes, in time order (a change first at a tie)
          let nextTick = openedAt + tickMs;
          let k = 0;
          while (clock.now() < end) {
            const next = Math.min(nextTick, changes[k]?.at ?? end, end);
            await clock.runUntil(next);
            while (k < changes.length && changes[k].at === next) {
              const c = changes[k++];
              now.rate = { L: c.rL, S: c.rS };
              now.mark = c.mark;
              for (const s of ["L", "S"] as const) {
                feedMark(s, c.mark);
                feedRate(s, now.rate[s]);
              }
            }
            if (next === nextTick || next === end) {
              for (const s of ["L", "S"] as const) ledgers[s].accrue(clock.now(), now.rate[s], now.mark);
              if (next === nextTick) nextTick += tickMs;
            }
          }
          // (answered in a microtask: driving the clock could pass one more boundary)
          const paid = await venue.fundingPayments("c1");
          for (const s of ["L", "S"] as const) {
            const mine = paid.filter((p) => p.symbol === s);
            const venueSum = mine.reduce((x, p) => x + toUsd(p.amount), 0);
            // (1)
            assert.ok(
              Math.abs(ledgers[s].settledUsd - venueSum) < 1e-9,
              `${s}: ledger ${ledgers[s].settledUsd} vs venue ${venueSum}`,
            );
            // (2) one payment per boundary (step) with a rate, each at the rate and mark in force
            const every = iv[s] === "continuous" ? stepMs : (iv[s] as number) * HOUR;
            const side = s === "L" ? 1 : -1;
            const expected = boundaries(every, openedAt, clock.now())
              .map((b) => {
                const r = inForce(s === "L" ? rLong : rShort, rateChanges[s], b);
                const m = inForce(mark0, markChanges, b);
                return { ts: b, amount: -side * qty * m * r * (every / HOUR) };
              })
              .filter((x) => x.amount !== 0);
            assert.deepEqual(
              mine.map((p) => p.ts),
              expected.map((x) => x.ts),
              `${s}: one payment per boundary`,
            );
            for (const [i, p] of mine.entries())
              assert.ok(
                Math.abs(toUsd(p.amount) - expected[i].amount) < 1e-9,
                `${s} at ${p.ts}: paid ${toUsd(p.amount)}, the rate and mark in force say ${expected[i].amount}`,
              );
            // (3) the first settlement pays a whole interval for a position held part of it (the
            // venue's rule); a later one over an interval with no change equals the estimate
            const rows = replaced[s];
            for (let i = 1; i < rows.length; i++) {
              const from = rows[i - 1].ts;
              const changed = changes.some((c) => c.at > from && c.at <= rows[i].ts);
              if (!changed)
                assert.ok(
                  Math.abs(rows[i].estimate - rows[i].settled) < 1e-6,
                  `${s} at ${rows[i].ts}: estimate ${rows[i].estimate} vs settled ${rows[i].settled}`,
                );
            }
            // the ledger keeps each estimate with its settlement: the estimates' total
            const estimates = rows.reduce((x, r) => x + r.estimate, 0) + ledgers[s].estimatedUsd;
            assert.ok(Math.abs(ledgers[s].estimatedTotalUsd - estimates) < 1e-12);
          }
        } finally {
          venue.close();
        }
      },
    ),
    { numRuns: 40, seed: 20260101 },
  );
});

/**
 * The same through the carry strategy itself, as it runs in production: carry on two simulated
 * venues (startNode, the real engine; carry-harness.ts) opens, scales and closes its positions,
 * accrues their ledgers on its MTM checks and takes the venues' funding events (carry.ts
 * onFunding). For any interval mix of the two venues (1 h, 4 h, 8 h, continuous), funding rates
 * and prices that change while positions are held, and any check rate: what carry's ledgers
 * booked as settled on each leg, over every position of the run, is what the venue settled to
 * the account on that instrument; and over every interval with no change (rates, prices, size),
 * the estimate carry accrued is what the venue then paid.
 */
test("property: carry's own funding accounting, through the strategy, equals the venue's settled payments per leg, any interval mix (1 h, 4 h, 8 h, continuous), rates and prices changing, any check rate", async () => {
  await fc.assert(
    fc.asyncProperty(
      interval,
      interval,
      fc.constantFrom(5_000, 10_000, 60_000),
      // simA (the short leg: the higher rate) 0.10 to 0.15 %/h, simB -0.02 to 0.01 %/h: at least
      // 72 bps per 8 h apart, an entry at the default thresholds
      fc.integer({ min: 10, max: 15 }).map((x) => x * 1e-4),
      fc.integer({ min: -2, max: 1 }).map((x) => x * 1e-4),
      // up to 4 changes of both rates and of the price on both venues (in bps), at half seconds,
      // from 10 min in (after the entry)
      fc.array(
        fc.record({
          atS: fc.integer({ min: 600, max: 4 * 3600 }),
          a: fc.integer({ min: 5, max: 15 }).map((x) => x * 1e-4),
          b: fc.integer({ min: -2, max: 2 }).map((x) => x * 1e-4),
          moveBps: fc.integer({ min: -50, max: 50 }),
        }),
        { maxLength: 4 },
      ),
      fc.constantFrom(5, 30, 120),
      fc.constantFrom(15, 60),
      // hours the run lasts
      fc.integer({ min: 1, max: 4 }),
      // start 0 to 7 h after midnight, so 4 and 8 h boundaries fall anywhere in the run
      fc.integer({ min: 0, max: 7 }),
      async (ivA, ivB, stepMs, rateA, rateB, rawChanges, mtmS, scanS, hours, startH) => {
        const iv = { simA: ivA, simB: ivB } as const;
        const start = T0 + startH * HOUR;
        const h = await CarryHarness.start({
          clock: new SimClock(start),
          carry: { mtm_check_interval_s: mtmS, funding_check_interval_s: scanS },
          rates: { simA: rateA, simB: rateB },
          fundingIntervalHours: {
            simA: ivA === "continuous" ? 8 : ivA,
            simB: ivB === "continuous" ? 8 : ivB,
          },
          continuousFundingMs: {
            ...(ivA === "continuous" ? { simA: stepMs } : {}),
            ...(ivB === "continuous" ? { simB: stepMs } : {}),
          },
        });
        try {
          const changes = rawChanges
            .filter((c) => c.atS < hours * 3600)
            .map((c) => ({ ...c, at: start + c.atS * 1000 + 500 }))
            .sort((x, y) => x.at - y.at);
          for (const c of changes) {
            await h.clock.runUntil(c.at);
            h.setRate("simA", c.a);
            h.setRate("simB", c.b);
            for (const id of ["simA", "simB"] as const)
              h.prices[id].BTC = Math.round(100_000 * (1 + c.moveBps / 1e4));
          }
          await h.clock.runUntil(start + hours * HOUR);
          await h.clock.drive(h.carry.close("all", "shutdown"));
          await h.advance(10_000);
          const groups = await h.groups();
          const entries = groups.filter((g) => g.meta.scaleUpOf === undefined);
          assert.ok(entries.length > 0, "carry entered");
          const state = h.node.instances.get("carry_a")!.context.state;
          const positions: CarryPosition[] = [...h.carry.positions.values()];
          for (const g of entries) {
            const saved = await state.get(`closed:${g.id}`);
            if (saved !== undefined) positions.push(deserialise(saved));
          }
          const booked = new Map<string, number>();
          for (const p of positions)
            for (const [leg, ledger] of [
              [p.long, p.ledgers.long],
              [p.short, p.ledgers.short],
            ] as const) {
              const key = `${leg.venue}:${leg.symbol}`;
              booked.set(key, (booked.get(key) ?? 0) + ledger.settledUsd);
            }
          const settled = new Map<string, number>();
          // (answered in a microtask: driving the clock could pass one more step)
          for (const id of ["simA", "simB"] as const)
            for (const p of await h.venues[id].fundingPayments("c1"))
              settled.set(`${id}:${p.symbol}`, (settled.get(`${id}:${p.symbol}`) ?? 0) + toUsd(p.amount));
          for (const key of new Set([...booked.keys(), ...settled.keys()]))
            assert.ok(
              Math.abs((booked.get(key) ?? 0) - (settled.get(key) ?? 0)) < 1e-9,
              `${key}: carry booked ${booked.get(key) ?? 0}, the venue settled ${settled.get(key) ?? 0} (intervals ${JSON.stringify(iv)})`,
            );
          // the estimates: every settlement after a position's first, over an interval in which
          // nothing changed (rates, prices, the leg's size), replaced exactly what it paid
          for (const p of positions)
            for (const ledger of [p.ledgers.long, p.ledgers.short]) {
              const rows = ledger.rows(h.clock.now()).filter((r) => r.kind === "settled");
              for (let i = 1; i < rows.length; i++) {
                const changed =
                  rows[i].position !== rows[i - 1].position ||
                  changes.some((c) => c.at > rows[i - 1].ts && c.at <= rows[i].ts);
                if (changed) continue;
                assert.ok(
                  Math.abs((rows[i].estimateUsd ?? Number.NaN) - rows[i].amountUsd) < 1e-6,
                  `${ledger.venue}:${ledger.symbol} at ${rows[i].ts}: carry estimated ${rows[i].estimateUsd}, the venue paid ${rows[i].amountUsd}`,
                );
              }
            }
        } finally {
          await h.stop();
          h.remove();
        }
      },
    ),
    { numRuns: 8, seed: 20261202 },
  );
});
