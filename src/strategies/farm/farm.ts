import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { Rng } from "../../core/random.ts";
import type { Venue } from "../../core/venue.ts";
import type { TimerRecord } from "../../engine/scheduler.ts";
import { type AllocationWallet, allocateGroup } from "./allocation.ts";
import type { FarmConfig } from "./config.ts";
import type { FarmCloseReason, FarmEngine, FarmGroupRecord, FarmKv, FarmLegSpec } from "./engine-port.ts";
import { groupWallets } from "./grouping.ts";
import { assessGroup, groupNetDeltaUsd, type LegSnapshot, type MonitorReport } from "./monitor.ts";
import { FarmPlanner, type PlannedGroup } from "./planner.ts";

const ACTIVE = new Set(["opening", "open", "unwinding", "closing"]);
const CLOSE_TIMER = "farm.close";

/** The farm's view of one live group, refreshed by each check. */
export interface FarmGroupView {
  readonly id: string;
  readonly status: string;
  readonly venueLabel: string;
  readonly base: string;
  readonly closeAt: number;
  readonly legs: number;
  readonly minLiquidationDistance: number;
  readonly unrealisedPnlUsd: number;
  readonly notionalUsd: number;
  /** long notional minus short notional at mark: what the group is exposed to */
  readonly netDeltaUsd: number;
}

export interface FarmDeps {
  readonly engine: FarmEngine;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly clock: Clock;
  readonly kv: FarmKv;
  /** the managed wallets (account ids, the same on every venue) */
  readonly wallets: readonly string[];
  readonly config: FarmConfig;
  readonly rng: Rng;
  readonly log?: (level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>) => void;
}

/**
 * Delta-neutral points farming (DOMAIN.md section 4). Wallets are grouped into balanced
 * long/short legs through the engine (all-or-nothing), watched every check interval and closed
 * at their close time, on the liquidation guard or on command. Each group is handled on its own:
 * an error in one is logged and alerted and never stops the others.
 */
export class FarmStrategy {
  private readonly d: FarmDeps;
  private readonly active = new Map<string, FarmGroupRecord>();
  private readonly views = new Map<string, FarmGroupView>();
  private readonly closing = new Set<string>();
  private readonly maxDelta = new Map<string, number>();
  private loop: TimerHandle | undefined;
  private running = false;
  private busy: Promise<void> = Promise.resolve();
  private seq = 0;
  private readonly planner: FarmPlanner;

  constructor(deps: FarmDeps) {
    this.d = deps;
    this.planner = new FarmPlanner(deps.config, (msg) => this.log("info", msg));
  }

  /** Resume the groups the store holds, re-arm their close timers, and start the check loop. */
  async start(): Promise<void> {
    this.d.engine.scheduler.on(CLOSE_TIMER, (t: TimerRecord) => this.onCloseTimer(t));
    for (const g of await this.d.engine.groups({ strategy: "farm" })) {
      if (!ACTIVE.has(g.status)) continue;
      this.active.set(g.id, g);
      const closeAt = Number(g.meta.closeAt);
      // a group the store holds keeps its original close time; the timer survives restarts, and
      // re-scheduling the same id only replaces it with the same due time
      if (g.status === "open" && Number.isFinite(closeAt)) await this.scheduleClose(g.id, closeAt);
      if (g.status === "closing" || g.status === "unwinding") this.closeInBackground(g.id, "time_limit");
    }
    this.running = true;
    this.log("info", `farm started: ${this.active.size} groups resumed, ${this.d.wallets.length} wallets`);
    this.armLoop(0);
  }

  /** Stop checking (groups stay open; their timers and state are persisted). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.loop) this.d.clock.cancel(this.loop);
    this.loop = undefined;
    await this.busy;
  }

  /** One check: monitor every group, then open new groups with idle wallets. */
  tick(): Promise<void> {
    this.busy = this.busy.then(async () => {
      await this.monitorAll();
      await this.openRound();
    });
    return this.busy;
  }

  groups(): FarmGroupView[] {
    return [...this.active.keys()].map((id) => this.views.get(id) ?? this.blankView(this.active.get(id)!));
  }

  /** Largest |net delta| (USD) each group showed at a check, for reports. */
  maxAbsNetDelta(): ReadonlyMap<string, number> {
    return this.maxDelta;
  }

  /** Close one group (or all) on command. */
  async close(groupId: string | "all", reason: FarmCloseReason = "manual"): Promise<void> {
    const ids = groupId === "all" ? [...this.active.keys()] : [groupId];
    await Promise.all(ids.map((id) => this.closeNow(id, reason)));
  }

  // ---- loop ------------------------------------------------------------------------------------

  private armLoop(delayMs: number): void {
    if (!this.running) return;
    this.loop = this.d.clock.after(delayMs, () => {
      this.loop = undefined;
      this.tick()
        .catch((e) => this.log("error", `farm check failed: ${(e as Error).message}`))
        .finally(() => this.armLoop(this.d.config.check_interval_seconds * 1000));
    });
  }

  private async onCloseTimer(t: TimerRecord): Promise<void> {
    const groupId = String((t.payload as { groupId?: unknown }).groupId);
    if (!this.active.has(groupId)) return;
    await this.closeNow(groupId, "time_limit");
  }

  private async scheduleClose(groupId: string, closeAt: number): Promise<void> {
    await this.d.engine.scheduler.schedule({
      id: `farm.close:${groupId}`,
      kind: CLOSE_TIMER,
      dueAt: closeAt,
      payload: { groupId },
    });
  }

  // ---- monitoring ------------------------------------------------------------------------------

  private async monitorAll(): Promise<void> {
    await Promise.all(
      [...this.active.values()].map(async (g) => {
        if (g.status !== "open" || this.closing.has(g.id)) return;
        try {
          const report = await this.monitor(g);
          if (report.action !== "hold")
            this.closeInBackground(
              g.id,
              report.action === "close_emergency" ? "emergency" : "liquidation_guard",
            );
        } catch (e) {
          this.alert(
            "warning",
            `farm.monitor:${g.id}`,
            "Group check failed",
            `group ${g.id}: ${(e as Error).message}`,
            { group: g.id },
          );
        }
      }),
    );
  }

  private async monitor(g: FarmGroupRecord): Promise<MonitorReport> {
    // every leg is read at once: with real venue latency a sequential read would take legs x RTT
    const snaps: LegSnapshot[] = await Promise.all(
      g.legs.map(async (leg): Promise<LegSnapshot> => {
        const venue = this.venue(leg.venue);
        const [positions, account] = await Promise.all([
          venue.positions(leg.account),
          venue.accountState(leg.account),
        ]);
        const p = positions.find((x) => x.symbol === leg.symbol);
        const inst = venue.instrument(leg.symbol);
        const size = p ? Math.abs(inst.sizeValue(p.sizeLots)) : 0;
        return {
          walletId: leg.account,
          venue: leg.venue,
          symbol: leg.symbol,
          side: leg.side === "buy" ? "long" : "short",
          markPrice: p?.markPrice ?? venue.markPrice(leg.symbol),
          liquidationPrice: p ? p.liquidationPrice : null,
          notionalUsd: size * (p?.markPrice ?? 0),
          unrealisedPnlUsd: p?.unrealisedPnlUsd ?? 0,
          accountEquityUsd: account.equityUsd,
          maintenanceMarginUsd: account.maintenanceMarginUsd,
        };
      }),
    );
    const c = this.d.config;
    const report = assessGroup(snaps, {
      liquidationClosePct: c.liquidation_close_pct,
      liquidationWarnPct: c.liquidation_warn_pct,
      minCollateralRatio: c.min_collateral_ratio,
      maxPnlDivergence: c.max_pnl_divergence,
    });
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
    const longUsd = snaps.filter((s) => s.side === "long").reduce((s, l) => s + l.notionalUsd, 0);
    const netDeltaUsd = groupNetDeltaUsd(snaps);
    this.maxDelta.set(g.id, Math.max(this.maxDelta.get(g.id) ?? 0, Math.abs(netDeltaUsd)));
    this.views.set(g.id, {
      ...this.blankView(g),
      minLiquidationDistance: report.minLiquidationDistance,
      unrealisedPnlUsd: snaps.reduce((s, l) => s + l.unrealisedPnlUsd, 0),
      notionalUsd: longUsd,
      netDeltaUsd,
    });
    return report;
  }

  // ---- closing ---------------------------------------------------------------------------------

  private closeInBackground(groupId: string, reason: FarmCloseReason): void {
    this.closeNow(groupId, reason).catch((e) =>
      this.log("error", `close of ${groupId} failed: ${(e as Error).message}`),
    );
  }

  private async closeNow(groupId: string, reason: FarmCloseReason): Promise<void> {
    const g = this.active.get(groupId);
    if (!g || this.closing.has(groupId)) return;
    this.closing.add(groupId);
    try {
      this.log("info", `closing group ${groupId}: ${reason}`);
      const out = await this.d.engine.closeGroup(groupId, reason);
      if (!out.ok) {
        // the engine keeps retrying and alerting; the group stays ours until every leg is flat
        this.alert(
          "critical",
          `farm.close_failed:${groupId}`,
          "Group not flat yet",
          `group ${groupId}: ${out.detail}`,
          { group: groupId },
        );
        return;
      }
      this.active.delete(groupId);
      this.views.delete(groupId);
      await this.d.engine.scheduler.cancel(`farm.close:${groupId}`);
      const c = this.d.config;
      for (const leg of g.legs) {
        const rest = this.d.rng.uniform(c.min_cooldown_minutes, c.max_cooldown_minutes) * 60_000;
        await this.d.kv.put(`farm.cooldown:${leg.account}`, String(this.d.clock.now() + rest));
      }
    } finally {
      this.closing.delete(groupId);
    }
  }

  // ---- opening ---------------------------------------------------------------------------------

  private async openRound(): Promise<void> {
    if (!this.running && this.loop === undefined && this.active.size > 0) return;
    const idle = await this.idleWallets();
    if (idle.length < 2) return;
    const venues = this.farmVenues();
    const plans = this.planner.plan(idle, venues, this.d.rng, groupWallets);
    await Promise.all(
      plans.map((p) =>
        this.openPlanned(p).catch((e) => this.log("error", `open failed: ${(e as Error).message}`)),
      ),
    );
  }

  /** Wallets in no active group, past their cooldown, funded, and with no position a group does not own. */
  private async idleWallets(): Promise<string[]> {
    const busy = new Set<string>();
    for (const g of this.active.values()) for (const leg of g.legs) busy.add(leg.account);
    const now = this.d.clock.now();
    const out: string[] = [];
    // wallets are checked concurrently (venue round trips dominate), kept in configured order
    const verdicts = await Promise.all(
      this.d.wallets.map(async (w) => {
        if (busy.has(w)) return false;
        const until = Number((await this.d.kv.get(`farm.cooldown:${w}`)) ?? 0);
        if (until > now) return false;
        const why = await this.unfitReason(w);
        if (why) this.log("info", `wallet ${w} sits this round out: ${why}`);
        return why === undefined;
      }),
    );
    for (let i = 0; i < verdicts.length; i++) if (verdicts[i]) out.push(this.d.wallets[i]);
    return out;
  }

  private async unfitReason(wallet: string): Promise<string | undefined> {
    for (const venue of this.farmVenues()) {
      const [account, positions] = await Promise.all([venue.accountState(wallet), venue.positions(wallet)]);
      const stray = positions.find((p) => p.sizeLots !== 0);
      if (stray) return `holds a ${venue.id}:${stray.symbol} position no group owns`;
      if (account.equityUsd < this.d.config.min_balance_usd) {
        return `balance $${account.equityUsd.toFixed(2)} on ${venue.id} is below min_balance_usd ${this.d.config.min_balance_usd}`;
      }
    }
    return undefined;
  }

  private async openPlanned(plan: PlannedGroup): Promise<void> {
    const c = this.d.config;
    const slip = c.max_slippage_bps / 10_000;
    const priceOf = (inst: Instrument, side: "buy" | "sell") => {
      const book = this.venue(inst.venue).book(inst.symbol);
      const touch = side === "buy" ? book.bestAskTicks() : book.bestBidTicks();
      if (touch === undefined) return Number.NaN;
      return inst.priceValue(touch) * (side === "buy" ? 1 + slip : 1 - slip);
    };
    const wallets: AllocationWallet[] = [];
    const members = [...plan.longs, ...plan.shorts];
    const accounts = await Promise.all(members.map((m) => this.venue(m.venue).accountState(m.wallet)));
    members.forEach((m, i) => {
      wallets.push({
        walletId: `${m.wallet}@${m.venue}`,
        balanceUsd: accounts[i].availableUsd * c.balance_fraction,
        instrument: m.instrument,
      });
    });
    const byKey = new Map(wallets.map((w) => [w.walletId, w]));
    const sides = {
      longs: plan.longs.map((m) => byKey.get(`${m.wallet}@${m.venue}`)!),
      shorts: plan.shorts.map((m) => byKey.get(`${m.wallet}@${m.venue}`)!),
    };
    const alloc = allocateGroup(
      wallets,
      {
        minLeverage: c.min_leverage,
        maxLeverage: c.max_leverage,
        maxImbalanceUsd: c.max_imbalance_usd,
        longPrice: (i) => priceOf(i, "buy"),
        shortPrice: (i) => priceOf(i, "sell"),
      },
      this.d.rng,
      sides,
    );
    if (!alloc.ok) {
      if (this.planner.allocationFailed(plan, alloc)) return;
      this.log("info", `group not opened (${plan.label} ${plan.base}): ${alloc.reason}: ${alloc.detail}`);
      return;
    }
    this.planner.allocated(plan);
    const legs: FarmLegSpec[] = alloc.legs.map((l) => ({
      venue: l.instrument.venue,
      account: l.walletId.slice(0, l.walletId.lastIndexOf("@")),
      symbol: l.instrument.symbol,
      side: l.side,
      sizeLots: l.sizeLots,
    }));
    const now = this.d.clock.now();
    const hours = this.d.rng.uniform(c.min_duration_hours, c.max_duration_hours);
    const jitter = this.d.rng.uniform(0, c.close_jitter_minutes) * 60_000;
    const closeAt = Math.round(now + hours * 3_600_000 + jitter);
    const groupId = `farm-${now.toString(36)}-${(this.seq++).toString(36)}-${this.d.rng.nextU32().toString(36)}`;
    const meta = {
      closeAt,
      leverage: alloc.leverage,
      mode: plan.mode,
      base: plan.base,
      label: plan.label,
      imbalanceUsd: alloc.imbalanceUsd,
    };
    const out = await this.d.engine.openGroup(legs, {
      groupId,
      strategy: "farm",
      entry:
        c.entry === "ioc"
          ? { kind: "ioc", maxSlippageBps: c.max_slippage_bps }
          : {
              kind: "maker_first",
              makerTimeoutMs: c.maker_timeout_seconds * 1000,
              maxSlippageBps: c.max_slippage_bps,
            },
      fillTimeoutMs: c.fill_timeout_seconds * 1000,
      meta,
    });
    if (!out.ok) {
      this.alert(
        "warning",
        `farm.open_failed:${plan.label}`,
        "Group not opened",
        `${plan.label} ${plan.base}: ${out.reason}: ${out.detail}`,
        { group: groupId },
      );
      await this.backOff(legs.map((l) => l.account));
      return;
    }
    for (const l of legs) await this.d.kv.put(`farm.failures:${l.account}`, "0");
    const record: FarmGroupRecord = {
      id: groupId,
      strategy: "farm",
      status: "open",
      meta,
      legs: legs.map((l, i) => ({
        legIndex: i,
        venue: l.venue,
        account: l.account,
        symbol: l.symbol,
        side: l.side,
        filledLots: l.sizeLots,
      })),
      createdAt: now,
    };
    this.active.set(groupId, record);
    await this.scheduleClose(groupId, closeAt);
    // first read at once, so the status shows the new group's risk before the next check
    await this.monitor(record).catch((e) =>
      this.log("warn", `first check of ${groupId} failed: ${(e as Error).message}`),
    );
    this.log(
      "info",
      `group ${groupId} open: ${plan.label} ${plan.base}, ${legs.length} legs, closes ${new Date(closeAt).toISOString()}`,
    );
  }

  /**
   * After a failed open every wallet of the group rests before it is regrouped: each failure costs
   * the unwind's fees, so retrying at every check would bleed money. The rest doubles with each
   * failure in a row (cooldown range x 2^(n-1), at most 4 h) and resets on a successful open.
   */
  private async backOff(wallets: readonly string[]): Promise<void> {
    const c = this.d.config;
    for (const w of wallets) {
      const failures = Number((await this.d.kv.get(`farm.failures:${w}`)) ?? 0) + 1;
      await this.d.kv.put(`farm.failures:${w}`, String(failures));
      const base =
        this.d.rng.uniform(Math.max(1, c.min_cooldown_minutes), Math.max(1, c.max_cooldown_minutes)) * 60_000;
      const rest = Math.min(4 * 3_600_000, base * 2 ** (failures - 1));
      await this.d.kv.put(`farm.cooldown:${w}`, String(this.d.clock.now() + rest));
      this.log(
        "info",
        `wallet ${w} rests ${(rest / 60_000).toFixed(1)} min after ${failures} failed open(s) in a row`,
      );
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private farmVenues(): Venue[] {
    const ids = this.d.config.venues.length > 0 ? this.d.config.venues : [...this.d.venues.keys()];
    return ids.map((id) => this.venue(id));
  }

  private venue(id: string): Venue {
    const v = this.d.venues.get(id);
    if (!v) throw new Error(`farm: venue "${id}" is not configured`);
    return v;
  }

  private blankView(g: FarmGroupRecord): FarmGroupView {
    return {
      id: g.id,
      status: g.status,
      venueLabel: String(g.meta.label ?? [...new Set(g.legs.map((l) => l.venue))].join("/")),
      base: String(g.meta.base ?? ""),
      closeAt: Number(g.meta.closeAt),
      legs: g.legs.length,
      minLiquidationDistance: Number.NaN,
      unrealisedPnlUsd: 0,
      notionalUsd: 0,
      netDeltaUsd: 0,
    };
  }

  private alert(
    severity: "info" | "warning" | "critical" | "emergency",
    key: string,
    title: string,
    message: string,
    context: Record<string, string | undefined>,
  ): void {
    this.d.engine.alerts.raise({ severity, key, title, message, context, ts: this.d.clock.now() });
  }

  private log(level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>): void {
    this.d.log?.(level, msg, ctx);
  }
}

function titleOf(kind: string): string {
  return (
    {
      liquidation_warning: "Leg near liquidation",
      liquidation_guard: "Liquidation guard: closing group",
      liquidation_crossed: "EMERGENCY: liquidation price crossed",
      low_collateral: "Low collateral ratio",
      pnl_divergence: "Group PnL divergence",
      bad_mark: "EMERGENCY: no usable mark price",
    }[kind] ?? kind
  );
}
