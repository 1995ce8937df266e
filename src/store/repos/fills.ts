import type { Money } from "../../core/money.ts";
import { moneyFromText } from "../codec.ts";
import { chunks } from "../journal/encode.ts";
import type { FillTotals } from "../journal/rows.ts";
import type { AccountFilter, FillRecord } from "../records.ts";
import { fillFromRow, fillValues } from "./fill-codec.ts";
import { type Db, filtered, oldestFirst } from "./query.ts";

/** A stored fill with the group of the order it filled (null: an order outside any group). */
export type GroupFillRecord = FillRecord & { readonly groupId: string | null };

/** The `fills` table: every fill once per (venue, account, fill id). */
export class FillsRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Stores a fill once: returns false when the same (venue, account, fillId) was already stored. */
  async insert(f: FillRecord): Promise<boolean> {
    const result = await this.#db
      .insertInto("fills")
      .values(fillValues(f))
      .onConflict((oc) => oc.columns(["venue", "account", "fill_id"]).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /** Fills oldest first (at most `limit`, default 10,000; with `latest` the newest of them). */
  async list(f: AccountFilter = {}): Promise<FillRecord[]> {
    const rows = oldestFirst(await filtered(this.#db.selectFrom("fills").selectAll(), f).execute(), f);
    return rows.map(fillFromRow);
  }

  /** How many fills per venue: the API's /metrics. */
  async countByVenue(): Promise<{ venue: string; n: number }[]> {
    const rows = await this.#db
      .selectFrom("fills")
      .select(["venue", (eb) => eb.fn.countAll<number | string | bigint>().as("n")])
      .groupBy("venue")
      .orderBy("venue")
      .execute();
    return rows.map((r) => ({ venue: r.venue, n: Number(r.n) }));
  }

  /** Every stored fill of an order that belongs to a group, oldest first, with that group; no row limit. */
  async ofGroupOrders(): Promise<GroupFillRecord[]> {
    const rows = await this.#db
      .selectFrom("fills")
      .innerJoin("orders", "orders.client_order_id", "fills.client_order_id")
      .select([
        "fills.venue",
        "fills.account",
        "fills.symbol",
        "fills.fill_id",
        "fills.client_order_id",
        "fills.venue_order_id",
        "fills.side",
        "fills.price",
        "fills.size",
        "fills.fee",
        "fills.realised_pnl",
        "fills.liquidity",
        "fills.ts",
        "orders.group_id",
      ])
      .where("orders.group_id", "is not", null)
      .orderBy("fills.ts")
      .orderBy("fills.id")
      .execute();
    return rows.map((r) => ({ ...fillFromRow(r), groupId: r.group_id }));
  }

  /** Fees, realised PnL and traded amounts of the stored fills of these orders, by client order id. */
  async totalsByOrder(clientOrderIds: readonly string[]): Promise<Map<string, FillTotals>> {
    const out = new Map<string, FillTotals>();
    for (const part of chunks(clientOrderIds)) {
      const rows = await this.#db
        .selectFrom("fills")
        .select(["client_order_id", "fee", "realised_pnl", "fill_id", "price", "size"])
        .where("client_order_id", "in", part)
        .execute();
      for (const r of rows) {
        const id = r.client_order_id ?? "";
        const zero: Money = 0n;
        const t = out.get(id) ?? { fee: zero, realisedPnl: zero, notional: 0, size: 0 };
        t.notional += Number(r.price) * Number(r.size);
        t.size += Number(r.size);
        t.fee += moneyFromText(r.fee, `fills.fee of ${r.fill_id}`);
        t.realisedPnl += moneyFromText(r.realised_pnl, `fills.realised_pnl of ${r.fill_id}`);
        out.set(id, t);
      }
    }
    return out;
  }
}
