import type { Kysely, Transaction } from "kysely";
import { fillValues } from "../repos/fill-codec.ts";
import type { Database } from "../schema.ts";
import { chunks, engineOrderValues, eventValues, groupValues, legValues, patchValues } from "./encode.ts";
import type { EngineOrderRow, GroupPatch, GroupRow, JournalBatch, LegRow, OrderEventRow } from "./rows.ts";

/**
 * The journal on PostgreSQL: every write through Kysely, multi-row, the batch in one
 * transaction. The same statements run on SQLite too (the journal tests compare both paths on
 * one SQLite file), but there the prepared statements of sqlite.ts are the hot path.
 */

export type Db = Kysely<Database> | Transaction<Database>;

export async function insertGroup(db: Db, g: GroupRow, legs: readonly LegRow[]): Promise<void> {
  await db.insertInto("engine_groups").values(groupValues(g)).execute();
  if (legs.length === 0) return;
  await db.insertInto("engine_legs").values(legs.map(legValues)).execute();
}

export async function updateGroup(db: Db, groupId: string, p: GroupPatch): Promise<void> {
  await db.updateTable("engine_groups").set(patchValues(p)).where("group_id", "=", groupId).execute();
}

export async function updateLegExternal(
  db: Db,
  groupId: string,
  legIndex: number,
  externalLots: number,
  reason: string,
): Promise<void> {
  await db
    .updateTable("engine_legs")
    .set({ external_lots: externalLots, external_reason: reason })
    .where("group_id", "=", groupId)
    .where("leg_index", "=", legIndex)
    .execute();
}

export async function upsertEngineOrder(db: Db, o: EngineOrderRow): Promise<void> {
  await upsertEngineOrders(db, [o]);
}

/** Inserts the orders, or updates the progress columns of those that exist (one statement per chunk). */
export async function upsertEngineOrders(db: Db, orders: readonly EngineOrderRow[]): Promise<void> {
  for (const part of chunks(orders)) {
    await db
      .insertInto("orders")
      .values(part.map(engineOrderValues))
      .onConflict((oc) =>
        oc.column("client_order_id").doUpdateSet((eb) => ({
          filled_size: eb.ref("excluded.filled_size"),
          filled_lots: eb.ref("excluded.filled_lots"),
          status: eb.ref("excluded.status"),
          venue_order_id: eb.ref("excluded.venue_order_id"),
          reason: eb.ref("excluded.reason"),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  }
}

export async function appendOrderEvents(db: Db, events: readonly OrderEventRow[]): Promise<void> {
  for (const part of chunks(events)) {
    await db.insertInto("order_events").values(part.map(eventValues)).execute();
  }
}

/**
 * Commits one journal batch in one transaction: group inserts/updates and leg write-offs in
 * order, then order rows (upserts), then order events, then fills (each fill once per
 * venue/account/fill id).
 */
export async function commitJournalBatchKysely(db: Kysely<Database>, b: JournalBatch): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const op of b.groups) {
      if (op.kind === "insert") await insertGroup(trx, op.group, op.legs);
      else if (op.kind === "update") await updateGroup(trx, op.groupId, op.patch);
      else await updateLegExternal(trx, op.groupId, op.legIndex, op.lots, op.reason);
    }
    const orders = Array.from(b.orders, (o) => o.row);
    if (orders.length > 0) await upsertEngineOrders(trx, orders);
    if (b.events.length > 0) await appendOrderEvents(trx, b.events);
    for (const part of chunks(b.fills)) {
      await trx
        .insertInto("fills")
        .values(part.map(fillValues))
        .onConflict((oc) => oc.columns(["venue", "account", "fill_id"]).doNothing())
        .execute();
    }
  });
}

/** Whether a group with this id was ever journaled (ids are never reused). */
export async function groupExistsKysely(db: Db, groupId: string): Promise<boolean> {
  const r = await db
    .selectFrom("engine_groups")
    .select("group_id")
    .where("group_id", "=", groupId)
    .executeTakeFirst();
  return r !== undefined;
}
