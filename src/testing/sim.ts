import { SimClock } from "../core/clock.ts";
import type { Instrument } from "../core/instrument.ts";
import type { OrderRequest } from "../core/types.ts";
import type { VenueEvent } from "../core/venue.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import type { SimVenueOptions } from "../venues/sim/options.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

/** Shared fixtures for the simulated venue's tests (not a test file itself). */

export const T0 = Date.UTC(2026, 0, 1);

export interface Harness {
  readonly venue: SimVenue;
  readonly clock: SimClock;
  readonly events: VenueEvent[];
}

export function harness(options: Partial<SimVenueOptions> = {}, clock = new SimClock(T0)): Harness {
  const venue = new SimVenue({
    id: "simA",
    instruments: catalogInstruments("simA"),
    clock,
    recordEventLog: true,
    ...options,
  });
  const events: VenueEvent[] = [];
  venue.onEvent((e) => events.push(e));
  return { venue, clock, events };
}

/** Let queued microtasks and immediates run (answers and events of latency-0 requests). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let cloid = 0;

export function order(
  symbol: string,
  side: "buy" | "sell",
  priceTicks: number,
  sizeLots: number,
  more: Partial<OrderRequest> = {},
): OrderRequest {
  cloid += 1;
  return {
    clientOrderId: `c${cloid}`,
    account: "alice",
    symbol,
    side,
    type: "limit",
    priceTicks,
    sizeLots,
    tif: "ioc",
    reduceOnly: false,
    ...more,
  };
}

/**
 * Feed a book snapshot: `levels` levels each side, one tick apart, `size` base units each, the
 * best bid at `bidTicks` and best ask one tick above (or at `askTicks`).
 */
export function feedBook(
  venue: SimVenue,
  inst: Instrument,
  bidTicks: number,
  size: number,
  levels = 5,
  askTicks = bidTicks + 1,
  ts = 0,
): void {
  const px = (t: number) => inst.priceValue(t);
  venue.feed({
    type: "book",
    venue: inst.venue,
    symbol: inst.symbol,
    ts,
    snapshot: true,
    bids: Array.from({ length: levels }, (_, i) => ({ price: px(bidTicks - i), size })),
    asks: Array.from({ length: levels }, (_, i) => ({ price: px(askTicks + i), size })),
  });
}

export function feedMark(venue: SimVenue, inst: Instrument, markPrice: number, ts = 0): void {
  venue.feed({ type: "mark", venue: inst.venue, symbol: inst.symbol, ts, markPrice, oraclePrice: markPrice });
}

export function fillsOf(events: readonly VenueEvent[]) {
  return events.flatMap((e) => (e.type === "fill" ? [e.fill] : []));
}
