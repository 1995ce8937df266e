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
import type { MakerConfig } from "./config.ts";
import { MakerLane } from "./lane.ts";
import { type LaneReport, laneReport, reportLine } from "./report.ts";

/**
 * The maker volume bot (seed 003, STRATEGIES.md section 3) on the strategy contract: one lane per
 * wallet x market of the instance, each quoting post-only near the touch and closing every fill
 * with a reduce-only take-profit (or, in boost mode, an immediate IOC). A re-price tick every
 * `reprice_interval_s` and a reconcile every `reconcile_interval_s`, both on the injected clock.
 */
export class MakerStrategy implements Strategy {
  readonly kind = "maker";
  readonly instance: string;
  private readonly spec: InstanceSpec;
  private readonly config: MakerConfig;
  private c: StrategyContext | undefined;
  private readonly lanes = new Map<string, MakerLane>();
  private readonly timers: TimerHandle[] = [];
  private unsubscribe: Unsubscribe | undefined;
  private running = false;

  constructor(spec: InstanceSpec, config: MakerConfig) {
    this.spec = spec;
    this.instance = spec.name;
    this.config = config;
  }

  private get ctx(): StrategyContext {
    if (this.c === undefined) throw new Error(`maker ${this.instance}: not started`);
    return this.c;
  }

  async start(ctx: StrategyContext): Promise<void> {
    this.c = ctx;
    const c = this.config;
    if (!this.spec.venues.includes(c.venue)) {
      throw new Error(
        `strategies.${this.instance}.venue: "${c.venue}" is not one of the instance's venues (${this.spec.venues.join(", ")})`,
      );
    }
    for (const base of c.markets) {
      const inst = ctx.market.instruments(c.venue).find((i) => i.spec.base === base);
      if (inst === undefined) {
        throw new Error(`strategies.${this.instance}.markets: ${c.venue} lists no market for "${base}"`);
      }
      for (const account of this.spec.wallets) {
        const lane = new MakerLane({
          ctx,
          config: c,
          venue: c.venue,
          account,
          inst,
          alert: (severity, key, title, message) =>
            ctx.alerts.raise({
              severity,
              key: `${key}:${this.instance}`,
              title,
              message: `${this.instance} ${message}`,
              context: { strategy: this.instance, wallet: account, venue: c.venue, symbol: inst.symbol },
              ts: ctx.clock.now(),
            }),
          log: (level, msg) => ctx.logger.log(level, msg),
        });
        this.lanes.set(lane.key, lane);
      }
    }
    this.unsubscribe = ctx.events.onOrderUpdate((u) => {
      if (u.order.venue !== c.venue) return;
      this.lanes.get(`${u.order.account}:${u.order.symbol}`)?.onUpdate(u);
    });
    for (const lane of this.lanes.values()) await lane.start();
    this.running = true;
    this.every(c.reprice_interval_s * 1000, "tick", (l) => l.tick());
    this.every(c.reconcile_interval_s * 1000, "reconcile", (l) => l.reconcile());
    ctx.logger.log("info", `maker ${this.instance} started: ${this.lanes.size} lanes on ${c.venue}`);
  }

  private every(ms: number, what: string, fn: (l: MakerLane) => Promise<void>): void {
    const slot = this.timers.length;
    const arm = (delay: number) => {
      if (!this.running) return;
      this.timers[slot] = this.ctx.clock.after(delay, () => {
        const runs = [...this.lanes.values()].map((l) => l.run(what, () => fn(l)));
        void Promise.all(runs).finally(() => arm(ms));
      });
    };
    this.timers.push(undefined as unknown as TimerHandle);
    arm(what === "tick" ? 0 : ms);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) if (t !== undefined) this.ctx.clock.cancel(t);
    this.unsubscribe?.();
    await Promise.all([...this.lanes.values()].map((l) => l.run("stop", () => l.save(true))));
  }

  /** Close on command: cancel every order of the lanes and close their positions reduce-only. */
  async close(_target: CloseTarget, reason: CloseReason): Promise<void> {
    for (const lane of this.lanes.values()) {
      await lane.run("close", async () => {
        for (const o of [...lane.opens(), ...lane.tps()]) await this.ctx.intents.cancelOrder(o.clientOrderId);
      });
    }
    await this.ctx.intents.flatten({ venue: this.config.venue }, reason);
  }

  lane(account: string, symbol: string): MakerLane | undefined {
    return this.lanes.get(`${account}:${symbol}`);
  }

  reports(): LaneReport[] {
    return [...this.lanes.values()].map((l) => {
      const v = l.view();
      return laneReport(this.config.venue, v.account, v.symbol, l.stats);
    });
  }

  statusLines(): string[] {
    const lines = [
      `maker ${this.instance}: ${this.lanes.size} lane${this.lanes.size === 1 ? "" : "s"} on ${this.config.venue}`,
    ];
    for (const l of this.lanes.values()) {
      const v = l.view();
      const state = v.stopped ? "stopped" : v.paused ? "paused" : "quoting";
      const extra = `${state} pos ${v.positionLots} lots, ${v.takeProfits} TPs (${v.takeProfitLots} lots)${v.open === null ? "" : `, open @${v.open}`}`;
      lines.push(reportLine(laneReport(this.config.venue, v.account, v.symbol, l.stats), extra));
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
