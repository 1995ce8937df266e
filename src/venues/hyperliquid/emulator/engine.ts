/**
 * The emulator's exchange: Hyperliquid's order semantics on top of the simulated exchange core
 * (`../../sim/exchange.ts`: matching against a market book, margin, funding, liquidation). The
 * core's own accounts never meet each other; here a taker also trades against other users'
 * resting orders: their size is added to the market book for the taker's walk, then taken back,
 * and what the walk consumed of it is printed to them as a trade at their own price, best first.
 *
 * Order records, fills and funding payments are kept in the venue's shapes (records.ts); every
 * change is queued as an EngineEvent for the streams (drain()).
 */
import type { Clock } from "../../../core/clock.ts";
import type { Instrument } from "../../../core/instrument.ts";
import type { MarketEvent } from "../../../core/market.ts";
import { toUsd } from "../../../core/money.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import type { L2Book } from "../../../data/book.ts";
import { buildSimCore, seedMarkets } from "../../kit/sim-core.ts";
import type { SimExchange } from "../../sim/exchange.ts";
import { basicOrder, direction, fakeHash, type HlFill, type HlFunding, type HlOrder } from "./records.ts";
import { type CoinSpec, instrumentOf, num, trim } from "./universe.ts";

export type StatusEntry =
  | { resting: { oid: number; cloid?: string } }
  | { filled: { totalSz: string; avgPx: string; oid: number; cloid?: string } }
  | { error: string };

export type EngineEvent =
  | { kind: "orderUpdate"; user: string; update: { order: unknown; status: string; statusTimestamp: number } }
  | { kind: "fill"; user: string; fill: HlFill }
  | { kind: "funding"; user: string; funding: HlFunding }
  | { kind: "liquidation"; user: string; liquidation: Record<string, unknown> }
  | { kind: "nonUserCancel"; user: string; coin: string; oid: number }
  | { kind: "trade"; coin: string; trade: Record<string, unknown> }
  | { kind: "book"; coin: string }
  | { kind: "ctx"; coin: string };

export const VENUE_ID = "hyperliquid-emulator";
const ZERO_ADDRESS = `0x${"00".repeat(20)}`;

export class HlEngine {
  readonly clock: Clock;
  readonly coins: readonly CoinSpec[];
  readonly instruments: Map<string, Instrument>;
  readonly books: Map<string, L2Book>;
  readonly exchange: SimExchange;
  readonly orders = new Map<number, HlOrder>();
  /** `${user}|${cloid}` → oid of the latest order carrying it */
  readonly byCloid = new Map<string, number>();
  readonly fills = new Map<string, HlFill[]>();
  readonly fundings = new Map<string, HlFunding[]>();
  /** `${user}|${coin}` → signed lots, kept from the fills (startPosition, dir) */
  readonly szi = new Map<string, number>();
  readonly oracle = new Map<string, number>();
  readonly fundingRate = new Map<string, number>();
  readonly dayVolume = new Map<string, number>();
  /** traded notional per user (the per-address request budget grows with it) */
  readonly cumVlm = new Map<string, number>();
  nextOid = 10_000_000_000;
  nextTid = 1;
  /** the status a cancel in progress gives its orders (a user cancel is "canceled") */
  cancelStatus = "canceled";
  /** true while other users' orders are being filled by a taker's walk (no second trade print) */
  matching = false;
  #pending: EngineEvent[] = [];

  constructor(universe: readonly CoinSpec[], clock: Clock) {
    this.clock = clock;
    this.coins = universe;
    const core = buildSimCore(
      VENUE_ID,
      universe.map((c) => instrumentOf(c, VENUE_ID)),
      // the venue's default: cross at 20x, or the coin's maximum when lower
      (inst) => Math.min(20, inst.spec.maxLeverage),
    );
    this.instruments = core.instruments;
    this.books = core.books;
    this.exchange = core.exchange;
    const seeds = universe.map((c) => ({
      symbol: c.name,
      markPx: c.markPx,
      ratePerHour: c.fundingRate ?? 0.0000125,
    }));
    seedMarkets(VENUE_ID, clock.now(), seeds, (e) => this.market(e));
    this.drain();
  }

  // ---------------------------------------------------------------- lookups

  coinOf(asset: number): CoinSpec | undefined {
    return Number.isInteger(asset) ? this.coins[asset] : undefined;
  }

  assetOf(coin: string): number {
    return this.coins.findIndex((c) => c.name === coin);
  }

  inst(coin: string): Instrument {
    const i = this.instruments.get(coin);
    if (!i) throw new RangeError(`hyperliquid emulator: unknown coin "${coin}"`);
    return i;
  }

  mark(coin: string): number {
    return this.exchange.markOf(coin);
  }

  order(user: string, oidOrCloid: number | string): HlOrder | undefined {
    const oid =
      typeof oidOrCloid === "number" ? oidOrCloid : this.byCloid.get(`${user}|${oidOrCloid.toLowerCase()}`);
    const o = oid === undefined ? undefined : this.orders.get(oid);
    return o && o.user === user ? o : undefined;
  }

  openOrders(user: string): HlOrder[] {
    return [...this.orders.values()].filter((o) => o.user === user && o.status === "open");
  }

  position(user: string, coin: string): number {
    return this.szi.get(`${user}|${coin}`) ?? 0;
  }

  // ---------------------------------------------------------------- changes

  /** Apply one market event to the core (book, mark, funding rate) and absorb what it caused. */
  market(e: MarketEvent): void {
    if (e.type === "mark") this.oracle.set(e.symbol, e.oraclePrice);
    if (e.type === "funding") this.fundingRate.set(e.symbol, e.ratePerHour);
    this.absorb(this.exchange.onMarket(e, this.clock.now()));
    this.emit(
      e.type === "book" || e.type === "bbo"
        ? { kind: "book", coin: e.symbol }
        : { kind: "ctx", coin: e.symbol },
    );
  }

  /** Cancel a live order; false when it is not live. `status` is the venue's name for why. */
  cancel(o: HlOrder, status = "canceled"): boolean {
    if (o.status !== "open") return false;
    this.cancelStatus = status;
    try {
      this.absorb(this.exchange.cancel(o.user, o.coin, String(o.oid), this.clock.now()));
    } finally {
      this.cancelStatus = "canceled";
    }
    this.emit({ kind: "book", coin: o.coin });
    return o.status !== "open";
  }

  cancelAll(user: string, status: string): number {
    let n = 0;
    for (const o of this.openOrders(user)) if (this.cancel(o, status)) n++;
    return n;
  }

  /** Translate the core's events into the venue's records and stream events. */
  absorb(events: readonly VenueEvent[]): void {
    absorbEvents(this, events);
  }

  emit(e: EngineEvent): void {
    this.#pending.push(e);
  }

  /** Events queued since the last drain, in order. */
  drain(): EngineEvent[] {
    const out = this.#pending;
    this.#pending = [];
    return out;
  }

  newOid(): number {
    return this.nextOid++;
  }

  counterpartyOf(): string {
    return ZERO_ADDRESS;
  }
}

/** The venue's status for a core cancel reason (nk `OrderProcessingStatus`). */
function cancelStatus(engine: HlEngine, reason: string, o: HlOrder): string {
  switch (reason) {
    case "user":
      return engine.cancelStatus;
    case "ioc_remainder":
      return o.filledLots > 0 ? "canceled" : "iocCancelRejected";
    case "reduce_only":
      return "reduceOnlyCanceled";
    case "liquidation":
      return "liquidatedCanceled";
    default:
      return "canceled";
  }
}

const NON_USER = new Set(["reduceOnlyCanceled", "liquidatedCanceled", "marginCanceled", "selfTradeCanceled"]);

export function orderUpdate(engine: HlEngine, o: HlOrder): void {
  const inst = engine.inst(o.coin);
  engine.emit({
    kind: "orderUpdate",
    user: o.user,
    update: {
      order: basicOrder(o, (l) => trim(inst.sizeText(l))),
      status: o.status,
      statusTimestamp: o.statusTimestamp,
    },
  });
}

export function setStatus(engine: HlEngine, o: HlOrder, status: string, ts: number): void {
  o.status = status;
  o.statusTimestamp = ts;
  orderUpdate(engine, o);
  if (NON_USER.has(status)) engine.emit({ kind: "nonUserCancel", user: o.user, coin: o.coin, oid: o.oid });
}

/**
 * The core's venue events (ack, fill, canceled, funding, liquidation) turned into the venue's
 * records: fills with startPosition/dir/closedPnl, order status changes, funding payments,
 * trades and userEvents, each queued on the engine for the streams.
 */
function absorbEvents(engine: HlEngine, events: readonly VenueEvent[]): void {
  for (const e of events) {
    switch (e.type) {
      case "fill": {
        const f = e.fill;
        const inst = engine.inst(f.symbol);
        const o = engine.orders.get(Number(f.clientOrderId));
        const key = `${f.account}|${f.symbol}`;
        const start = engine.szi.get(key) ?? 0;
        const buy = f.side === "buy";
        engine.szi.set(key, start + (buy ? f.sizeLots : -f.sizeLots));
        const px = inst.priceValue(f.priceTicks);
        const sz = inst.sizeValue(f.sizeLots);
        const tid = engine.nextTid++;
        const fill: HlFill = {
          coin: f.symbol,
          px: trim(inst.priceText(f.priceTicks)),
          sz: trim(inst.sizeText(f.sizeLots)),
          side: buy ? "B" : "A",
          time: e.ts,
          startPosition: trim(inst.sizeText(start)),
          dir: direction(start, buy, f.sizeLots),
          closedPnl: num(toUsd(f.realisedPnl), 6),
          hash: fakeHash(tid, e.ts),
          oid: o?.oid ?? 0,
          crossed: f.liquidity !== "maker",
          fee: num(toUsd(f.fee), 6),
          tid,
          feeToken: "USDC",
          ...(o?.cloid ? { cloid: o.cloid } : {}),
          ...(f.liquidity === "liquidation"
            ? {
                liquidation: {
                  liquidatedUser: f.account,
                  markPx: num(engine.mark(f.symbol)),
                  method: "market" as const,
                },
              }
            : {}),
        };
        const list = engine.fills.get(f.account) ?? [];
        engine.fills.set(f.account, list);
        list.push(fill);
        engine.cumVlm.set(f.account, (engine.cumVlm.get(f.account) ?? 0) + px * sz);
        engine.dayVolume.set(f.symbol, (engine.dayVolume.get(f.symbol) ?? 0) + px * sz);
        engine.emit({ kind: "fill", user: f.account, fill });
        if (!(engine.matching && f.liquidity === "maker")) {
          const other = engine.counterpartyOf();
          engine.emit({
            kind: "trade",
            coin: f.symbol,
            trade: {
              coin: f.symbol,
              // the aggressor's side: a resting order filled by the market book was the passive one
              side: (f.liquidity === "maker") === buy ? "A" : "B",
              px: fill.px,
              sz: fill.sz,
              hash: fill.hash,
              time: e.ts,
              tid,
              users: buy ? [f.account, other] : [other, f.account],
            },
          });
        }
        if (o) {
          o.filledLots += f.sizeLots;
          o.remainingLots = Math.max(0, o.remainingLots - f.sizeLots);
          o.filledNotional += px * sz;
          if (e.remainingLots === 0 && o.status === "open") setStatus(engine, o, "filled", e.ts);
        }
        engine.emit({ kind: "book", coin: f.symbol });
        break;
      }
      case "canceled": {
        const o = engine.orders.get(Number(e.clientOrderId));
        if (o && o.status === "open") setStatus(engine, o, cancelStatus(engine, e.reason, o), e.ts);
        break;
      }
      case "funding": {
        const funding = {
          time: e.ts,
          coin: e.symbol,
          usdc: num(toUsd(e.amount), 6),
          szi: trim(engine.inst(e.symbol).sizeText(engine.szi.get(`${e.account}|${e.symbol}`) ?? 0)),
          fundingRate: num(e.ratePerHour * e.hours, 10),
          nSamples: null,
        };
        const list = engine.fundings.get(e.account) ?? [];
        engine.fundings.set(e.account, list);
        list.push(funding);
        engine.emit({ kind: "funding", user: e.account, funding });
        break;
      }
      case "liquidation": {
        const inst = engine.inst(e.symbol);
        engine.emit({
          kind: "liquidation",
          user: e.account,
          liquidation: {
            lid: engine.nextTid,
            liquidator: engine.counterpartyOf(),
            liquidated_user: e.account,
            liquidated_ntl_pos: num(Math.abs(inst.sizeValue(e.sizeLots)) * inst.priceValue(e.priceTicks), 6),
            liquidated_account_value: "0",
          },
        });
        break;
      }
      default:
        break;
    }
  }
}
