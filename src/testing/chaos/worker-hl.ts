/**
 * One life of the chaos test on Hyperliquid: the farm in live mode through the real connector
 * (signing, nonces persisted in the run's directory, user streams) against the emulator the
 * runner keeps alive across lives (hl-world.ts). Open the durable store, connect and bind the
 * eight wallets, then the life shared with Lighter (farm-life.ts: check (b), (c) and the store's part
 * of (d), then the farm until SIGKILL); the runner checks (a) against the emulator's own records
 * once the life is over.
 *
 *   node src/testing/chaos/worker-hl.ts --dir <dir> --life <n> --url <emulator> [--final]
 */
import { WallClock } from "../../core/clock.ts";
import type { EngineSettings } from "../../engine/config.ts";
import { createVenue } from "../../venues/registry.ts";
import { runFarmLife } from "./farm-life.ts";
import { hlChaosAccounts } from "./hl-accounts.ts";
import { HL_CHAOS_VENUE, hlChaosVenueConfig } from "./hl-config.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dir = arg("--dir") ?? ".";
const life = Number(arg("--life") ?? "0");
const url = arg("--url");
if (url === undefined) throw new Error("worker-hl: --url <emulator base URL> is required");
const final = process.argv.includes("--final");

const clock = new WallClock();
const accounts = hlChaosAccounts();
const wallets = accounts.map((a) => a.wallet);
// the real factory: nonces in <dir>/hyperliquid-nonces.json, shared by the eight agents
const venue = createVenue(HL_CHAOS_VENUE, hlChaosVenueConfig(url, accounts), { clock, dataDir: dir });
await venue.connect();
for (const a of accounts)
  await venue.bindAccount({ account: a.wallet, identity: { address: a.master }, signer: a.agentSigner() });
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
  // above the connector's order expiry: "not found" after it proves an order never landed
  sendExpiryMs: 3_000,
  unknownRetryMs: 100,
  closeRetryInitialMs: 50,
  closeRetryMaxMs: 400,
  closeMaxAttempts: 8,
  killSwitch: undefined,
};

await runFarmLife({ dir, life, final, clock, venueId: HL_CHAOS_VENUE, venue, wallets, settings });
