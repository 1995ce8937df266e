import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { emulatorHarness } from "../venues/kit/conformance.ts";
import { ParadexConfigSchema } from "../venues/paradex/config.ts";
import { type ParadexEmulator, startParadexEmulator } from "../venues/paradex/emulator/start.ts";
import { BOOK_CHANNEL_SUFFIX, SUMMARY_CHANNEL } from "../venues/paradex/public-feed.ts";
import { ParadexVenue } from "../venues/paradex/venue.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";
import { randomStarkKey } from "./paradex-keys.ts";

const SYMBOL = "BTC-USD-PERP";

/** The wire channel a conformance stream name is carried on. */
function wireOf(stream: string): string {
  if (stream === "account") return "orders.ALL";
  const [channel, symbol] = stream.split(":");
  if (channel === "book") return `order_book.${symbol}${BOOK_CHANNEL_SUFFIX}`;
  if (channel === "trades") return `trades.${symbol}`;
  if (channel === "funding") return `funding_data.${symbol}`;
  return SUMMARY_CHANNEL;
}

export interface ParadexHarnessOptions {
  /** extra `[venues.paradex]` settings */
  readonly config?: Record<string, unknown>;
}

/**
 * The conformance harness on the Paradex connector against its emulator (the kit's
 * `emulatorHarness`): real sockets on 127.0.0.1, a wall clock, one onboarded account (a fresh
 * Stark key signed through the wallet signer) funded with 100 000 USDC. Funding accrues only
 * when the driver says (one accrual step per settleFunding); 0.01 BTC is the unit order.
 */
export async function makeParadexHarness(
  opts: ParadexHarnessOptions = {},
): Promise<VenueHarness & { readonly emulator: ParadexEmulator; readonly address: string }> {
  const emulator = await startParadexEmulator({
    scheduledFunding: false,
    ordersPerSecond: 10_000,
    getsPerSecond: 10_000,
  });
  const key = randomStarkKey();
  const signer = signerFromKeyBytes("stark", key, "paradex conformance key");
  key.fill(0);
  const address = `0x${Buffer.from(signer.publicKey, "hex").subarray(0, 20).toString("hex")}`;
  emulator.driver.onboard(address, `0x${signer.publicKey}`);
  emulator.driver.fund(address, 100_000);
  const config = ParadexConfigSchema.parse({
    rest_url: emulator.url,
    ws_url: emulator.wsUrl,
    request_timeout_ms: 1500,
    reconnect_min_ms: 20,
    reconnect_max_ms: 80,
    accept_wait_ms: 1000,
    ...opts.config,
  });
  const venue = new ParadexVenue(config, new WallClock());
  const account = "conformance-1";
  const harness = await emulatorHarness({
    emulator,
    venue,
    account,
    symbol: SYMBOL,
    bind: (v) => v.bindAccount({ account, identity: { address }, signer }),
    controls: emulator.driver,
    wireOf,
    unitSize: "0.01",
  });
  return { ...harness, emulator, address };
}
