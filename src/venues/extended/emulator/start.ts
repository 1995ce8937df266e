/**
 * `startExtendedEmulator`: the emulator on a loopback port with its driver, the control
 * interface tests and the conformance suite use. Prices and sizes are the venue's decimals,
 * accounts their API keys (each with a vault and a Stark key); every driver call publishes what
 * it changed at once.
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import type { EmulatorFaultControls } from "../../kit/faults.ts";
import {
  marketLookup,
  type SimMarketDriver,
  simMarketDriver,
  startFundingClock,
} from "../../kit/sim-core.ts";
import {
  DEFAULT_MARKETS,
  ExEngine,
  type ExFillRecord,
  type ExOrderRecord,
  type MarketSpec,
  VENUE_ID,
} from "./engine.ts";
import type { EmulatedAccount } from "./routes.ts";
import { ExFront } from "./server.ts";
import { ExSockets, STREAM_PREFIX } from "./ws.ts";

export type { MarketSpec } from "./engine.ts";

export interface ExtendedEmulatorOptions {
  /** 0 (default): any free port */
  readonly port?: number;
  readonly clock?: Clock;
  readonly markets?: readonly MarketSpec[];
  /** the signing domain's chain id the emulator checks (default SN_MAIN) */
  readonly chainId?: "SN_MAIN" | "SN_SEPOLIA";
  /** per-account request budget: burst and refill per second (default 1000 and 1000/60) */
  readonly capacity?: number;
  readonly perSecond?: number;
  /** settle funding every hour on the clock (default true) */
  readonly scheduledFunding?: boolean;
}

/**
 * setBook / moveMark / settleFunding (the kit's, `symbol` = the market's name), the kit's fault
 * controls (streams frozen by name: "orderbooks/BTC-USD", "account"; new sockets are refused) and
 * the rest.
 */
export interface ExtendedEmulatorDriver extends SimMarketDriver, EmulatorFaultControls {
  /** Open an account (API key, vault, Stark key) with this much USD collateral. */
  addAccount(a: EmulatedAccount & { readonly usd: number }): void;
  now(): number;
  markets(): readonly MarketSpec[];
  orders(apiKey: string): readonly ExOrderRecord[];
  fills(apiKey: string): readonly ExFillRecord[];
  /** signed position, decimal text */
  position(apiKey: string, market: string): string;
  connections(): number;
  /** Set the seasons `/user/rewards/earned` answers for an API key (undefined: the volume rule). */
  setRewards(apiKey: string, seasons: readonly unknown[] | undefined): void;
}

export interface ExtendedEmulator {
  /** REST base including /api/v1, e.g. http://127.0.0.1:41234/api/v1 */
  readonly url: string;
  /** stream base, ws://127.0.0.1:41234/stream.extended.exchange/v1 */
  readonly wsUrl: string;
  readonly driver: ExtendedEmulatorDriver;
  close(): Promise<void>;
}

export async function startExtendedEmulator(opts: ExtendedEmulatorOptions = {}): Promise<ExtendedEmulator> {
  const clock = opts.clock ?? new WallClock();
  const markets = opts.markets ?? DEFAULT_MARKETS;
  const engine = new ExEngine(markets, clock);
  let front: ExFront | undefined;
  const sockets = new ExSockets(engine, (k) =>
    k === undefined ? undefined : front?.accounts.get(k)?.apiKey,
  );
  front = new ExFront(
    engine,
    sockets,
    opts.chainId ?? "SN_MAIN",
    opts.capacity ?? 1000,
    opts.perSecond ?? 1000 / 60,
  );
  const host = await front.listen(opts.port ?? 0);
  const ex = engine.exchange;
  const funding = startFundingClock(opts.scheduledFunding ?? true, clock, engine, () => sockets.flush());
  const market = marketLookup(
    "extended",
    "market",
    markets.map((m) => m.symbol),
    (name: string) => engine.inst(name),
  );
  const ts = () => clock.now();
  const f = front;

  const driver: ExtendedEmulatorDriver = {
    addAccount(a) {
      if (a.apiKey.length < 8)
        throw new RangeError(`extended emulator: api key "${a.apiKey}" is shorter than 8 characters`);
      if (!(Number.isInteger(a.vault) && a.vault >= 0 && a.vault < 2 ** 32))
        throw new RangeError(`extended emulator: vault ${a.vault} is not a u32`);
      if (!/^0x[0-9a-fA-F]{1,64}$/.test(a.starkKey))
        throw new RangeError(`extended emulator: stark key "${a.starkKey}" is not 0x-hex`);
      if (!(a.usd > 0))
        throw new RangeError(`extended emulator: account ${a.apiKey} needs > 0 USD, got ${a.usd}`);
      f.accounts.set(a.apiKey, { apiKey: a.apiKey, vault: a.vault, starkKey: a.starkKey });
      ex.state.deposit(a.apiKey, usd(a.usd));
    },
    ...simMarketDriver({ venueId: VENUE_ID, engine, now: ts, lookup: market, flush: () => sockets.flush() }),
    freezeStream: (s) => sockets.freeze(s),
    thawStream: (s) => sockets.thaw(s),
    dropSockets: () => sockets.dropAll(),
    inject: (fault, count = 1) => f.faults.add(fault, count),
    loseAcks: (count) => f.faults.add({ kind: "loseAck" }, count),
    serverErrors: (count, o = {}) => f.faults.add({ kind: "serverError", ...o }, count),
    executeThenTimeout: (count, holdMs) => f.faults.add({ kind: "executeThenTimeout", holdMs }, count),
    rateLimit: (count) => f.faults.add({ kind: "rateLimited" }, count),
    faultsApplied: () => Object.fromEntries(f.faults.applied),
    now: ts,
    markets: () => markets,
    orders: (k) => [...engine.orders.values()].filter((o) => o.account === k),
    fills: (k) => engine.fills.get(k) ?? [],
    position: (k, m) => market(m).sizeText(ex.state.position(k, m)?.sizeLots ?? 0),
    connections: () => sockets.connections,
    setRewards: (k, seasons) => {
      if (seasons === undefined) engine.rewards.delete(k);
      else engine.rewards.set(k, seasons);
    },
  };

  return {
    url: `http://${host}/api/v1`,
    wsUrl: `ws://${host}${STREAM_PREFIX}`,
    driver,
    async close() {
      funding?.stop();
      await f.close();
    },
  };
}
