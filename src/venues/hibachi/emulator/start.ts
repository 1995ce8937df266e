/**
 * Start the Hibachi emulator: the engine over the simulated core, its HTTP front on 127.0.0.1,
 * and a driver for tests and `perpbot emulate hibachi` (accounts, book, mark, funding, faults).
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import { marketLookup, simMarketDriver } from "../../kit/sim-core.ts";
import { positionReports } from "../../sim/reports.ts";
import {
  type ContractSpec,
  DEFAULT_CONTRACTS,
  FUNDING_INTERVAL_HOURS,
  HbEngine,
  VENUE_ID,
} from "./engine.ts";
import { HbFront, type HibachiFault } from "./server.ts";
import type { AccountKey } from "./verify.ts";

export interface HibachiEmulatorOptions {
  readonly clock?: Clock;
  readonly contracts?: readonly ContractSpec[];
  readonly port?: number;
  /** how far a nonce (µs) may sit from server time, ms (default 60 000; unpublished) */
  readonly nonceWindowMs?: number;
  /** private requests per API key per second before HTTP 429 (default 20; unpublished) */
  readonly ordersPerSecond?: number;
}

export interface HibachiEmulatorDriver {
  /** Register an account: its id, API key, how it signs, and its USDT balance. */
  addAccount(a: { accountId: number; apiKey: string; key: AccountKey; usdt: number }): void;
  setBook(b: {
    symbol: string;
    bidPx: number;
    askPx: number;
    qty: number;
    levels?: number;
    stepPx: number;
  }): void;
  moveMark(m: { symbol: string; markPx: number }): void;
  /** Set the funding rate (per 8 h period) and settle one period. */
  settleFunding(f: { symbol: string; ratePerPeriod: number }): void;
  inject(fault: HibachiFault, count?: number): void;
  /** the next `count` order requests execute and their answers are lost */
  loseAcks(count: number): void;
  /** The account's signed position in `symbol` (base units; 0 when flat). */
  position(accountId: number, symbol: string): number;
  /** Cut a stream as a disconnect would: "orderbook|BTC/USDT-P" (topic|symbol) or "account". */
  freezeStream(stream: string): void;
  thawStream(stream: string): void;
  /** Keep a stream connected but send nothing on it (a stale feed), until `unmuteStream`. */
  muteStream(stream: string): void;
  unmuteStream(stream: string): void;
}

export interface HibachiEmulator {
  readonly url: string;
  /** ws://127.0.0.1:port (the endpoints are /ws/market, /ws/account, /ws/trade) */
  readonly wsUrl: string;
  readonly engine: HbEngine;
  readonly front: HbFront;
  readonly driver: HibachiEmulatorDriver;
  close(): Promise<void>;
}

export async function startHibachiEmulator(opts: HibachiEmulatorOptions = {}): Promise<HibachiEmulator> {
  const clock = opts.clock ?? new WallClock();
  const engine = new HbEngine(opts.contracts ?? DEFAULT_CONTRACTS, clock);
  const front = new HbFront(engine, {
    nonceWindowMs: opts.nonceWindowMs ?? 60_000,
    ordersPerSecond: opts.ordersPerSecond ?? 20,
  });
  const host = await front.listen(opts.port ?? 0);
  const lookup = marketLookup(
    "hibachi",
    "symbol",
    engine.contracts.map((c) => c.symbol),
    (s) => engine.instruments.get(s),
  );
  // the market side is the kit's; funding is quoted per 8 h period, as the venue does
  const market = simMarketDriver({
    venueId: VENUE_ID,
    engine,
    now: () => clock.now(),
    lookup,
    flush: () => undefined,
  });
  const driver: HibachiEmulatorDriver = {
    addAccount(a) {
      if (!(Number.isSafeInteger(a.accountId) && a.accountId > 0))
        throw new RangeError(`hibachi emulator: accountId ${a.accountId} must be a positive integer`);
      if (!(a.usdt >= 0))
        throw new RangeError(`hibachi emulator: account ${a.accountId}: usdt ${a.usdt} must be >= 0`);
      front.accounts.set(a.apiKey, { accountId: a.accountId, apiKey: a.apiKey, key: a.key });
      if (a.usdt > 0) engine.exchange.state.deposit(String(a.accountId), usd(a.usdt));
    },
    setBook: market.setBook,
    moveMark: market.moveMark,
    settleFunding: (f) =>
      market.settleFunding({ symbol: f.symbol, ratePerHour: f.ratePerPeriod / FUNDING_INTERVAL_HOURS }),
    inject: (fault, count = 1) => front.faults.add(fault, count),
    loseAcks: (count) => front.faults.add({ kind: "loseAck" }, count),
    position(accountId, symbol) {
      const inst = lookup(symbol);
      const p = positionReports(engine.exchange, String(accountId)).find((x) => x.symbol === symbol);
      return p === undefined ? 0 : inst.sizeValue(p.sizeLots);
    },
    freezeStream: (stream) => front.sockets.freeze(stream),
    thawStream: (stream) => front.sockets.thaw(stream),
    muteStream: (stream) => front.sockets.muted.add(stream),
    unmuteStream: (stream) => front.sockets.muted.delete(stream),
  };
  return {
    url: `http://${host}`,
    wsUrl: `ws://${host}`,
    engine,
    front,
    driver,
    close: () => front.close(),
  };
}
