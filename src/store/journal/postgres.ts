import { CompiledQuery, type Kysely, type Transaction } from "kysely";
import { fillValues } from "../repos/fill-codec.ts";
import type { Database } from "../schema.ts";
import { chunks, engineOrderValues, eventValues, groupValues, legValues, patchValues } from "./encode.ts";
import type {
  EngineOrderRow,
  GroupOp,
  GroupPatch,
  GroupRow,
  JournalBatch,
  LegRow,
  OrderEventRow,
} from "./rows.ts";

/**
 * The journal on PostgreSQL: every write through Kysely, multi-row, the batch in one
 * transaction. The same statements run on SQLite too (the journal tests compare both paths on
 * one SQLite file), but there the prepared statements of sqlite.ts are the hot path.
 */

export type Db = Kysely<Database> | Transaction<Database>;

// Each write as a query not yet run: the ordered transaction executes them, the one-statement
// commit compiles them into its WITH parts.
const groupsInsert = (db: Db, groups: readonly GroupRow[]) =>
  db.insertInto("engine_groups").values(groups.map(groupValues));
const legsInsert = (db: Db, legs: readonly LegRow[]) =>
  db.insertInto("engine_legs").values(legs.map(legValues));
const groupUpdate = (db: Db, groupId: string, p: GroupPatch) =>
  db.updateTable("engine_groups").set(patchValues(p)).where("group_id", "=", groupId);
const legExternalUpdate = (db: Db, groupId: string, legIndex: number, lots: number, reason: string) =>
  db
    .updateTable("engine_legs")
    .set({ external_lots: lots, external_reason: reason })
    .where("group_id", "=", groupId)
    .where("leg_index", "=", legIndex);
/** inserts the orders, or updates the progress columns of those that exist */
const ordersUpsert = (db: Db, orders: readonly EngineOrderRow[]) =>
  db
    .insertInto("orders")
    .values(orders.map(engineOrderValues))
    .onConflict((oc) =>
      oc.column("client_order_id").doUpdateSet((eb) => ({
        filled_size: eb.ref("excluded.filled_size"),
        filled_lots: eb.ref("excluded.filled_lots"),
        status: eb.ref("excluded.status"),
        venue_order_id: eb.ref("excluded.venue_order_id"),
        reason: eb.ref("excluded.reason"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    );
const eventsInsert = (db: Db, events: readonly OrderEventRow[]) =>
  db.insertInto("order_events").values(events.map(eventValues));
/** each fill once per venue/account/fill id */
const fillsInsert = (db: Db, fills: JournalBatch["fills"]) =>
  db
    .insertInto("fills")
    .values(fills.map(fillValues))
    .onConflict((oc) => oc.columns(["venue", "account", "fill_id"]).doNothing());

export async function insertGroup(db: Db, g: GroupRow, legs: readonly LegRow[]): Promise<void> {
  await groupsInsert(db, [g]).execute();
  if (legs.length === 0) return;
  await legsInsert(db, legs).execute();
}

export async function updateGroup(db: Db, groupId: string, p: GroupPatch): Promise<void> {
  await groupUpdate(db, groupId, p).execute();
}

export async function updateLegExternal(
  db: Db,
  groupId: string,
  legIndex: number,
  externalLots: number,
  reason: string,
): Promise<void> {
  await legExternalUpdate(db, groupId, legIndex, externalLots, reason).execute();
}

export async function upsertEngineOrder(db: Db, o: EngineOrderRow): Promise<void> {
  await upsertEngineOrders(db, [o]);
}

/** Inserts the orders, or updates the progress columns of those that exist (one statement per chunk). */
export async function upsertEngineOrders(db: Db, orders: readonly EngineOrderRow[]): Promise<void> {
  for (const part of chunks(orders)) await ordersUpsert(db, part).execute();
}

export async function appendOrderEvents(db: Db, events: readonly OrderEventRow[]): Promise<void> {
  for (const part of chunks(events)) await eventsInsert(db, part).execute();
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
    for (const part of chunks(b.fills)) await fillsInsert(trx, part).execute();
  });
}

/** PostgreSQL's bound on the parameters of one statement (a 16-bit count in the protocol). */
const PG_MAX_PARAMS = 65_535;

/**
 * Commits one journal batch as ONE statement on PostgreSQL: each write a data-modifying WITH
 * part of it, so the batch costs one round trip instead of a transaction's begin, one statement
 * per table and commit (most of a pool worker's database traffic, docs/deploy.md). One statement
 * is atomic by itself, and the foreign keys are checked at its end, when every part has run.
 * Every part reads the same snapshot, so no part may touch a row another writes: the group ops
 * are folded first (a group inserted in the batch is inserted with its later patches and leg
 * write-offs applied; several patches of one group become one). A batch that does not fold (an
 * op the ordered path would refuse anyway) or that has more parameters than one statement may
 * carry commits through `commitJournalBatchKysely`, which runs the ops in order.
 */
export async function commitJournalBatchPg(db: Kysely<Database>, b: JournalBatch): Promise<void> {
  const parts = foldedParts(db, b);
  if (parts === undefined) return commitJournalBatchKysely(db, b);
  if (parts.length === 0) return;
  await db.executeQuery(parts.length === 1 ? parts[0] : oneStatement(parts));
}

/** The batch's writes as compiled statements, none touching a row another touches; undefined: keep the ordered path. */
function foldedParts(db: Kysely<Database>, b: JournalBatch): CompiledQuery[] | undefined {
  const folded = foldGroupOps(b.groups);
  if (folded === undefined) return undefined;
  const parts: CompiledQuery[] = [];
  const inserted = [...folded.inserted.values()];
  if (inserted.length > 0) {
    parts.push(
      groupsInsert(
        db,
        inserted.map((x) => x.group),
      ).compile(),
    );
    const legs = inserted.flatMap((x) => x.legs);
    if (legs.length > 0) parts.push(legsInsert(db, legs).compile());
  }
  for (const [groupId, patch] of folded.patches) parts.push(groupUpdate(db, groupId, patch).compile());
  for (const x of folded.external.values())
    parts.push(legExternalUpdate(db, x.groupId, x.legIndex, x.lots, x.reason).compile());
  const orders = Array.from(b.orders, (o) => o.row);
  if (orders.length > 0) parts.push(ordersUpsert(db, orders).compile());
  if (b.events.length > 0) parts.push(eventsInsert(db, b.events).compile());
  if (b.fills.length > 0) parts.push(fillsInsert(db, b.fills).compile());
  let params = 0;
  for (const q of parts) params += q.parameters.length;
  return params > PG_MAX_PARAMS ? undefined : parts;
}

interface FoldedGroupOps {
  readonly inserted: Map<string, { group: GroupRow; legs: LegRow[] }>;
  /** merged patches of groups not inserted in the batch */
  readonly patches: Map<string, GroupPatch>;
  /** the last write-off of each leg not inserted in the batch */
  readonly external: Map<string, { groupId: string; legIndex: number; lots: number; reason: string }>;
}

/** The group ops with one write per row, as running them in order would leave the rows; undefined if they do not fold. */
export function foldGroupOps(ops: readonly GroupOp[]): FoldedGroupOps | undefined {
  const out: FoldedGroupOps = { inserted: new Map(), patches: new Map(), external: new Map() };
  const touched = new Set<string>();
  for (const op of ops) {
    if (op.kind === "insert") {
      // an insert of a group already written to: the ordered path refuses it (or orders it)
      if (touched.has(op.group.groupId)) return undefined;
      touched.add(op.group.groupId);
      out.inserted.set(op.group.groupId, { group: op.group, legs: [...op.legs] });
      continue;
    }
    touched.add(op.groupId);
    const ins = out.inserted.get(op.groupId);
    if (op.kind === "update") {
      if (ins !== undefined) ins.group = patched(ins.group, op.patch);
      else out.patches.set(op.groupId, { ...out.patches.get(op.groupId), ...definedOf(op.patch) });
      continue;
    }
    if (ins !== undefined) {
      const i = ins.legs.findIndex((l) => l.legIndex === op.legIndex);
      if (i < 0) return undefined;
      ins.legs[i] = { ...ins.legs[i], externalLots: op.lots, externalReason: op.reason };
    } else
      out.external.set(`${op.groupId}\u0000${op.legIndex}`, {
        groupId: op.groupId,
        legIndex: op.legIndex,
        lots: op.lots,
        reason: op.reason,
      });
  }
  return out;
}

/** The patch's fields that are set (an absent field leaves the column as it is: patchValues). */
function definedOf(p: GroupPatch): GroupPatch {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined) out[k] = v;
  return out as unknown as GroupPatch;
}

function patched(g: GroupRow, p: GroupPatch): GroupRow {
  return { ...g, ...definedOf(p) };
}

/**
 * Compiled statements as one: all but the last as WITH parts, the last as the main statement,
 * their parameters renumbered in sequence. Kysely passes every value as a parameter and quotes
 * every identifier, so a `$n` in its SQL is always a placeholder.
 */
function oneStatement(parts: readonly CompiledQuery[]): CompiledQuery {
  const params: unknown[] = [];
  const renumbered = parts.map((q) => {
    const offset = params.length;
    params.push(...q.parameters);
    return offset === 0 ? q.sql : q.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  });
  const last = renumbered.pop() as string;
  const withs = renumbered.map((sql, i) => `w${i} as (${sql})`).join(", ");
  return CompiledQuery.raw(`with ${withs} ${last}`, params);
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
