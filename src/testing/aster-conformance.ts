import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import { AsterConfigSchema } from "../venues/aster/config.ts";
import {
  type AsterEmulator,
  type AsterEmulatorOptions,
  startAsterEmulator,
} from "../venues/aster/emulator/start.ts";
import { signerAddress } from "../venues/aster/signing.ts";
import { AsterVenue } from "../venues/aster/venue.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { emulatorHarness } from "../venues/kit/conformance.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTCUSDT";

/** The wire stream a conformance stream name is carried on. */
function wireOf(stream: string): string {
  if (stream === "account") return "user";
  const [channel, symbol] = stream.split(":");
  const s = symbol.toLowerCase();
  if (channel === "book") return `${s}@depth@100ms`;
  if (channel === "trades") return `${s}@trade`;
  return `${s}@markPrice@1s`;
}

/**
 * The conformance harness on the Aster connector against its emulator: real sockets on
 * 127.0.0.1, a wall clock, one main wallet (a random address) funded with 100 000 USDT whose API
 * wallet (a fresh secp256k1 key, signed through the keystore's signer) the emulator approved.
 */
export async function makeAsterHarness(
  opts: AsterEmulatorOptions = {},
  config: Record<string, unknown> = {},
): Promise<
  VenueHarness & { readonly emulator: AsterEmulator; readonly user: string; readonly venue: AsterVenue }
> {
  const emulator = await startAsterEmulator({ scheduledFunding: false, ...opts });
  const key = randomBytes(32);
  const signer = signerFromKeyBytes("secp256k1", key, "aster conformance API wallet");
  key.fill(0);
  const user = `0x${randomBytes(20).toString("hex")}`;
  emulator.driver.fund(user, 100_000);
  emulator.driver.approveSigner(user, signerAddress(signer));
  const venue = new AsterVenue(
    AsterConfigSchema.parse({
      rest_url: emulator.url,
      ws_url: emulator.wsUrl,
      request_timeout_ms: 1500,
      ...config,
    }),
    new WallClock(),
  );
  const account = "conformance-1";
  const harness = await emulatorHarness({
    emulator,
    venue,
    account,
    symbol: SYMBOL,
    bind: (v) => v.bindAccount({ account, identity: { address: user }, signer }),
    controls: emulator.driver,
    wireOf,
    // 0.01 BTC: about 600 USDT, above the 5 USDT minimum and well within margin
    unitSize: "0.01",
  });
  return { ...harness, emulator, user, venue };
}
