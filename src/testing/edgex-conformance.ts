import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { EdgexConfigSchema } from "../venues/edgex/config.ts";
import { type EdgexEmulator, startEdgexEmulator } from "../venues/edgex/emulator/start.ts";
import { signerAddress } from "../venues/edgex/signing.ts";
import { EdgexVenue } from "../venues/edgex/venue.ts";
import { emulatorHarness } from "../venues/kit/conformance.ts";
import { signerFromKeyBytes, withHmac } from "../wallets/signer.ts";

const CONTRACT = "10000001";

/** The wire stream a conformance stream name is carried on. */
function wireOf(stream: string): string {
  if (stream === "account") return "trade-event";
  const [channel] = stream.split(":");
  if (channel === "book") return `depth.${CONTRACT}.15`;
  if (channel === "trades") return `trades.${CONTRACT}`;
  return `ticker.${CONTRACT}`;
}

/**
 * The conformance harness on the EdgeX connector against its emulator: real sockets on
 * 127.0.0.1, a wall clock, one account (a fresh trading key and API secret) funded with
 * 100 000 USD. The kit's emulatorHarness turns ticks and lots into the emulator's decimals.
 */
export async function makeEdgexHarness(
  opts: { readonly staleAfterMs?: number } = {},
): Promise<VenueHarness & { readonly emulator: EdgexEmulator; readonly accountId: string }> {
  const emulator = await startEdgexEmulator({
    scheduledFunding: false,
    budget: { capacity: 10_000, perSecond: 10_000 },
  });
  const key = randomBytes(32);
  const secret = randomBytes(24).toString("base64url");
  const signer = withHmac(
    signerFromKeyBytes("secp256k1", key, "edgex conformance key"),
    Buffer.from(secret),
    "base64-text",
  );
  key.fill(0);
  const accountId = String(543_429_922_866_000_000n + BigInt(randomBytes(2).readUInt16BE()));
  const apiKey = `conformance-${randomBytes(4).toString("hex")}`;
  emulator.driver.register({
    accountId,
    apiKey,
    passphrase: "pp",
    secret,
    tradingAddress: signerAddress(signer),
    usd: 100_000,
  });
  const config = EdgexConfigSchema.parse({
    rest_url: emulator.url,
    request_timeout_ms: 1500,
    ...(opts.staleAfterMs === undefined ? {} : { stale_after_ms: opts.staleAfterMs }),
  });
  const venue = new EdgexVenue(config, new WallClock());
  const account = "conformance-1";
  const harness = await emulatorHarness({
    emulator,
    venue,
    account,
    symbol: "BTCUSD",
    bind: (v) =>
      v.bindAccount({ account, identity: { address: accountId, apiKeyId: `${apiKey}:pp` }, signer }),
    controls: emulator.driver,
    wireOf,
    unitSize: "0.01",
  });
  return { ...harness, emulator, accountId };
}
