/**
 * `startGrvtEmulator`: the emulator on one loopback port (login, trading, market data and both
 * `/ws/full` streams) with its driver, the control interface tests and the conformance suite use
 * to fund sub-accounts, set market conditions and inject faults. Prices and sizes are the venue's
 * decimal units; every driver call publishes what it changed at once.
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import type { ExchangeFault } from "../../kit/faults.ts";
import {
  marketLookup,
  type SimMarketDriver,
  simMarketDriver,
  startFundingClock,
} from "../../kit/sim-core.ts";
import {
  DEFAULT_MARKETS,
  GrvtEngine,
  type GrvtMarketSpec,
  type GrvtOrderRecord,
  VENUE_ID,
} from "./engine.ts";
import { orderJson } from "./payloads.ts";
import { GrvtFront } from "./server.ts";
import { GrvtSockets } from "./ws.ts";

export interface GrvtEmulatorOptions {
  readonly port?: number;
  readonly clock?: Clock;
  readonly markets?: readonly GrvtMarketSpec[];
  /** EIP-712 chain id the emulator verifies against (default 325, mainnet's) */
  readonly chainId?: number;
  /** settle funding on the clock at each market's interval (default true) */
  readonly scheduledFunding?: boolean;
}

/** setBook / moveMark / settleFunding (the kit's market driver) take the instrument as `symbol`. */
export interface GrvtEmulatorDriver extends SimMarketDriver {
  /** Credit USDT to a sub-account and let `signer` (an EVM address) log in and trade it. */
  fund(subAccountId: string, signer: string, usdt: number): void;
  /** Cut a wire stream ("v1.book.s", "v1.order"): its sockets close, nothing is sent. */
  freezeStream(stream: string): void;
  thawStream(stream: string): void;
  /** Lose the next `n` `v1.book.d` delta frames (their sequence numbers are used up): a gap. */
  loseBookDeltas(n: number): void;
  dropSockets(): void;
  inject(fault: ExchangeFault, count?: number): void;
  /** forget every login session (as a venue restart or session expiry would) */
  dropSessions(): void;
  /** the next `count` create/cancel requests execute and their answers are lost */
  loseAcks(count: number): void;
  faultsApplied(): Readonly<Record<string, number>>;
  now(): number;
  markets(): readonly GrvtMarketSpec[];
  orders(subAccountId: string): readonly GrvtOrderRecord[];
  /** signed position, decimal text */
  position(subAccountId: string, instrument: string): string;
  connections(): number;
}

export interface GrvtEmulator {
  /** http://127.0.0.1:<port>: the base of all three hosts */
  readonly url: string;
  readonly wsUrl: string;
  readonly chainId: number;
  readonly driver: GrvtEmulatorDriver;
  close(): Promise<void>;
}

export async function startGrvtEmulator(opts: GrvtEmulatorOptions = {}): Promise<GrvtEmulator> {
  const clock = opts.clock ?? new WallClock();
  const markets = opts.markets ?? DEFAULT_MARKETS;
  const chainId = opts.chainId ?? 325;
  const engine = new GrvtEngine(markets, clock);
  engine.render = (o) => orderJson(engine, o);
  const traders = new Map<string, Set<string>>();
  const mayTrade = (address: string, sub: string) => traders.get(sub)?.has(address.toLowerCase()) === true;
  const sockets = new GrvtSockets(engine, mayTrade);
  const front = new GrvtFront(engine, sockets, chainId, traders);
  const host = await front.listen(opts.port ?? 0);
  const ex = engine.exchange;
  const funding = startFundingClock(opts.scheduledFunding ?? true, clock, engine, () => sockets.flush());
  const market = marketLookup(
    "grvt",
    "instrument",
    markets.map((m) => m.symbol),
    (s) => engine.inst(s),
  );

  const driver: GrvtEmulatorDriver = {
    fund(sub, signer, amount) {
      if (!/^\d+$/.test(sub) || !/^0x[0-9a-fA-F]{40}$/.test(signer))
        throw new RangeError(
          `grvt emulator: fund(${sub}, ${signer}): a decimal sub-account id and an EVM address`,
        );
      if (!(amount > 0)) throw new RangeError(`grvt emulator: fund ${sub} with ${amount} USDT: must be > 0`);
      const set = traders.get(sub) ?? new Set();
      set.add(signer.toLowerCase());
      traders.set(sub, set);
      ex.state.deposit(sub, usd(amount));
    },
    ...simMarketDriver({
      venueId: VENUE_ID,
      engine,
      now: () => clock.now(),
      lookup: market,
      flush: () => sockets.flush(),
    }),
    markets: () => markets,
    freezeStream: (s) => sockets.freeze(s),
    thawStream: (s) => sockets.thaw(s),
    loseBookDeltas: (n) => {
      sockets.deltas.loseNext += n;
    },
    dropSockets: () => sockets.dropAll(),
    inject: (fault, count = 1) => front.faults.add(fault, count),
    dropSessions: () => front.sessions.clear(),
    loseAcks: (count) => front.faults.add({ kind: "loseAck" }, count),
    faultsApplied: () => Object.fromEntries(front.faults.applied),
    now: () => clock.now(),
    orders: (sub) => [...engine.orders.values()].filter((o) => o.subAccountId === sub),
    position: (sub, i) => market(i).sizeText(ex.state.position(sub, i)?.sizeLots ?? 0),
    connections: () => sockets.connections,
  };

  return {
    url: `http://${host}`,
    wsUrl: `ws://${host}`,
    chainId,
    driver,
    async close() {
      funding?.stop();
      await front.close();
    },
  };
}
