import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import type { AccountSigner } from "../core/venue-account.ts";
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
 * 127.0.0.1, a wall clock, one account funded with 100 000 USDT: trustless (a fresh secp256k1 key
 * through the wallet signer), or with `managed` exchange-managed (an HMAC-only signer keyed by a
 * fresh API secret).
 */
export async function makeHibachiHarness(
  opts: { config?: Readonly<Record<string, unknown>>; managed?: true } = {},
): Promise<VenueHarness & { readonly emulator: HibachiEmulator; readonly accountId: number }> {
  const emulator = await startHibachiEmulator({ ordersPerSecond: 10_000 });
  const accountId = 4242;
  const apiKey = randomBytes(24).toString("base64url");
  let signer: AccountSigner;
  if (opts.managed) {
    // an exchange-managed account: its API secret's text (44 base64 characters, as Hibachi shows
    // it) keys the HMAC; the emulator knows the same text
    const secret = randomBytes(32).toString("base64");
    signer = signerFromKeyBytes("hmac", Buffer.from(secret, "utf8"), "hibachi conformance API secret");
    emulator.driver.addAccount({ accountId, apiKey, key: { kind: "managed", secret }, usdt: 100_000 });
  } else {
    const key = randomBytes(32);
    signer = signerFromKeyBytes("secp256k1", key, "hibachi conformance key");
    key.fill(0);
    emulator.driver.addAccount({
      accountId,
      apiKey,
      key: { kind: "trustless", publicKeyHex: signer.publicKey },
      usdt: 100_000,
    });
  }
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
