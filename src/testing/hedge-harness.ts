/**
 * A hedged maker instance on two simulated venues: quotes on simA (whose touch the test moves and
 * whose trades it prints), hedges on simB (whose book the test sets level by level, so depth
 * matters). The hedged maker's scenario tests and seeded fault runs drive it. Test support only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StrategyNode, startNode } from "../app/node.ts";
import { SimClock } from "../core/clock.ts";
import { Instrument, type InstrumentSpec } from "../core/instrument.ts";
import { usd } from "../core/money.ts";
import type { Side } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import type { Alert } from "../engine/alerts.ts";
import { type EngineSettings, engineSettings } from "../engine/config.ts";
import { openStore, type Store } from "../store/store.ts";
import { type HedgedMakerConfig, hedgedMakerConfig } from "../strategies/hedged-maker/config.ts";
import type { HedgedMakerStrategy } from "../strategies/hedged-maker/hedged-maker.ts";
import { catalogInstruments, SIM_B_SPECS } from "../venues/sim/catalog.ts";
import type { SimFaults } from "../venues/sim/faults.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

export const T0 = Date.UTC(2026, 0, 1);

export interface HedgeHarnessOptions {
  readonly config?: Partial<HedgedMakerConfig>;
  readonly engine?: Partial<EngineSettings>;
  readonly faultsA?: SimFaults;
  readonly faultsB?: SimFaults;
  readonly dir?: string;
  readonly clock?: SimClock;
  /** B's ETH spec changed (e.g. a larger minimum notional) */
  readonly specB?: Partial<InstrumentSpec>;
  readonly wrapA?: (v: SimVenue) => Venue;
  readonly wrapB?: (v: SimVenue) => Venue;
  readonly seed?: number;
}

/** The books as the test sets them: A's touch in A ticks, B's levels in B ticks and base sizes. */
export interface Books {
  aBid: number;
  aSpread: number;
  bBid: number;
  bSpread: number;
  /** size at each of B's levels from the touch outward (bids and asks alike) */
  bSizes: number[];
}

export class HedgeHarness {
  readonly clock: SimClock;
  readonly dir: string;
  readonly a: SimVenue;
  readonly b: SimVenue;
  readonly store: Store;
  readonly node: StrategyNode;
  readonly alerts: Alert[];
  readonly books: Books;
  private readonly stopFeed: () => void;

  private constructor(
    f: Pick<HedgeHarness, "clock" | "dir" | "a" | "b" | "store" | "node" | "alerts" | "books">,
    stopFeed: () => void,
  ) {
    this.clock = f.clock;
    this.dir = f.dir;
    this.a = f.a;
    this.b = f.b;
    this.store = f.store;
    this.node = f.node;
    this.alerts = f.alerts;
    this.books = f.books;
    this.stopFeed = stopFeed;
  }

  static async start(o: HedgeHarnessOptions = {}): Promise<HedgeHarness> {
    const clock = o.clock ?? new SimClock(T0);
    const dir = o.dir ?? mkdtempSync(join(tmpdir(), "perpbot-hedge-"));
    const a = new SimVenue({
      id: "simA",
      instruments: catalogInstruments("simA"),
      clock,
      dbPath: join(dir, "simA.db"),
      faults: o.faultsA,
      seed: o.seed,
    });
    const b = new SimVenue({
      id: "simB",
      instruments: SIM_B_SPECS.map((s) => new Instrument(s.base === "ETH" ? { ...s, ...o.specB } : s)),
      clock,
      dbPath: join(dir, "simB.db"),
      faults: o.faultsB,
      seed: o.seed,
    });
    for (const v of [a, b]) if (!v.accountNames().includes("w1")) v.deposit("w1", usd(100_000));
    const store = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
    const saved = await store.kv.get("test.books");
    const ia = a.instrument("ETH");
    const ib = b.instrument("ETHUSDT");
    const books: Books =
      typeof saved === "string"
        ? (JSON.parse(saved) as Books)
        : { aBid: ia.price(3500), aSpread: 1, bBid: ib.price(3505), bSpread: 1, bSizes: [5, 5, 5, 5, 5] };
    const feed = () => {
      const ts = clock.now();
      const pa = (t: number) => ia.priceValue(t);
      const pb = (t: number) => ib.priceValue(t);
      a.feed({
        type: "book",
        venue: "simA",
        symbol: "ETH",
        ts,
        snapshot: true,
        bids: Array.from({ length: 5 }, (_, i) => ({ price: pa(books.aBid - i), size: 50 })),
        asks: Array.from({ length: 5 }, (_, i) => ({ price: pa(books.aBid + books.aSpread + i), size: 50 })),
      });
      a.feed({
        type: "mark",
        venue: "simA",
        symbol: "ETH",
        ts,
        markPrice: pa(books.aBid),
        oraclePrice: pa(books.aBid),
      });
      b.feed({
        type: "book",
        venue: "simB",
        symbol: "ETHUSDT",
        ts,
        snapshot: true,
        bids: books.bSizes
          .map((size, i) => ({ price: pb(books.bBid - i * 10), size }))
          .filter((l) => l.size > 0),
        asks: books.bSizes
          .map((size, i) => ({ price: pb(books.bBid + books.bSpread + i * 10), size }))
          .filter((l) => l.size > 0),
      });
      b.feed({
        type: "mark",
        venue: "simB",
        symbol: "ETHUSDT",
        ts,
        markPrice: pb(books.bBid),
        oraclePrice: pb(books.bBid),
      });
    };
    feed();
    let handle = clock.after(200, function refresh() {
      feed();
      handle = clock.after(200, refresh);
    });
    const alerts: Alert[] = [];
    const config = hedgedMakerConfig({
      venue: "simA",
      hedge_venue: "simB",
      markets: ["ETH"],
      quantity: 0.1,
      ...o.config,
    });
    const node = await clock.drive(
      startNode({
        store,
        venues: new Map<string, Venue>([
          ["simA", o.wrapA ? o.wrapA(a) : a],
          ["simB", o.wrapB ? o.wrapB(b) : b],
        ]),
        clock,
        wallets: ["w1"],
        instances: [
          {
            spec: { name: "hm", kind: "hedged_maker", wallets: ["w1"], venues: ["simA", "simB"], seed: 1 },
            config,
            maxExposureUsd: undefined,
          },
        ],
        engineSettings: { ...engineSettings(), orphanFlatten: false, ...o.engine },
        attachAlerts: (bus) => bus.subscribe((x) => alerts.push(x)),
      }),
    );
    return new HedgeHarness({ clock, dir, a, b, store, node, alerts, books }, () => clock.cancel(handle));
  }

  get strategy(): HedgedMakerStrategy {
    return this.node.instances.get("hm")!.strategy as HedgedMakerStrategy;
  }
  get instA() {
    return this.a.instrument("ETH");
  }
  get instB() {
    return this.b.instrument("ETHUSDT");
  }

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** An aggressor prints a trade on A: a sell hits resting bids at or above it, a buy lifts asks. */
  async trade(side: Side, priceTicks: number, sizeLots: number): Promise<void> {
    const inst = this.instA;
    this.a.feed({
      type: "trade",
      venue: "simA",
      symbol: "ETH",
      ts: this.clock.now(),
      price: inst.priceValue(priceTicks),
      size: inst.sizeValue(sizeLots),
      side,
    });
    await this.advance(1);
  }

  /** Venue truth: positions on both venues (base units), the unhedged delta, A's open quotes. */
  async truth() {
    const posA = (await this.a.positions("w1")).find((p) => p.symbol === "ETH")?.sizeLots ?? 0;
    const posB = (await this.b.positions("w1")).find((p) => p.symbol === "ETHUSDT")?.sizeLots ?? 0;
    const a = this.instA.sizeValue(posA);
    const b = this.instB.sizeValue(posB);
    const quotes = (await this.a.openOrders("w1")).filter((x) => x.symbol === "ETH");
    const delta = Math.round((a + b) * 1e9) / 1e9;
    return { posA: a, posB: b, delta, quotes };
  }

  async crash(): Promise<void> {
    this.stopFeed();
    await this.store.kv.put("test.books", JSON.stringify(this.books), this.clock.now());
    for (const i of this.node.instances.values()) await this.clock.drive(i.strategy.stop());
    this.node.engine.scheduler.stop();
    this.a.close();
    this.b.close();
    await this.store.close();
  }

  async stop(): Promise<void> {
    this.stopFeed();
    await this.clock.drive(this.node.stop());
    this.a.close();
    this.b.close();
    await this.store.close();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
