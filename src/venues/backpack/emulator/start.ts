/**
 * `startBackpackEmulator`: the emulator on a loopback port with its driver, the control interface
 * tests and the conformance suite use to set market conditions and inject faults. Prices and
 * sizes are the venue's decimal units, accounts their API keys (base64 ed25519 public keys);
 * every driver call publishes what it changed at once.
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import type { EmulatorFaultControls } from "../../kit/faults.ts";
import { type BookSpec, marketLookup, simMarketDriver, startFundingClock } from "../../kit/sim-core.ts";
import {
  BpEngine,
  type BpFillRecord,
  type BpOrderRecord,
  DEFAULT_MARKETS,
  type MarketSpec,
  VENUE_ID,
} from "./engine.ts";
import { BpFront } from "./server.ts";
import { BpSockets } from "./ws.ts";

export type { ExchangeFault } from "../../kit/faults.ts";
export type { MarketSpec } from "./engine.ts";

export interface BackpackEmulatorOptions {
  /** 0 (default): any free port */
  readonly port?: number;
  readonly clock?: Clock;
  readonly markets?: readonly MarketSpec[];
  /** per-IP request budget: burst and refill per second (default 40 and 20, rate-limit.ts) */
  readonly ipCapacity?: number;
  readonly ipPerSecond?: number;
  /** settle funding on the clock at each market's interval (default true) */
  readonly scheduledFunding?: boolean;
}

/** Streams are frozen by wire name ("depth.BTC_USDC_PERP", "account.orderUpdate"). */
export interface BackpackEmulatorDriver extends EmulatorFaultControls {
  /** Credit USDC to an API key's account (an unknown key is refused with UNAUTHORIZED). */
  fund(apiKey: string, usdc: number): void;
  /** Replace a market's book: `levels` levels of `qty`, `stepPx` apart, outward from bidPx / askPx. */
  setBook(b: BookSpec): void;
  moveMark(m: { symbol: string; markPx: number }): void;
  /** Set the funding rate in force (per hour) and settle one interval now. */
  settleFunding(f: { symbol: string; ratePerHour: number }): void;
  // ---- inspection
  now(): number;
  markets(): readonly MarketSpec[];
  orders(apiKey: string): readonly BpOrderRecord[];
  fills(apiKey: string): readonly BpFillRecord[];
  /** signed position, decimal text */
  position(apiKey: string, symbol: string): string;
  connections(): number;
}

export interface BackpackEmulator {
  /** base URL of the REST API, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** ws://127.0.0.1:41234 */
  readonly wsUrl: string;
  readonly driver: BackpackEmulatorDriver;
  close(): Promise<void>;
}

export async function startBackpackEmulator(opts: BackpackEmulatorOptions = {}): Promise<BackpackEmulator> {
  const clock = opts.clock ?? new WallClock();
  const markets = opts.markets ?? DEFAULT_MARKETS;
  const engine = new BpEngine(markets, clock);
  const accounts = new Set<string>();
  const sockets = new BpSockets(engine, accounts);
  const front = new BpFront(engine, sockets, opts.ipCapacity ?? 40, opts.ipPerSecond ?? 20);
  for (const a of accounts) front.accounts.add(a);
  const host = await front.listen(opts.port ?? 0);
  const ex = engine.exchange;
  const funding = startFundingClock(opts.scheduledFunding ?? true, clock, engine, () => sockets.flush());
  const symbols = markets.map((m) => m.symbol);
  const market = marketLookup("backpack", "symbol", symbols, (s) => engine.inst(s));
  const ts = () => clock.now();

  const driver: BackpackEmulatorDriver = {
    fund(apiKey, amount) {
      if (Buffer.from(apiKey, "base64").length !== 32)
        throw new RangeError(`backpack emulator: fund: "${apiKey}" is not a base64 ed25519 public key`);
      if (!(amount > 0))
        throw new RangeError(`backpack emulator: fund ${apiKey} with ${amount} USDC: must be > 0`);
      accounts.add(apiKey);
      front.accounts.add(apiKey);
      ex.state.deposit(apiKey, usd(amount));
    },
    ...simMarketDriver({ venueId: VENUE_ID, engine, now: ts, lookup: market, flush: () => sockets.flush() }),
    freezeStream: (s) => sockets.freeze(s),
    thawStream: (s) => sockets.thaw(s),
    dropSockets: () => sockets.dropAll(),
    inject: (fault, count = 1) => front.faults.add(fault, count),
    loseAcks: (count) => front.faults.add({ kind: "loseAck" }, count),
    serverErrors: (count, o = {}) => front.faults.add({ kind: "serverError", ...o }, count),
    executeThenTimeout: (count, holdMs) => front.faults.add({ kind: "executeThenTimeout", holdMs }, count),
    rateLimit: (count) => front.faults.add({ kind: "rateLimited" }, count),
    faultsApplied: () => Object.fromEntries(front.faults.applied),
    now: ts,
    markets: () => markets,
    orders: (k) => [...engine.orders.values()].filter((o) => o.account === k),
    fills: (k) => engine.fills.get(k) ?? [],
    position: (k, s) => {
      const inst = market(s);
      return inst.sizeText(ex.state.position(k, s)?.sizeLots ?? 0);
    },
    connections: () => sockets.connections,
  };

  return {
    url: `http://${host}`,
    wsUrl: `ws://${host}`,
    driver,
    async close() {
      funding?.stop();
      await front.close();
    },
  };
}
