import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { ParadexConfigSchema } from "../venues/paradex/config.ts";
import { type ParadexEmulator, startParadexEmulator } from "../venues/paradex/emulator/start.ts";
import { BOOK_CHANNEL_SUFFIX, SUMMARY_CHANNEL } from "../venues/paradex/public-feed.ts";
import { ParadexVenue } from "../venues/paradex/venue.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";
import { randomStarkKey } from "./paradex-keys.ts";

const SYMBOL = "BTC-USD-PERP";
/** answers and stream messages on loopback arrive well within this (ms) */
const SETTLE_MS = 250;
/** the market changes this long after a driver call (requests already sent reach the emulator first) */
const MARKET_DELAY_MS = 20;

/** The wire channel a conformance stream name is carried on. */
function wireOf(stream: string): string {
  if (stream === "account") return "orders.ALL";
  const [channel, symbol] = stream.split(":");
  if (channel === "book") return `order_book.${symbol}${BOOK_CHANNEL_SUFFIX}`;
  if (channel === "trades") return `trades.${symbol}`;
  if (channel === "funding") return `funding_data.${symbol}`;
  return SUMMARY_CHANNEL;
}

export interface ParadexHarnessOptions {
  /** extra `[venues.paradex]` settings */
  readonly config?: Record<string, unknown>;
}

/**
 * The conformance harness on the Paradex connector against its emulator: real sockets on
 * 127.0.0.1, a wall clock, one onboarded account (a fresh Stark key signed through the wallet
 * signer) funded with 100 000 USDC. Funding accrues only when the driver says (one accrual step
 * per settleFunding). The driver turns ticks and lots into the emulator's decimal prices and sizes.
 */
export async function makeParadexHarness(
  opts: ParadexHarnessOptions = {},
): Promise<VenueHarness & { readonly emulator: ParadexEmulator; readonly address: string }> {
  const emulator = await startParadexEmulator({
    scheduledFunding: false,
    ordersPerSecond: 10_000,
    getsPerSecond: 10_000,
  });
  const key = randomStarkKey();
  const signer = signerFromKeyBytes("stark", key, "paradex conformance key");
  key.fill(0);
  const address = `0x${Buffer.from(signer.publicKey, "hex").subarray(0, 20).toString("hex")}`;
  emulator.driver.onboard(address, `0x${signer.publicKey}`);
  emulator.driver.fund(address, 100_000);
  const config = ParadexConfigSchema.parse({
    rest_url: emulator.url,
    ws_url: emulator.wsUrl,
    request_timeout_ms: 1500,
    reconnect_min_ms: 20,
    reconnect_max_ms: 80,
    accept_wait_ms: 1000,
    ...opts.config,
  });
  const venue = new ParadexVenue(config, new WallClock());
  const account = "conformance-1";
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  try {
    await venue.connect();
    await venue.bindAccount({ account, identity: { address }, signer });
  } catch (e) {
    await venue.close();
    await emulator.close();
    throw e;
  }
  const inst = venue.instrument(SYMBOL);
  const d = emulator.driver;
  const later = () => sleep(MARKET_DELAY_MS);
  const period = inst.spec.fundingIntervalHours;
  return {
    emulator,
    address,
    venue,
    account,
    symbol: SYMBOL,
    referenceTicks: inst.price(60_000),
    // 0.01 BTC: about 600 USDC, well above the 10 USD minimum and within margin
    unitLots: inst.size("0.01"),
    drive: (work) => work,
    settle: () => sleep(SETTLE_MS),
    async close() {
      await venue.close();
      await emulator.close();
    },
    driver: {
      async setBook({ bidTicks, askTicks, lotsPerLevel, levels = 5 }) {
        await later();
        d.setBook({
          market: SYMBOL,
          bidPx: inst.priceValue(bidTicks),
          askPx: inst.priceValue(askTicks),
          size: inst.sizeValue(lotsPerLevel),
          levels,
          stepPx: inst.priceValue(1),
        });
      },
      async moveMark(priceTicks) {
        await later();
        d.moveMark({ market: SYMBOL, markPx: inst.priceValue(priceTicks) });
      },
      async settleFunding(ratePerHour) {
        await later();
        d.accrueFunding({ market: SYMBOL, ratePerPeriod: ratePerHour * period });
      },
      async dropStream(stream) {
        d.freezeStream(wireOf(stream));
      },
      async restoreStream(stream) {
        d.thawStream(wireOf(stream));
      },
      async loseNextAnswer() {
        d.inject({ kind: "loseAck" });
      },
    },
  };
}
