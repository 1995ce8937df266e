/**
 * A farm on one simulated venue with a market the test moves by hand: the scenario tests drive
 * prices, outages and restarts through it. Test support only (imported by *.test.ts files).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StrategyNode, startNode } from "../app/node.ts";
import { SimClock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import type { Venue } from "../core/venue.ts";
import { type EngineSettings, engineSettings } from "../engine/config.ts";
import { openStore, type Store } from "../store/store.ts";
import { type FarmConfig, farmDefaults } from "../strategies/farm/config.ts";
import { legacyFarm } from "../strategies/instances.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import type { SimFaults } from "../venues/sim/faults.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

export const T0 = Date.UTC(2026, 0, 1);

export interface HarnessOptions {
  readonly wallets?: readonly { id: string; balanceUsd: number }[];
  readonly farm?: Partial<FarmConfig>;
  readonly engine?: Partial<EngineSettings>;
  readonly faults?: SimFaults;
  /** reuse the files of an earlier harness (a restart) */
  readonly dir?: string;
  readonly clock?: SimClock;
  /** starting mid price per symbol of simA */
  readonly prices?: Readonly<Record<string, number>>;
  /** funding rate per hour fed for every symbol (default 0.0001 = 0.01 %/h) */
  readonly fundingRatePerHour?: number;
  /** wrap the venue the engine and farm see (to inject a behaviour the simulator lacks) */
  readonly wrapVenue?: (v: SimVenue) => Venue;
}

export class FarmHarness {
  readonly clock: SimClock;
  readonly dir: string;
  readonly venue: SimVenue;
  readonly store: Store;
  readonly runtime: StrategyNode;
  /** mid price per symbol; change it and the next refresh (every 200 ms) moves book and mark */
  readonly prices: Record<string, number>;
  private readonly stopFeed: () => void;

  private constructor(
    clock: SimClock,
    dir: string,
    venue: SimVenue,
    store: Store,
    runtime: StrategyNode,
    prices: Record<string, number>,
    stopFeed: () => void,
  ) {
    this.stopFeed = stopFeed;
    this.clock = clock;
    this.dir = dir;
    this.venue = venue;
    this.store = store;
    this.runtime = runtime;
    this.prices = prices;
  }

  static async start(o: HarnessOptions = {}): Promise<FarmHarness> {
    const clock = o.clock ?? new SimClock(T0);
    const dir = o.dir ?? mkdtempSync(join(tmpdir(), "perpbot-farm-"));
    const venue = new SimVenue({
      id: "simA",
      instruments: catalogInstruments("simA"),
      clock,
      dbPath: join(dir, "sim.db"),
      faults: o.faults,
    });
    const prices: Record<string, number> = { BTC: 100_000, ETH: 3_500, SOL: 180, DOGE: 0.2, ...o.prices };
    const wallets = o.wallets ?? [
      { id: "w1", balanceUsd: 2_000 },
      { id: "w2", balanceUsd: 3_000 },
      { id: "w3", balanceUsd: 2_500 },
      { id: "w4", balanceUsd: 1_500 },
    ];
    const known = new Set(venue.accountNames());
    for (const w of wallets) if (!known.has(w.id)) venue.deposit(w.id, usd(w.balanceUsd));
    const feed = () => {
      for (const inst of venue.instruments()) {
        const mid = prices[inst.spec.base];
        const bid = inst.roundPrice(mid * 0.99995, "sell", "down");
        const ts = clock.now();
        const depth = 5_000_000 / mid; // deep enough that group orders never exhaust it
        const px = (t: number) => inst.priceValue(t);
        venue.feed({
          type: "book",
          venue: "simA",
          symbol: inst.symbol,
          ts,
          snapshot: true,
          bids: Array.from({ length: 10 }, (_, i) => ({ price: px(bid - i), size: depth })),
          asks: Array.from({ length: 10 }, (_, i) => ({ price: px(bid + 1 + i), size: depth })),
        });
        venue.feed({
          type: "mark",
          venue: "simA",
          symbol: inst.symbol,
          ts,
          markPrice: mid,
          oraclePrice: mid,
        });
      }
    };
    feed();
    for (const inst of venue.instruments()) {
      venue.feed({
        type: "funding",
        venue: "simA",
        symbol: inst.symbol,
        ts: clock.now(),
        ratePerHour: o.fundingRatePerHour ?? 0.0001,
      });
    }
    const store = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
    const farm = farmDefaults({
      mode: "same_venue",
      markets: ["BTC"],
      min_group_size: 4,
      max_group_size: 4,
      seed: 7,
      ...o.farm,
    });
    let handle = clock.after(200, function refresh() {
      feed();
      handle = clock.after(200, refresh);
    });
    const stopFeed = () => clock.cancel(handle);
    const runtime = await clock.drive(
      startNode({
        store,
        venues: new Map([["simA", o.wrapVenue ? o.wrapVenue(venue) : venue]]),
        clock,
        wallets: wallets.map((w) => w.id),
        instances: [
          legacyFarm(farm, { wallets: wallets.map((w) => w.id), venues: ["simA"], fallbackSeed: 0 }),
        ],
        engineSettings: { ...engineSettings(), ...o.engine },
      }),
    );
    return new FarmHarness(clock, dir, venue, store, runtime, prices, stopFeed);
  }

  /** Advance simulated time, letting everything scheduled on the way run. */
  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  async groups() {
    return this.runtime.engine.groups({ strategy: "farm" });
  }

  /** Signed position lots per account for a symbol, from the venue. */
  async positionLots(symbol = "BTC"): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const a of this.venue.accountNames()) {
      const p = (await this.venue.positions(a)).find((x) => x.symbol === symbol);
      if (p && p.sizeLots !== 0) out.set(a, p.sizeLots);
    }
    return out;
  }

  /** Stop like a process being killed: nothing more runs, files stay as they are. */
  async crash(): Promise<void> {
    this.stopFeed();
    await this.clock.drive(this.runtime.farm.stop());
    this.runtime.engine.scheduler.stop();
    this.venue.close();
    await this.store.close();
  }

  async stop(): Promise<void> {
    this.stopFeed();
    await this.clock.drive(this.runtime.stop());
    this.venue.close();
    await this.store.close();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
