/**
 * The conformance harness on the Hyperliquid connector against the protocol emulator
 * (branch `hlemu`): a fresh emulator on a loopback port, one master account funded on it, an agent
 * key approved through the real `approveAgent` action, and the connector bound with that agent's
 * keystore-style signer. The suite's MarketDriver calls the emulator's driver; time is real
 * (the emulator runs on the wall clock), so `settle` waits.
 *
 * The emulator is loaded by name at run time (EMULATOR_MODULE), so this file compiles before the
 * emulator branch is merged; `loadHyperliquidEmulator()` says undefined when it is not there.
 * The shape it expects is EmulatorModule below: the integrator fits the two when merging.
 */
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { approveAgent } from "../venues/hyperliquid/approve.ts";
import { signerAddressOf } from "../venues/hyperliquid/exchange.ts";
import { MemoryNonceStore, NonceManager } from "../venues/hyperliquid/nonce.ts";
import { WeightLimiter } from "../venues/hyperliquid/rate-limit.ts";
import { HyperliquidVenue } from "../venues/hyperliquid/venue.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

/** What the harness needs from the emulator's test driver (prices and sizes as venue decimals). */
export interface HlEmulatorDriver {
  /** credit USDC to a master account (creating it) */
  fund(user: string, usdc: number): Promise<void>;
  /** replace the book of `coin` with these levels (best first); it trades against resting orders that cross */
  setBook(
    coin: string,
    book: { bids: readonly [px: string, sz: string][]; asks: readonly [px: string, sz: string][] },
  ): Promise<void>;
  setMark(coin: string, px: string): Promise<void>;
  /** set the hourly funding rate and settle one funding interval now */
  settleFunding(coin: string, ratePerHour: number): Promise<void>;
  /** close every WebSocket connection as a network failure would */
  dropSockets(): Promise<void>;
  /** stop (true) or resume (false) one channel's messages, e.g. "l2Book:BTC", "orderUpdates" */
  freezeStream(stream: string, frozen: boolean): Promise<void>;
  /** the next `count` (default 1) /exchange requests meet this fault */
  injectFault(fault: {
    kind: "lose_ack" | "delay_ack" | "server_error" | "execute_then_timeout" | "rate_limited";
    count?: number;
    delayMs?: number;
  }): Promise<void>;
}

export interface HlEmulatorHandle {
  readonly url: string;
  readonly wsUrl: string;
  readonly driver: HlEmulatorDriver;
  close(): Promise<void>;
}

export interface EmulatorModule {
  startHyperliquidEmulator(opts: {
    port: number;
    mainnet?: boolean;
    meta?: unknown;
  }): Promise<HlEmulatorHandle>;
}

/** Where the emulator branch puts `startHyperliquidEmulator` (adjust here if it lands elsewhere). */
export const EMULATOR_MODULE = "../venues/hyperliquid/emulator/index.ts";

export async function loadHyperliquidEmulator(): Promise<EmulatorModule | undefined> {
  const name: string = EMULATOR_MODULE;
  try {
    const m = (await import(name)) as Partial<EmulatorModule>;
    return typeof m.startHyperliquidEmulator === "function" ? (m as EmulatorModule) : undefined;
  } catch (e) {
    // only a missing module means "not merged yet"; an emulator that fails to load is a failure
    if ((e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw e;
  }
}

/** BTC with the venue's own szDecimals; 6000 keeps every tick near the reference a valid price (5 figures). */
const META = { universe: [{ name: "BTC", szDecimals: 5, maxLeverage: 40 }] };
const REFERENCE_TICKS = 60_000; // 6000.0
const UNIT_LOTS = 1_000; // 0.01 BTC, $60: above the $10 minimum
const SETTLE_MS = 300;
const STALE_AFTER_MS = 600;
const MASTER_KEY = Buffer.from("11".repeat(32), "hex");
const AGENT_KEY = Buffer.from("22".repeat(32), "hex");

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function makeHyperliquidHarness(mod: EmulatorModule): Promise<VenueHarness> {
  const emu = await mod.startHyperliquidEmulator({ port: 0, mainnet: false, meta: META });
  const clock = new WallClock();
  const master = signerFromKeyBytes("secp256k1", MASTER_KEY, "conformance master");
  const agent = signerFromKeyBytes("secp256k1", AGENT_KEY, "conformance agent");
  const masterAddress = signerAddressOf(master);
  await emu.driver.fund(masterAddress, 100_000);
  const nonces = new NonceManager(new MemoryNonceStore());
  await approveAgent({
    url: emu.url,
    mainnet: false,
    master,
    agentAddress: signerAddressOf(agent),
    nonces,
    wallet: "conformance-1",
  });
  const venue = new HyperliquidVenue({
    endpoints: { url: emu.url, wsUrl: emu.wsUrl, mainnet: false },
    clock,
    nonces,
    timeoutMs: 1500,
    staleAfterMs: STALE_AFTER_MS,
    limiter: new WeightLimiter({ perMinute: 1_000_000 }),
    ws: { pingMs: 5_000, minBackoffMs: 50, maxBackoffMs: 500 },
  });
  await venue.connect();
  const account = "conformance-1";
  await venue.bindAccount({ account, identity: { address: masterAddress }, signer: agent });
  const inst = venue.instrument("BTC");
  const px = (ticks: number) => inst.priceText(ticks);
  const sz = (lots: number) => inst.sizeText(lots);
  const status = (stream: string) => venue.streams().find((s) => s.stream === stream);
  const until = async (cond: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await sleep(20);
  };
  // the account's user streams are up before the first check
  await until(() => status("account")?.ready === true, 3000);
  const wsStream = (stream: string) => {
    const [channel, coin] = stream.split(":");
    const type = { book: "l2Book", trades: "trades", mark: "activeAssetCtx", funding: "activeAssetCtx" }[
      channel
    ];
    return type === undefined ? "orderUpdates" : `${type}:${coin}`;
  };
  return {
    venue,
    account,
    symbol: "BTC",
    referenceTicks: REFERENCE_TICKS,
    unitLots: UNIT_LOTS,
    drive: (work) => work,
    settle: () => sleep(SETTLE_MS),
    async close() {
      await venue.close();
      await emu.close();
    },
    driver: {
      async setBook({ bidTicks, askTicks, lotsPerLevel, levels = 5 }) {
        const side = (from: number, dir: number) =>
          Array.from(
            { length: levels },
            (_, i) => [px(from + dir * i), sz(lotsPerLevel)] as [string, string],
          );
        await emu.driver.setBook("BTC", { bids: side(bidTicks, -1), asks: side(askTicks, 1) });
      },
      async moveMark(priceTicks) {
        await emu.driver.setMark("BTC", px(priceTicks));
      },
      async settleFunding(ratePerHour) {
        await emu.driver.settleFunding("BTC", ratePerHour);
      },
      async dropStream(stream) {
        await emu.driver.freezeStream(wsStream(stream), true);
        // a frozen stream is stale once the window passes: wait for the connector to say so
        await until(() => status(stream)?.stale === true, STALE_AFTER_MS * 4);
      },
      async restoreStream(stream) {
        await emu.driver.freezeStream(wsStream(stream), false);
      },
      async loseNextAnswer() {
        await emu.driver.injectFault({ kind: "execute_then_timeout" });
      },
    },
  };
}
