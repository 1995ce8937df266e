import { timestamp } from "../codec.ts";
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

/** The `kv` table: small named values (the engine's trading state, the runner's heartbeat). */
export class KvRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async put(key: string, value: string, ts: number = Date.now()): Promise<void> {
    await this.#db.executeQuery(PUT.compiled(this.#db, [key, value, timestamp(ts, `kv ${key} ts`)]));
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
