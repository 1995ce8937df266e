import type { Kysely } from "kysely";
import type { Database } from "../schema.ts";
import type { SqliteAccess } from "../sqlite-dialect.ts";
import { commitJournalBatchPg, groupExistsKysely } from "./postgres.ts";
import type { JournalBatch } from "./rows.ts";
import { commitJournalBatchSqlite, groupExistsSqlite } from "./sqlite.ts";

/** The engine journal's way into the store: one batch per commit, on whichever backend the store runs. */
export interface JournalWriter {
  /**
   * Commits one batch in one transaction: group inserts/updates and leg write-offs in order, then
   * order rows (upserts), then order events, then fills (each fill once per venue/account/fill id).
   */
  commit(batch: JournalBatch): Promise<void>;
  /** Whether a group with this id was ever journaled (ids are never reused). */
  groupExists(groupId: string): Promise<boolean>;
}

/** SQLite: prepared statements on the store's own connection; PostgreSQL: one statement per batch. */
export function journalWriter(db: Kysely<Database>, sqlite: SqliteAccess | undefined): JournalWriter {
  if (sqlite !== undefined) {
    return {
      commit: (b) => commitJournalBatchSqlite(sqlite, b),
      groupExists: (id) => groupExistsSqlite(sqlite, id),
    };
  }
  return {
    commit: (b) => commitJournalBatchPg(db, b),
    groupExists: (id) => groupExistsKysely(db, id),
  };
}
