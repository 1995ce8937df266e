import type { Clock } from "../../core/clock.ts";
import type { Store } from "../../store/store.ts";
import type { AlertBus } from "../alerts.ts";
import type { EngineSettings } from "../config.ts";
import type { FlattenResult } from "../groups/group-types.ts";
import { KillSwitch, type TradingState } from "./risk.ts";
import type { RiskGate } from "./risk-gate.ts";

/** where the trading state survives a restart (app/service/status.ts reads it too) */
export const TRADING_STATE_KEY = "engine.trading_state";

/**
 * The engine's trading state as an operator and the kill switch change it: persisted in the
 * store, restored at start, and the kill switch's equity watch (the reconciler feeds it the
 * summed equity of every managed account). A trip sets REDUCING and flattens everything.
 */
export class TradingControl {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly alerts: AlertBus;
  private readonly risk: RiskGate;
  private readonly killSwitch: KillSwitch | undefined;
  private readonly flattenAll: () => Promise<FlattenResult>;
  private rearm = false;

  constructor(o: {
    store: Store;
    clock: Clock;
    alerts: AlertBus;
    risk: RiskGate;
    settings: EngineSettings;
    /** flatten every group and position (the engine's flatten with reason "kill_switch") */
    flattenAll: () => Promise<FlattenResult>;
  }) {
    this.store = o.store;
    this.clock = o.clock;
    this.alerts = o.alerts;
    this.risk = o.risk;
    this.flattenAll = o.flattenAll;
    const ks = o.settings.killSwitch;
    this.killSwitch = ks
      ? new KillSwitch({ maxDrawdownPct: ks.maxDrawdownPct, consecutiveDrops: ks.consecutiveDrops })
      : undefined;
  }

  get killSwitchEnabled(): boolean {
    return this.killSwitch !== undefined;
  }

  /** The state a previous run left (REDUCING and HALTED survive a restart; ACTIVE is the default). */
  async restore(): Promise<void> {
    const saved = await this.store.kv.get(TRADING_STATE_KEY);
    if (saved === "REDUCING" || saved === "HALTED") this.risk.state = saved;
  }

  /** Trip the kill switch by hand (or from the equity watch): REDUCING, flatten everything, alert. */
  async trip(detail: string): Promise<FlattenResult> {
    this.risk.state = "REDUCING";
    await this.store.kv.put(TRADING_STATE_KEY, "REDUCING", this.clock.now());
    this.alerts.raise({
      severity: "emergency",
      key: "engine.kill_switch",
      title: "kill switch tripped",
      message: `${detail}: trading state REDUCING, flattening every position on every venue`,
      context: {},
      ts: this.clock.now(),
    });
    return this.flattenAll();
  }

  /** Set the trading state (an operator re-arming after a trip, or halting). Persisted. */
  async set(state: TradingState): Promise<void> {
    this.risk.state = state;
    await this.store.kv.put(TRADING_STATE_KEY, state, this.clock.now());
    // the kill switch starts a new session from the next equity observation
    if (state === "ACTIVE") this.rearm = true;
  }

  /** One equity observation (sum over the managed accounts); may trip the kill switch. */
  async observeEquity(equityUsd: number): Promise<void> {
    if (this.killSwitch === undefined || this.risk.state !== "ACTIVE") return;
    if (this.rearm) {
      this.rearm = false;
      this.killSwitch.reset(equityUsd, this.clock.now());
      return;
    }
    const verdict = this.killSwitch.observeEquity(equityUsd, this.clock.now());
    if (verdict.trip) await this.trip(`${verdict.reason}: ${verdict.detail}`);
  }
}
