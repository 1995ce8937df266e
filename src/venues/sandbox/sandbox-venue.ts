/**
 * Sandbox: a simulated venue fed by a real venue's market data. The books, trades, marks and
 * funding rates are the real venue's (its connector's public streams, subscribed as the engine
 * subscribes here); orders, fills, balances and positions are the simulator's, so no order and
 * no signed request ever reaches the real venue. It carries the real venue's id and instruments,
 * so configured strategies run unchanged; stream health is the real venue's too (a stale real
 * book is a stale sandbox book), except the account stream, which is the simulator's.
 */
import type { MarketEvent } from "../../core/market.ts";
import type { Unsubscribe, Venue } from "../../core/venue.ts";
import {
  ACCOUNT_STREAM,
  type MarketSubscription,
  type StreamStatus,
  type StreamStatusChange,
} from "../../core/venue-streams.ts";
import type { SimVenueOptions } from "../sim/options.ts";
import { SimVenue } from "../sim/sim-venue.ts";

export interface SandboxVenueOptions extends Omit<SimVenueOptions, "id" | "instruments"> {
  /** the real venue, connected, no account bound: only its market data is used */
  readonly market: Venue;
}

export class SandboxVenue extends SimVenue {
  readonly market: Venue;
  readonly #off: Unsubscribe;
  /** market events of the real venue applied so far */
  fed = 0;

  constructor(o: SandboxVenueOptions) {
    super({ ...o, id: o.market.id, instruments: o.market.instruments() });
    this.market = o.market;
    const ts = o.clock.now();
    // the marks and funding rates the real venue gave at connect, before any stream speaks
    for (const inst of o.market.instruments()) {
      const symbol = inst.symbol;
      const markPrice = o.market.markPrice(symbol);
      if (Number.isFinite(markPrice) && markPrice > 0)
        this.feed({ type: "mark", venue: this.id, symbol, ts, markPrice, oraclePrice: markPrice });
      const ratePerHour = o.market.fundingRatePerHour(symbol);
      if (Number.isFinite(ratePerHour))
        this.feed({ type: "funding", venue: this.id, symbol, ts, ratePerHour });
    }
    this.#off = o.market.onMarket((e: MarketEvent) => {
      if (this.feed(e)) this.fed++;
    });
  }

  override subscribe(subscription: MarketSubscription): Unsubscribe {
    const here = super.subscribe(subscription);
    const there = this.market.subscribe(subscription);
    return () => {
      there();
      here();
    };
  }

  override streams(): readonly StreamStatus[] {
    return [
      ...this.market.streams().filter((s) => s.stream !== ACCOUNT_STREAM),
      ...super.streams().filter((s) => s.stream === ACCOUNT_STREAM),
    ];
  }

  override onStreamStatus(listener: (change: StreamStatusChange) => void): Unsubscribe {
    const a = this.market.onStreamStatus((c) => {
      if (c.stream !== ACCOUNT_STREAM) listener(c);
    });
    const b = super.onStreamStatus((c) => {
      if (c.stream === ACCOUNT_STREAM) listener(c);
    });
    return () => {
      a();
      b();
    };
  }

  override async close(): Promise<void> {
    this.#off();
    await super.close();
    await this.market.close();
  }
}
