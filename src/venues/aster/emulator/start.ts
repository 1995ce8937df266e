/**
 * `startAsterEmulator`: the emulator on a loopback port with its driver, the control interface
 * tests and the conformance suite use to set market conditions and inject faults. Prices and
 * sizes are the venue's decimal units, accounts the main wallets' addresses; every driver call
 * publishes what it changed at once.
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import { type BookSpec, marketLookup, simMarketDriver, startFundingClock } from "../../kit/sim-core.ts";
import {
  AsEngine,
  type AsFillRecord,
  type AsOrderRecord,
  DEFAULT_MARKETS,
  type MarketSpec,
  VENUE_ID,
} from "./engine.ts";
import type { ExchangeFault } from "./limits.ts";
import { AsFront } from "./server.ts";
import { AsSockets, ListenKeys } from "./ws.ts";

export type { MarketSpec } from "./engine.ts";
export type { ExchangeFault } from "./limits.ts";

export interface AsterEmulatorOptions {
  /** 0 (default): any free port */
  readonly port?: number;
  readonly clock?: Clock;
  readonly markets?: readonly MarketSpec[];
  /** REQUEST_WEIGHT per IP a minute (default 2400) and ORDERS per account a minute (default 1200) */
  readonly ipWeightPerMinute?: number;
  readonly ordersPerMinute?: number;
  /** how long a listen key lives without a PUT (default 60 min) */
  readonly listenKeyTtlMs?: number;
  /** settle funding on the clock at each market's interval (default true) */
  readonly scheduledFunding?: boolean;
  /** how far a V3 nonce may be from the server's time (default 10 s, the venue's) */
  readonly nonceWindowMs?: number;
  /** 429s an IP may get within a minute before a ban (default 5) and the ban's length (default 2 min) */
  readonly banAfter429s?: number;
  readonly banMs?: number;
  /** re-send every book in full this often (0, the default: only on changes, as the venue does) */
  readonly bookRefreshMs?: number;
}

export interface AsterEmulatorDriver {
  /** Credit USDT to a main wallet's account. */
  fund(user: string, usdt: number): void;
  /** Register an API wallet (V3 `signer`) for a user, as Aster's "API wallet" page does. */
  approveSigner(user: string, signer: string): void;
  /** Register a V1 API key and its HMAC secret for a user. */
  addHmacKey(user: string, apiKey: string, secret: string): void;
  setBook(b: BookSpec): void;
  moveMark(m: { symbol: string; markPx: number }): void;
  /** Set the funding rate in force (per hour) and settle one interval now. */
  settleFunding(f: { symbol: string; ratePerHour: number }): void;
  /** Cut a wire stream ("btcusdt@depth@100ms", or "user" for the user data streams). */
  freezeStream(stream: string): void;
  thawStream(stream: string): void;
  /** Send `data` as it is on a market stream ("btcusdt@trade"): a payload the venue never sends. */
  publishRaw(stream: string, data: unknown): void;
  dropSockets(): void;
  inject(fault: ExchangeFault, count?: number): void;
  loseAcks(count: number): void;
  faultsApplied(): Readonly<Record<string, number>>;
  /** requests seen per "METHOD /path" */
  requests(): Readonly<Record<string, number>>;
  now(): number;
  markets(): readonly MarketSpec[];
  orders(user: string): readonly AsOrderRecord[];
  fills(user: string): readonly AsFillRecord[];
  position(user: string, symbol: string): string;
  /** Forget every listen key (as a venue restart would): PUTs are refused, user streams expire. */
  dropListenKeys(): void;
  /** the listen keys handed out and their accounts */
  listenKeys(): ReadonlyMap<string, { account: string; expires: number }>;
  connections(): number;
  /** connections the emulator closed for sending more than 10 messages a second */
  floodClosures(): number;
}

export interface AsterEmulator {
  /** base URL of the REST API, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** ws://127.0.0.1:41234 (market streams at /stream, user streams at /ws/<listenKey>) */
  readonly wsUrl: string;
  readonly driver: AsterEmulatorDriver;
  close(): Promise<void>;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export async function startAsterEmulator(opts: AsterEmulatorOptions = {}): Promise<AsterEmulator> {
  const clock = opts.clock ?? new WallClock();
  const markets = opts.markets ?? DEFAULT_MARKETS;
  const engine = new AsEngine(markets, clock);
  const keys = new ListenKeys(opts.listenKeyTtlMs ?? 3_600_000, () => clock.now());
  const sockets = new AsSockets(engine, keys);
  const front = new AsFront(engine, sockets, {
    ipWeightPerMinute: opts.ipWeightPerMinute ?? 2400,
    ordersPerMinute: opts.ordersPerMinute ?? 1200,
    nonceWindowMs: opts.nonceWindowMs ?? 10_000,
    banAfter429s: opts.banAfter429s ?? 5,
    banMs: opts.banMs ?? 120_000,
  });
  const refresh =
    (opts.bookRefreshMs ?? 0) > 0 ? setInterval(() => sockets.refreshBooks(), opts.bookRefreshMs) : undefined;
  refresh?.unref();
  const host = await front.listen(opts.port ?? 0);
  const ex = engine.exchange;
  const funding = startFundingClock(opts.scheduledFunding ?? true, clock, engine, () => sockets.flush());
  const symbols = markets.map((m) => m.symbol);
  const market = marketLookup("aster", "symbol", symbols, (s) => engine.inst(s));
  const address = (a: string, what: string) => {
    if (!ADDRESS.test(a)) throw new RangeError(`aster emulator: ${what} "${a}" is not a 0x address`);
    return a.toLowerCase();
  };
  const ts = () => clock.now();

  const driver: AsterEmulatorDriver = {
    fund(user, amount) {
      if (!(amount > 0))
        throw new RangeError(`aster emulator: fund ${user} with ${amount} USDT: must be > 0`);
      ex.state.deposit(address(user, "user"), usd(amount));
    },
    approveSigner(user, signer) {
      const u = address(user, "user");
      const set = front.registry.agents.get(u) ?? new Set<string>();
      set.add(address(signer, "signer"));
      front.registry.agents.set(u, set);
    },
    addHmacKey(user, apiKey, secret) {
      front.registry.hmacKeys.set(apiKey, { secret, user: address(user, "user") });
    },
    ...simMarketDriver({ venueId: VENUE_ID, engine, now: ts, lookup: market, flush: () => sockets.flush() }),
    freezeStream: (s) => sockets.freeze(s),
    thawStream: (s) => sockets.thaw(s),
    publishRaw: (s, data) => sockets.raw(s, data),
    dropSockets: () => sockets.dropAll(),
    inject: (fault, count = 1) => front.faults.add(fault, count),
    loseAcks: (count) => front.faults.add({ kind: "loseAck" }, count),
    faultsApplied: () => Object.fromEntries(front.faults.applied),
    requests: () => Object.fromEntries(front.seen),
    now: ts,
    markets: () => markets,
    orders: (u) => [...engine.orders.values()].filter((o) => o.account === u.toLowerCase()),
    fills: (u) => engine.fills.get(u.toLowerCase()) ?? [],
    position: (u, s) => market(s).sizeText(ex.state.position(u.toLowerCase(), s)?.sizeLots ?? 0),
    listenKeys: () => keys.keys,
    dropListenKeys: () => keys.keys.clear(),
    connections: () => sockets.connections,
    floodClosures: () => sockets.closedForFlood,
  };

  return {
    url: `http://${host}`,
    wsUrl: `ws://${host}`,
    driver,
    async close() {
      funding?.stop();
      if (refresh !== undefined) clearInterval(refresh);
      await front.close();
    },
  };
}
