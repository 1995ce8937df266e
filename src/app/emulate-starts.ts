/**
 * The book and mark helpers every `perpbot emulate <venue>` start uses, and the starts of the
 * venues added last (Extended, GRVT, Hibachi, Paradex). `emulate.ts` registers them all in
 * EMULATED_VENUES.
 */
import { DEFAULT_MARKETS as EXTENDED_MARKETS } from "../venues/extended/emulator/engine.ts";
import { startExtendedEmulator } from "../venues/extended/emulator/start.ts";
import { DEFAULT_MARKETS as GRVT_MARKETS } from "../venues/grvt/emulator/engine.ts";
import { startGrvtEmulator } from "../venues/grvt/emulator/start.ts";
import { DEFAULT_CONTRACTS as HIBACHI_CONTRACTS } from "../venues/hibachi/emulator/engine.ts";
import { startHibachiEmulator } from "../venues/hibachi/emulator/start.ts";
import { startParadexEmulator } from "../venues/paradex/emulator/start.ts";
import { DEFAULT_SEEDS as PARADEX_SEEDS } from "../venues/paradex/emulator/state.ts";
import {
  extendedProvision,
  grvtProvision,
  hibachiProvision,
  paradexProvision,
} from "./emulate-provisions.ts";
import type { EmulateOptions, RunningEmulator } from "./emulate-types.ts";

/** The markets with their marks moved to `marks[base(m)]` where given. */
export function marked<M extends { readonly markPx: number }>(
  markets: readonly M[],
  base: (m: M) => string,
  marks: Readonly<Record<string, number>> | undefined,
): M[] {
  return markets.map((m) => ({ ...m, markPx: marks?.[base(m)] ?? m.markPx }));
}

/**
 * Seed the books now and again every `ms`: an emulator's book that never changes would leave its
 * stream silent, and a live run refuses to open on a book older than its freshness bound (500 ms).
 * Returns the stop of the timer.
 */
export function keepBooksFresh(seed: () => void, ms = 250): () => void {
  seed();
  const t = setInterval(seed, ms);
  t.unref();
  return () => clearInterval(t);
}

/** An emulator's close that first stops its book refresh (keepBooksFresh's stop). */
export function stopThenClose(stop: () => void, emu: { close(): Promise<void> }): () => Promise<void> {
  return () => {
    stop();
    return emu.close();
  };
}

/**
 * A two-sided book of ten levels, a tick apart, around each market's mark, about 50 000 USD a
 * level (the size rounded to the market's step).
 */
export function seedBooks(
  markets: readonly { symbol: string; markPx: number; tickSize: string; stepSize: string }[],
  setBook: (b: {
    symbol: string;
    bidPx: number;
    askPx: number;
    qty: number;
    levels: number;
    stepPx: number;
  }) => void,
): void {
  for (const m of markets) {
    const tick = Number(m.tickSize);
    const decimals = Math.max(0, -Math.floor(Math.log10(Number(m.stepSize))));
    setBook({
      symbol: m.symbol,
      bidPx: m.markPx - tick,
      askPx: m.markPx + tick,
      qty: Number((50_000 / m.markPx).toFixed(decimals)),
      levels: 10,
      stepPx: tick,
    });
  }
}

/**
 * Extended: every default market with a two-sided book of ten levels around its mark (mainnet
 * signing domain, SN_MAIN); `--fund myApiKey:10002:0x61c5…=10000` opens that API key's account
 * for vault 10002 and that Stark key, its orders verified against the key.
 */
export async function startExtended(opts: EmulateOptions): Promise<RunningEmulator> {
  const emu = await startExtendedEmulator({
    port: opts.port,
    ...(opts.generousLimits ? { capacity: 100_000, perSecond: 100_000 } : {}),
    markets: marked(EXTENDED_MARKETS, (m) => m.asset, opts.marks),
  });
  const markets = emu.driver.markets();
  const books = markets.map((m) => ({ ...m, tickSize: m.minPriceChange, stepSize: m.minOrderSizeChange }));
  const stopRefresh = keepBooksFresh(() => seedBooks(books, (b) => emu.driver.setBook(b)));
  for (const f of opts.fund ?? []) {
    const [apiKey, vault, starkKey] = f.address.split(":") as [string, string, string];
    emu.driver.addAccount({ apiKey, vault: Number(vault), starkKey, usd: f.usdc });
  }
  return {
    label: "extended emulator (SN_MAIN signatures)",
    url: emu.url,
    wsUrl: emu.wsUrl,
    coins: markets.map((m) => m.symbol),
    provision: extendedProvision(emu),
    close: stopThenClose(stopRefresh, emu),
  };
}

/**
 * GRVT: both default perpetuals with a two-sided book of ten levels around the mark;
 * `--fund 2147050003876484:0xwallet=10000` credits the sub-account and lets that wallet log in
 * and trade it. Signatures are checked for chain id 326 (testnet), or 325 with `--mainnet`, as
 * `network` in `[venues.grvt]` signs them.
 */
export async function startGrvt(opts: EmulateOptions): Promise<RunningEmulator> {
  const emu = await startGrvtEmulator({
    port: opts.port,
    chainId: opts.mainnet ? 325 : 326,
    markets: marked(GRVT_MARKETS, (m) => m.base, opts.marks),
  });
  const books = emu.driver.markets().map((m) => ({ ...m, stepSize: m.minSize }));
  const stopRefresh = keepBooksFresh(() => seedBooks(books, (b) => emu.driver.setBook(b)));
  for (const f of opts.fund ?? []) {
    const [sub, wallet] = f.address.split(":");
    emu.driver.fund(sub, wallet, f.usdc);
  }
  return {
    label: `grvt emulator (EIP-712 chain ${emu.chainId})`,
    url: emu.url,
    wsUrl: `${emu.wsUrl}/ws/full`,
    coins: emu.driver.markets().map((m) => m.symbol),
    provision: grvtProvision(emu, opts.mainnet ? "mainnet" : "testnet"),
    close: stopThenClose(stopRefresh, emu),
  };
}

/**
 * Hibachi: both default contracts with a two-sided book of ten levels around the mark;
 * `--fund 101:myApiKey:02ab…=10000` registers trustless account 101 under that API key, its
 * orders verified against that public key.
 */
export async function startHibachi(opts: EmulateOptions): Promise<RunningEmulator> {
  const emu = await startHibachiEmulator({
    port: opts.port,
    ...(opts.generousLimits ? { ordersPerSecond: 100_000 } : {}),
    contracts: marked(HIBACHI_CONTRACTS, (c) => c.underlyingSymbol, opts.marks),
  });
  const stopRefresh = keepBooksFresh(() => seedBooks(emu.engine.contracts, (b) => emu.driver.setBook(b)));
  for (const f of opts.fund ?? []) {
    const [id, apiKey, publicKeyHex] = f.address.split(":");
    emu.driver.addAccount({
      accountId: Number(id),
      apiKey,
      key: { kind: "trustless", publicKeyHex },
      usdt: f.usdc,
    });
  }
  return {
    label: "hibachi emulator (REST, /ws/market, /ws/account; secp256k1 and HMAC signatures checked)",
    url: emu.url,
    wsUrl: emu.wsUrl,
    coins: emu.engine.contracts.map((c) => c.symbol),
    provision: hibachiProvision(emu),
    close: stopThenClose(stopRefresh, emu),
  };
}

/**
 * Paradex: JWT auth and signed orders (Starknet typed data checked by the emulator's own
 * verifier), matching on the simulated exchange core, funding accruing continuously, the
 * JSON-RPC socket (order_book, bbo, trades, markets_summary, funding_data; orders, fills,
 * funding_payments); `--fund 0xaccount:0xstarkkey=USDC` onboards the account with that Stark key
 * and credits it. Each market has a 10-level book around its mark.
 */
export async function startParadex(opts: EmulateOptions): Promise<RunningEmulator> {
  const seeds = Object.fromEntries(
    Object.entries(PARADEX_SEEDS).map(([symbol, s]) => [
      symbol,
      { ...s, markPx: opts.marks?.[symbol.split("-")[0]] ?? s.markPx },
    ]),
  );
  const emu = await startParadexEmulator({
    port: opts.port,
    seeds,
    ...(opts.generousLimits
      ? { ordersPerSecond: 100_000, getsPerSecond: 100_000, publicPerMinute: 1_000_000 }
      : {}),
  });
  const books = () =>
    emu.driver
      .marketSpecs()
      .map((m) => ({ ...m, tickSize: m.price_tick_size, stepSize: m.order_size_increment }));
  const stopRefresh = keepBooksFresh(() => seedBooks(books(), (b) => emu.driver.setBook(b)));
  const onboarded: string[] = [];
  for (const f of opts.fund ?? []) {
    const [account, key] = f.address.split(":") as [string, string];
    emu.driver.onboard(account, key);
    if (f.usdc > 0) emu.driver.fund(account, f.usdc);
    onboarded.push(`${account}=${f.usdc} USDC`);
  }
  return {
    label: `paradex emulator (${emu.chain} signatures checked; matching, margin, continuous funding, XP)${onboarded.length > 0 ? `; onboarded ${onboarded.join(", ")}` : ""}`,
    url: emu.url,
    wsUrl: emu.wsUrl,
    coins: emu.driver.markets(),
    provision: paradexProvision(emu),
    close: stopThenClose(stopRefresh, emu),
  };
}
