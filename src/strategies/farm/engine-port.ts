/**
 * What the farm needs from the engine: the shapes of src/engine/executor.ts, restated as a port
 * so the strategy depends on the contract, not the implementation.
 */
import type { Side } from "../../core/types.ts";
import type { Alert } from "../../engine/alerts.ts";
import type { TimerRecord } from "../../engine/scheduler.ts";

export interface FarmLegSpec {
  venue: string;
  account: string;
  symbol: string;
  side: Side;
  sizeLots: number;
}

export type FarmEntryStyle =
  | { kind: "ioc"; maxSlippageBps: number }
  | { kind: "maker_first"; makerTimeoutMs: number; maxSlippageBps: number };

export type FarmCloseReason =
  | "time_limit"
  | "liquidation_guard"
  | "emergency"
  | "manual"
  | "kill_switch"
  | "shutdown";

export interface FarmGroupLeg {
  legIndex: number;
  venue: string;
  account: string;
  symbol: string;
  side: Side;
  filledLots: number;
}

export interface FarmGroupRecord {
  id: string;
  strategy: string;
  status: "opening" | "open" | "unwinding" | "closing" | "closed" | "failed";
  closeReason?: string | null;
  meta: Record<string, unknown>;
  legs: readonly FarmGroupLeg[];
  createdAt: number;
  closedAt?: number | null;
}

export type FarmOpenOutcome =
  | { ok: true; groupId: string }
  | { ok: false; groupId: string; reason: string; detail: string };
export type FarmCloseOutcome =
  | { ok: true; groupId: string }
  | { ok: false; groupId: string; reason: string; detail: string };

export interface FarmEngine {
  openGroup(
    legs: FarmLegSpec[],
    options: {
      groupId: string;
      strategy: string;
      entry: FarmEntryStyle;
      fillTimeoutMs: number;
      meta?: Record<string, unknown>;
    },
  ): Promise<FarmOpenOutcome>;
  closeGroup(groupId: string, reason: FarmCloseReason): Promise<FarmCloseOutcome>;
  groups(filter?: { strategy?: string }): Promise<readonly FarmGroupRecord[]>;
  readonly scheduler: {
    on(kind: string, handler: (timer: TimerRecord) => Promise<void> | void): unknown;
    schedule(timer: TimerRecord): Promise<void>;
    cancel(id: string): Promise<void>;
  };
  readonly alerts: { raise(alert: Alert): void };
}

/** Small persistent key-value space for the farm's own memory (wallet cooldowns). */
export interface FarmKv {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
}
