import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { evmAddress } from "../venues/eip712/evm.ts";
import { GrvtConfigSchema } from "../venues/grvt/config.ts";
import {
  type GrvtEmulator,
  type GrvtEmulatorOptions,
  startGrvtEmulator,
} from "../venues/grvt/emulator/start.ts";
import { GrvtVenue } from "../venues/grvt/venue.ts";
import { emulatorHarness } from "../venues/kit/conformance.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTC_USDT_Perp";
const SUB_ACCOUNT = "2147050003876484";

/** The wire stream a conformance stream name is carried on (books: as the config's book_feed says). */
function wireOf(stream: string, bookFeed: string): string {
  if (stream === "account") return "v1.order";
  const [channel] = stream.split(":");
  if (channel === "book" || channel === "bbo") return bookFeed === "snapshot" ? "v1.book.s" : "v1.book.d";
  if (channel === "trades") return "v1.trade";
  return "v1.ticker.s";
}

/**
 * The conformance harness on the GRVT connector against its emulator: real sockets on
 * 127.0.0.1, a wall clock, one sub-account funded with 100 000 USDT whose trading wallet (a
 * fresh secp256k1 key, signed through the keystore's signer) logs in with its own signature.
 */
export async function makeGrvtHarness(
  opts: GrvtEmulatorOptions = {},
  config: Record<string, unknown> = {},
): Promise<
  VenueHarness & { readonly emulator: GrvtEmulator; readonly venue: GrvtVenue; readonly subAccount: string }
> {
  const emulator = await startGrvtEmulator({ scheduledFunding: false, ...opts });
  const key = randomBytes(32);
  const signer = signerFromKeyBytes("secp256k1", key, "grvt conformance wallet");
  key.fill(0);
  emulator.driver.fund(SUB_ACCOUNT, evmAddress(signer), 100_000);
  const parsed = GrvtConfigSchema.parse({ rest_url: emulator.url, request_timeout_ms: 1500, ...config });
  const venue = new GrvtVenue(parsed, new WallClock());
  const account = "conformance-1";
  const harness = await emulatorHarness({
    emulator,
    venue,
    account,
    symbol: SYMBOL,
    bind: (v) => v.bindAccount({ account, identity: { subAccount: SUB_ACCOUNT }, signer }),
    controls: emulator.driver,
    wireOf: (stream) => wireOf(stream, parsed.book_feed),
    referencePx: 90_000,
    // 0.01 BTC: about 900 USDT, above the 10 USDT minimum and well within margin
    unitSize: "0.01",
    afterBindMs: 50,
  });
  return { ...harness, emulator, venue, subAccount: SUB_ACCOUNT };
}
