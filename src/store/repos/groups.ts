import { toNumber } from "../codec.ts";
import { chunks, groupOf, TERMINAL_GROUP } from "../journal/encode.ts";
import { groupExistsKysely, insertGroup, updateGroup } from "../journal/postgres.ts";
import type { GroupFilter, GroupPatch, GroupRow, LegRow } from "../journal/rows.ts";
import type { Db } from "./query.ts";

/** The `engine_groups` and `engine_legs` tables: hedge groups and their legs as the engine journals them. */
export class GroupsRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Groups oldest first (at most `limit`, default 100,000). */
  async list(f: GroupFilter = {}): Promise<GroupRow[]> {
    let q = this.#db.selectFrom("engine_groups").selectAll();
    if (f.activeOnly) q = q.where("status", "not in", TERMINAL_GROUP);
    if (f.status !== undefined && f.status.length > 0) q = q.where("status", "in", [...f.status]);
    if (f.strategy !== undefined) q = q.where("strategy", "=", f.strategy);
    if (f.groupIds !== undefined) {
      if (f.groupIds.length === 0) return [];
      q = q.where("group_id", "in", [...f.groupIds]);
    }
    const rows = await q
      .orderBy("created_at")
      .orderBy("group_id")
      .limit(f.limit ?? 100_000)
      .execute();
    return rows.map(groupOf);
  }

  /** The legs of these groups, by group id then leg index. */
  async legs(groupIds: readonly string[]): Promise<LegRow[]> {
    const out: LegRow[] = [];
    for (const part of chunks(groupIds)) {
      const rows = await this.#db
        .selectFrom("engine_legs")
        .selectAll()
        .where("group_id", "in", part)
        .execute();
      for (const r of rows)
        out.push({
          groupId: r.group_id,
          legIndex: toNumber(r.leg_index, "engine_legs.leg_index"),
          venue: r.venue,
          account: r.account,
          symbol: r.symbol,
          side: r.side as LegRow["side"],
          targetLots: toNumber(r.target_lots, "engine_legs.target_lots"),
          externalLots: toNumber(r.external_lots, "engine_legs.external_lots"),
          externalReason: r.external_reason,
        });
    }
    return out.sort((a, b) =>
      a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : a.legIndex - b.legIndex,
    );
  }

  /** Whether a group with this id was ever journaled (ids are never reused). */
  exists(groupId: string): Promise<boolean> {
    return groupExistsKysely(this.#db, groupId);
  }

  /** Ids of the groups whose id starts with `prefix` (case-sensitive), sorted, at most `limit`. */
  async idsStartingWith(prefix: string, limit = 100): Promise<string[]> {
    const rows = await this.#db
      .selectFrom("engine_groups")
      .select("group_id")
      // substr, not LIKE: SQLite's LIKE ignores case and both treat "_" and "%" as wildcards
      .where((eb) => eb(eb.fn("substr", ["group_id", eb.val(1), eb.val(prefix.length)]), "=", prefix))
      .orderBy("group_id")
      .limit(limit)
      .execute();
    return rows.map((r) => r.group_id);
  }

  /** One group and its legs, outside the journal's batches (tests and repairs; the engine journals). */
  async insert(g: GroupRow, legs: readonly LegRow[]): Promise<void> {
    await insertGroup(this.#db, g, legs);
  }

  async update(groupId: string, p: GroupPatch): Promise<void> {
    await updateGroup(this.#db, groupId, p);
  }
}
