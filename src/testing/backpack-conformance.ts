import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import { BackpackConfigSchema } from "../venues/backpack/config.ts";
import { type BackpackEmulator, startBackpackEmulator } from "../venues/backpack/emulator/start.ts";
import { BackpackVenue } from "../venues/backpack/venue.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { emulatorHarness } from "../venues/kit/conformance.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTC_USDC_PERP";

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
  const harness = await emulatorHarness({
    emulator,
    venue,
    account,
    symbol: SYMBOL,
    bind: (v) => v.bindAccount({ account, identity: { apiKeyId: apiKey }, signer }),
    controls: emulator.driver,
    wireOf,
    // 0.01 BTC: about 600 USDC, well above the minimum and within margin
    unitSize: "0.01",
  });
  return { ...harness, emulator, apiKey };
}
