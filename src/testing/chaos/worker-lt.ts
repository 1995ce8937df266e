/**
 * One life of the chaos test on Lighter: the farm in live mode through the real connector (the
 * official WASM signer, nonces from the venue, account streams) against the emulator the runner
 * keeps alive across lives (lt-world.ts), which verifies every signature. Connect, bind the eight
 * wallets with the API keys the runner registered (`<dir>/lighter-chaos-accounts.json`), then the
 * life shared with Hyperliquid (farm-life.ts) until SIGKILL.
 *
 *   node src/testing/chaos/worker-lt.ts --dir <dir> --life <n> [--final]
 */
import { WallClock } from "../../core/clock.ts";
import type { EngineSettings } from "../../engine/config.ts";
import { createVenue } from "../../venues/registry.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { runFarmLife } from "./farm-life.ts";
import { LT_CHAOS_API_KEY_INDEX, LT_CHAOS_VENUE, ltChaosVenueConfig, readLtChaosSetup } from "./lt-config.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dir = arg("--dir") ?? ".";
const life = Number(arg("--life") ?? "0");
const final = process.argv.includes("--final");

const clock = new WallClock();
const setup = readLtChaosSetup(dir);
const wallets = setup.accounts.map((a) => a.wallet);
const venue = createVenue(LT_CHAOS_VENUE, ltChaosVenueConfig(setup), { clock, dataDir: dir });
await venue.connect();
for (const a of setup.accounts)
  await venue.bindAccount({
    account: a.wallet,
    identity: { address: a.l1, subAccount: String(a.accountIndex), apiKeyId: String(LT_CHAOS_API_KEY_INDEX) },
    signer: signerFromKeyBytes(
      "ecgfp5",
      Buffer.from(a.apiPrivateKeyHex, "hex"),
      `chaos ${a.wallet} lighter key`,
    ),
  });
venue.subscribe({ symbol: "BTC", channel: "book" });
for (let i = 0; i < 100 && venue.book("BTC").bestAskTicks() === undefined; i++) await clock.sleep(20);
const settings: Partial<EngineSettings> = {
  reconcileIntervalMs: 500,
  orphanGraceMs: 500,
  // the run lasts seconds, not minutes: orphan retries, the entry lock and the post-close quiet
  // scaled with the grace, so orphans are still handled within a run
  orphanRetryCooldownMs: 1_000,
  orphanEntryLockMs: 500,
  orphanCloseQuietMs: 500,
  // above the connector's request and ack timeouts: an unknown order is looked up before it is given up
  sendExpiryMs: 3_000,
  unknownRetryMs: 100,
  closeRetryInitialMs: 50,
  closeRetryMaxMs: 400,
  closeMaxAttempts: 8,
  killSwitch: undefined,
};

await runFarmLife({ dir, life, final, clock, venueId: LT_CHAOS_VENUE, venue, wallets, settings });
