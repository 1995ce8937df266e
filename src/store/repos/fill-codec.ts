import type { SQLInputValue } from "node:sqlite";
import type { Insertable, Selectable } from "kysely";
import { InvalidValueError } from "../../core/errors.ts";
import {
  decimalText,
  isDecimalText,
  isTimestamp,
  moneyFromText,
  moneyToText,
  rowObject,
  timestamp,
  toNumber,
} from "../codec.ts";
import type { FillRecord, FundingPaymentRecord } from "../records.ts";
import type { Database, FillsTable, FundingPaymentsTable } from "../schema.ts";

/**
 * Fills and funding payments as columns and back: shared by the fills and funding repositories
 * and by the engine journal's batches (which write fills on the hot path).
 */

const SIDES = new Set(["buy", "sell"]);

export function checkSide(side: string, what: string): void {
  if (!SIDES.has(side))
    throw new InvalidValueError(`${what}: side ${JSON.stringify(side)} is not "buy" or "sell"`);
}

/** The fills table's columns, in the order fillParams gives their values. */
export const FILL_COLS = [
  "venue",
  "account",
  "symbol",
  "fill_id",
  "client_order_id",
  "venue_order_id",
  "side",
  "price",
  "size",
  "fee",
  "realised_pnl",
  "liquidity",
  "ts",
] as const;

/** Throws the detailed error for a bad value of the fill; returns when all are good. */
function checkFill(f: FillRecord): void {
  const what = `fill ${f.venue}/${f.account}/${f.fillId}`;
  checkSide(f.side, what);
  decimalText(f.price, `${what} price`);
  decimalText(f.size, `${what} size`);
  timestamp(f.ts, `${what} ts`);
}

/** A fill's column values in FILL_COLS order, checked (insertFill and the engine journal's batches). */
export function fillParams(f: FillRecord): SQLInputValue[] {
  if (!SIDES.has(f.side) || !isDecimalText(f.price) || !isDecimalText(f.size) || !isTimestamp(f.ts))
    checkFill(f);
  return [
    f.venue,
    f.account,
    f.symbol,
    f.fillId,
    f.clientOrderId,
    f.venueOrderId,
    f.side,
    f.price,
    f.size,
    moneyToText(f.fee),
    moneyToText(f.realisedPnl),
    f.liquidity,
    f.ts,
  ];
}

/** A fill's column values as a row object (the Kysely path). */
export function fillValues(f: FillRecord): Insertable<Database["fills"]> {
  return rowObject(FILL_COLS, fillParams(f));
}

/** The columns of a `fills` row that make a FillRecord (a join may carry more). */
export type FillRow = Omit<Selectable<FillsTable>, "id">;

/** A `fills` row decoded: money from its exact text, timestamps as numbers. */
export function fillFromRow(r: FillRow): FillRecord {
  return {
    venue: r.venue,
    account: r.account,
    symbol: r.symbol,
    fillId: r.fill_id,
    clientOrderId: r.client_order_id,
    venueOrderId: r.venue_order_id,
    side: r.side as FillRecord["side"],
    price: r.price,
    size: r.size,
    fee: moneyFromText(r.fee, `fills.fee of ${r.fill_id}`),
    realisedPnl: moneyFromText(r.realised_pnl, `fills.realised_pnl of ${r.fill_id}`),
    liquidity: r.liquidity as FillRecord["liquidity"],
    ts: toNumber(r.ts, "fills.ts"),
  };
}

/** A `funding_payments` row decoded: money from its exact text, timestamps as numbers. */
export function fundingFromRow(r: Selectable<FundingPaymentsTable>): FundingPaymentRecord {
  return {
    venue: r.venue,
    account: r.account,
    symbol: r.symbol,
    amount: moneyFromText(r.amount, "funding_payments.amount"),
    ratePerHour: Number(r.rate_per_hour),
    positionSize: r.position_size,
    ts: toNumber(r.ts, "funding_payments.ts"),
  };
}
