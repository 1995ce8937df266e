/**
 * `startHyperliquidEmulator`: the emulator on a loopback port with its driver, the control
 * interface tests and the conformance suite use to set market conditions and inject faults.
 * Driver prices and sizes are the venue's decimal units (numbers or decimal strings), coins by
 * name, users by address; every driver call publishes what it changed to the streams at once.
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import { settleFunding } from "../../sim/funding.ts";
import { FundingClock } from "../../sim/funding-clock.ts";
import { checkLiquidations } from "../../sim/liquidation.ts";
import { HlEngine, VENUE_ID } from "./engine.ts";
import type { ExchangeFault, RandomFaults } from "./faults.ts";
import type { HlFill, HlOrder } from "./records.ts";
import { HlFront } from "./server.ts";
import { SkewClock } from "./skew-clock.ts";
import { type CoinSpec, DEFAULT_UNIVERSE, priceDecimals, trim } from "./universe.ts";

export type { ExchangeFault, RandomFaults } from "./faults.ts";
export type { HlFill, HlOrder } from "./records.ts";
export type { CoinSpec } from "./universe.ts";

export interface HyperliquidEmulatorOptions {
  /** 0 (default): any free port */
  readonly port?: number;
  readonly clock?: Clock;
  readonly universe?: readonly CoinSpec[];
  /** faults queued from the start */
  readonly faults?: readonly { readonly fault: ExchangeFault; readonly count?: number }[];
  /** which chain's signatures it accepts (phantom agent source "a" vs "b"); default false (testnet) */
  readonly mainnet?: boolean;
  /** highest nonces kept per signer (default 100, the venue's older rule) */
  readonly nonceKeep?: number;
  readonly ipWeightPerMinute?: number;
  readonly addressBaseRequests?: number;
  /** distinct users in user streams per IP (default 10, the venue's limit) */
  readonly userStreamsPerIp?: number;
  /** re-send books and contexts every `blockMs` (the venue's blocks); 0: only on change. Default 0 */
  readonly blockMs?: number;
  /** settle funding hourly on the clock (default true) */
  readonly hourlyFunding?: boolean;
}

export interface BookSpec {
  readonly coin: string;
  readonly bidPx: number | string;
  readonly askPx: number | string;
  /** size of each level */
  readonly sz: number | string;
  /** levels each side (default 5) */
  readonly levels?: number;
  /** distance between levels (default: the coin's finest price step, 10^-(6 − szDecimals)) */
  readonly stepPx?: number;
}

/** The emulator's control interface (see docs/venues/hyperliquid.md "The emulator"). */
export interface HyperliquidEmulatorDriver {
  /** Credit USDC to an account (creating it: an unknown address "does not exist"). */
  fund(user: string, usdc: number): void;
  /** Register an agent for a master without a signed approveAgent (test set-up). */
  approveAgent(master: string, agent: string, name?: string): void;
  /** Replace the market book of a coin (levels outward from bidPx and askPx). Crossed resting orders fill. */
  setBook(book: BookSpec): void;
  /** Put liquidity at one price (size 0 removes the level). */
  addLiquidity(l: { coin: string; side: "bid" | "ask"; px: number | string; sz: number | string }): void;
  clearBook(coin: string): void;
  /** Print a trade between other users on the `trades` stream (the book is left as it is). */
  printTrade(t: { coin: string; side: "buy" | "sell"; px: number | string; sz: number | string }): void;
  /** Move the mark (and the oracle, default the same); positions under maintenance are liquidated. */
  moveMark(m: { coin: string; markPx: number; oraclePx?: number }): void;
  /** Set the hourly funding rate in force from now. */
  setFundingRate(f: { coin: string; ratePerHour: number }): void;
  /** Settle one funding interval of a coin now, at the rate given (or the one in force). */
  settleFunding(f: { coin: string; ratePerHour?: number }): void;
  /** Terminate every WebSocket at once. */
  dropSockets(): void;
  /** Stop sending a stream: "l2Book" (every coin), "l2Book:BTC", "orderUpdates:0x…", "userFills", … */
  freezeStream(stream: string): void;
  /** Resume it; market streams get a fresh snapshot at once. */
  thawStream(stream: string): void;
  /** Queue a fault for the next `count` exchange requests (HTTP or WS post). */
  inject(fault: ExchangeFault, count?: number): void;
  delayAcks(count: number, ms: number): void;
  loseAcks(count: number): void;
  serverErrors(count: number, opts?: { status?: number; execute?: boolean }): void;
  executeThenTimeout(count: number, holdMs: number): void;
  rateLimit(count: number): void;
  /** Give a random share of the exchange requests no queued fault takes a fault (undefined: off). */
  randomFaults(r: RandomFaults | undefined): void;
  /** Drop the queued faults and the random ones. */
  clearFaults(): void;
  /** Requests refused for their nonce (reused, too low, outside the window), by signer. */
  nonceRefusals(): Readonly<Record<string, number>>;
  /** How many of each fault kind were applied. */
  faultsApplied(): Readonly<Record<string, number>>;
  /** Shift the venue's clock by `ms` from the true time (negative: behind); 0 restores it. */
  skewClock(ms: number): void;
  // ---- inspection
  now(): number;
  coins(): readonly {
    name: string;
    asset: number;
    szDecimals: number;
    maxLeverage: number;
    pxStep: number;
  }[];
  markPx(coin: string): number;
  /** signed position size, decimal text ("0" when flat) */
  position(user: string, coin: string): string;
  /** the account's USDC cash (deposits + realised PnL − fees + funding) */
  cash(user: string): number;
  /** the agents the user approved (signed approveAgent or the driver's), by address */
  agents(user: string): readonly { address: string; name: string; validUntil?: number }[];
  /** every order the user ever placed (rejected ones included), oldest first */
  orders(user: string): readonly HlOrder[];
  openOrders(user: string): readonly HlOrder[];
  fills(user: string): readonly HlFill[];
  /** the user's armed scheduleCancel time (ms), undefined when disarmed */
  scheduledCancel(user: string): number | undefined;
  /** how often the user's dead man's switch fired today (UTC); armings beyond 10 are refused */
  scheduleTriggers(user: string): number;
  /**
   * REST weight over every IP: charged in total, requests refused with HTTP 429, and the lowest
   * level any IP's budget fell to (below 0 only by the per-item charge after an answer)
   */
  ipWeight(): { weight: number; refused: number; lowest: number };
  /** distinct users holding user streams from an IP */
  userStreamUsers(ip?: string): number;
  /** open WebSocket connections */
  connections(): number;
  /** `/exchange` requests received so far (HTTP and WebSocket post) */
  exchangeRequests(): number;
  /** the action type of every /exchange request so far ("order", "cancel", "scheduleCancel", ...) */
  exchangeActions(): readonly string[];
  /** stream messages sent so far on a channel ("l2Book", "trades", …), every socket together */
  messagesSent(channel: string): number;
}

export interface HyperliquidEmulator {
  /** base URL for `/info` and `/exchange`, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** ws://127.0.0.1:41234/ws */
  readonly wsUrl: string;
  readonly driver: HyperliquidEmulatorDriver;
  close(): Promise<void>;
}

export async function startHyperliquidEmulator(
  opts: HyperliquidEmulatorOptions = {},
): Promise<HyperliquidEmulator> {
  const clock = new SkewClock(opts.clock ?? new WallClock());
  const universe = opts.universe ?? DEFAULT_UNIVERSE;
  const engine = new HlEngine(universe, clock);
  const front = new HlFront(engine, {
    mainnet: opts.mainnet ?? false,
    nonceKeep: opts.nonceKeep ?? 100,
    ipWeightPerMinute: opts.ipWeightPerMinute ?? 1200,
    addressBaseRequests: opts.addressBaseRequests ?? 10_000,
    userStreamsPerIp: opts.userStreamsPerIp,
  });
  for (const f of opts.faults ?? []) front.faults.add(f.fault, f.count ?? 1);
  const host = await front.listen(opts.port ?? 0);
  const ex = engine.exchange;
  let funding: FundingClock | undefined;
  if (opts.hourlyFunding ?? true) {
    funding = new FundingClock(clock, ex, (events) => {
      engine.absorb(events);
      front.flush();
    });
    for (const inst of engine.instruments.values()) funding.start(inst);
  }
  let block: ReturnType<typeof setInterval> | undefined;
  if (opts.blockMs) block = setInterval(() => front.sockets.heartbeat(), opts.blockMs);

  const changed = <T>(fn: () => T): T => {
    const out = fn();
    front.flush();
    return out;
  };
  const lower = (u: string) => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(u))
      throw new RangeError(`hyperliquid emulator: "${u}" is not an address`);
    return u.toLowerCase();
  };
  const coinSpec = (coin: string) => {
    const c = universe.find((x) => x.name === coin);
    if (!c)
      throw new RangeError(
        `hyperliquid emulator: unknown coin "${coin}" (${universe.map((x) => x.name).join(", ")})`,
      );
    return c;
  };
  const step = (coin: string) => 10 ** -priceDecimals(coinSpec(coin).szDecimals);
  const ts = () => clock.now();

  const driver: HyperliquidEmulatorDriver = {
    fund(user, usdc) {
      if (!(usdc > 0))
        throw new RangeError(`hyperliquid emulator: fund ${user} with ${usdc} USDC: must be > 0`);
      const u = lower(user);
      front.auth.users.add(u);
      ex.state.deposit(u, usd(usdc));
    },
    approveAgent(master, agent, name = "") {
      front.auth.agents.set(lower(agent), { master: lower(master), name });
    },
    setBook(b) {
      coinSpec(b.coin);
      const n = b.levels ?? 5;
      const d = b.stepPx ?? step(b.coin);
      const lv = (from: number, dir: number) =>
        Array.from({ length: n }, (_, i) => ({ price: from + dir * i * d, size: Number(b.sz) }));
      changed(() =>
        engine.market({
          type: "book",
          venue: VENUE_ID,
          symbol: b.coin,
          ts: ts(),
          snapshot: true,
          bids: lv(Number(b.bidPx), -1),
          asks: lv(Number(b.askPx), 1),
        }),
      );
    },
    addLiquidity(l) {
      coinSpec(l.coin);
      const level = [{ price: Number(l.px), size: Number(l.sz) }];
      changed(() =>
        engine.market({
          type: "book",
          venue: VENUE_ID,
          symbol: l.coin,
          ts: ts(),
          snapshot: false,
          bids: l.side === "bid" ? level : [],
          asks: l.side === "ask" ? level : [],
        }),
      );
    },
    clearBook(coin) {
      coinSpec(coin);
      changed(() =>
        engine.market({
          type: "book",
          venue: VENUE_ID,
          symbol: coin,
          ts: ts(),
          snapshot: true,
          bids: [],
          asks: [],
        }),
      );
    },
    printTrade(t) {
      coinSpec(t.coin);
      const tid = engine.nextTid++;
      const zero = `0x${"00".repeat(20)}`;
      changed(() =>
        engine.emit({
          kind: "trade",
          coin: t.coin,
          trade: {
            coin: t.coin,
            side: t.side === "buy" ? "B" : "A",
            px: String(t.px),
            sz: String(t.sz),
            hash: `0x${tid.toString(16).padStart(64, "0")}`,
            time: ts(),
            tid,
            users: [zero, zero],
          },
        }),
      );
    },
    moveMark(m) {
      coinSpec(m.coin);
      if (!(m.markPx > 0)) throw new RangeError(`hyperliquid emulator: mark ${m.markPx} must be > 0`);
      changed(() =>
        engine.market({
          type: "mark",
          venue: VENUE_ID,
          symbol: m.coin,
          ts: ts(),
          markPrice: m.markPx,
          oraclePrice: m.oraclePx ?? m.markPx,
        }),
      );
    },
    setFundingRate(f) {
      coinSpec(f.coin);
      changed(() =>
        engine.market({
          type: "funding",
          venue: VENUE_ID,
          symbol: f.coin,
          ts: ts(),
          ratePerHour: f.ratePerHour,
        }),
      );
    },
    settleFunding(f) {
      coinSpec(f.coin);
      if (f.ratePerHour !== undefined) driver.setFundingRate({ coin: f.coin, ratePerHour: f.ratePerHour });
      changed(() => {
        const inst = engine.inst(f.coin);
        const mark = engine.mark(f.coin);
        const events = settleFunding(ex.state, inst, ts(), mark > 0 ? mark : undefined);
        events.push(...checkLiquidations(ex, f.coin, ts()));
        engine.absorb(events);
      });
    },
    dropSockets: () => front.sockets.dropAll(),
    freezeStream: (s) => front.sockets.freeze(s),
    thawStream: (s) => front.sockets.thaw(s),
    inject: (fault, count = 1) => front.faults.add(fault, count),
    delayAcks: (count, ms) => front.faults.add({ kind: "delayAck", ms }, count),
    loseAcks: (count) => front.faults.add({ kind: "loseAck" }, count),
    serverErrors: (count, o = {}) => front.faults.add({ kind: "serverError", ...o }, count),
    executeThenTimeout: (count, holdMs) => front.faults.add({ kind: "executeThenTimeout", holdMs }, count),
    rateLimit: (count) => front.faults.add({ kind: "rateLimited" }, count),
    randomFaults: (r) => front.faults.setRandom(r),
    clearFaults: () => front.faults.clear(),
    nonceRefusals: () => Object.fromEntries(front.auth.nonceRefusals),
    faultsApplied: () => Object.fromEntries(front.faults.applied),
    skewClock(ms) {
      if (!Number.isFinite(ms))
        throw new RangeError(`hyperliquid emulator: clock skew ${ms} ms is not a number`);
      clock.offsetMs = ms;
    },
    now: ts,
    coins: () =>
      universe.map((c, asset) => ({
        name: c.name,
        asset,
        szDecimals: c.szDecimals,
        maxLeverage: c.maxLeverage,
        pxStep: step(c.name),
      })),
    markPx: (coin) => engine.mark(coinSpec(coin).name),
    position: (user, coin) =>
      trim(engine.inst(coinSpec(coin).name).sizeText(engine.position(lower(user), coin))),
    cash: (user) => Number(ex.state.accounts.get(lower(user))?.cash ?? 0n) / 1e12,
    agents: (user) =>
      [...front.auth.agents]
        .filter(([, a]) => a.master === lower(user))
        .map(([address, a]) => ({
          address,
          name: a.name,
          ...(a.validUntil ? { validUntil: a.validUntil } : {}),
        })),
    orders: (user) => [...engine.orders.values()].filter((o) => o.user === lower(user)),
    openOrders: (user) => engine.openOrders(lower(user)),
    fills: (user) => engine.fills.get(lower(user)) ?? [],
    scheduledCancel: (user) => front.actions.scheduledCancel(lower(user)),
    scheduleTriggers: (user) => front.actions.scheduleTriggers(lower(user), clock.now()),
    ipWeight: () => ({ ...front.ip.stats }),
    userStreamUsers: (ip = "127.0.0.1") => front.sockets.usersOf(ip).size,
    connections: () => front.sockets.connections,
    exchangeRequests: () => front.exchangeRequests,
    exchangeActions: () => [...front.exchangeActions],
    messagesSent: (channel) => front.sockets.sent.get(channel) ?? 0,
  };

  return {
    url: `http://${host}`,
    wsUrl: `ws://${host}/ws`,
    driver,
    async close() {
      if (block) clearInterval(block);
      funding?.stop();
      await front.close();
    },
  };
}
