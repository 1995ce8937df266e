/**
 * `startParadexEmulator`: the Paradex emulator on a loopback port with its driver (onboard and
 * fund an account, credit XP, set books and marks, let funding accrue, cut streams, inject
 * faults). Accounts are Starknet addresses bound to Stark public keys as onboarding would bind
 * them; prices and sizes are the venue's decimal units. Every driver call publishes what it
 * changed at once.
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import type { ExchangeFault } from "../../kit/faults.ts";
import { type BookSpec, marketLookup, simMarketDriver } from "../../kit/sim-core.ts";
import { settleFunding } from "../../sim/funding.ts";
import { FundingClock } from "../../sim/funding-clock.ts";
import { checkLiquidations } from "../../sim/liquidation.ts";
import { DEFAULT_ACCRUAL_MS, PdxEngine, VENUE_ID } from "./engine.ts";
import { JwtIssuer } from "./jwt.ts";
import { PdxFront } from "./server.ts";
import {
  DEFAULT_SEEDS,
  type PdxFill,
  type PdxFundingPayment,
  type PdxMarket,
  type PdxMarketSeed,
  type PdxOrder,
  PdxState,
} from "./state.ts";
import { PdxSockets } from "./ws.ts";

export type { ExchangeFault } from "../../kit/faults.ts";

export interface ParadexEmulatorOptions {
  readonly port?: number;
  readonly clock?: Clock;
  /** ms since the epoch; default the clock's (kept for callers that only move time) */
  readonly now?: () => number;
  readonly chain?: string;
  readonly markets?: readonly PdxMarket[];
  readonly seeds?: Readonly<Record<string, PdxMarketSeed>>;
  readonly ordersPerSecond?: number;
  readonly getsPerSecond?: number;
  /** public requests per minute per IP (default 1500 as on Paradex) */
  readonly publicPerMinute?: number;
  /** JWT lifetime, s (default 300 as on Paradex) */
  readonly jwtLifetimeS?: number;
  /** funding accrual step, ms (default 10 s) */
  readonly accrualMs?: number;
  /** accrue funding on the clock every step (default: true unless `now` is given) */
  readonly scheduledFunding?: boolean;
}

export interface ParadexEmulatorDriver {
  onboard(account: string, starkPublicKey: string): void;
  /** Credit USDC to an onboarded account. */
  fund(account: string, usdc: number): void;
  setXp(account: string, balance: string): void;
  /** Replace a market's book (kit BookSpec: `symbol`, `bidPx`, `askPx`, `qty`, `levels`, `stepPx`). */
  setBook(b: BookSpec): void;
  /** A one-level book: bid and ask as decimal text. */
  setBbo(b: { market: string; bid: string; ask: string; bidSize: string; askSize: string }): void;
  moveMark(m: { symbol: string; markPx: number }): void;
  /**
   * Set the funding rate in force (per hour; the venue quotes it per funding period) and let one
   * accrual step pass now: every position pays rate × step of its notional, the index grows.
   */
  settleFunding(f: { symbol: string; ratePerHour: number }): void;
  loseAcks(count: number): void;
  freezeStream(channel: string): void;
  thawStream(channel: string): void;
  dropSockets(): void;
  inject(fault: ExchangeFault, count?: number): void;
  faultsApplied(): Readonly<Record<string, number>>;
  // ---- inspection
  now(): number;
  orders(account: string): readonly PdxOrder[];
  fills(account: string): readonly PdxFill[];
  payments(account: string): readonly PdxFundingPayment[];
  /** signed position, decimal text */
  position(account: string, market: string): string;
  /** JWTs issued so far */
  jwtsIssued(): number;
  markets(): readonly string[];
  /** each market as /v1/markets lists it, with its current mark */
  marketSpecs(): readonly (PdxMarket & { readonly markPx: number })[];
  connections(): number;
}

export interface ParadexEmulator {
  /** e.g. http://127.0.0.1:41234/v1 */
  readonly url: string;
  /** ws://127.0.0.1:41234/v1 */
  readonly wsUrl: string;
  readonly chain: string;
  readonly driver: ParadexEmulatorDriver;
  close(): Promise<void>;
}

export async function startParadexEmulator(opts: ParadexEmulatorOptions = {}): Promise<ParadexEmulator> {
  const clock = opts.clock ?? new WallClock();
  const now = opts.now ?? (() => clock.now());
  const timeClock: Clock =
    opts.now === undefined
      ? clock
      : {
          now,
          at: (ts, fn) => clock.at(ts, fn),
          cancel: (h) => clock.cancel(h),
          after: (ms, fn) => clock.after(ms, fn),
          sleep: (ms) => clock.sleep(ms),
        };
  const state = new PdxState(opts.markets);
  const engine = new PdxEngine(
    state.markets,
    opts.seeds ?? DEFAULT_SEEDS,
    timeClock,
    opts.accrualMs ?? DEFAULT_ACCRUAL_MS,
  );
  const chain = opts.chain ?? "PRIVATE_SN_PARACLEAR_MAINNET";
  const sockets = new PdxSockets(new JwtIssuer(), now, engine);
  const front = new PdxFront(
    state,
    engine,
    sockets,
    chain,
    now,
    opts.ordersPerSecond,
    opts.getsPerSecond,
    opts.publicPerMinute,
  );
  if (opts.jwtLifetimeS !== undefined) front.jwt.lifetimeS = opts.jwtLifetimeS;
  let issued = 0;
  const issue = front.jwt.issue.bind(front.jwt);
  front.jwt.issue = (a, n) => {
    issued++;
    return issue(a, n);
  };
  const host = await front.listen(opts.port ?? 0);
  const ex = engine.exchange;
  let funding: FundingClock | undefined;
  // a caller that moves time itself (opts.now) accrues by hand
  if (opts.scheduledFunding ?? opts.now === undefined) {
    funding = new FundingClock(clock, ex, (events) => {
      const bySymbol = new Map<string, typeof events>();
      for (const s of engine.instruments.keys()) bySymbol.set(s, []);
      for (const e of events) if ("symbol" in e) bySymbol.get(e.symbol)?.push(e);
      for (const [s, list] of bySymbol) if (list.length > 0) engine.accrued(s, list);
      sockets.flush();
    });
    for (const inst of engine.instruments.values()) funding.start(inst);
  }
  const instOf = marketLookup("paradex", "market", [...engine.instruments.keys()], (m) =>
    engine.instruments.get(m),
  );
  const flush = () => sockets.flush();
  const md = simMarketDriver({ venueId: VENUE_ID, engine, now, lookup: instOf, flush });

  const driver: ParadexEmulatorDriver = {
    onboard: (account, key) => state.accounts.set(account.toLowerCase(), key),
    fund(account, amount) {
      const a = account.toLowerCase();
      if (!state.accounts.has(a)) throw new RangeError(`paradex emulator: fund ${account}: not onboarded`);
      if (!(amount > 0))
        throw new RangeError(`paradex emulator: fund ${account} with ${amount} USDC: must be > 0`);
      ex.state.deposit(a, usd(amount));
    },
    setXp: (account, balance) => state.xp.set(account.toLowerCase(), balance),
    setBook: (b) => md.setBook(b),
    setBbo(b) {
      const inst = instOf(b.market);
      engine.market({
        type: "book",
        venue: VENUE_ID,
        symbol: inst.symbol,
        ts: now(),
        snapshot: true,
        bids: [{ price: Number(b.bid), size: Number(b.bidSize) }],
        asks: [{ price: Number(b.ask), size: Number(b.askSize) }],
      });
      flush();
    },
    moveMark: (m) => md.moveMark(m),
    settleFunding(f) {
      const inst = instOf(f.symbol);
      engine.market({
        type: "funding",
        venue: VENUE_ID,
        symbol: inst.symbol,
        ts: now() - 1,
        ratePerHour: f.ratePerHour,
      });
      const mark = ex.markOf(inst.symbol);
      const events = settleFunding(ex.state, inst, now(), mark > 0 ? mark : undefined);
      events.push(...checkLiquidations(ex, inst.symbol, now()));
      engine.accrued(inst.symbol, events);
      flush();
    },
    loseAcks: (count) => front.faults.add({ kind: "loseAck" }, count),
    freezeStream: (c) => sockets.freeze(c),
    thawStream: (c) => sockets.thaw(c),
    dropSockets: () => sockets.dropAll(),
    inject: (fault, count) => front.faults.add(fault, count),
    faultsApplied: () => Object.fromEntries(front.faults.applied),
    now,
    orders: (account) => [...engine.orders.values()].filter((o) => o.account === account.toLowerCase()),
    fills: (account) => engine.fills.get(account.toLowerCase()) ?? [],
    payments: (account) => engine.payments.get(account.toLowerCase()) ?? [],
    position: (account, market) =>
      instOf(market).sizeText(ex.state.position(account.toLowerCase(), market)?.sizeLots ?? 0),
    jwtsIssued: () => issued,
    markets: () => state.markets.map((m) => m.symbol),
    marketSpecs: () => state.markets.map((m) => ({ ...m, markPx: ex.markOf(m.symbol) })),
    connections: () => sockets.connections,
  };
  return {
    url: `http://${host}/v1`,
    wsUrl: `ws://${host}/v1`,
    chain,
    driver,
    async close() {
      funding?.stop();
      await front.close();
    },
  };
}
