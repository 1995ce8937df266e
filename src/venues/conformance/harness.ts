import type { OrderRequest, Side, TimeInForce } from "../../core/types.ts";
import type { Venue, VenueEvent } from "../../core/venue.ts";
import type { ClientOrderIdFormat } from "../../core/venue-capabilities.ts";

/**
 * Sets market conditions on the venue under test: for the simulator, calls into it; for a live
 * connector, calls to its emulator's control interface. Prices are ticks and sizes lots of the
 * harness's instrument.
 */
export interface MarketDriver {
  /**
   * Replace the book: `levels` levels (default 5) of `lotsPerLevel` each side, one tick apart,
   * from `bidTicks` down and from `askTicks` up. A book whose ask is at or below a resting buy
   * (or bid at or above a resting sell) trades against it.
   */
  setBook(book: { bidTicks: number; askTicks: number; lotsPerLevel: number; levels?: number }): Promise<void>;
  /** Move the mark price. */
  moveMark(priceTicks: number): Promise<void>;
  /** Set the funding rate and let one funding settlement of the instrument pass. */
  settleFunding(ratePerHour: number): Promise<void>;
  /** Cut one stream as a disconnect would ("book:BTC", "account"). */
  dropStream(stream: string): Promise<void>;
  restoreStream(stream: string): Promise<void>;
  /** The next order executes on the venue but its answer never reaches the connector. */
  loseNextAnswer(): Promise<void>;
}

/** A fresh venue with one funded, bound account and one instrument, for one check. */
export interface VenueHarness {
  readonly venue: Venue;
  readonly account: string;
  readonly symbol: string;
  /** a price near which the instrument trades, in ticks */
  readonly referenceTicks: number;
  /** an order size the venue accepts with room to spare (above its minimum, within margin) */
  readonly unitLots: number;
  readonly driver: MarketDriver;
  /** Run `work` to the end, letting the venue's time pass (a simulated clock moves; a live one waits). */
  drive<T>(work: Promise<T>): Promise<T>;
  /** Let answers and events already on their way arrive. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** Every account event the venue emits from now on, until `stop()`. */
export function recordEvents(venue: Venue): { readonly events: VenueEvent[]; stop(): void } {
  const events: VenueEvent[] = [];
  const stop = venue.onEvent((e) => events.push(e));
  return { events, stop };
}

let sequence = 0;

/** A client order id in the venue's declared format, distinct within the process. */
export function conformanceOrderId(format: ClientOrderIdFormat): string {
  const n = ++sequence;
  switch (format.kind) {
    case "hex":
      return format.prefix + n.toString(16).padStart(2 * format.bytes, "0");
    case "text":
      return format.prefix + String(n).padStart(format.length - format.prefix.length, "0");
    case "uint":
      return String(n);
  }
}

export interface OrderShape {
  readonly side: Side;
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly tif: TimeInForce;
  readonly reduceOnly?: boolean;
}

/** A limit order of the harness's account and instrument with a fresh client order id. */
export function orderOf(h: VenueHarness, o: OrderShape): OrderRequest {
  return {
    clientOrderId: conformanceOrderId(h.venue.capabilities.clientOrderId),
    account: h.account,
    symbol: h.symbol,
    side: o.side,
    type: "limit",
    priceTicks: o.priceTicks,
    sizeLots: o.sizeLots,
    tif: o.tif,
    reduceOnly: o.reduceOnly ?? false,
  };
}

/** JSON for assertion messages (venue reports hold bigint money). */
export function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
}
