import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { ExtendedConfigSchema } from "../venues/extended/config.ts";
import { type ExtendedEmulator, startExtendedEmulator } from "../venues/extended/emulator/start.ts";
import { ExtendedVenue } from "../venues/extended/venue.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTC-USD";
/** answers and stream messages on loopback arrive well within this (ms) */
const SETTLE_MS = 250;
/** the market changes this long after a driver call, so requests already sent land first */
const MARKET_DELAY_MS = 20;

/** The emulator stream a conformance stream name is carried on. */
function pathOf(stream: string): string {
  if (stream === "account") return "account";
  const [channel, symbol] = stream.split(":");
  if (channel === "book") return `orderbooks/${symbol}`;
  if (channel === "trades") return `publicTrades/${symbol}`;
  if (channel === "funding") return `funding/${symbol}`;
  return `prices/mark/${symbol}`;
}

/** A fresh Stark key below the curve order (retried in the rare case the bytes are not one). */
export function freshStarkSigner(where: string) {
  for (;;) {
    const seed = randomBytes(32);
    seed[0] = (seed[0] ?? 0) & 0x07;
    try {
      return signerFromKeyBytes("stark", seed, where);
    } catch {
      // out of range: draw again
    } finally {
      seed.fill(0);
    }
  }
}

/**
 * The conformance harness on the Extended connector against its emulator: real sockets on
 * 127.0.0.1, a wall clock, one account (a fresh Stark key through the wallet signer, an API
 * key, vault 7001) funded with 100 000 USD.
 */
export async function makeExtendedHarness(
  opts: { requestTimeoutMs?: number } = {},
): Promise<VenueHarness & { readonly emulator: ExtendedEmulator; readonly apiKey: string }> {
  const emulator = await startExtendedEmulator({
    scheduledFunding: false,
    capacity: 100_000,
    perSecond: 100_000,
  });
  const signer = freshStarkSigner("extended conformance key");
  const apiKey = `conformance-${randomBytes(8).toString("hex")}`;
  const starkKey = `0x${signer.publicKey}`;
  emulator.driver.addAccount({ apiKey, vault: 7001, starkKey, usd: 100_000 });
  const config = ExtendedConfigSchema.parse({
    rest_url: emulator.url,
    ws_url: emulator.wsUrl,
    request_timeout_ms: opts.requestTimeoutMs ?? 1500,
  });
  const venue = new ExtendedVenue(config, new WallClock());
  const account = "conformance-1";
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  try {
    await venue.connect();
    await venue.bindAccount({
      account,
      identity: { apiKeyId: apiKey, subAccount: "7001", address: starkKey },
      signer,
    });
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
    // 0.01 BTC: about 600 USD, above the minimum and within margin
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
          qty: inst.sizeValue(lotsPerLevel),
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
        d.settleFunding({ market: SYMBOL, ratePerHour });
      },
      async dropStream(stream) {
        d.freezeStream(pathOf(stream));
      },
      async restoreStream(stream) {
        d.thawStream(pathOf(stream));
      },
      async loseNextAnswer() {
        d.loseAcks(1);
      },
    },
  };
}
