/**
 * scalp on the two simulated venues (simA Hyperliquid-like, simB Aster-like) whose books the test
 * shapes by hand: mid, spread, touch depth; startNode on the SimClock as `perpbot run` composes
 * it. Books are republished every 100 ms, so the strategy decides on book events exactly as live.
 * Test support only (imported by *.test.ts files).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StrategyNode, startNode } from "../app/node.ts";
import { SimClock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import type { Venue } from "../core/venue.ts";
import type { VenueCapabilities } from "../core/venue-capabilities.ts";
import { engineSettings } from "../engine/config.ts";
import { openStore, type Store } from "../store/store.ts";
import type { ResolvedInstance } from "../strategies/instances.ts";
import { scalpDefaults } from "../strategies/scalp/config.ts";
import type { ScalpStrategy } from "../strategies/scalp/scalp.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import type { SimFaults } from "../venues/sim/faults.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

export const T0 = Date.UTC(2026, 0, 1);
export const VENUES = ["simA", "simB"] as const;
export type V = (typeof VENUES)[number];

/** How a venue's BTC book looks: mid, half spread, USD at the touch and behind it. */
export interface BookShape {
  mid: number;
  /** half the touch spread, bps of mid (default 0.5) */
  halfSpreadBps: number;
  /** USD at each touch (default 5M) */
  touchUsd: number;
  /** USD on each of the 9 levels behind the touch (default 5M) */
  depthUsd: number;
  /** bps between levels behind the touch (default 1) */
  levelStepBps: number;
}

export interface ScalpHarnessOptions {
  readonly scalp?: Parameters<typeof scalpDefaults>[0];
  readonly books?: Partial<Record<V, Partial<BookShape>>>;
  readonly balanceUsd?: number;
  readonly leverage?: number;
  /** venues whose book is never published until the test clears them from `frozen` (no book at all) */
  readonly silent?: readonly V[];
  /** what the engine talks to instead of a venue (a test venue that breaks one thing) */
  readonly wrapVenue?: (id: V, v: SimVenue) => Venue;
  /** SimVenue latencyMs of both venues (default 0: answers within the same instant) */
  readonly latencyMs?: number;
  /** seeded faults per venue (partial fills, outages...) */
  readonly faults?: Partial<Record<V, SimFaults>>;
  /** what a venue declares it supports (e.g. no IOC), on the simulated venue itself */
  readonly capabilities?: Partial<Record<V, Partial<VenueCapabilities>>>;
  /** ETH books too, of these shapes (mid default 3,500); absent: only BTC is published */
  readonly eth?: Partial<Record<V, Partial<BookShape>>>;
  /** every strategy log line: instance, level, message */
  readonly log?: (instance: string, level: string, msg: string) => void;
  /** reuse the files (venues, store) and the clock of an earlier harness: a restart */
  readonly dir?: string;
  readonly clock?: SimClock;
}

export class ScalpHarness {
  readonly clock: SimClock;
  readonly dir: string;
  readonly venues: Record<V, SimVenue>;
  readonly store: Store;
  readonly node: StrategyNode;
  readonly books: Record<V, BookShape>;
  /** ETH book shapes, when the harness publishes ETH */
  readonly ethBooks: Record<V, BookShape> | undefined;
  /** venues whose book the feed leaves alone (stale, or never published: `silent`) */
  readonly frozen: Set<V>;
  private readonly stopFeed: () => void;
  private stopped = false;

  private constructor(
    clock: SimClock,
    dir: string,
    venues: Record<V, SimVenue>,
    store: Store,
    node: StrategyNode,
    books: Record<V, BookShape>,
    ethBooks: Record<V, BookShape> | undefined,
    frozen: Set<V>,
    stopFeed: () => void,
  ) {
    this.clock = clock;
    this.dir = dir;
    this.venues = venues;
    this.store = store;
    this.node = node;
    this.books = books;
    this.ethBooks = ethBooks;
    this.frozen = frozen;
    this.stopFeed = stopFeed;
  }

  static async start(o: ScalpHarnessOptions = {}): Promise<ScalpHarness> {
    const clock = o.clock ?? new SimClock(T0);
    const dir = o.dir ?? mkdtempSync(join(tmpdir(), "perpbot-scalp-"));
    const mk = (id: V) =>
      new SimVenue({
        id,
        instruments: catalogInstruments(id),
        clock,
        dbPath: join(dir, `${id}.db`),
        defaultLeverage: o.leverage ?? 3,
        defaultMarginMode: "isolated",
        ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}),
        ...(o.faults?.[id] ? { faults: o.faults[id], seed: `scalp-${id}` } : {}),
        ...(o.capabilities?.[id] ? { capabilities: o.capabilities[id] } : {}),
      });
    const venues = { simA: mk("simA"), simB: mk("simB") };
    // a restart finds the account on the venue's files
    for (const v of Object.values(venues))
      if (!v.accountNames().includes("s1")) v.deposit("s1", usd(o.balanceUsd ?? 2_200));
    const shape = (x: Partial<BookShape> | undefined, mid = 100_000): BookShape => ({
      mid,
      halfSpreadBps: 0.5,
      touchUsd: 5_000_000,
      depthUsd: 5_000_000,
      levelStepBps: 1,
      ...x,
    });
    const books = { simA: shape(o.books?.simA), simB: shape(o.books?.simB) };
    const eth = o.eth;
    const ethBooks =
      eth === undefined ? undefined : { simA: shape(eth.simA, 3_500), simB: shape(eth.simB, 3_500) };
    const frozen = new Set<V>(o.silent ?? []);
    const feed = () => {
      for (const id of VENUES) {
        if (frozen.has(id)) continue;
        publish(venues[id], id, "BTC", books[id], clock.now());
        if (ethBooks !== undefined) publish(venues[id], id, "ETH", ethBooks[id], clock.now());
      }
    };
    feed();
    let handle = clock.after(100, function refresh() {
      feed();
      handle = clock.after(100, refresh);
    });
    const store = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
    // the instance keys as resolveInstances reads them (src/strategies/instances.ts)
    const config = scalpDefaults({
      enabled: true,
      wallets: ["s1"],
      pairs: { allowlist: ["BTC"] },
      ...o.scalp,
    });
    const scalp: ResolvedInstance = {
      spec: {
        name: "scalp_a",
        kind: "scalp",
        wallets: config.wallets,
        venues: config.venues.length > 0 ? config.venues : [...VENUES],
        seed: config.seed >= 0 ? config.seed : 1,
      },
      config,
      maxExposureUsd: config.max_exposure_usd > 0 ? config.max_exposure_usd : undefined,
    };
    const settings = engineSettings();
    const node = await clock.drive(
      startNode({
        store,
        venues: new Map<string, Venue>(
          VENUES.map((id) => [id, o.wrapVenue ? o.wrapVenue(id, venues[id]) : venues[id]]),
        ),
        clock,
        wallets: ["s1"],
        instances: [scalp],
        ...(o.log
          ? { log: (instance: string, level: string, msg: string) => o.log?.(instance, level, msg) }
          : {}),
        engineSettings: { ...settings, limits: { ...settings.limits, maxBookAgeMs: 2000 } },
      }),
    );
    return new ScalpHarness(clock, dir, venues, store, node, books, ethBooks, frozen, () =>
      clock.cancel(handle),
    );
  }

  get scalp(): ScalpStrategy {
    return this.node.instances.get("scalp_a")!.strategy as ScalpStrategy;
  }

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  async groups() {
    return this.node.engine.groups({ strategy: "scalp_a" });
  }

  /** signed lots of s1 per venue:symbol, from the venues */
  async positions(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const id of VENUES)
      for (const p of await this.venues[id].positions("s1"))
        if (p.sizeLots !== 0) out[`${id}:${p.symbol}`] = p.sizeLots;
    return out;
  }

  /** Publish a funding rate per hour for every instrument of a venue (settled at its boundaries). */
  setRate(id: V, ratePerHour: number): void {
    const v = this.venues[id];
    for (const inst of v.instruments())
      v.feed({ type: "funding", venue: id, symbol: inst.symbol, ts: this.clock.now(), ratePerHour });
  }

  /** Stop the node and close venues and store; a second call does nothing (a failed test's cleanup). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopFeed();
    await this.clock.drive(this.node.stop());
    for (const v of Object.values(this.venues)) v.close();
    await this.store.close();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A snapshot of one base's book of the given shape (other instruments stay empty). */
function publish(venue: SimVenue, id: string, base: string, s: BookShape, ts: number): void {
  const inst = venue.instruments().find((i) => i.spec.base === base)!;
  const bid0 = inst.roundPrice(s.mid * (1 - s.halfSpreadBps / 10_000), "sell", "down");
  const ask0 = Math.max(bid0 + 1, inst.roundPrice(s.mid * (1 + s.halfSpreadBps / 10_000), "buy", "up"));
  const px = (t: number) => inst.priceValue(t);
  const step = (k: number) => 1 + (k * s.levelStepBps) / 10_000;
  const bids = [{ price: px(bid0), size: s.touchUsd / px(bid0) }];
  const asks = [{ price: px(ask0), size: s.touchUsd / px(ask0) }];
  for (let k = 1; k < 10; k++) {
    const b = inst.roundPrice(px(bid0) / step(k), "sell", "down");
    const a = inst.roundPrice(px(ask0) * step(k), "buy", "up");
    bids.push({ price: px(Math.min(b, bid0 - k)), size: s.depthUsd / px(b) });
    asks.push({ price: px(Math.max(a, ask0 + k)), size: s.depthUsd / px(a) });
  }
  venue.feed({ type: "book", venue: id, symbol: inst.symbol, ts, snapshot: true, bids, asks });
  venue.feed({ type: "mark", venue: id, symbol: inst.symbol, ts, markPrice: s.mid, oraclePrice: s.mid });
}
