import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { emulatorHarness } from "../venues/kit/conformance.ts";
import { LighterConfigSchema } from "../venues/lighter/config.ts";
import { type LighterEmulator, startLighterEmulator } from "../venues/lighter/emulator/start.ts";
import { generateApiKey } from "../venues/lighter/signing.ts";
import { LighterVenue } from "../venues/lighter/venue.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTC";
export const LIGHTER_API_KEY_INDEX = 3;

/**
 * The conformance harness on the Lighter connector against its emulator: real sockets on
 * 127.0.0.1, a wall clock, one account funded with 100 000 USDC whose API key (a fresh key from
 * the official signer) is registered at index 3 through the driver. The driver turns ticks and
 * lots into the emulator's decimal prices and sizes.
 */
export async function makeLighterHarness(opts: { perMinute?: number; ackTimeoutMs?: number } = {}): Promise<
  VenueHarness & {
    readonly emulator: LighterEmulator;
    readonly accountIndex: number;
    readonly venue: LighterVenue;
  }
> {
  const emulator = await startLighterEmulator({
    scheduledFunding: false,
    perMinute: opts.perMinute ?? 100_000,
  });
  const l1 = `0x${randomBytes(20).toString("hex")}`;
  const accountIndex = emulator.driver.createAccount(l1, 100_000);
  const key = await generateApiKey();
  emulator.driver.registerKey(accountIndex, LIGHTER_API_KEY_INDEX, key.publicKeyHex);
  const signer = signerFromKeyBytes("ecgfp5", key.privateKey, "lighter conformance key");
  key.privateKey.fill(0);
  const config = LighterConfigSchema.parse({
    network: "testnet",
    rest_url: emulator.url,
    ws_url: emulator.wsUrl,
    request_timeout_ms: 1500,
    ack_timeout_ms: opts.ackTimeoutMs ?? 1500,
  });
  const venue = new LighterVenue(config, new WallClock());
  const account = "conformance-1";
  const marketId = emulator.driver.markets().find((m) => m.symbol === SYMBOL)!.marketId;
  const d = emulator.driver;
  const harness = await emulatorHarness({
    emulator,
    venue,
    account,
    symbol: SYMBOL,
    bind: (v) =>
      v.bindAccount({
        account,
        identity: { address: l1, subAccount: String(accountIndex), apiKeyId: String(LIGHTER_API_KEY_INDEX) },
        signer,
      }),
    controls: { ...d, setBook: ({ qty, ...b }) => d.setBook({ ...b, size: qty }) },
    wireOf: (stream) =>
      stream === "account" ? `account_all_orders/${accountIndex}` : `order_book/${marketId}`,
    // 0.01 BTC: about 600 USDC, above the 0.0002 minimum and well within margin
    unitSize: "0.01",
    afterBindMs: 50,
  });
  return { ...harness, emulator, accountIndex, venue };
}
