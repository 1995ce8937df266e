/**
 * `perpbot run` with `mode = "sandbox"`: the configured strategies on a real venue's market data
 * with simulated fills, the step between paper and live. Each `[venues.<kind>]` table's venue is
 * built through the registry and connected for its public data only (no account is bound, no key
 * is read, nothing is signed); a SandboxVenue with its id and instruments takes the orders and
 * fills them against the real books. The simulator's balances and positions live in
 * `<data_dir>/sandbox-sim.db`, apart from paper's sim.db. Otherwise the run is paper's and live's
 * (run-core.ts: store, strategy node, alerts, control, API).
 */
import { join } from "node:path";
import type { LoadedConfig } from "../config/load.ts";
import { dataDirSection } from "../config/sections.ts";
import { WallClock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import { Rng } from "../core/random.ts";
import type { Venue } from "../core/venue.ts";
import { checkInstrumentCaps } from "../engine/instrument-caps.ts";
import { createVenue, sandboxKinds, venuesSection } from "../venues/registry.ts";
import { SandboxVenue } from "../venues/sandbox/sandbox-venue.ts";
import { simSection } from "../venues/sim/config.ts";
import { streamLine } from "./live-run.ts";
import { formatPrice } from "./paper.ts";
import { type Run, type RunSurfaceOptions, startRun } from "./run-core.ts";
import { claimStoreFor } from "./store-mode.ts";

export interface SandboxRunOptions extends RunSurfaceOptions {
  readonly config: LoadedConfig;
  /** wallet ids to trade (the keystore's); default: the simulated wallets of `sim.wallets` */
  readonly walletIds?: readonly string[];
}

/** The venue kinds a sandbox run takes its market data from: every `[venues.<kind>]` table given. */
export function sandboxVenueKinds(config: LoadedConfig): string[] {
  return sandboxKinds((kind) => config.originOf(`venues.${kind}`).kind !== "default");
}

export function sandboxDbPathFor(dataDir: string): string {
  return join(dataDir, "sandbox-sim.db");
}

/** Connect each real venue (public data only) and wrap it in a sandbox; close all on any failure. */
async function openSandboxes(o: SandboxRunOptions, clock: WallClock, fail: (err: Error) => void) {
  const venuesConfig = venuesSection.get(o.config.values) as Record<string, unknown>;
  const sim = simSection.get(o.config.values);
  const dataDir = dataDirSection.get(o.config.values);
  const opened: Venue[] = [];
  const sandboxes = new Map<string, SandboxVenue>();
  try {
    for (const kind of sandboxVenueKinds(o.config)) {
      const market = createVenue(kind, venuesConfig[kind], { clock, dataDir }, `venues.${kind}`);
      opened.push(market);
      await market.connect();
      const venue = new SandboxVenue({
        market,
        clock,
        seed: `${sim.seed}:sandbox:${market.id}`,
        latencyMs: sim.latency_ms,
        dbPath: sandboxDbPathFor(dataDir),
        onStoreFailure: (err) => fail(err),
      });
      sandboxes.set(venue.id, venue);
    }
    return sandboxes;
  } catch (e) {
    await Promise.allSettled(opened.map((v) => v.close()));
    throw e;
  }
}

/**
 * Start the sandbox run. Says first, before anything connects, that no real order will be sent.
 */
export function startSandboxRun(o: SandboxRunOptions): Promise<Run> {
  const { config } = o;
  const kinds = sandboxVenueKinds(config);
  o.say?.(
    `SANDBOX: real market data from ${kinds.join(", ")}, orders fill in the simulator: no real orders, no keys used, nothing is sent to the venue's exchange endpoint`,
  );
  return startRun(config.values, o, async (store, fail) => {
    const clock = new WallClock();
    await claimStoreFor("sandbox", store, config, clock.now());
    const venues = await openSandboxes(o, clock, fail);
    const close = () => Promise.allSettled([...venues.values()].map((v) => v.close())).then(() => {});
    try {
      checkInstrumentCaps(
        config,
        [...venues.values()].flatMap((v) => v.instruments().map((i) => i.key)),
      );
    } catch (e) {
      await close();
      throw e;
    }
    // the simulated wallets are funded on each venue the first time they are seen
    const sim = simSection.get(config.values);
    const rng = new Rng(`wallets:${sim.seed}`);
    const wallets =
      o.walletIds ?? Array.from({ length: sim.wallets }, (_, i) => `paper-${String(i + 1).padStart(2, "0")}`);
    for (const venue of venues.values()) {
      const known = new Set(venue.accountNames());
      for (const w of wallets) {
        const balance =
          Math.round(rng.uniform(sim.wallet_balance_min_usd, sim.wallet_balance_max_usd) * 100) / 100;
        if (!known.has(w)) venue.deposit(w, usd(balance));
      }
    }
    const networks = [...venues.values()].map((v) => v.id).join(", ");
    return {
      venues,
      wallets,
      clock,
      header: `perpbot SANDBOX (simulated fills, no real orders): market data from ${networks}`,
      marketLines: () =>
        [...venues.values()].map((v) => {
          const mids = v
            .instruments()
            .filter((i) => v.book(i.symbol).bestBidTicks() !== undefined)
            .slice(0, 4)
            .map((i) => {
              const b = v.book(i.symbol);
              const mid =
                (i.priceValue(b.bestBidTicks()!) + i.priceValue(b.bestAskTicks() ?? b.bestBidTicks()!)) / 2;
              return `${i.symbol} ${formatPrice(mid)}`;
            });
          return `${streamLine(v)}${mids.length > 0 ? ` | ${mids.join(", ")}` : ""}`;
        }),
      close,
    };
  });
}
