/**
 * carry on two simulated venues (simA: funding every hour; simB: every 8 h on BTC) whose prices
 * and funding rates the test sets by hand; startNode on the SimClock, as `perpbot run` composes
 * it. Test support only (imported by *.test.ts files).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StrategyNode, startNode } from "../app/node.ts";
import { SimClock } from "../core/clock.ts";
import { Instrument } from "../core/instrument.ts";
import { usd } from "../core/money.ts";
import type { Venue } from "../core/venue.ts";
import { engineSettings } from "../engine/config.ts";
import { openStore, type Store } from "../store/store.ts";
import type { CarryStrategy } from "../strategies/carry/carry.ts";
import { type CarryInstanceConfig, carryDefaults } from "../strategies/carry/config.ts";
import type { ResolvedInstance } from "../strategies/instances.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import type { SimFaults } from "../venues/sim/faults.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

export const T0 = Date.UTC(2026, 0, 1);
export const VENUES = ["simA", "simB"] as const;
type V = (typeof VENUES)[number];

export interface CarryHarnessOptions {
  readonly carry?: Partial<CarryInstanceConfig>;
  /** funding per hour by venue (every symbol); default simA 0.001, simB 0.0001: 72 bps/8h */
  readonly rates?: Partial<Record<V, number>>;
  readonly balanceUsd?: number;
  readonly wrapVenue?: (id: V, v: SimVenue) => Venue;
  /** every strategy log line: instance, level, message */
  readonly log?: (instance: string, level: string, msg: string) => void;
  /** seeded faults per venue (partial fills, outages...) */
  readonly faults?: Partial<Record<V, SimFaults>>;
  readonly dir?: string;
  readonly clock?: SimClock;
  /** extra instances (e.g. a farm) composed in the same node, on their own wallets */
  readonly extra?: readonly ResolvedInstance[];
  readonly extraWallets?: readonly string[];
  /** the carry instance as a config resolved it (replaces the one built from `carry`) */
  readonly carryInstance?: ResolvedInstance;
  /** every instrument of the venue settles funding at this interval (hours) instead of the catalog's */
  readonly fundingIntervalHours?: Partial<Record<V, number>>;
  /** the venue funds continuously, settling every this many ms (SimVenueOptions.continuousFunding) */
  readonly continuousFundingMs?: Partial<Record<V, number>>;
}

export class CarryHarness {
  readonly clock: SimClock;
  readonly dir: string;
  readonly venues: Record<V, SimVenue>;
  readonly store: Store;
  readonly node: StrategyNode;
  /** mid price per base, per venue: change it and the next refresh (every second) moves the book */
  readonly prices: Record<V, Record<string, number>>;
  /** venues whose book the feed leaves alone (stale), or publishes empty */
  readonly frozen = new Set<V>();
  readonly empty = new Set<V>();
  /** venues whose funding prints stop: the rate in force stays, the time it was published ages */
  readonly quietFunding = new Set<V>();
  /** touch spread per venue, bps of mid (unset: one tick) */
  readonly spreadBps: Partial<Record<V, number>> = {};
  /** notional of each book level per venue, USD (unset: 5,000,000) */
  readonly levelUsd: Partial<Record<V, number>> = {};
  private readonly stopFeed: () => void;

  private constructor(
    clock: SimClock,
    dir: string,
    venues: Record<V, SimVenue>,
    store: Store,
    node: StrategyNode,
    prices: Record<V, Record<string, number>>,
    stopFeed: () => void,
  ) {
    this.clock = clock;
    this.dir = dir;
    this.venues = venues;
    this.store = store;
    this.node = node;
    this.prices = prices;
    this.stopFeed = stopFeed;
  }

  static async start(o: CarryHarnessOptions = {}): Promise<CarryHarness> {
    const clock = o.clock ?? new SimClock(T0);
    const dir = o.dir ?? mkdtempSync(join(tmpdir(), "perpbot-carry-"));
    const instrumentsOf = (id: V) => {
      const hours = o.fundingIntervalHours?.[id];
      return catalogInstruments(id).map((i) =>
        hours === undefined ? i : new Instrument({ ...i.spec, fundingIntervalHours: hours }),
      );
    };
    const mk = (id: V) =>
      new SimVenue({
        id,
        instruments: instrumentsOf(id),
        ...(o.continuousFundingMs?.[id] === undefined
          ? {}
          : { continuousFunding: { stepMs: o.continuousFundingMs[id] } }),
        clock,
        dbPath: join(dir, `${id}.db`),
        defaultLeverage: o.carry?.leverage ?? 3,
        defaultMarginMode: "isolated",
        ...(o.faults?.[id] ? { faults: o.faults[id], seed: `carry-${id}` } : {}),
      });
    const venues = { simA: mk("simA"), simB: mk("simB") };
    const wallets = ["c1", ...(o.extraWallets ?? [])];
    for (const v of Object.values(venues)) {
      const known = new Set(v.accountNames());
      for (const w of wallets) if (!known.has(w)) v.deposit(w, usd(o.balanceUsd ?? 2_000));
    }
    const base: Record<string, number> = { BTC: 100_000, ETH: 3_500, SOL: 180, DOGE: 0.2 };
    const prices: Record<V, Record<string, number>> = { simA: { ...base }, simB: { ...base } };
    const h: { self?: CarryHarness } = {};
    const feed = () => {
      for (const id of VENUES) {
        if (h.self?.frozen.has(id)) continue;
        const venue = venues[id];
        for (const inst of venue.instruments()) {
          const mid = prices[id][inst.spec.base];
          const ts = clock.now();
          const spread = h.self?.spreadBps[id];
          const bid = inst.roundPrice(
            mid * (spread === undefined ? 0.99995 : 1 - spread / 20_000),
            "sell",
            "down",
          );
          const ask =
            spread === undefined ? bid + 1 : inst.roundPrice(mid * (1 + spread / 20_000), "buy", "up");
          const depth = (h.self?.levelUsd[id] ?? 5_000_000) / mid;
          const px = (t: number) => inst.priceValue(t);
          const none = h.self?.empty.has(id) === true;
          venue.feed({
            type: "book",
            venue: id,
            symbol: inst.symbol,
            ts,
            snapshot: true,
            bids: none ? [] : Array.from({ length: 10 }, (_, i) => ({ price: px(bid - i), size: depth })),
            asks: none ? [] : Array.from({ length: 10 }, (_, i) => ({ price: px(ask + i), size: depth })),
          });
          venue.feed({ type: "mark", venue: id, symbol: inst.symbol, ts, markPrice: mid, oraclePrice: mid });
        }
      }
    };
    feed();
    const rates = { simA: 0.001, simB: 0.0001, ...o.rates };
    for (const id of VENUES) setRate(venues[id], id, rates[id], clock.now());
    // funding prints are republished every minute, as venues do, so a rate never looks stale
    // a book update every second (a 200 ms feed makes multi-hour scenarios slow for nothing);
    // the engine's stale-book gate allows two of them
    let handle = clock.after(1000, function refresh() {
      feed();
      handle = clock.after(1000, refresh);
    });
    let republish = clock.after(60_000, function again() {
      for (const id of VENUES) {
        if (h.self?.quietFunding.has(id)) continue;
        for (const inst of venues[id].instruments())
          setRate(venues[id], id, venues[id].fundingRatePerHour(inst.symbol), clock.now(), inst.symbol);
      }
      republish = clock.after(60_000, again);
    });
    const store = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
    const carry: ResolvedInstance = o.carryInstance ?? {
      spec: { name: "carry_a", kind: "carry", wallets: ["c1"], venues: [...VENUES], seed: 1 },
      // one base keeps a scenario to one position (the allowlist is a pairs key under test too)
      config: carryDefaults({ wallets: ["c1"], pairs: { allowlist: ["BTC"] }, ...o.carry }),
      maxExposureUsd: undefined,
    };
    const settings = engineSettings();
    const node = await clock.drive(
      startNode({
        store,
        venues: new Map<string, Venue>(
          VENUES.map((id) => [id, o.wrapVenue ? o.wrapVenue(id, venues[id]) : venues[id]]),
        ),
        clock,
        wallets,
        instances: [carry, ...(o.extra ?? [])],
        ...(o.log
          ? { log: (instance: string, level: string, msg: string) => o.log?.(instance, level, msg) }
          : {}),
        engineSettings: { ...settings, limits: { ...settings.limits, maxBookAgeMs: 2000 } },
      }),
    );
    // the market cache has seen no funding print yet (rates published before it listened carry no
    // time): publish them once now, as the venue's next print would
    for (const id of VENUES) setRate(venues[id], id, rates[id], clock.now());
    h.self = new CarryHarness(clock, dir, venues, store, node, prices, () => {
      clock.cancel(handle);
      clock.cancel(republish);
    });
    return h.self;
  }

  get carry(): CarryStrategy {
    const i = [...this.node.instances.values()].find((x) => x.spec.kind === "carry");
    return i!.strategy as CarryStrategy;
  }

  setRate(id: V, ratePerHour: number): void {
    setRate(this.venues[id], id, ratePerHour, this.clock.now());
  }

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  async groups() {
    return this.node.engine.groups({ strategy: "carry_a" });
  }

  /** signed lots of c1 per venue:symbol, from the venues */
  async positions(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const id of VENUES)
      for (const p of await this.venues[id].positions("c1"))
        if (p.sizeLots !== 0) out[`${id}:${p.symbol}`] = p.sizeLots;
    return out;
  }

  async stop(): Promise<void> {
    this.stopFeed();
    await this.clock.drive(this.node.stop());
    for (const v of Object.values(this.venues)) v.close();
    await this.store.close();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A minute on: the one carry group the rates offer is open; returns it. */
  async opened() {
    await this.advance(60_000);
    const gs = await this.groups();
    assert.equal(gs.length, 1, "one carry group");
    assert.equal(gs[0].status, "open");
    return gs[0];
  }

  /**
   * Group `id` closed with `reason`, its legs flat, and the venues hold exactly what the still
   * active groups hold (a re-entry may follow); returns the group.
   */
  async closedWith(id: string, reason: string) {
    const groups = await this.groups();
    const g = groups.find((x) => x.id === id)!;
    assert.equal(g.status, "closed", `status ${g.status}, reason ${g.closeReason}`);
    assert.equal(g.closeReason, reason);
    assert.ok(
      g.legs.every((l) => l.netLots === 0),
      "both legs of the group flat",
    );
    const held: Record<string, number> = {};
    for (const x of groups)
      for (const l of x.legs)
        if (l.netLots !== 0)
          held[`${l.venue}:${l.symbol}`] = (held[`${l.venue}:${l.symbol}`] ?? 0) + l.netLots;
    assert.deepEqual(await this.positions(), held, "nothing on the venues that no group owns");
    return g;
  }
}

/**
 * `start` for one test file: each harness it starts is removed once the file's tests have run
 * (`after` is node:test's, passed in so that this module does not load the test runner).
 */
export function carryStarter(
  after: (fn: () => void) => void,
): (o?: CarryHarnessOptions) => Promise<CarryHarness> {
  const started: CarryHarness[] = [];
  after(() => {
    for (const h of started) h.remove();
  });
  return async (o = {}) => {
    const h = await CarryHarness.start(o);
    started.push(h);
    return h;
  };
}

function setRate(venue: SimVenue, id: string, rate: number, ts: number, only?: string): void {
  for (const inst of venue.instruments()) {
    if (only !== undefined && inst.symbol !== only) continue;
    venue.feed({ type: "funding", venue: id, symbol: inst.symbol, ts, ratePerHour: rate });
  }
}
