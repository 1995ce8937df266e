import type { TimerHandle } from "../../core/clock.ts";
import type {
  CloseReason,
  CloseTarget,
  InstanceSpec,
  Strategy,
  StrategyContext,
  StrategyTimer,
  StrategyView,
} from "../contract.ts";
import type { FarmConfig } from "./config.ts";
import { type OpenHost, openRound } from "./open.ts";
import { FarmPlanner } from "./planner.ts";
import { blankView, type FarmGroup, type FarmGroupView, titleOf, watchGroup } from "./watch.ts";

export type { FarmGroupView } from "./watch.ts";

const ACTIVE = new Set(["opening", "open", "unwinding", "closing"]);
/** timer kind and id prefix inside the instance (stored as `<instance>.close:<group>`) */
const CLOSE_TIMER = "close";

/**
 * Delta-neutral points farming (docs/farm.md) on the strategy contract. Wallets are
 * grouped into balanced long/short legs through the engine (all-or-nothing), watched every check
 * interval from the portfolio (no venue call) and closed at their close time, on the liquidation
 * guard or on command. Each group is handled on its own: an error in one is logged and alerted and
 * never stops the others.
 */
export class FarmStrategy implements Strategy {
  readonly kind = "farm";
  readonly instance: string;
  private readonly spec: InstanceSpec;
  private readonly config: FarmConfig;
  private c: StrategyContext | undefined;
  private readonly active = new Map<string, FarmGroup>();
  private readonly views = new Map<string, FarmGroupView>();
  private readonly closing = new Set<string>();
  private readonly maxDelta = new Map<string, number>();
  private loop: TimerHandle | undefined;
  private running = false;
  private busy: Promise<void> = Promise.resolve();
  private seq = 0;
  private readonly planner: FarmPlanner;

  constructor(spec: InstanceSpec, config: FarmConfig) {
    this.spec = spec;
    this.instance = spec.name;
    this.config = config;
    this.planner = new FarmPlanner(config, (msg) => this.log("info", msg));
  }

  private get ctx(): StrategyContext {
    if (this.c === undefined) throw new Error(`farm ${this.instance}: not started`);
    return this.c;
  }

  /** Resume the groups the store holds, re-arm their close timers, and start the check loop. */
  async start(ctx: StrategyContext): Promise<void> {
    this.c = ctx;
    ctx.timers.on(CLOSE_TIMER, (t) => this.onCloseTimer(t));
    for (const g of await ctx.groups()) {
      if (!ACTIVE.has(g.status)) continue;
      this.active.set(g.id, { id: g.id, status: g.status, meta: g.meta ?? {}, legs: g.legs });
      const closeAt = Number(g.meta?.closeAt);
      // a group the store holds keeps its original close time; the timer survives restarts, and
      // re-scheduling the same id only replaces it with the same due time
      if (g.status === "open" && Number.isFinite(closeAt)) await this.scheduleClose(g.id, closeAt);
      if (g.status === "closing" || g.status === "unwinding") this.closeInBackground(g.id, "time_limit");
    }
    this.running = true;
    this.log(
      "info",
      `farm started: ${this.active.size} groups resumed, ${this.spec.wallets.length} wallets (instance ${this.instance})`,
    );
    this.armLoop(0);
  }

  /** Stop checking (groups stay open; their timers and state are persisted). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.loop) this.ctx.clock.cancel(this.loop);
    this.loop = undefined;
    await this.busy;
  }

  /** One check: monitor every group, then open new groups with idle wallets. */
  tick(): Promise<void> {
    this.busy = this.busy.then(async () => {
      this.monitorAll();
      if (!this.running && this.loop === undefined && this.active.size > 0) return;
      await openRound(this.openHost);
    });
    return this.busy;
  }

  groups(): FarmGroupView[] {
    return [...this.active.keys()].map((id) => this.views.get(id) ?? blankView(this.active.get(id)!));
  }

  view(): StrategyView {
    return { instance: this.instance, kind: this.kind, running: this.running, groups: this.groups() };
  }

  /** Largest |net delta| (USD) each group showed at a check, for reports. */
  maxAbsNetDelta(): ReadonlyMap<string, number> {
    return this.maxDelta;
  }

  /** Close one group (or all) on command. */
  async close(target: CloseTarget, reason: CloseReason = "manual"): Promise<void> {
    const ids = target === "all" ? [...this.active.keys()] : [target];
    await Promise.all(ids.map((id) => this.closeNow(id, reason)));
  }

  // ---- loop ------------------------------------------------------------------------------------

  private armLoop(delayMs: number): void {
    if (!this.running) return;
    this.loop = this.ctx.clock.after(delayMs, () => {
      this.loop = undefined;
      this.tick()
        .catch((e) => this.log("error", `farm check failed: ${(e as Error).message}`))
        .finally(() => this.armLoop(this.config.check_interval_seconds * 1000));
    });
  }

  private async onCloseTimer(t: StrategyTimer): Promise<void> {
    const groupId = String((t.payload as { groupId?: unknown }).groupId);
    if (!this.active.has(groupId)) return;
    await this.closeNow(groupId, "time_limit");
  }

  private async scheduleClose(groupId: string, closeAt: number): Promise<void> {
    await this.ctx.timers.schedule({
      id: `${CLOSE_TIMER}:${groupId}`,
      kind: CLOSE_TIMER,
      dueAt: closeAt,
      payload: { groupId },
    });
  }

  // ---- monitoring ------------------------------------------------------------------------------

  private monitorAll(): void {
    for (const g of this.active.values()) {
      if (g.status !== "open" || this.closing.has(g.id)) continue;
      try {
        const action = this.monitor(g);
        if (action !== "hold")
          this.closeInBackground(g.id, action === "close_emergency" ? "emergency" : "liquidation_guard");
      } catch (e) {
        this.alert(
          "warning",
          `farm.monitor:${g.id}`,
          "Group check failed",
          `group ${g.id}: ${(e as Error).message}`,
          {
            group: g.id,
          },
        );
      }
    }
  }

  private monitor(g: FarmGroup): string {
    const { report, view } = watchGroup(this.ctx, g, this.config);
    for (const f of report.findings) {
      this.alert(
        f.severity,
        `farm.${f.kind}:${g.id}:${f.walletId ?? ""}`,
        titleOf(f.kind),
        `group ${g.id}: ${f.message}`,
        {
          group: g.id,
          wallet: f.walletId,
        },
      );
    }
    this.maxDelta.set(g.id, Math.max(this.maxDelta.get(g.id) ?? 0, Math.abs(view.netDeltaUsd)));
    this.views.set(g.id, view);
    return report.action;
  }

  // ---- closing ---------------------------------------------------------------------------------

  private closeInBackground(groupId: string, reason: CloseReason): void {
    this.closeNow(groupId, reason).catch((e) =>
      this.log("error", `close of ${groupId} failed: ${(e as Error).message}`),
    );
  }

  private async closeNow(groupId: string, reason: CloseReason): Promise<void> {
    const g = this.active.get(groupId);
    if (!g || this.closing.has(groupId)) return;
    const ctx = this.ctx;
    this.closing.add(groupId);
    try {
      this.log("info", `closing group ${groupId}: ${reason}`);
      const out = await ctx.intents.closeGroup(groupId, reason);
      if (!out.ok) {
        // the engine keeps retrying and alerting; the group stays ours until every leg is flat
        this.alert(
          "critical",
          `farm.close_failed:${groupId}`,
          "Group not flat yet",
          `group ${groupId}: ${out.detail}`,
          {
            group: groupId,
          },
        );
        return;
      }
      this.active.delete(groupId);
      this.views.delete(groupId);
      await ctx.timers.cancel(`${CLOSE_TIMER}:${groupId}`);
      const c = this.config;
      for (const leg of g.legs) {
        const rest = ctx.rng.uniform(c.min_cooldown_minutes, c.max_cooldown_minutes) * 60_000;
        await ctx.state.put(`cooldown:${leg.account}`, String(ctx.clock.now() + rest));
      }
    } finally {
      this.closing.delete(groupId);
    }
  }

  // ---- opening ---------------------------------------------------------------------------------

  private get openHost(): OpenHost {
    return {
      ctx: this.ctx,
      config: this.config,
      wallets: this.spec.wallets,
      venues: this.spec.venues,
      active: this.active,
      planner: this.planner,
      nextSeq: () => this.seq++,
      adopt: async (group, closeAt) => {
        this.active.set(group.id, group);
        await this.scheduleClose(group.id, closeAt);
        // first read at once, so the status shows the new group's risk before the next check
        try {
          this.monitor(group);
        } catch (e) {
          this.log("warn", `first check of ${group.id} failed: ${(e as Error).message}`);
        }
      },
      alert: (severity, key, title, message, context) => this.alert(severity, key, title, message, context),
    };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private alert(
    severity: "info" | "warning" | "critical" | "emergency",
    key: string,
    title: string,
    message: string,
    context: Record<string, string | undefined>,
  ): void {
    this.ctx.alerts.raise({ severity, key, title, message, context, ts: this.ctx.clock.now() });
  }

  private log(level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>): void {
    this.c?.logger.log(level, msg, ctx);
  }
}
