/**
 * One life of the chaos test on Hyperliquid: the farm in live mode through the real connector
 * (signing, nonces persisted in the run's directory, user streams) against the emulator the
 * runner keeps alive across lives (hl-world.ts). Open the durable store, connect and bind the
 * eight wallets, start an engine (recovery + reconcile) and check (b), (c) and the store's part of
 * (d); the runner checks (a) against the emulator's own records once the life is over. Then the
 * farm runs same-venue groups of 3-5 wallets, opening and closing fast, until SIGKILL.
 *
 *   node src/testing/chaos/worker-hl.ts --dir <dir> --life <n> --url <emulator> [--final]
 */
import { join } from "node:path";
import { startNode } from "../../app/node.ts";
import { WallClock } from "../../core/clock.ts";
import type { Venue } from "../../core/venue.ts";
import { AlertBus } from "../../engine/alerts.ts";
import { type EngineSettings, engineSettings } from "../../engine/config.ts";
import { Engine } from "../../engine/executor.ts";
import { openStore } from "../../store/store.ts";
import { farmDefaults } from "../../strategies/farm/config.ts";
import { legacyFarm } from "../../strategies/instances.ts";
import { createVenue } from "../../venues/registry.ts";
import { type ChaosCounts, checkGroups, checkPositions, checkStore } from "./checks.ts";
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
const venues = new Map<string, Venue>([[HL_CHAOS_VENUE, venue]]);

const settings: Partial<EngineSettings> = {
  reconcileIntervalMs: 500,
  orphanGraceMs: 500,
  // above the connector's order expiry: "not found" after it proves an order never landed
  sendExpiryMs: 3_000,
  unknownRetryMs: 100,
  closeRetryInitialMs: 50,
  closeRetryMaxMs: 400,
  closeMaxAttempts: 8,
  killSwitch: undefined,
};

const store = await openStore(`sqlite:${join(dir, "engine.db")}`);
const makeEngine = () =>
  new Engine({
    store,
    venues,
    clock,
    alerts: new AlertBus(),
    accounts: wallets.map((account) => ({ venue: HL_CHAOS_VENUE, account })),
    settings,
  });

const counts: ChaosCounts = { a: 0, b: 0, c: 0, d: 0, orphans: 0, groups: 0, details: [] };
// (b) on the state one reconcile pass leaves, nothing moving while venue and store are compared
const first = makeEngine();
await first.start();
await first.stop();
await checkPositions(store, first, venues, wallets, counts);

const engine = makeEngine();
await engine.start();
// quiet period: let the reconciler finish what the dead process left half-done (unknown orders
// resolve within the send expiry, closes retry with backoff)
for (let i = 0; i < 200; i++) {
  const busy = await engine.groups({ status: ["opening", "unwinding", "closing"] });
  if (busy.length === 0) break;
  await engine.reconcileOnce();
  await clock.sleep(50);
}
await checkGroups(store, venues, counts);
await checkStore(store, counts);
await engine.stop();
process.stdout.write(`CHECK ${JSON.stringify(counts)}\n`);
if (final) {
  await venue.close();
  await store.close();
  process.exit(0);
}

// the farm, as `perpbot run --live` composes it, cycling fast: groups hold 0.5-1.5 s, no cooldown
const farm = farmDefaults({
  mode: "same_venue",
  markets: ["BTC"],
  min_group_size: 3,
  max_group_size: 5,
  min_leverage: 2,
  max_leverage: 3,
  min_duration_hours: 0.5 / 3600,
  max_duration_hours: 1.5 / 3600,
  close_jitter_minutes: 0,
  check_interval_seconds: 0.25,
  min_cooldown_minutes: 0,
  max_cooldown_minutes: 0,
  max_slippage_bps: 30,
  fill_timeout_seconds: 2,
  seed: life,
});
await startNode({
  store,
  venues,
  clock,
  wallets,
  instances: [legacyFarm(farm, { wallets, venues: [HL_CHAOS_VENUE], fallbackSeed: life })],
  engineSettings: engineSettings(settings),
});
process.stdout.write("READY\n");
// the farm runs on its own timers until the runner kills this process
setInterval(() => {}, 60_000);
