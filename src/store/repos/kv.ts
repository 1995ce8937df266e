import { timestamp } from "../codec.ts";
import type { Db } from "./query.ts";

/** The `kv` table: small named values (the engine's trading state, the runner's heartbeat). */
export class KvRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async put(key: string, value: string, ts: number = Date.now()): Promise<void> {
    await this.#db
      .insertInto("kv")
      .values({ key, value, updated_at: timestamp(ts, `kv ${key} ts`) })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: ts }))
      .execute();
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
