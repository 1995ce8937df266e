import type { LoadedConfig } from "../config/load.ts";
import type { ConfigValues } from "../config/registry.ts";
import { dataDirSection } from "../config/sections.ts";
import { WallClock } from "../core/clock.ts";
import { StartAbortedError } from "../engine/executor.ts";
import { checkInstrumentCaps } from "../engine/instrument-caps.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { simSection } from "../venues/sim/config.ts";
import { simStateWritable } from "../venues/sim/sqlite-store.ts";
import { createPaperWorld, marketStatusLines, simDbPathFor } from "./paper.ts";
import { type Run, type RunSurfaceOptions, startRun } from "./run-core.ts";

export { StartAbortedError };

const INDEX_PRICES_KEY = "paper.index_prices";

export interface PaperRunOptions extends RunSurfaceOptions {
  readonly config: ConfigValues;
  /** wallet ids to trade (the keystore's); default: the simulated wallets of `sim.wallets` */
  readonly walletIds?: readonly string[];
}

/** A running paper process: what `perpbot run` prints and stops. */
export type PaperRun = Run;

/**
 * Checks of a paper run's configuration that need the venues' instruments (a risk cap naming an
 * instrument no simulated venue lists is an error), before anything starts.
 */
export function checkPaperConfig(config: LoadedConfig): void {
  const venues = simSection.get(config.values).venues;
  checkInstrumentCaps(
    config,
    venues.flatMap((v) => catalogInstruments(v).map((i) => i.key)),
  );
}

/**
 * `perpbot run` in paper mode, built from the config: the store, the simulated venues (state on
 * disk, the synthetic market resuming where the last run left it), the strategy node with every
 * configured instance, alerts (attached before the engine's first reconcile, so no start-up alert
 * is lost) and the control poller (`perpbot close`/`flatten`): run-core.ts on a simulated world.
 */
export function startPaperRun(o: PaperRunOptions): Promise<PaperRun> {
  const { config } = o;
  const log = o.logging.forModule("run");
  return startRun(config, o, async (store, fail) => {
    const clock = new WallClock();
    // the synthetic market picks up where the last run left it, so resumed positions keep their prices
    const saved = await store.kv.get(INDEX_PRICES_KEY);
    // a pool's unit taken over from a paused worker: wait for its lock on the state without
    // freezing this worker (its other units, its lease renewals)
    const writable =
      o.unit !== undefined ? await simStateWritable(simDbPathFor(dataDirSection.get(config))) : undefined;
    let world: ReturnType<typeof createPaperWorld>;
    try {
      world = createPaperWorld(simSection.get(config), clock, {
        onStoreFailure: (_venue, err) => fail(err),
        walletIds: o.walletIds,
        simDbPath: simDbPathFor(dataDirSection.get(config)),
        stepMs: 250,
        initialPrices: saved ? (JSON.parse(saved) as Record<string, number>) : undefined,
      });
    } finally {
      writable?.();
    }
    const saveIndexPrices = () =>
      store.kv
        .put(INDEX_PRICES_KEY, JSON.stringify(world.indexPrices()), clock.now())
        .catch((e) => log.warn({ err: (e as Error).message }, "could not save index prices"));
    return {
      venues: world.venues,
      wallets: world.wallets.map((w) => w.id),
      clock,
      header: `perpbot paper mode: ${world.venues.size} simulated venues`,
      marketLines() {
        void saveIndexPrices();
        return marketStatusLines(world);
      },
      async close() {
        // on a full disk this fails too; what was committed before is what the next run resumes
        await saveIndexPrices();
        world.close();
      },
    };
  });
}
