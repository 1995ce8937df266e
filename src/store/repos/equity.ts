import { moneyFromText, moneyToText, timestamp, toNumber } from "../codec.ts";
import type { AccountFilter, EquitySnapshot } from "../records.ts";
import { type Db, filtered, oldestFirst } from "./query.ts";

/** The `equity_snapshots` table: an account's equity, cash and maintenance margin over time. */
export class EquityRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async record(s: EquitySnapshot): Promise<void> {
    await this.#db
      .insertInto("equity_snapshots")
      .values({
        venue: s.venue,
        account: s.account,
        equity: moneyToText(s.equity),
        cash: moneyToText(s.cash),
        maintenance_margin: moneyToText(s.maintenanceMargin),
        ts: timestamp(s.ts, `equity ${s.venue}/${s.account} ts`),
      })
      .execute();
  }

  async list(f: Omit<AccountFilter, "symbol"> = {}): Promise<EquitySnapshot[]> {
    const rows = oldestFirst(
      await filtered(this.#db.selectFrom("equity_snapshots").selectAll(), f).execute(),
      f,
    );
    return rows.map((r) => ({
      venue: r.venue,
      account: r.account,
      equity: moneyFromText(r.equity, "equity_snapshots.equity"),
      cash: moneyFromText(r.cash, "equity_snapshots.cash"),
      maintenanceMargin: moneyFromText(r.maintenance_margin, "equity_snapshots.maintenance_margin"),
      ts: toNumber(r.ts, "equity_snapshots.ts"),
    }));
  }
}
