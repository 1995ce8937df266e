import type { Generated } from "kysely";

/**
 * The store's tables as Kysely sees them. Money, prices and sizes are exact decimal TEXT;
 * timestamps (`*_at`, `ts`) are BIGINT ms since the epoch; flags are INTEGER 0/1 (the same on
 * both backends).
 */
export interface OrdersTable {
  client_order_id: string;
  venue: string;
  account: string;
  symbol: string;
  side: string;
  order_type: string;
  tif: string;
  price: string | null;
  size: string;
  filled_size: string;
  reduce_only: number;
  status: string;
  venue_order_id: string | null;
  group_id: string | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
  /** engine columns (migration 0002): null on orders the engine did not send */
  intent_id?: string | null;
  leg_index?: number | null;
  purpose?: string | null;
  attempt?: number | null;
  price_ticks?: number | null;
  size_lots?: number | null;
  filled_lots?: number | null;
  /** migration 0005: the strategy that placed the order, and a single order's group label */
  strategy?: string | null;
  group_ref?: string | null;
}

/** A hedge group (intent) of the engine; status and close reason are the engine's. */
export interface EngineGroupsTable {
  group_id: string;
  strategy: string;
  status: string;
  /** JSON of the EntryStyle */
  entry: string;
  fill_timeout_ms: number;
  hedged: number;
  /** JSON, the strategy's own */
  meta: string | null;
  close_reason: string | null;
  failure_reason: string | null;
  detail: string | null;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
}

export interface EngineLegsTable {
  group_id: string;
  leg_index: number;
  venue: string;
  account: string;
  symbol: string;
  side: string;
  target_lots: number;
  external_lots: Generated<number>;
  external_reason: string | null;
}

/** Append-only journal of order events, in the order they were applied. */
export interface OrderEventsTable {
  id: Generated<number>;
  client_order_id: string;
  kind: string;
  /** JSON of the OrderEvent (bigint amounts as decimal text) */
  payload: string;
  ts: number;
}

export interface EngineTimersTable {
  id: string;
  kind: string;
  due_at: number;
  payload: string;
}

export interface FillsTable {
  id: Generated<number>;
  venue: string;
  account: string;
  symbol: string;
  fill_id: string;
  client_order_id: string | null;
  venue_order_id: string | null;
  side: string;
  price: string;
  size: string;
  fee: string;
  realised_pnl: string;
  liquidity: string;
  ts: number;
}

export interface FundingPaymentsTable {
  id: Generated<number>;
  venue: string;
  account: string;
  symbol: string;
  /** signed: positive received, negative paid */
  amount: string;
  rate_per_hour: string;
  position_size: string | null;
  ts: number;
}

export interface EquitySnapshotsTable {
  id: Generated<number>;
  venue: string;
  account: string;
  equity: string;
  cash: string;
  maintenance_margin: string;
  ts: number;
}

export interface AlertsTable {
  id: Generated<number>;
  severity: string;
  kind: string;
  /** added by migration 0003 */
  title: string | null;
  message: string;
  /** JSON text */
  context: string | null;
  ts: number;
  acknowledged_at: number | null;
}

export interface KvTable {
  key: string;
  value: string;
  updated_at: number;
}

/** A CLI request to the running `perpbot run` (migration 0004); see src/app/control.ts. */
export interface ControlRequestsTable {
  id: Generated<number>;
  /** "close" | "flatten" */
  action: string;
  /** JSON of the action's arguments */
  args: string;
  /** "pending" | "running" | "done" | "failed" */
  status: string;
  /** JSON of the outcome (done) or { error } (failed); null until finished */
  result: string | null;
  created_at: number;
  updated_at: number;
}

export interface Database {
  orders: OrdersTable;
  fills: FillsTable;
  funding_payments: FundingPaymentsTable;
  equity_snapshots: EquitySnapshotsTable;
  alerts: AlertsTable;
  kv: KvTable;
  engine_groups: EngineGroupsTable;
  engine_legs: EngineLegsTable;
  order_events: OrderEventsTable;
  engine_timers: EngineTimersTable;
  control_requests: ControlRequestsTable;
}

export type StoreDialect = "sqlite" | "postgres";
