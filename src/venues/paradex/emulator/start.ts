/**
 * `startParadexEmulator`: the Paradex emulator on a loopback port with its driver (onboard an
 * account, credit XP, inject faults, move its clock). Accounts are Starknet addresses bound to
 * Stark public keys as onboarding would bind them.
 */
import type { ExchangeFault } from "../../kit/faults.ts";
import { PdxFront } from "./server.ts";
import { type PdxMarket, type PdxOrder, PdxState } from "./state.ts";

export interface ParadexEmulatorOptions {
  readonly port?: number;
  /** ms since the epoch; default Date.now */
  readonly now?: () => number;
  readonly chain?: string;
  readonly markets?: readonly PdxMarket[];
  readonly ordersPerSecond?: number;
  /** JWT lifetime, s (default 300 as on Paradex) */
  readonly jwtLifetimeS?: number;
}

export interface ParadexEmulatorDriver {
  onboard(account: string, starkPublicKey: string): void;
  setXp(account: string, balance: string): void;
  inject(fault: ExchangeFault, count?: number): void;
  faultsApplied(): Readonly<Record<string, number>>;
  orders(account: string): readonly PdxOrder[];
  /** JWTs issued so far */
  jwtsIssued(): number;
  markets(): readonly string[];
  /** Publish a best bid/offer on `bbo.{market}`. */
  setBbo(b: { market: string; bid: string; ask: string; bidSize: string; askSize: string }): void;
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
  const state = new PdxState(opts.markets);
  const chain = opts.chain ?? "PRIVATE_SN_PARACLEAR_MAINNET";
  const front = new PdxFront(state, chain, opts.now ?? Date.now, opts.ordersPerSecond);
  if (opts.jwtLifetimeS !== undefined) front.jwt.lifetimeS = opts.jwtLifetimeS;
  let issued = 0;
  const issue = front.jwt.issue.bind(front.jwt);
  front.jwt.issue = (a, n) => {
    issued++;
    return issue(a, n);
  };
  const host = await front.listen(opts.port ?? 0);
  return {
    url: `http://${host}/v1`,
    wsUrl: `ws://${host}/v1`,
    chain,
    driver: {
      onboard: (account, key) => state.accounts.set(account.toLowerCase(), key),
      setXp: (account, balance) => state.xp.set(account.toLowerCase(), balance),
      inject: (fault, count) => front.faults.add(fault, count),
      faultsApplied: () => Object.fromEntries(front.faults.applied),
      orders: (account) => [...state.orders.values()].filter((o) => o.account === account.toLowerCase()),
      jwtsIssued: () => issued,
      markets: () => state.markets.map((m) => m.symbol),
      setBbo: (b) => front.sockets.bbo(b.market, b.bid, b.ask, b.bidSize, b.askSize),
    },
    close: () => front.close(),
  };
}
