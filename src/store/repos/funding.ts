import { InvalidValueError } from "../../core/errors.ts";
import { decimalText, moneyToText, timestamp } from "../codec.ts";
import type { AccountFilter, FundingPaymentRecord } from "../records.ts";
import { fundingFromRow } from "./fill-codec.ts";
import { type Db, filtered, oldestFirst } from "./query.ts";

/** The `funding_payments` table: one settlement per (venue, account, symbol, ts). */
export class FundingRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Stores a funding settlement once per (venue, account, symbol, ts); false if already stored. */
  async insert(p: FundingPaymentRecord): Promise<boolean> {
    const what = `funding ${p.venue}/${p.account}/${p.symbol}@${p.ts}`;
    if (!Number.isFinite(p.ratePerHour))
      throw new InvalidValueError(`${what}: rate ${p.ratePerHour} is not finite`);
    const result = await this.#db
      .insertInto("funding_payments")
      .values({
        venue: p.venue,
        account: p.account,
        symbol: p.symbol,
        amount: moneyToText(p.amount),
        // the shortest text that reads back as the same float
        rate_per_hour: String(p.ratePerHour),
        position_size: p.positionSize === null ? null : decimalText(p.positionSize, `${what} position size`),
        ts: timestamp(p.ts, `${what} ts`),
      })
      .onConflict((oc) => oc.columns(["venue", "account", "symbol", "ts"]).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /** Payments oldest first (at most `limit`, default 10,000; with `latest` the newest of them). */
  async list(f: AccountFilter = {}): Promise<FundingPaymentRecord[]> {
    const rows = oldestFirst(
      await filtered(this.#db.selectFrom("funding_payments").selectAll(), f).execute(),
      f,
    );
    return rows.map(fundingFromRow);
  }

  /** Every payment at or after `sinceTs`, oldest first, with no row limit (accounting). */
  async since(sinceTs: number): Promise<FundingPaymentRecord[]> {
    const rows = await this.#db
      .selectFrom("funding_payments")
      .selectAll()
      .where("ts", ">=", sinceTs)
      .orderBy("ts")
      .orderBy("id")
      .execute();
    return rows.map(fundingFromRow);
  }
}
