import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { HibachiConfigSchema } from "../venues/hibachi/config.ts";
import { type HibachiEmulator, startHibachiEmulator } from "../venues/hibachi/emulator/start.ts";
import { HibachiVenue } from "../venues/hibachi/venue.ts";
import { emulatorHarness } from "../venues/kit/conformance.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTC/USDT-P";

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
  const d = emulator.driver;
  const harness = await emulatorHarness({
    emulator,
    venue,
    account,
    symbol: SYMBOL,
    bind: (v) =>
      v.bindAccount({ account, identity: { subAccount: String(accountId), apiKeyId: apiKey }, signer }),
    controls: {
      ...d,
      // Hibachi quotes funding per 8 h period
      settleFunding: (f) => d.settleFunding({ symbol: f.symbol, ratePerPeriod: f.ratePerHour * 8 }),
    },
    wireOf,
    // 0.01 BTC: about 600 USDT, well above the minimum and within margin
    unitSize: "0.01",
  });
  return { ...harness, emulator, accountId };
}
