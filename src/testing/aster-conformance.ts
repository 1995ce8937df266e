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
import { signerFromKeyBytes } from "../wallets/signer.ts";

const SYMBOL = "BTCUSDT";
/** answers and stream messages on loopback arrive well within this (ms) */
const SETTLE_MS = 250;
/** the market changes this long after a driver call, so requests already sent reach the venue first */
const MARKET_DELAY_MS = 20;

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
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  try {
    await venue.connect();
    await venue.bindAccount({ account, identity: { address: user }, signer });
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
    user,
    venue,
    account,
    symbol: SYMBOL,
    referenceTicks: inst.price(60_000),
    // 0.01 BTC: about 600 USDT, above the 5 USDT minimum and well within margin
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
