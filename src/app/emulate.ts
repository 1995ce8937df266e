/**
 * `perpbot emulate <venue>`: a venue's protocol emulator as a standalone process, for pointing a
 * connector (ours or any standard client) at a local venue. The CLI reaches them here.
 */
import { DEFAULT_MARKETS as ASTER_MARKETS } from "../venues/aster/emulator/engine.ts";
import { startAsterEmulator } from "../venues/aster/emulator/start.ts";
import { DEFAULT_MARKETS as BACKPACK_MARKETS } from "../venues/backpack/emulator/engine.ts";
import { startBackpackEmulator } from "../venues/backpack/emulator/start.ts";
import { DEFAULT_CONTRACTS as EDGEX_CONTRACTS } from "../venues/edgex/emulator/engine.ts";
import { startEdgexEmulator } from "../venues/edgex/emulator/start.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";
import { DEFAULT_UNIVERSE } from "../venues/hyperliquid/emulator/universe.ts";
import { DEFAULT_MARKETS as LIGHTER_MARKETS } from "../venues/lighter/emulator/engine.ts";
import { startLighterEmulator } from "../venues/lighter/emulator/start.ts";
import {
  keepBooksFresh,
  marked,
  seedBooks,
  startExtended,
  startGrvt,
  startHibachi,
  startParadex,
  stopThenClose,
} from "./emulate-starts.ts";
import type { EmulateOptions, RunningEmulator } from "./emulate-types.ts";
import {
  asterProvision,
  backpackProvision,
  edgexProvision,
  hyperliquidProvision,
  lighterProvision,
} from "./emulate-wallets.ts";

export type { EmulateOptions, RunningEmulator } from "./emulate-types.ts";

/** The venues with an emulator, how an account to fund is named on each, and how to start it. */
export const EMULATED_VENUES: Readonly<
  Record<
    string,
    {
      readonly account: RegExp;
      readonly accountHint: string;
      readonly start: (opts: EmulateOptions) => Promise<RunningEmulator>;
    }
  >
> = {
  hyperliquid: { account: /^0x[0-9a-fA-F]{40}$/, accountHint: "0x address", start: (o) => startEmulator(o) },
  aster: {
    account: /^0x[0-9a-fA-F]{40}(:0x[0-9a-fA-F]{40})?$/,
    accountHint: "0x user[:0x API wallet]",
    start: (o) => startAster(o),
  },
  lighter: { account: /^0x[0-9a-fA-F]{40}$/, accountHint: "0x L1 address", start: (o) => startLighter(o) },
  backpack: {
    account: /^[A-Za-z0-9+/]{43}=$/,
    accountHint: "base64 ed25519 API key",
    start: (o) => startBackpack(o),
  },
  hibachi: {
    account: /^\d+:[A-Za-z0-9_+/=-]+:0[23][0-9a-fA-F]{64}$/,
    accountHint: "accountId:apiKey:compressed secp256k1 public key",
    start: (o) => startHibachi(o),
  },
  extended: {
    account: /^[A-Za-z0-9_-]{8,}:\d+:0x[0-9a-fA-F]{1,64}$/,
    accountHint: "apiKey:vault:0x Stark public key",
    start: (o) => startExtended(o),
  },
  edgex: {
    account: /^\d{1,20}:[^:]+:[^:]+:[^:]+:0x[0-9a-fA-F]{40}$/,
    accountHint: "accountId:apiKey:passphrase:apiSecret:0x trading-key address (emulator-only credentials)",
    start: (o) => startEdgex(o),
  },
  grvt: {
    account: /^\d{1,20}:0x[0-9a-fA-F]{40}$/,
    accountHint: "sub-account id:0x trading wallet",
    start: (o) => startGrvt(o),
  },
  paradex: {
    account: /^0x[0-9a-fA-F]{1,64}:0x[0-9a-fA-F]{1,64}$/,
    accountHint: "0x Starknet account:0x Stark public key",
    start: (o) => startParadex(o),
  },
};

/**
 * Aster: every default perpetual with a two-sided book of ten levels around its mark, re-sent
 * every 250 ms; `--fund 0xuser:0xapiwallet=10000` funds the user and approves the API wallet.
 */
async function startAster(opts: EmulateOptions): Promise<RunningEmulator> {
  const emu = await startAsterEmulator({
    port: opts.port,
    // every 250 ms: a book re-sent once a second ages past the engine's 500 ms freshness bound
    bookRefreshMs: 250,
    ...(opts.generousLimits ? { ipWeightPerMinute: 1_000_000, ordersPerMinute: 1_000_000 } : {}),
    markets: marked(ASTER_MARKETS, (m) => m.base, opts.marks),
  });
  const markets = emu.driver.markets();
  seedBooks(markets, (b) => emu.driver.setBook(b));
  for (const f of opts.fund ?? []) {
    const [user, signer] = f.address.split(":");
    emu.driver.fund(user, f.usdc);
    if (signer !== undefined) emu.driver.approveSigner(user, signer);
  }
  return {
    label: "aster emulator (V3 EIP-712 and V1 HMAC)",
    url: emu.url,
    wsUrl: emu.wsUrl,
    coins: markets.map((m) => m.symbol),
    provision: asterProvision(emu),
    close: () => emu.close(),
  };
}

/** Backpack: every default perp market with a two-sided book of ten levels around its mark. */
async function startBackpack(opts: EmulateOptions): Promise<RunningEmulator> {
  const emu = await startBackpackEmulator({
    port: opts.port,
    ...(opts.generousLimits ? { ipCapacity: 100_000, ipPerSecond: 100_000 } : {}),
    markets: marked(BACKPACK_MARKETS, (m) => m.base, opts.marks),
  });
  const markets = emu.driver.markets();
  const stopRefresh = keepBooksFresh(() => seedBooks(markets, (b) => emu.driver.setBook(b)));
  for (const f of opts.fund ?? []) emu.driver.fund(f.address, f.usdc);
  return {
    label: "backpack emulator",
    url: emu.url,
    wsUrl: emu.wsUrl,
    coins: markets.map((m) => m.symbol),
    provision: backpackProvision(emu),
    close: stopThenClose(stopRefresh, emu),
  };
}

/**
 * EdgeX (V2): both default contracts with a two-sided book of ten levels around the mark;
 * `--fund 543429922866069763:key:pass:secret:0xabc…=10000` registers that account with those
 * API credentials (made up for the emulator) and trading-key address, and credits it.
 */
async function startEdgex(opts: EmulateOptions): Promise<RunningEmulator> {
  const emu = await startEdgexEmulator({
    port: opts.port,
    ...(opts.generousLimits ? { budget: { capacity: 100_000, perSecond: 100_000 } } : {}),
    contracts: marked(EDGEX_CONTRACTS, (c) => c.symbol.replace(/USD$/, ""), opts.marks),
  });
  const contracts = emu.driver.contracts();
  const stopRefresh = keepBooksFresh(() => seedBooks(contracts, (b) => emu.driver.setBook(b)));
  for (const f of opts.fund ?? []) {
    const [accountId, apiKey, passphrase, secret, address] = f.address.split(":");
    emu.driver.register({
      accountId,
      apiKey,
      passphrase,
      secret,
      tradingAddress: address.toLowerCase(),
      usd: f.usdc,
    });
  }
  return {
    label: "edgex emulator (V2: HMAC requests, EIP-712 orders)",
    url: emu.url,
    wsUrl: emu.wsUrl,
    coins: contracts.map((c) => c.symbol),
    provision: edgexProvision(emu),
    close: stopThenClose(stopRefresh, emu),
  };
}

/** Start the emulator with a two-sided book around each coin's mark and books re-sent every second. */
export async function startEmulator(opts: EmulateOptions): Promise<RunningEmulator> {
  const emu: HyperliquidEmulator = await startHyperliquidEmulator({
    port: opts.port,
    mainnet: opts.mainnet,
    blockMs: 1000,
    ...(opts.generousLimits ? { ipWeightPerMinute: 1_000_000 } : {}),
    universe: marked(DEFAULT_UNIVERSE, (c) => c.name, opts.marks),
  });
  const coins = emu.driver.coins();
  const stopRefresh = keepBooksFresh(() => {
    for (const c of coins) {
      const mark = emu.driver.markPx(c.name);
      // one step of the 5-significant-figure rule around the mark, ten levels a side
      const step = 10 ** (Math.floor(Math.log10(mark)) - 4);
      emu.driver.setBook({
        coin: c.name,
        bidPx: mark - step,
        askPx: mark + step,
        sz: Number((50_000 / mark).toFixed(c.szDecimals)),
        levels: 10,
        stepPx: step,
      });
    }
  });
  for (const f of opts.fund ?? []) emu.driver.fund(f.address, f.usdc);
  return {
    label: `hyperliquid emulator (${opts.mainnet ? "mainnet" : "testnet"} signatures)`,
    url: emu.url,
    wsUrl: emu.wsUrl,
    coins: coins.map((c) => c.name),
    provision: hyperliquidProvision(emu, opts.mainnet === true),
    close: stopThenClose(stopRefresh, emu),
  };
}

/**
 * Lighter: every default market with a two-sided book of ten levels around its mark; each
 * `--fund` address gets a new account (its index is in the start-up line). Transactions and auth
 * tokens must be signed by the registered key for testnet (chain id 300), or mainnet with `--mainnet`.
 */
async function startLighter(opts: EmulateOptions): Promise<RunningEmulator> {
  const network = opts.mainnet ? "mainnet" : "testnet";
  const emu = await startLighterEmulator({
    port: opts.port,
    network,
    perMinute: opts.generousLimits ? 1_000_000 : undefined,
    markets: marked(LIGHTER_MARKETS, (m) => m.symbol, opts.marks),
  });
  const markets = emu.driver.markets();
  const stopRefresh = keepBooksFresh(() => {
    for (const m of markets) {
      const tick = 10 ** -m.priceDecimals;
      emu.driver.setBook({
        symbol: m.symbol,
        bidPx: m.markPx - tick,
        askPx: m.markPx + tick,
        size: Number((50_000 / m.markPx).toFixed(m.sizeDecimals)),
        levels: 10,
        stepPx: tick,
      });
    }
  });
  const accounts = (opts.fund ?? []).map(
    (f) => `${f.address}=account ${emu.driver.createAccount(f.address, f.usdc)}`,
  );
  const checks = `Schnorr signatures checked for ${network}, chain id ${emu.chainId}`;
  return {
    label: `lighter emulator (${checks})${accounts.length > 0 ? `; ${accounts.join(", ")}` : ""}; REST base ${emu.url}/api/v1`,
    url: emu.url,
    wsUrl: emu.wsUrl,
    coins: markets.map((m) => m.symbol),
    provision: lighterProvision(emu, network),
    close: stopThenClose(stopRefresh, emu),
  };
}
