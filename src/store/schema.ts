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

export interface Database {
  orders: OrdersTable;
  fills: FillsTable;
  funding_payments: FundingPaymentsTable;
  equity_snapshots: EquitySnapshotsTable;
  alerts: AlertsTable;
  kv: KvTable;
}

export type StoreDialect = "sqlite" | "postgres";
