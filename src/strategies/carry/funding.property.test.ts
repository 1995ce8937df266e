import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SimClock } from "../../core/clock.ts";
import { Instrument } from "../../core/instrument.ts";
import { toUsd, usd } from "../../core/money.ts";
import { SIM_A_SPECS } from "../../venues/sim/catalog.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import { FundingLedger } from "./funding.ts";

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const BTC = SIM_A_SPECS[0];

/**
 * carry's funding accounting against the simulated venue's settlements: for any mix of
 * settlement intervals (1 h, 4 h, 8 h) on the two legs, any rates and any tick rate of the
 * strategy's accrual, (1) the ledger's settled total is the sum of the venue's payments to the
 * cent's fraction, and (2) over every full interval at a constant rate and mark, the estimate the
 * ledger accrued by elapsed time equals what the venue then settled: the rate is normalised once
 * (per hour, with the instrument's own interval) and never rescaled.
 */
test("property: carry's funding ledger equals the venue's settled payments, any interval mix and tick rate", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(1, 4, 8),
      fc.constantFrom(1, 4, 8),
      // rates per hour in steps of 0.001 % up to 0.2 %/h, either sign (0 included)
      fc.integer({ min: -200, max: 200 }).map((x) => x * 1e-5),
      fc.integer({ min: -200, max: 200 }).map((x) => x * 1e-5),
      // the strategy's accrual tick: from 15 s (a fast check) to 20 min, not a divisor of the hour
      fc.integer({ min: 15_000, max: 20 * 60_000 }),
      fc.integer({ min: 9, max: 17 }),
      fc.integer({ min: 0, max: HOUR - 1 }),
      async (ivLong, ivShort, rLong, rShort, tickMs, hours, offset) => {
        const clock = new SimClock(T0 + offset);
        const specs = [
          { ...BTC, symbol: "L", base: "L", fundingIntervalHours: ivLong },
          { ...BTC, symbol: "S", base: "S", fundingIntervalHours: ivShort },
        ];
        const venue = new SimVenue({ id: "simA", instruments: specs.map((x) => new Instrument(x)), clock });
        try {
          venue.deposit("c1", usd(100_000));
          const mark = 100_000;
          for (const symbol of ["L", "S"]) {
            venue.feed({
              type: "book",
              venue: "simA",
              symbol,
              ts: clock.now(),
              snapshot: true,
              bids: [{ price: mark - 1, size: 10 }],
              asks: [{ price: mark + 1, size: 10 }],
            });
            venue.feed({
              type: "mark",
              venue: "simA",
              symbol,
              ts: clock.now(),
              markPrice: mark,
              oraclePrice: mark,
            });
            venue.feed({
              type: "funding",
              venue: "simA",
              symbol,
              ts: clock.now(),
              ratePerHour: symbol === "L" ? rLong : rShort,
            });
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
          await send("L", "buy", mark + 1);
          await send("S", "sell", mark - 1);
          await clock.advance(10);
          const openedAt = clock.now();
          const ledgers = {
            L: new FundingLedger({
              venue: "simA",
              symbol: "L",
              intervalHours: ivLong,
              side: 1,
              qty: 0.01,
              openedAt,
            }),
            S: new FundingLedger({
              venue: "simA",
              symbol: "S",
              intervalHours: ivShort,
              side: -1,
              qty: 0.01,
              openedAt,
            }),
          };
          const rate = { L: rLong, S: rShort };
          const mismatches: string[] = [];
          const firstBoundary = { L: true, S: true };
          venue.onEvent((e) => {
            if (e.type !== "funding" || (e.symbol !== "L" && e.symbol !== "S")) return;
            const sym = e.symbol;
            const settled = toUsd(e.amount);
            const estimate = ledgers[sym].settle(e.ts, settled, e.ratePerHour, mark);
            // the first settlement pays a whole interval for a position held part of it (the
            // venue's rule); every later one covers exactly the time the estimate accrued
            if (firstBoundary[sym]) firstBoundary[sym] = false;
            else if (Math.abs(estimate - settled) > 1e-6)
              mismatches.push(`${sym} at ${e.ts}: estimate ${estimate} vs settled ${settled}`);
          });
          const end = openedAt + hours * HOUR;
          while (clock.now() < end) {
            await clock.advance(Math.min(tickMs, end - clock.now()));
            for (const s of ["L", "S"] as const) ledgers[s].accrue(clock.now(), rate[s], mark);
          }
          const paid = await clock.drive(venue.fundingPayments("c1"));
          for (const s of ["L", "S"] as const) {
            const venueSum = paid.filter((p) => p.symbol === s).reduce((x, p) => x + toUsd(p.amount), 0);
            assert.ok(
              Math.abs(ledgers[s].settledUsd - venueSum) < 1e-9,
              `${s}: ledger ${ledgers[s].settledUsd} vs venue ${venueSum}`,
            );
            const count = paid.filter((p) => p.symbol === s && p.amount !== 0n).length;
            const iv = (s === "L" ? ivLong : ivShort) * HOUR;
            const expected = Math.floor(end / iv) - Math.floor(openedAt / iv);
            if ((s === "L" ? rLong : rShort) !== 0)
              assert.equal(count, expected, `${s}: one payment per boundary`);
          }
          assert.deepEqual(mismatches, []);
        } finally {
          venue.close();
        }
      },
    ),
    { numRuns: 25, seed: 20260101 },
  );
});
