import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { ExtendedConfigSchema } from "../venues/extended/config.ts";
import { type ExtendedEmulator, startExtendedEmulator } from "../venues/extended/emulator/start.ts";
import { ExtendedVenue } from "../venues/extended/venue.ts";
import { emulatorHarness } from "../venues/kit/conformance.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTC-USD";

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
 * The conformance harness on the Extended connector against its emulator (the kit's
 * emulatorHarness): real sockets on 127.0.0.1, a wall clock, one account (a fresh Stark key
 * through the wallet signer, an API key, vault 7001) funded with 100 000 USD.
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
  const account = "conformance-1";
  const harness = await emulatorHarness({
    emulator,
    venue: new ExtendedVenue(config, new WallClock()),
    account,
    symbol: SYMBOL,
    bind: (v) =>
      v.bindAccount({
        account,
        identity: { apiKeyId: apiKey, subAccount: "7001", address: starkKey },
        signer,
      }),
    controls: emulator.driver,
    wireOf: pathOf,
    // 0.01 BTC: about 600 USD, above the minimum and within margin
    unitSize: "0.01",
  });
  return { ...harness, emulator, apiKey };
}
