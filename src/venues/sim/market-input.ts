import type { Instrument } from "../../core/instrument.ts";
import type { MarketEvent, MutableBook } from "../../core/market.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { addRate } from "./funding.ts";
import { checkLiquidations, type LiquidationContext } from "./liquidation.ts";
import type { QueuePositions } from "./queue.ts";
import { applyBbo } from "./requests.ts";
import type { RestingOrders } from "./resting.ts";
import type { OrderState, SimState } from "./state.ts";

/** What market input needs of the exchange core (so the two files do not import each other). */
export interface MarketInputContext extends LiquidationContext {
  /** symbols whose mark comes from MarkPriceUpdate events rather than the book's mid */
  readonly markFromFeed: Set<string>;
  /** queue positions (fill model "queue"), else undefined */
  readonly queue: QueuePositions | undefined;
  /** the symbol's instrument, book and resting orders; throws for a symbol not listed */
  marketOf(symbol: string): MarketSlot;
  makerFillsFromBook(
    inst: Instrument,
    book: MutableBook,
    ts: number,
    out: VenueEvent[],
    resting?: RestingOrders,
  ): void;
  fillResting(
    orders: OrderState[],
    inst: Instrument,
    lotsAvailable: number,
    ts: number,
    out: VenueEvent[],
    through?: boolean,
  ): void;
}

/**
 * The market data the simulated venue is fed, applied to its core: book and BBO updates move the
 * book (resting orders it trades through fill, the mark follows the mid unless the feed sends
 * marks), trades fill resting orders up to the printed size, marks and funding rates are kept,
 * and every price move is checked for liquidations.
 */
/** Apply one market-data event; returns the venue events it caused (maker fills, liquidations). */
export function applyMarketEvent(x: MarketInputContext, e: MarketEvent, ts: number): VenueEvent[] {
  const slot = x.marketOf(e.symbol);
  const { inst, book, resting } = slot;
  const events: VenueEvent[] = [];
  const s = x.state;
  switch (e.type) {
    case "book":
      book.apply(e);
      x.makerFillsFromBook(inst, book, ts, events, resting);
      if (!slot.markFromFeed) setMarkFromBook(x.state, slot);
      break;
    case "bbo":
      applyBbo(inst, book, e.bidPrice, e.bidSize, e.askPrice, e.askSize);
      x.makerFillsFromBook(inst, book, ts, events, resting);
      if (!slot.markFromFeed) setMarkFromBook(x.state, slot);
      break;
    case "trade": {
      const ticks = inst.roundPrice(e.price, e.side, "nearest");
      const lots = inst.roundSize(e.size, "down");
      // (the lists are best first: when the best is out of the trade's reach, so is every order)
      const sells = e.side === "sell";
      const near = sells ? resting.bids[0] : resting.asks[0];
      if (near === undefined || (sells ? near.priceTicks < ticks : near.priceTicks > ticks)) break;
      const hit = sells ? resting.bidsAtOrAbove(ticks) : resting.asksAtOrBelow(ticks);
      if (x.queue === undefined) x.fillResting(hit, inst, lots, ts, events);
      else if (hit.length > 0) {
        // the queue model: the size ahead trades first, a trade through the price fills in full
        for (const f of x.queue.onTrade(hit, ticks, e.size, inst.lot.value, ts))
          x.fillResting([f.order], inst, f.lots, ts, events, f.through);
      }
      break;
    }
    case "mark":
      x.markFromFeed.add(e.symbol);
      slot.markFromFeed = true;
      s.marks.set(e.symbol, e.markPrice);
      s.ledgerVersion++;
      s.changes.meta = true;
      break;
    case "funding":
      addRate(s.fundingRates.get(e.symbol) ?? newSeries(s, e.symbol), {
        ts: e.ts,
        ratePerHour: e.ratePerHour,
      });
      s.changes.meta = true;
      break;
  }
  // after every price move; skipped when nothing it reads changed since it last found nothing
  // due on this symbol (SimState.ledgerVersion): it would find nothing again
  if (e.type !== "funding" && e.type !== "trade" && slot.clearAtVersion !== s.ledgerVersion) {
    const before = events.length;
    checkLiquidations(x, e.symbol, ts, events);
    slot.clearAtVersion = events.length === before ? s.ledgerVersion : -1;
  }
  return events;
}

/** A listed symbol's parts the market feed uses, looked up once per event. */
export interface MarketSlot {
  readonly inst: Instrument;
  readonly book: MutableBook;
  readonly resting: RestingOrders;
  /** markFromFeed.has(symbol), kept beside it */
  markFromFeed: boolean;
  /** the touch (bid, ask ticks) the mark was last set from by setMarkFromBook; NaN before */
  readonly midOf: [number, number];
  /** SimState.ledgerVersion when the liquidation check last found nothing due here; -1 before */
  clearAtVersion: number;
}

function setMarkFromBook(state: SimState, slot: MarketSlot): void {
  const b = slot.book.bestBidTicks();
  const a = slot.book.bestAskTicks();
  if (b === undefined || a === undefined) return;
  // the same touch gives the same mid: nothing else sets this mark while the feed sends none
  if (b !== slot.midOf[0] || a !== slot.midOf[1]) {
    state.marks.set(slot.inst.symbol, slot.inst.priceValue(a + b) / 2);
    state.ledgerVersion++;
    slot.midOf[0] = b;
    slot.midOf[1] = a;
  }
  state.changes.meta = true;
}

function newSeries(s: SimState, symbol: string) {
  const series: { ts: number; ratePerHour: number }[] = [];
  s.fundingRates.set(symbol, series);
  return series;
}
