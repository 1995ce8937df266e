import { randomBytes } from "node:crypto";
import { WallClock } from "../core/clock.ts";
import type { VenueHarness } from "../venues/conformance/harness.ts";
import { EdgexConfigSchema } from "../venues/edgex/config.ts";
import { type EdgexEmulator, startEdgexEmulator } from "../venues/edgex/emulator/start.ts";
import { signerAddress } from "../venues/edgex/signing.ts";
import { EdgexVenue } from "../venues/edgex/venue.ts";
import { signerFromKeyBytes, withHmac } from "../wallets/signer.ts";

const SYMBOL = "BTCUSD";
const CONTRACT = "10000001";
const SETTLE_MS = 250;
const MARKET_DELAY_MS = 20;

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
 * 100 000 USD. The driver turns ticks and lots into the emulator's decimal prices and sizes.
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
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  try {
    await venue.connect();
    await venue.bindAccount({ account, identity: { address: accountId, apiKeyId: `${apiKey}:pp` }, signer });
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
        d.settleFunding({ symbol: SYMBOL, ratePerHour });
      },
      async dropStream(stream) {
        d.freezeStream(wireOf(stream));
      },
      async restoreStream(stream) {
        d.thawStream(wireOf(stream));
      },
      async loseNextAnswer() {
        d.loseAcks(1);
      },
    },
  };
}
