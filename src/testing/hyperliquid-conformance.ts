/**
 * The conformance harness on the Hyperliquid connector against the protocol emulator
 * (src/venues/hyperliquid/emulator/start.ts): a fresh emulator on a loopback port, one master
 * account funded on it, an agent key approved through the real signed `approveAgent` action, and
 * the connector bound with that agent's keystore-style signer. The suite's MarketDriver calls the
 * emulator's driver; time is real (the emulator runs on the wall clock), so `settle` waits.
 */
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { approveAgent } from "../venues/hyperliquid/approve.ts";
import {
  type HyperliquidEmulator,
  type HyperliquidEmulatorOptions,
  startHyperliquidEmulator,
} from "../venues/hyperliquid/emulator/start.ts";
import { signerAddressOf } from "../venues/hyperliquid/exchange.ts";
import { MemoryNonceStore, NonceManager } from "../venues/hyperliquid/nonce.ts";
import { WeightLimiter } from "../venues/hyperliquid/rate-limit.ts";
import { HyperliquidVenue } from "../venues/hyperliquid/venue.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

/** BTC with the venue's own szDecimals; 6000 keeps every tick near the reference a valid price (5 figures). */
const UNIVERSE = [{ name: "BTC", szDecimals: 5, maxLeverage: 40, markPx: 6_000 }];
const REFERENCE_TICKS = 60_000; // 6000.0
const UNIT_LOTS = 1_000; // 0.01 BTC, $60: above the $10 minimum
const SETTLE_MS = 300;
const STALE_AFTER_MS = 600;
const TIMEOUT_MS = 1_500;
const MASTER_KEY = Buffer.from("11".repeat(32), "hex");
const AGENT_KEY = Buffer.from("22".repeat(32), "hex");

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface HyperliquidHarness extends VenueHarness {
  readonly venue: HyperliquidVenue;
  readonly emulator: HyperliquidEmulator;
  /** the master address the account trades for (the emulator's user) */
  readonly user: string;
}

export async function makeHyperliquidHarness(
  opts: { emulator?: HyperliquidEmulatorOptions; timeoutMs?: number; orderExpiryMs?: number } = {},
): Promise<HyperliquidHarness> {
  // no hourly settlement on the wall clock: funding happens when a check settles it
  const emu = await startHyperliquidEmulator({ universe: UNIVERSE, hourlyFunding: false, ...opts.emulator });
  const clock = new WallClock();
  const master = signerFromKeyBytes("secp256k1", MASTER_KEY, "conformance master");
  const agent = signerFromKeyBytes("secp256k1", AGENT_KEY, "conformance agent");
  const user = signerAddressOf(master);
  emu.driver.fund(user, 100_000);
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
    timeoutMs: opts.timeoutMs ?? TIMEOUT_MS,
    ...(opts.orderExpiryMs === undefined ? {} : { orderExpiryMs: opts.orderExpiryMs }),
    staleAfterMs: STALE_AFTER_MS,
    limiter: new WeightLimiter({ perMinute: 1_000_000 }),
    ws: { pingMs: 5_000, minBackoffMs: 50, maxBackoffMs: 500 },
  });
  await venue.connect();
  const account = "conformance-1";
  await venue.bindAccount({ account, identity: { address: user }, signer: agent });
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
  // the suite's stream names → the emulator's ("book:BTC" → "l2Book:BTC", "account" → the user's orderUpdates)
  const wsStream = (stream: string) => {
    const [channel, coin] = stream.split(":");
    const type = { book: "l2Book", trades: "trades", mark: "activeAssetCtx", funding: "activeAssetCtx" }[
      channel
    ];
    return type === undefined ? `orderUpdates:${user}` : `${type}:${coin}`;
  };
  return {
    venue,
    emulator: emu,
    user,
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
        emu.driver.setBook({
          coin: "BTC",
          bidPx: px(bidTicks),
          askPx: px(askTicks),
          sz: sz(lotsPerLevel),
          levels,
          stepPx: inst.priceValue(1),
        });
      },
      async moveMark(priceTicks) {
        emu.driver.moveMark({ coin: "BTC", markPx: inst.priceValue(priceTicks) });
      },
      async settleFunding(ratePerHour) {
        emu.driver.settleFunding({ coin: "BTC", ratePerHour });
      },
      async dropStream(stream) {
        emu.driver.freezeStream(wsStream(stream));
        // a frozen stream is stale once the window passes: wait for the connector to say so
        await until(() => status(stream)?.stale === true, STALE_AFTER_MS * 4);
      },
      async restoreStream(stream) {
        emu.driver.thawStream(wsStream(stream));
      },
      async loseNextAnswer() {
        // the order runs on the venue; its answer never leaves (the connection is reset)
        emu.driver.loseAcks(1);
      },
    },
  };
}
