/**
 * A maker instance on one simulated venue whose touch the test moves by hand, and trades it prints
 * at will: the maker's scenario tests and seeded fault runs drive fills, partial fills, races and
 * restarts through it. Test support only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StrategyNode, startNode } from "../app/node.ts";
import { SimClock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import type { Side } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import type { Alert } from "../engine/alerts.ts";
import { type EngineSettings, engineSettings } from "../engine/config.ts";
import { openStore, type Store } from "../store/store.ts";
import { type MakerConfig, makerConfig } from "../strategies/maker/config.ts";
import type { MakerStrategy } from "../strategies/maker/maker.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import type { SimFaults } from "../venues/sim/faults.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

export const T0 = Date.UTC(2026, 0, 1);

export interface MakerHarnessOptions {
  readonly maker?: Partial<MakerConfig>;
  readonly wallets?: readonly string[];
  readonly engine?: Partial<EngineSettings>;
  readonly faults?: SimFaults;
  readonly dir?: string;
  readonly clock?: SimClock;
  /** bid price (float) of ETH; ask is one tick above */
  readonly bid?: number;
  readonly wrapVenue?: (v: SimVenue) => Venue;
  readonly seed?: number;
}

export class MakerHarness {
  readonly clock: SimClock;
  readonly dir: string;
  readonly venue: SimVenue;
  readonly store: Store;
  readonly node: StrategyNode;
  readonly alerts: Alert[];
  /** the touch: bid in ticks (ask = bid + spread) */
  bidTicks: number;
  spreadTicks = 1;
  private readonly stopFeed: () => void;

  private constructor(
    clock: SimClock,
    dir: string,
    venue: SimVenue,
    store: Store,
    node: StrategyNode,
    bidTicks: number,
    alerts: Alert[],
    stopFeed: () => void,
  ) {
    this.clock = clock;
    this.dir = dir;
    this.venue = venue;
    this.store = store;
    this.node = node;
    this.bidTicks = bidTicks;
    this.alerts = alerts;
    this.stopFeed = stopFeed;
  }

  static async start(o: MakerHarnessOptions = {}): Promise<MakerHarness> {
    const clock = o.clock ?? new SimClock(T0);
    const dir = o.dir ?? mkdtempSync(join(tmpdir(), "perpbot-maker-"));
    const venue = new SimVenue({
      id: "simA",
      instruments: catalogInstruments("simA"),
      clock,
      dbPath: join(dir, "sim.db"),
      faults: o.faults,
      seed: o.seed,
    });
    const wallets = o.wallets ?? ["w1"];
    const known = new Set(venue.accountNames());
    for (const w of wallets) if (!known.has(w)) venue.deposit(w, usd(100_000));
    const inst = venue.instrument("ETH");
    const saved = await (async () => {
      if (o.dir === undefined) return undefined;
      const s = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
      const v = await s.kv.get("test.bid");
      await s.close();
      return v;
    })();
    const ref: { h?: MakerHarness; bid: number } = {
      bid: saved !== undefined ? Number(saved) : inst.price(o.bid ?? 3500),
    };
    const feed = () => {
      const bid = ref.h?.bidTicks ?? ref.bid;
      const spread = ref.h?.spreadTicks ?? 1;
      const ts = clock.now();
      const px = (t: number) => inst.priceValue(t);
      venue.feed({
        type: "book",
        venue: "simA",
        symbol: inst.symbol,
        ts,
        snapshot: true,
        bids: Array.from({ length: 5 }, (_, i) => ({ price: px(bid - i), size: 50 })),
        asks: Array.from({ length: 5 }, (_, i) => ({ price: px(bid + spread + i), size: 50 })),
      });
      venue.feed({
        type: "mark",
        venue: "simA",
        symbol: inst.symbol,
        ts,
        markPrice: px(bid),
        oraclePrice: px(bid),
      });
    };
    feed();
    let handle = clock.after(200, function refresh() {
      feed();
      handle = clock.after(200, refresh);
    });
    const store = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
    const alerts: Alert[] = [];
    const config = makerConfig({
      venue: "simA",
      markets: ["ETH"],
      quantity: 0.1,
      wait_time_s: 20,
      ...o.maker,
    });
    const node = await clock.drive(
      startNode({
        store,
        venues: new Map([["simA", o.wrapVenue ? o.wrapVenue(venue) : venue]]),
        clock,
        wallets,
        instances: [
          {
            spec: { name: "mk", kind: "maker", wallets, venues: ["simA"], seed: 1 },
            config,
            maxExposureUsd: undefined,
          },
        ],
        engineSettings: { ...engineSettings(), orphanFlatten: false, ...o.engine },
        attachAlerts: (bus) => bus.subscribe((a) => alerts.push(a)),
      }),
    );
    const h = new MakerHarness(clock, dir, venue, store, node, ref.bid, alerts, () => clock.cancel(handle));
    ref.h = h;
    return h;
  }

  get maker(): MakerStrategy {
    return this.node.instances.get("mk")!.strategy as MakerStrategy;
  }

  get inst() {
    return this.venue.instrument("ETH");
  }

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** An aggressor prints a trade: a sell hits resting bids at or above the price, a buy lifts asks. */
  async trade(side: Side, priceTicks: number, sizeLots: number): Promise<void> {
    this.venue.feed({
      type: "trade",
      venue: "simA",
      symbol: "ETH",
      ts: this.clock.now(),
      price: this.inst.priceValue(priceTicks),
      size: this.inst.sizeValue(sizeLots),
      side,
    });
    await this.advance(1);
  }

  /** Venue truth: signed position lots and the open orders of an account on ETH. */
  async truth(account = "w1") {
    const pos = (await this.venue.positions(account)).find((p) => p.symbol === "ETH")?.sizeLots ?? 0;
    const orders = (await this.venue.openOrders(account)).filter((o) => o.symbol === "ETH");
    const tps = orders.filter((o) => o.reduceOnly);
    const tpLots = tps.reduce((s, o) => s + (o.sizeLots - o.filledLots), 0);
    const opens = orders.filter((o) => !o.reduceOnly);
    return { pos, tps, tpLots, opens };
  }

  async crash(): Promise<void> {
    this.stopFeed();
    await this.store.kv.put("test.bid", String(this.bidTicks), this.clock.now());
    for (const i of this.node.instances.values()) await this.clock.drive(i.strategy.stop());
    this.node.engine.scheduler.stop();
    this.venue.close();
    await this.store.close();
  }

  async stop(): Promise<void> {
    this.stopFeed();
    await this.clock.drive(this.node.stop());
    this.venue.close();
    await this.store.close();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let manualSeq = 0;
/** A trade made by hand on the account, outside the bot (an IOC through the book). */
export async function manualTrade(
  h: MakerHarness,
  side: Side,
  sizeLots: number,
  account = "w1",
): Promise<void> {
  const px = side === "buy" ? h.bidTicks + 50 : h.bidTicks - 50;
  await h.venue.submit({
    clientOrderId: `manual-${++manualSeq}`,
    account,
    symbol: "ETH",
    side,
    type: "limit",
    priceTicks: px,
    sizeLots,
    tif: "ioc",
    reduceOnly: false,
  });
  await h.advance(1);
}
