/**
 * `perpbot emulate hyperliquid`: the Hyperliquid protocol emulator as a standalone process, for
 * pointing a connector (ours or any standard client) at a local venue. The CLI reaches it here.
 */
import { type HyperliquidEmulator, startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";

export interface EmulateOptions {
  readonly port: number;
  /** accept mainnet signatures (phantom agent source "a") instead of testnet ones */
  readonly mainnet?: boolean;
  /** accounts funded at start, with their USDC */
  readonly fund?: readonly { readonly address: string; readonly usdc: number }[];
}

export interface RunningEmulator {
  readonly url: string;
  readonly wsUrl: string;
  readonly coins: readonly string[];
  close(): Promise<void>;
}

/** Start the emulator with a two-sided book around each coin's mark and books re-sent every second. */
export async function startEmulator(opts: EmulateOptions): Promise<RunningEmulator> {
  const emu: HyperliquidEmulator = await startHyperliquidEmulator({
    port: opts.port,
    mainnet: opts.mainnet,
    blockMs: 1000,
  });
  const coins = emu.driver.coins();
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
  for (const f of opts.fund ?? []) emu.driver.fund(f.address, f.usdc);
  return { url: emu.url, wsUrl: emu.wsUrl, coins: coins.map((c) => c.name), close: () => emu.close() };
}
