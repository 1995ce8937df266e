/**
 * The part of a chaos worker life shared by every live venue (worker-hl.ts, worker-lt.ts): on a
 * connected venue with its wallets bound, open the durable store, start an engine (recovery +
 * reconcile) and check (b), (c) and the store's part of (d), print `CHECK {…}`; unless `final`,
 * run the farm in same-venue groups of 3-5 wallets, opening and closing fast, print `READY` and
 * keep going until SIGKILL.
 */
import { join } from "node:path";
import { startNode } from "../../app/node.ts";
import type { Clock } from "../../core/clock.ts";
import type { Venue } from "../../core/venue.ts";
import { AlertBus } from "../../engine/alerts.ts";
import { type EngineSettings, engineSettings } from "../../engine/config.ts";
import { Engine } from "../../engine/executor.ts";
import { openStore } from "../../store/store.ts";
import { farmDefaults } from "../../strategies/farm/config.ts";
import { legacyFarm } from "../../strategies/instances.ts";
import { type ChaosCounts, checkGroups, checkPositions, checkStore } from "./checks.ts";

export async function runFarmLife(opts: {
  readonly dir: string;
  readonly life: number;
  readonly final: boolean;
  readonly clock: Clock;
  readonly venueId: string;
  readonly venue: Venue;
  readonly wallets: readonly string[];
  readonly settings: Partial<EngineSettings>;
}): Promise<void> {
  const { dir, life, final, clock, venueId, venue, settings } = opts;
  const wallets = [...opts.wallets];
  const venues = new Map<string, Venue>([[venueId, venue]]);
  const store = await openStore(`sqlite:${join(dir, "engine.db")}`);
  const makeEngine = () =>
    new Engine({
      store,
      venues,
      clock,
      alerts: new AlertBus(),
      accounts: wallets.map((account) => ({ venue: venueId, account })),
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
    instances: [legacyFarm(farm, { wallets, venues: [venueId], fallbackSeed: life })],
    engineSettings: engineSettings(settings),
  });
  process.stdout.write("READY\n");
  // the farm runs on its own timers until the runner kills this process
  setInterval(() => {}, 60_000);
}
