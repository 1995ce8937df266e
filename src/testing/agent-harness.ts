/**
 * An agent instance on one simulated venue (ETH, BTC) whose ETH touch the test moves by hand,
 * talking to a local OpenAI-compatible server through the real HTTP client; restarts keep the
 * directory (store and sim state). Test support only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StrategyNode, startNode } from "../app/node.ts";
import { SimClock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import type { Venue } from "../core/venue.ts";
import type { Alert } from "../engine/alerts.ts";
import { engineSettings } from "../engine/config.ts";
import { openStore, type Store } from "../store/store.ts";
import type { AgentStrategy } from "../strategies/agent/agent.ts";
import { type AgentConfig, agentConfig } from "../strategies/agent/config.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";
import type { LlmTestServer } from "./llm-server.ts";

export const T0 = Date.UTC(2026, 0, 1);

export interface AgentHarnessOptions {
  readonly server: LlmTestServer;
  readonly agent?: Partial<AgentConfig>;
  readonly dir?: string;
  readonly clock?: SimClock;
  readonly wrapVenue?: (v: SimVenue) => Venue;
}

export class AgentHarness {
  readonly clock: SimClock;
  readonly dir: string;
  readonly venue: SimVenue;
  readonly store: Store;
  readonly node: StrategyNode;
  readonly alerts: Alert[];
  readonly price: { eth: number };
  private readonly stopFeed: () => void;

  private constructor(parts: {
    clock: SimClock;
    dir: string;
    venue: SimVenue;
    store: Store;
    node: StrategyNode;
    alerts: Alert[];
    price: { eth: number };
    stopFeed: () => void;
  }) {
    this.clock = parts.clock;
    this.dir = parts.dir;
    this.venue = parts.venue;
    this.store = parts.store;
    this.node = parts.node;
    this.alerts = parts.alerts;
    this.price = parts.price;
    this.stopFeed = parts.stopFeed;
  }

  static async start(o: AgentHarnessOptions): Promise<AgentHarness> {
    const clock = o.clock ?? new SimClock(T0);
    const dir = o.dir ?? mkdtempSync(join(tmpdir(), "perpbot-agent-"));
    const venue = new SimVenue({
      id: "simA",
      instruments: catalogInstruments("simA"),
      clock,
      dbPath: join(dir, "sim.db"),
    });
    if (!venue.accountNames().includes("w1")) venue.deposit("w1", usd(100_000));
    const price = { eth: 3500 };
    const feed = () => {
      const ts = clock.now();
      for (const [symbol, mid] of [
        ["ETH", price.eth],
        ["BTC", 100_000],
      ] as const) {
        const inst = venue.instrument(symbol);
        const bid = inst.roundPrice(mid, "buy", "down");
        const px = (t: number) => inst.priceValue(t);
        venue.feed({
          type: "book",
          venue: "simA",
          symbol,
          ts,
          snapshot: true,
          bids: [0, 1, 2].map((i) => ({ price: px(bid - i), size: 50 })),
          asks: [1, 2, 3].map((i) => ({ price: px(bid + i), size: 50 })),
        });
        venue.feed({ type: "mark", venue: "simA", symbol, ts, markPrice: px(bid), oraclePrice: px(bid) });
      }
    };
    feed();
    let handle = clock.after(200, function refresh() {
      feed();
      handle = clock.after(200, refresh);
    });
    const store = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
    const alerts: Alert[] = [];
    const config = agentConfig({
      venue: "simA",
      markets: ["ETH", "BTC"],
      base_url: o.server.baseUrl,
      model: "test/model",
      cycle_interval_s: 60,
      request_timeout_s: 5,
      max_retries: 0,
      version_tag: "v-test",
      ...o.agent,
    });
    const node = await clock.drive(
      startNode({
        store,
        venues: new Map([["simA", o.wrapVenue ? o.wrapVenue(venue) : venue]]),
        clock,
        wallets: ["w1"],
        instances: [
          {
            spec: { name: "ag", kind: "agent", wallets: ["w1"], venues: ["simA"], seed: 1 },
            config,
            maxExposureUsd: undefined,
          },
        ],
        engineSettings: { ...engineSettings(), orphanFlatten: false },
        attachAlerts: (bus) => bus.subscribe((a) => alerts.push(a)),
      }),
    );
    return new AgentHarness({
      clock,
      dir,
      venue,
      store,
      node,
      alerts,
      price,
      stopFeed: () => clock.cancel(handle),
    } as never);
  }

  get agent(): AgentStrategy {
    return this.node.instances.get("ag")!.strategy as AgentStrategy;
  }

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** Advance the clock in small steps, letting real I/O (the model's HTTP) run, until `cond`. */
  async until(cond: () => boolean | Promise<boolean>, limitMs = 600_000, what = "condition"): Promise<void> {
    const end = this.clock.now() + limitMs;
    while (!(await cond())) {
      if (this.clock.now() >= end)
        throw new Error(`AgentHarness.until: ${what} not met within ${limitMs} ms`);
      await this.clock.advance(100);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  async ethPosition(): Promise<number> {
    const p = (await this.venue.positions("w1")).find((x) => x.symbol === "ETH");
    return p === undefined ? 0 : this.venue.instrument("ETH").sizeValue(p.sizeLots);
  }

  /** A crash: nothing is flushed beyond what is already written. */
  async crash(): Promise<void> {
    this.stopFeed();
    this.agent.running = false;
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
