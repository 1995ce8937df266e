import { timestamp } from "../codec.ts";
import type { SqliteAccess } from "../sqlite-dialect.ts";
import type { Db } from "./query.ts";
import { ReusedQuery } from "./reused-query.ts";

/** put's upsert, compiled once per handle (a strategy saves its state on every order) */
const PUT = new ReusedQuery("kv.put", 3, (db, key, value, ts) => {
  const updatedAt = ts as unknown as number;
  return db
    .insertInto("kv")
    .values({ key, value, updated_at: updatedAt })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: updatedAt }));
});

// the SQL Kysely sends for put (below), written once for SQLite's direct path
// (the new row's values through `excluded`: each value is bound once, not twice)
const PUT_SQLITE = `insert into "kv" ("key", "value", "updated_at") values (?, ?, ?) on conflict ("key") do update set "value" = excluded."value", "updated_at" = excluded."updated_at"`;

/** The `kv` table: small named values (the engine's trading state, the runner's heartbeat). */
export class KvRepo {
  readonly #db: Db;
  readonly #sqlite: SqliteAccess | undefined;

  /**
   * `sqlite`: the SQLite connection's direct access, for put (strategies write their state on
   * every check: one statement, no query building); undefined on PostgreSQL.
   */
  constructor(db: Db, sqlite?: SqliteAccess) {
    this.#db = db;
    this.#sqlite = sqlite;
  }

  async put(key: string, value: string, ts: number = Date.now()): Promise<void> {
    const at = timestamp(ts, `kv ${key} ts`);
    if (this.#sqlite !== undefined) {
      await this.#sqlite.transaction((s) => s.run(PUT_SQLITE, [key, value, at]));
      return;
    }
    await this.#db.executeQuery(PUT.compiled(this.#db, [key, value, at]));
  }

  /**
   * Several puts at one time, in one transaction (a strategy's check saves every position it
   * holds): all or none. Every timestamp is checked first, so a bad one writes nothing.
   */
  async putMany(
    entries: readonly (readonly [key: string, value: string])[],
    ts: number = Date.now(),
  ): Promise<void> {
    if (entries.length === 0) return;
    const at = timestamp(ts, `kv ${entries[0][0]} ts`);
    if (this.#sqlite !== undefined) {
      await this.#sqlite.transaction((s) => {
        for (const [key, value] of entries) s.run(PUT_SQLITE, [key, value, at]);
      });
      return;
    }
    // one transaction too: a strategy's parts of one state (carry's held and watched texts) go together
    await this.#db.transaction().execute(async (trx) => {
      for (const [key, value] of entries) await trx.executeQuery(PUT.compiled(this.#db, [key, value, at]));
    });
  }

  async get(key: string): Promise<string | null> {
    const r = await this.#db.selectFrom("kv").select("value").where("key", "=", key).executeTakeFirst();
    return r ? r.value : null;
  }

  /** false when there was no such key */
  async delete(key: string): Promise<boolean> {
    const r = await this.#db.deleteFrom("kv").where("key", "=", key).executeTakeFirst();
    return (r.numDeletedRows ?? 0n) > 0n;
  }
}
