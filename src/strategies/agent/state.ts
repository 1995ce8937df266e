import type { StateSlot } from "../contract.ts";
import type { CandleSeriesState } from "./candles.ts";
import type { CycleDecision } from "./decide.ts";
import type { OpenLot } from "./ledger.ts";
import type { Observation } from "./observation.ts";
import type { ClosedTrade, HeldExit } from "./types.ts";
import type { AgentVersion } from "./version.ts";

/**
 * What the agent keeps in its state slot (`<instance>.<key>`), durable across restarts: the
 * cycle records (observation, raw replies, parsed decision, what was sent) and the per-version
 * trades and equity that replay and the leaderboard read back. Key names are part of the store
 * format: src/app/agent reads the same keys.
 */
export const KEYS = {
  meta: "meta",
  versions: "versions",
  exits: "exits",
  ledger: "ledger",
  candles: "candles",
  reasons: "reasons",
  cycle: (seq: number) => `cycle:${seq}`,
  trades: (version: string) => `trades:${version}`,
  equity: (version: string) => `equity:${version}`,
  /** how many exit log entries exist; entry n (1-based) is `exitlog:<n>` */
  exitLogSeq: "exitlog.seq",
  exitLog: (n: number) => `exitlog:${n}`,
} as const;

/**
 * One change of a market's held stop and take-profit, appended in order: the exit as it is from
 * `ts` on, or null when it was dropped. What the journal walk (src/app/agent/exit-walk.ts)
 * compares with the engine's fills.
 */
export interface ExitLogEntry {
  readonly n: number;
  readonly ts: number;
  readonly coin: string;
  readonly symbol: string;
  readonly side: "long" | "short" | null;
  readonly stopLoss: number | null;
  readonly takeProfit: number | null;
}

export interface AgentMeta {
  /** the last cycle started */
  seq: number;
  day: string;
  dayStartEquity: number | null;
  llmCostDayUsd: number;
  /** cumulative LLM $ per version */
  llmCostByVersion: Record<string, number>;
  lastError: string | null;
  /** 1 = the cycle ended in a parse or model error, last 100 cycles */
  failures: number[];
}

export const NEW_META: AgentMeta = {
  seq: 0,
  day: "",
  dayStartEquity: null,
  llmCostDayUsd: 0,
  llmCostByVersion: {},
  lastError: null,
  failures: [],
};

export interface SentOrder {
  readonly coin: string;
  readonly step: string;
  readonly clientOrderId: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface CycleRecord {
  readonly seq: number;
  readonly ts: number;
  readonly version: string;
  /** observed: asked the model; decided: decision stored, orders not all sent; done */
  phase: "observed" | "decided" | "done";
  readonly observation: Observation;
  decision: CycleDecision | null;
  /** the decision log line (replay compares it byte for byte) */
  logLine: string | null;
  sent: SentOrder[];
  /** times a restart resumed this cycle's execution (part of its intent ids) */
  resumes: number;
  equityUsd: number | null;
}

/** [ts, equity USD, cumulative LLM cost USD of the version] */
export type EquityPoint = [number, number, number];

export interface CandleStore {
  [coin: string]: { m1: CandleSeriesState; h6: CandleSeriesState };
}

export class AgentState {
  private readonly slot: StateSlot;

  constructor(slot: StateSlot) {
    this.slot = slot;
  }

  async get<T>(key: string, fallback: T): Promise<T> {
    const raw = await this.slot.get(key);
    return raw === undefined ? fallback : (JSON.parse(raw) as T);
  }

  put(key: string, value: unknown): Promise<void> {
    return this.slot.put(key, JSON.stringify(value));
  }

  meta = () => this.get<AgentMeta>(KEYS.meta, structuredClone(NEW_META));
  versions = () => this.get<AgentVersion[]>(KEYS.versions, []);
  exits = () => this.get<Record<string, HeldExit>>(KEYS.exits, {});
  ledger = () => this.get<Record<string, OpenLot>>(KEYS.ledger, {});
  cycle = (seq: number) => this.get<CycleRecord | null>(KEYS.cycle(seq), null);
  trades = (version: string) => this.get<ClosedTrade[]>(KEYS.trades(version), []);
  equity = (version: string) => this.get<EquityPoint[]>(KEYS.equity(version), []);

  /** Append an exit log entry (its number is the next after the stored count). */
  async logExit(e: Omit<ExitLogEntry, "n">): Promise<void> {
    const n = (await this.get<number>(KEYS.exitLogSeq, 0)) + 1;
    await this.put(KEYS.exitLog(n), { n, ...e });
    await this.put(KEYS.exitLogSeq, n);
  }
}
