/**
 * `startLighterEmulator`: the Lighter emulator on a loopback port with its driver (the control
 * interface tests and the conformance suite use). Prices and sizes are decimal units, accounts
 * their indexes; every driver call publishes what it changed at once.
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import type { ExchangeFault } from "../../kit/faults.ts";
import { marketLookup, simMarketDriver, startFundingClock } from "../../kit/sim-core.ts";
import {
  DEFAULT_MARKETS,
  type LtEngine as Engine,
  LtEngine,
  type LtOrderRecord,
  type LtTradeRecord,
  type MarketSpec,
  type TxRecord,
  VENUE_ID,
} from "./engine.ts";
import { MAINNET_CHAIN_ID, TESTNET_CHAIN_ID } from "./schnorr/tx-hash.ts";
import { LtSequencer } from "./sequencer.ts";
import { LtFront } from "./server.ts";
import type { SignatureVerifier } from "./verify.ts";
import { LtSockets } from "./ws.ts";

export type { MarketSpec } from "./engine.ts";
export type { SignatureVerifier } from "./verify.ts";

export interface LighterEmulatorOptions {
  /** 0 (default): any free port */
  readonly port?: number;
  readonly clock?: Clock;
  readonly markets?: readonly MarketSpec[];
  /** requests per rolling minute per L1 address / IP (default 60: a standard account) */
  readonly perMinute?: number;
  /** how long the sequencer queues a transaction before executing it (ms, default 5) */
  readonly blockMs?: number;
  /** whose signatures it accepts: testnet (chain id 300, the default) or mainnet (304) */
  readonly network?: "mainnet" | "testnet";
  /**
   * Replaces the Schnorr check (ECgFp5, Poseidon2; schnorr/) of each transaction against the
   * registered key: an error text or undefined. For tests that count calls or force a refusal;
   * there is no way to turn the check off.
   */
  readonly verifySignature?: SignatureVerifier;
  /** settle funding hourly on the clock (default true) */
  readonly scheduledFunding?: boolean;
}

export interface LighterEmulatorDriver {
  /** A new account for an L1 address, funded with `usdc`; returns its index. */
  createAccount(l1Address: string, usdc: number): number;
  fund(accountIndex: number, usdc: number): void;
  /** Register an API key's public key directly (what a ChangePubKey does, without its L1 signature). */
  registerKey(accountIndex: number, apiKeyIndex: number, publicKeyHex: string): void;
  /** the registered public key of (account, api key index), for a plugged-in verifier */
  publicKey(accountIndex: number, apiKeyIndex: number): string | undefined;
  setBook(b: {
    symbol: string;
    bidPx: number;
    askPx: number;
    size: number;
    levels?: number;
    stepPx?: number;
  }): void;
  moveMark(m: { symbol: string; markPx: number }): void;
  settleFunding(f: { symbol: string; ratePerHour: number }): void;
  /** Cut a channel ("order_book/0", "account_all_orders/100"): its sockets close, nothing is sent. */
  freezeStream(channel: string): void;
  thawStream(channel: string): void;
  dropSockets(): void;
  /** the next `count` book updates skip an offset (a lost message) */
  skipOffsets(count: number): void;
  inject(fault: ExchangeFault, count?: number): void;
  loseAcks(count: number): void;
  delayAcks(count: number, ms: number): void;
  serverErrors(count: number, opts?: { status?: number; execute?: boolean }): void;
  executeThenTimeout(count: number, holdMs: number): void;
  rateLimit(count: number): void;
  faultsApplied(): Readonly<Record<string, number>>;
  /** Drop the faults queued and not yet applied. */
  clearFaults(): void;
  now(): number;
  markets(): readonly MarketSpec[];
  orders(accountIndex: number): readonly LtOrderRecord[];
  trades(accountIndex: number): readonly LtTradeRecord[];
  txs(): readonly TxRecord[];
  /** sendTx refusals so far, by code (21104 nonce, 21120 signature, …) */
  refusals(): Readonly<Record<number, number>>;
  /** signed position, decimal text */
  position(accountIndex: number, symbol: string): string;
  nextNonce(accountIndex: number, apiKeyIndex: number): number | undefined;
  /** Another client used the key `count` times (its next nonce moves on). */
  useNonces(accountIndex: number, apiKeyIndex: number, count: number): void;
  connections(): number;
}

export interface LighterEmulator {
  /** http://127.0.0.1:41234 (the REST base is `${url}/api/v1`) */
  readonly url: string;
  /** ws://127.0.0.1:41234/stream */
  readonly wsUrl: string;
  /** the chain id transactions must be signed for (300 testnet, 304 mainnet) */
  readonly chainId: number;
  readonly engine: Engine;
  readonly driver: LighterEmulatorDriver;
  close(): Promise<void>;
}

export async function startLighterEmulator(opts: LighterEmulatorOptions = {}): Promise<LighterEmulator> {
  const clock = opts.clock ?? new WallClock();
  const markets = opts.markets ?? DEFAULT_MARKETS;
  const engine = new LtEngine(markets, clock);
  const sockets = new LtSockets(engine);
  const chainId = opts.network === "mainnet" ? MAINNET_CHAIN_ID : TESTNET_CHAIN_ID;
  const sequencer = new LtSequencer(
    engine,
    { chainId, verifySignature: opts.verifySignature, blockMs: opts.blockMs ?? 5 },
    () => sockets.flush(),
  );
  const front = new LtFront(engine, sequencer, sockets, opts.perMinute ?? 60);
  const host = await front.listen(opts.port ?? 0);
  const ex = engine.exchange;
  const funding = startFundingClock(opts.scheduledFunding ?? true, clock, engine, () => sockets.flush());
  const symbols = markets.map((x) => x.symbol);
  const market = marketLookup("lighter", "market", symbols, (s) => engine.marketOf(s));
  const account = (index: number) => {
    const a = engine.accounts.get(index);
    if (a === undefined) throw new RangeError(`lighter emulator: no account ${index}`);
    return a;
  };
  const md = simMarketDriver({
    venueId: VENUE_ID,
    engine,
    now: () => clock.now(),
    lookup: (s) => engine.inst(market(s)),
    flush: () => sockets.flush(),
  });
  const ts = () => clock.now();

  const driver: LighterEmulatorDriver = {
    createAccount(l1Address, usdc) {
      if (!/^0x[0-9a-fA-F]{40}$/.test(l1Address))
        throw new RangeError(`lighter emulator: createAccount: "${l1Address}" is not an 0x address`);
      const a = engine.createAccount(l1Address.toLowerCase());
      if (usdc > 0) ex.state.deposit(String(a.index), usd(usdc));
      return a.index;
    },
    fund(index, usdc) {
      account(index);
      if (!(usdc > 0)) throw new RangeError(`lighter emulator: fund ${index} with ${usdc} USDC: must be > 0`);
      ex.state.deposit(String(index), usd(usdc));
    },
    registerKey(index, apiKeyIndex, publicKeyHex) {
      if (!/^[0-9a-f]{80}$/.test(publicKeyHex))
        throw new RangeError(`lighter emulator: registerKey: "${publicKeyHex}" is not 40 bytes of hex`);
      account(index).keys.set(apiKeyIndex, { publicKey: publicKeyHex, nextNonce: 0 });
    },
    publicKey: (index, k) => engine.accounts.get(index)?.keys.get(k)?.publicKey,
    setBook: ({ size, ...b }) => md.setBook({ ...b, qty: size }),
    moveMark: md.moveMark,
    settleFunding: md.settleFunding,
    freezeStream: (c) => sockets.freeze(c),
    thawStream: (c) => sockets.thaw(c),
    dropSockets: () => sockets.dropAll(),
    skipOffsets: (n) => sockets.skipOffsets(n),
    inject: (fault, count = 1) => front.faults.add(fault, count),
    loseAcks: (count) => front.faults.add({ kind: "loseAck" }, count),
    delayAcks: (count, ms) => front.faults.add({ kind: "delayAck", ms }, count),
    serverErrors: (count, o = {}) => front.faults.add({ kind: "serverError", ...o }, count),
    executeThenTimeout: (count, holdMs) => front.faults.add({ kind: "executeThenTimeout", holdMs }, count),
    rateLimit: (count) => front.faults.add({ kind: "rateLimited" }, count),
    faultsApplied: () => Object.fromEntries(front.faults.applied),
    clearFaults: () => front.faults.clear(),
    now: ts,
    markets: () => markets,
    orders: (i) => [...engine.orders.values()].filter((o) => o.account === i),
    trades: (i) => engine.trades.filter((t) => t.order.account === i),
    txs: () => [...engine.txs.values()],
    refusals: () => Object.fromEntries(sequencer.refusals),
    position: (i, s) => {
      const m = market(s);
      return engine.inst(m).sizeText(ex.state.position(String(i), m.symbol)?.sizeLots ?? 0);
    },
    nextNonce: (i, k) => engine.accounts.get(i)?.keys.get(k)?.nextNonce,
    useNonces(i, k, count) {
      const key = account(i).keys.get(k);
      if (key === undefined) throw new RangeError(`lighter emulator: account ${i} has no api key ${k}`);
      key.nextNonce += count;
    },
    connections: () => sockets.connections,
  };

  return {
    url: `http://${host}`,
    wsUrl: `ws://${host}/stream`,
    chainId,
    engine,
    driver,
    async close() {
      funding?.stop();
      await front.close();
    },
  };
}
