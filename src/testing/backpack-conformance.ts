import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import { BackpackConfigSchema } from "../venues/backpack/config.ts";
import { type BackpackEmulator, startBackpackEmulator } from "../venues/backpack/emulator/start.ts";
import { BackpackVenue } from "../venues/backpack/venue.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTC_USDC_PERP";
/** answers and stream messages on loopback arrive well within this (ms) */
const SETTLE_MS = 250;
/**
 * The market changes this long after a driver call: requests and subscriptions already on the
 * socket reach the emulator first, as they would reach a venue before the next market move.
 */
const MARKET_DELAY_MS = 20;

/** The wire stream a conformance stream name is carried on. */
function wireOf(stream: string): string {
  if (stream === "account") return "account.orderUpdate";
  const [channel, symbol] = stream.split(":");
  if (channel === "book") return `depth.${symbol}`;
  if (channel === "trades") return `trade.${symbol}`;
  return `markPrice.${symbol}`;
}

/**
 * The conformance harness on the Backpack connector against its emulator: real sockets on
 * 127.0.0.1, a wall clock, one account whose API key (a fresh ed25519 key, signed with
 * node:crypto through the wallet signer) is funded with 100 000 USDC. The driver turns ticks and
 * lots into the emulator's decimal prices and sizes.
 */
export async function makeBackpackHarness(): Promise<
  VenueHarness & { readonly emulator: BackpackEmulator; readonly apiKey: string }
> {
  const emulator = await startBackpackEmulator({
    scheduledFunding: false,
    ipCapacity: 10_000,
    ipPerSecond: 10_000,
  });
  const seed = randomBytes(32);
  const signer = signerFromKeyBytes("ed25519", seed, "backpack conformance key");
  seed.fill(0);
  const apiKey = Buffer.from(signer.publicKey, "hex").toString("base64");
  emulator.driver.fund(apiKey, 100_000);
  const config = BackpackConfigSchema.parse({
    rest_url: emulator.url,
    ws_url: emulator.wsUrl,
    request_timeout_ms: 1500,
  });
  const venue = new BackpackVenue(config, new WallClock());
  const account = "conformance-1";
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  try {
    await venue.connect();
    await venue.bindAccount({ account, identity: { apiKeyId: apiKey }, signer });
  } catch (e) {
    await venue.close();
    await emulator.close();
    throw e;
  }
  const inst = venue.instrument(SYMBOL);
  const d = emulator.driver;
  const later = () => sleep(MARKET_DELAY_MS);
  return {
    emulator,
    apiKey,
    venue,
    account,
    symbol: SYMBOL,
    referenceTicks: inst.price(60_000),
    // 0.01 BTC: about 600 USDC, well above the minimum and within margin
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
          symbol: SYMBOL,
          bidPx: inst.priceValue(bidTicks),
          askPx: inst.priceValue(askTicks),
          qty: inst.sizeValue(lotsPerLevel),
          levels,
          stepPx: inst.priceValue(1),
        });
      },
      async moveMark(priceTicks) {
        await later();
        d.moveMark({ symbol: SYMBOL, markPx: inst.priceValue(priceTicks) });
      },
      async settleFunding(ratePerHour) {
        await later();
        d.settleFunding({ symbol: SYMBOL, ratePerHour });
      },
      async dropStream(stream) {
        d.freezeStream(wireOf(stream));
      },
      async restoreStream(stream) {
        d.thawStream(wireOf(stream));
      },
      async loseNextAnswer() {
        d.loseAcks(1);
      },
    },
  };
}
