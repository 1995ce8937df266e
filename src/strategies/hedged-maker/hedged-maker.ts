import type { TimerHandle } from "../../core/clock.ts";
import type {
  CloseReason,
  CloseTarget,
  InstanceSpec,
  Strategy,
  StrategyContext,
  StrategyView,
  Unsubscribe,
} from "../contract.ts";
import { SymbolMap } from "../pairs/symbols.ts";
import type { HedgedMakerConfig } from "./config.ts";
import { HedgeLane } from "./lane.ts";
import { type HedgeReport, hedgeReport, hedgeReportLine } from "./report.ts";

/**
 * The hedged maker (STRATEGIES.md 3.3) on the strategy contract: one lane per wallet x market,
 * each quoting post-only on `venue` and hedging every fill by IOC on `hedge_venue`. A tick every
 * `reprice_interval_s` on the injected clock re-prices the quote and retries what is unhedged;
 * fills on either venue run the hedge at once.
 */
export class HedgedMakerStrategy implements Strategy {
  readonly kind = "hedged_maker";
  readonly instance: string;
  private readonly spec: InstanceSpec;
  private readonly config: HedgedMakerConfig;
  private c: StrategyContext | undefined;
  private readonly lanes = new Map<string, HedgeLane>();
  private timer: TimerHandle | undefined;
  private unsubscribe: Unsubscribe | undefined;
  private running = false;

  constructor(spec: InstanceSpec, config: HedgedMakerConfig) {
    this.spec = spec;
    this.instance = spec.name;
    this.config = config;
  }

  private get ctx(): StrategyContext {
    if (this.c === undefined) throw new Error(`hedged_maker ${this.instance}: not started`);
    return this.c;
  }

  async start(ctx: StrategyContext): Promise<void> {
    this.c = ctx;
    const c = this.config;
    const where = `strategies.${this.instance}`;
    for (const [key, v] of [
      ["venue", c.venue],
      ["hedge_venue", c.hedge_venue],
    ] as const)
      if (!this.spec.venues.includes(v))
        throw new Error(
          `${where}.${key}: "${v}" is not one of the instance's venues (${this.spec.venues.join(", ")})`,
        );
    const byVenue = new Map<string, string>(); // symbol -> lane key prefix, per venue
    const map = new SymbolMap(c.pairs);
    for (const base of c.markets) {
      const a = map.listingOf(ctx.market.instruments(c.venue), base);
      const b = map.listingOf(ctx.market.instruments(c.hedge_venue), base);
      if (a === undefined) throw new Error(`${where}.markets: ${c.venue} lists no market for "${base}"`);
      if (b === undefined)
        throw new Error(`${where}.markets: ${c.hedge_venue} lists no market for "${base}"`);
      // a fill is hedged with the same quantity of contracts: they must stand for the same amount
      if (a.multiplier !== b.multiplier)
        throw new Error(
          `${where}.markets: "${base}": a contract of ${c.venue}:${a.instrument.symbol} is ${a.multiplier} ${base}, of ${c.hedge_venue}:${b.instrument.symbol} ${b.multiplier}: the hedged maker needs equal contract sizes`,
        );
      const instA = a.instrument;
      const instB = b.instrument;
      byVenue.set(`${c.hedge_venue}:${instB.symbol}`, instA.symbol);
      for (const account of this.spec.wallets) {
        const lane = new HedgeLane({
          ctx,
          config: c,
          account,
          instA,
          instB,
          alert: (severity, key, title, message) =>
            ctx.alerts.raise({
              severity,
              key: `${key}:${this.instance}`,
              title,
              message: `${this.instance} ${message}`,
              context: { strategy: this.instance, wallet: account, venue: c.venue, symbol: instA.symbol },
              ts: ctx.clock.now(),
            }),
          log: (level, msg) => ctx.logger.log(level, msg),
        });
        this.lanes.set(lane.key, lane);
      }
    }
    this.unsubscribe = ctx.events.onOrderUpdate((u) => {
      const o = u.order;
      const symA =
        o.venue === c.venue
          ? o.symbol
          : o.venue === c.hedge_venue
            ? byVenue.get(`${o.venue}:${o.symbol}`)
            : undefined;
      if (symA !== undefined) this.lanes.get(`${o.account}:${symA}`)?.onUpdate(u);
    });
    for (const lane of this.lanes.values()) await lane.start();
    this.running = true;
    const every = c.reprice_interval_s * 1000;
    const arm = (delay: number) => {
      if (!this.running) return;
      this.timer = ctx.clock.after(delay, () => {
        const runs = [...this.lanes.values()].map((l) => l.run("tick", () => l.tick()));
        void Promise.all(runs).finally(() => arm(every));
      });
    };
    arm(0);
    ctx.logger.log(
      "info",
      `hedged_maker ${this.instance} started: ${this.lanes.size} lanes, quotes on ${c.venue}, hedges on ${c.hedge_venue}`,
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.ctx.clock.cancel(this.timer);
    this.unsubscribe?.();
    await Promise.all([...this.lanes.values()].map((l) => l.run("stop", () => l.save(true))));
  }

  /** Close on command: cancel the quotes, then close both venues' positions reduce-only. */
  async close(_target: CloseTarget, reason: CloseReason): Promise<void> {
    for (const lane of this.lanes.values()) {
      await lane.run("close", async () => {
        for (const o of lane.quotes()) await this.ctx.intents.cancelOrder(o.clientOrderId);
      });
    }
    await this.ctx.intents.flatten({ venue: this.config.venue }, reason);
    await this.ctx.intents.flatten({ venue: this.config.hedge_venue }, reason);
  }

  lane(account: string, symbol: string): HedgeLane | undefined {
    return this.lanes.get(`${account}:${symbol}`);
  }

  reports(): HedgeReport[] {
    return [...this.lanes.values()].map((l) => {
      const v = l.view();
      return hedgeReport(
        { a: this.config.venue, b: this.config.hedge_venue, symbolA: v.symbol, symbolB: v.hedgeSymbol },
        v.account,
        l.stats,
        v.delta,
      );
    });
  }

  statusLines(): string[] {
    const c = this.config;
    const lines = [
      `hedged_maker ${this.instance}: ${this.lanes.size} lane${this.lanes.size === 1 ? "" : "s"}, quotes on ${c.venue}, hedges on ${c.hedge_venue}`,
    ];
    const reports = this.reports();
    let i = 0;
    for (const l of this.lanes.values()) {
      const v = l.view();
      const q = v.quote === null ? "no quote" : `${v.quote.side} ${v.quote.lots} lots @${v.quote.priceTicks}`;
      const extra = `${v.phase}${v.capBlocked ? " (at the exposure bound)" : ""} A ${v.posA} B ${v.posB}, ${q}`;
      lines.push(hedgeReportLine(reports[i++], extra));
    }
    return lines;
  }

  view(): StrategyView {
    return {
      instance: this.instance,
      kind: this.kind,
      running: this.running,
      groups: [],
      lanes: [...this.lanes.values()].map((l) => l.view()),
      reports: this.reports(),
    };
  }
}
