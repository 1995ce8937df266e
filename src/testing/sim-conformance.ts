import { SimClock } from "../core/clock.ts";
import type { InstrumentSpec } from "../core/instrument.ts";
import { usd } from "../core/money.ts";
import type { Venue } from "../core/venue.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

const T0 = Date.UTC(2026, 0, 5, 0, 0, 10);
const LATENCY_MS = 20;

/** A BTC perp like simA's: tick 1, lot 0.001, funding every hour. */
const BTC: InstrumentSpec = {
  venue: "conf",
  symbol: "BTC",
  base: "BTC",
  quote: "USD",
  tickSize: "1",
  lotSize: "0.001",
  minNotionalUsd: 10,
  maxLeverage: 20,
  marginTiers: [],
  fundingIntervalHours: 1,
  makerFeeBps: 1.5,
  takerFeeBps: 4.5,
};

/**
 * The conformance harness on the simulator: a fresh SimVenue on a simulated clock, one funded
 * account, and a driver that feeds it. `wrap` puts a venue in front of it (the broken-venue test).
 */
export async function makeSimHarness(wrap?: (sim: SimVenue) => Venue): Promise<VenueHarness> {
  const clock = new SimClock(T0);
  const sim = new SimVenue({ id: "conf", instruments: [BTC], clock, latencyMs: LATENCY_MS, seed: 7 });
  const account = "conformance-1";
  sim.deposit(account, usd(100_000));
  const venue = wrap ? wrap(sim) : sim;
  const inst = sim.instrument("BTC");
  // the outcome is caught at once: a rejection waiting for the clock to move is not "unhandled"
  const drive = async <T>(work: Promise<T>): Promise<T> => {
    const outcome = work.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const r = await clock.drive(outcome, 5);
    if (!r.ok) throw r.error;
    return r.value;
  };
  await drive(venue.connect());
  await drive(venue.bindAccount({ account, identity: {} }));
  return {
    venue,
    account,
    symbol: "BTC",
    referenceTicks: 60_000,
    unitLots: 10,
    drive,
    settle: () => clock.advance(LATENCY_MS * 3),
    close: () => venue.close(),
    driver: {
      async setBook({ bidTicks, askTicks, lotsPerLevel, levels = 5 }) {
        const size = inst.sizeValue(lotsPerLevel);
        const side = (from: number, dir: number) =>
          Array.from({ length: levels }, (_, i) => ({ price: inst.priceValue(from + dir * i), size }));
        sim.feed({
          type: "book",
          venue: sim.id,
          symbol: "BTC",
          ts: clock.now(),
          snapshot: true,
          bids: side(bidTicks, -1),
          asks: side(askTicks, 1),
        });
      },
      async moveMark(priceTicks) {
        const price = inst.priceValue(priceTicks);
        sim.feed({
          type: "mark",
          venue: sim.id,
          symbol: "BTC",
          ts: clock.now(),
          markPrice: price,
          oraclePrice: price,
        });
      },
      async settleFunding(ratePerHour) {
        sim.feed({ type: "funding", venue: sim.id, symbol: "BTC", ts: clock.now(), ratePerHour });
        const hour = 3_600_000;
        await clock.runUntil((Math.floor(clock.now() / hour) + 1) * hour + LATENCY_MS * 3);
      },
      async dropStream(stream) {
        sim.dropStream(stream);
      },
      async restoreStream(stream) {
        sim.restoreStream(stream);
      },
      async loseNextAnswer() {
        sim.loseNextAnswers(1);
      },
    },
  };
}
