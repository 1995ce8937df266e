import { join } from "node:path";
import type { ConfigValues } from "../config/registry.ts";
import type { Clock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import { Rng } from "../core/random.ts";
import { SyntheticMarket } from "../data/synthetic.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { simFaultsOf, simFillModelOf, simSection } from "../venues/sim/config.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

/** The `sim` config section as the paper world needs it. */
export interface PaperSimConfig {
  readonly venues: readonly ("simA" | "simB")[];
  readonly seed: number;
  readonly latency_ms: number;
  /** the venues' fill model and its latencies (absent: cross) */
  readonly fill_model?: "cross" | "queue";
  readonly place_latency_ms?: number | null;
  readonly cancel_latency_ms?: number | null;
  readonly wallets: number;
  readonly wallet_balance_min_usd: number;
  readonly wallet_balance_max_usd: number;
  readonly faults: {
    readonly enabled: boolean;
    readonly reject_rate: number;
    readonly timeout_rate: number;
    readonly partial_fill_rate: number;
    readonly drop_market_data_rate: number;
    readonly outage_rate: number;
    readonly outage_duration_ms: number;
  };
}

export interface PaperWallet {
  readonly id: string;
  /** starting balance deposited on each venue the first time the wallet is seen */
  readonly startingBalanceUsd: number;
}

/** Simulated venues fed by a synthetic market on one clock: what paper mode trades against. */
export interface PaperWorld {
  readonly clock: Clock;
  readonly venues: ReadonlyMap<string, SimVenue>;
  readonly market: SyntheticMarket;
  readonly wallets: readonly PaperWallet[];
  /** the synthetic market's index price per underlying now */
  indexPrices(): Record<string, number>;
  /** stop the market feed and close every venue (their state is already on disk) */
  close(): void;
}

export interface PaperWorldOptions {
  /** SQLite file of the simulated venues' durable state; undefined keeps it in memory */
  readonly simDbPath?: string;
  /** synthetic market step (default 1000 ms) */
  readonly stepMs?: number;
  /** wallet ids to trade (e.g. the keystore's); default `paper-01`..`paper-NN` from `sim.wallets` */
  readonly walletIds?: readonly string[];
  /** starting index price per underlying (e.g. where the last run stopped) */
  readonly initialPrices?: Readonly<Record<string, number>>;
  /**
   * A simulated venue could not save a state change (full disk, damaged file) and went down for
   * good: the run should stop (a restart reloads the venue from its file). Called once per venue.
   */
  readonly onStoreFailure?: (venueId: string, error: Error) => void;
}

/** The simulated venues paper mode trades, from the `sim` section. */
export function paperVenueIds(config: ConfigValues): readonly string[] {
  return simSection.get(config).venues;
}

export function simDbPathFor(dataDir: string): string {
  return join(dataDir, "sim.db");
}

/**
 * Build the paper world: one SimVenue per configured venue (state in `simDbPath`, so balances,
 * positions and resting orders survive a restart), a seeded synthetic market attached to the
 * clock, and the simulated wallets funded on first sight.
 */
export function createPaperWorld(
  sim: PaperSimConfig,
  clock: Clock,
  options: PaperWorldOptions = {},
): PaperWorld {
  const venues = new Map<string, SimVenue>();
  try {
    for (const id of sim.venues) {
      venues.set(
        id,
        new SimVenue({
          id,
          instruments: catalogInstruments(id),
          clock,
          seed: `${sim.seed}:${id}`,
          latencyMs: sim.latency_ms,
          fillModel: simFillModelOf(sim),
          faults: simFaultsOf(sim.faults),
          dbPath: options.simDbPath,
          onStoreFailure: (error) => options.onStoreFailure?.(id, error),
        }),
      );
    }
  } catch (e) {
    for (const v of venues.values()) v.close();
    throw e;
  }
  const instruments = [...venues.values()].flatMap((v) => [...v.instruments()]);
  const market = new SyntheticMarket({
    seed: sim.seed,
    instruments,
    startMs: clock.now(),
    stepMs: options.stepMs ?? 1000,
    initialPrices: options.initialPrices,
  });
  // prime every book before anything trades, then keep them moving on the clock
  const feed = (e: Parameters<SimVenue["feed"]>[0]) => venues.get(e.venue)?.feed(e);
  for (const e of market.step()) feed(e);
  const stop = market.attach(clock, feed);

  const rng = new Rng(`wallets:${sim.seed}`);
  const wallets: PaperWallet[] = [];
  const ids =
    options.walletIds ??
    Array.from({ length: sim.wallets }, (_, i) => `paper-${String(i + 1).padStart(2, "0")}`);
  for (const id of ids) {
    const balance =
      Math.round(rng.uniform(sim.wallet_balance_min_usd, sim.wallet_balance_max_usd) * 100) / 100;
    wallets.push({ id, startingBalanceUsd: balance });
  }
  for (const venue of venues.values()) {
    const known = new Set(venue.accountNames());
    for (const w of wallets) if (!known.has(w.id)) venue.deposit(w.id, usd(w.startingBalanceUsd));
  }
  return {
    clock,
    venues,
    market,
    wallets,
    indexPrices() {
      const bases = new Set(instruments.map((i) => i.spec.base));
      return Object.fromEntries([...bases].map((b) => [b, market.indexPrice(b)]));
    },
    close() {
      stop();
      for (const v of venues.values()) v.close();
    },
  };
}

/**
 * Market status, one line per underlying (each at most about 100 characters with two venues):
 * `09:38:59 BTC: simA 100,015 +0.0027%/h, simB 99,977 -0.0063%/h`.
 */
export function marketStatusLines(world: PaperWorld): string[] {
  const byBase = new Map<string, string[]>();
  for (const venue of world.venues.values()) {
    for (const inst of venue.instruments()) {
      const book = venue.book(inst.symbol);
      const bid = book.bestBidTicks();
      const ask = book.bestAskTicks();
      const mid =
        bid !== undefined && ask !== undefined
          ? (inst.priceValue(bid) + inst.priceValue(ask)) / 2
          : Number.NaN;
      const funding = venue.fundingRatePerHour(inst.symbol) * 100;
      const parts = byBase.get(inst.spec.base) ?? [];
      parts.push(`${venue.id} ${formatPrice(mid)} ${funding >= 0 ? "+" : ""}${funding.toFixed(4)}%/h`);
      byBase.set(inst.spec.base, parts);
    }
  }
  const time = new Date(world.clock.now()).toISOString().slice(11, 19);
  return [...byBase].map(([base, parts]) => `${time} ${base}: ${parts.join(", ")}`);
}

/** Mid price for the status: thousands separators above 1,000, four significant digits below 1. */
export function formatPrice(p: number): string {
  if (!Number.isFinite(p)) return "checking…";
  if (p >= 1000) return Math.round(p).toLocaleString("en-US");
  if (p >= 1) return p.toFixed(2);
  return p.toPrecision(4);
}
