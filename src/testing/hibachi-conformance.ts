import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { HibachiConfigSchema } from "../venues/hibachi/config.ts";
import { type HibachiEmulator, startHibachiEmulator } from "../venues/hibachi/emulator/start.ts";
import { HibachiVenue } from "../venues/hibachi/venue.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTC/USDT-P";
/** answers and stream messages on loopback arrive well within this (ms) */
const SETTLE_MS = 250;
/** the market changes this long after a driver call, so requests already sent arrive first */
const MARKET_DELAY_MS = 20;

/** The emulator's name of a conformance stream ("book:BTC/USDT-P" → "orderbook|BTC/USDT-P"). */
function wireOf(stream: string): string {
  if (stream === "account") return "account";
  const i = stream.indexOf(":");
  const topic = {
    book: "orderbook",
    trades: "trades",
    mark: "mark_price",
    funding: "funding_rate_estimation",
  }[stream.slice(0, i)];
  return `${topic}|${stream.slice(i + 1)}`;
}

/**
 * The conformance harness on the Hibachi connector against its emulator: real sockets on
 * 127.0.0.1, a wall clock, one trustless account (a fresh secp256k1 key through the wallet
 * signer) funded with 100 000 USDT.
 */
export async function makeHibachiHarness(
  opts: { config?: Readonly<Record<string, unknown>> } = {},
): Promise<VenueHarness & { readonly emulator: HibachiEmulator; readonly accountId: number }> {
  const emulator = await startHibachiEmulator({ ordersPerSecond: 10_000 });
  const key = randomBytes(32);
  const signer = signerFromKeyBytes("secp256k1", key, "hibachi conformance key");
  key.fill(0);
  const accountId = 4242;
  const apiKey = randomBytes(24).toString("base64url");
  emulator.driver.addAccount({
    accountId,
    apiKey,
    key: { kind: "trustless", publicKeyHex: signer.publicKey },
    usdt: 100_000,
  });
  const config = HibachiConfigSchema.parse({
    trade_url: emulator.url,
    request_timeout_ms: 1500,
    poll_ms: 500,
    ...opts.config,
  });
  const venue = new HibachiVenue(config, new WallClock());
  const account = "conformance-1";
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  try {
    await venue.connect();
    await venue.bindAccount({
      account,
      identity: { subAccount: String(accountId), apiKeyId: apiKey },
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
    accountId,
    venue,
    account,
    symbol: SYMBOL,
    referenceTicks: inst.price(60_000),
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
        d.settleFunding({ symbol: SYMBOL, ratePerPeriod: ratePerHour * 8 });
      },
      async dropStream(stream) {
        d.freezeStream(wireOf(stream));
      },
      async restoreStream(stream) {
        d.thawStream(wireOf(stream));
      },
      async loseNextAnswer() {
        d.inject({ kind: "loseAnswer" });
      },
    },
  };
}
