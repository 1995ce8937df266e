import { decimalText, timestamp, toNumber } from "../codec.ts";
import { chunks, engineOrderOf, TERMINAL_ORDER } from "../journal/encode.ts";
import { appendOrderEvents, upsertEngineOrder } from "../journal/postgres.ts";
import type { EngineOrderRow, OrderEventRow } from "../journal/rows.ts";
import type { OrderRecord } from "../records.ts";
import { checkSide } from "./fill-codec.ts";
import type { Db } from "./query.ts";
import { ReusedQuery } from "./reused-query.ts";

/** The purpose an engine order row carries when a strategy placed it as a single order. */
export const SINGLE_PURPOSE = "single";

export interface SingleHolding {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  /** signed lots the single orders filled there, in all: buys minus sells */
  readonly lots: number;
}

/** exists' primary-key lookup, compiled once per handle (the journal asks it on every place) */
const EXISTS = new ReusedQuery("orders.exists", 1, (db, clientOrderId) =>
  db.selectFrom("orders").select("client_order_id").where("client_order_id", "=", clientOrderId),
);

/**
 * The `orders` table: orders as a venue sees them (upsert/get), and the engine's journaled view
 * of the orders it sent (its intent, leg, purpose, lots), which the journal writes in batches.
 */
export class OrdersRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async upsert(o: OrderRecord): Promise<void> {
    const what = `order ${o.clientOrderId}`;
    checkSide(o.side, what);
    const row = {
      client_order_id: o.clientOrderId,
      venue: o.venue,
      account: o.account,
      symbol: o.symbol,
      side: o.side,
      order_type: o.type,
      tif: o.tif,
      price: o.price === null ? null : decimalText(o.price, `${what} price`),
      size: decimalText(o.size, `${what} size`),
      filled_size: decimalText(o.filledSize, `${what} filled size`),
      reduce_only: o.reduceOnly ? 1 : 0,
      status: o.status,
      venue_order_id: o.venueOrderId,
      group_id: o.groupId,
      reason: o.reason,
      created_at: timestamp(o.createdAt, `${what} createdAt`),
      updated_at: timestamp(o.updatedAt, `${what} updatedAt`),
    };
    const { client_order_id: _key, created_at: _created, ...changes } = row;
    await this.#db
      .insertInto("orders")
      .values(row)
      .onConflict((oc) => oc.column("client_order_id").doUpdateSet(changes))
      .execute();
  }

  /** Whether an engine order with this client order id was ever journaled (a primary-key lookup). */
  async exists(clientOrderId: string): Promise<boolean> {
    const r = await this.#db.executeQuery(EXISTS.compiled(this.#db, [clientOrderId]));
    return r.rows.length > 0;
  }

  /**
   * Signed lots filled by single orders per (venue, account, symbol): what the strategies' single
   * orders hold, which the reconciler counts as owned (not an orphan).
   */
  async singleHoldings(): Promise<SingleHolding[]> {
    const rows = await this.#db
      .selectFrom("orders")
      .select(["venue", "account", "symbol", "side"])
      .select((eb) => eb.fn.sum<number | string | bigint>("filled_lots").as("lots"))
      .where("purpose", "=", SINGLE_PURPOSE)
      .groupBy(["venue", "account", "symbol", "side"])
      .execute();
    const net = new Map<string, SingleHolding>();
    for (const r of rows) {
      const key = `${r.venue}\u0000${r.account}\u0000${r.symbol}`;
      const lots = toNumber(r.lots ?? 0, "orders.filled_lots sum") * (r.side === "buy" ? 1 : -1);
      const prev = net.get(key)?.lots ?? 0;
      net.set(key, { venue: r.venue, account: r.account, symbol: r.symbol, lots: prev + lots });
    }
    return [...net.values()];
  }

  async get(clientOrderId: string): Promise<OrderRecord | null> {
    const r = await this.#db
      .selectFrom("orders")
      .selectAll()
      .where("client_order_id", "=", clientOrderId)
      .executeTakeFirst();
    if (!r) return null;
    return {
      clientOrderId: r.client_order_id,
      venue: r.venue,
      account: r.account,
      symbol: r.symbol,
      side: r.side as OrderRecord["side"],
      type: r.order_type as OrderRecord["type"],
      tif: r.tif as OrderRecord["tif"],
      price: r.price,
      size: r.size,
      filledSize: r.filled_size,
      reduceOnly: toNumber(r.reduce_only, "orders.reduce_only") === 1,
      status: r.status,
      venueOrderId: r.venue_order_id,
      groupId: r.group_id,
      reason: r.reason,
      createdAt: toNumber(r.created_at, "orders.created_at"),
      updatedAt: toNumber(r.updated_at, "orders.updated_at"),
    };
  }

  /** One engine order, outside the journal's batches (tests and repairs; the engine journals). */
  async upsertEngine(o: EngineOrderRow): Promise<void> {
    await upsertEngineOrder(this.#db, o);
  }

  /** Engine orders of these groups, in creation order. */
  async ofGroups(groupIds: readonly string[]): Promise<EngineOrderRow[]> {
    const out: EngineOrderRow[] = [];
    for (const part of chunks(groupIds)) {
      const rows = await this.#db
        .selectFrom("orders")
        .selectAll()
        .where("group_id", "in", part)
        .where("intent_id", "is not", null)
        .execute();
      out.push(...rows.map(engineOrderOf));
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Engine orders not known to be finished: what restart recovery must resolve. */
  async unfinished(): Promise<EngineOrderRow[]> {
    const rows = await this.#db
      .selectFrom("orders")
      .selectAll()
      .where("status", "not in", TERMINAL_ORDER)
      .where("intent_id", "is not", null)
      .orderBy("created_at")
      .execute();
    return rows.map(engineOrderOf);
  }

  /** How many engine orders per (venue, status): the API's /metrics. */
  async countEngineByVenueStatus(): Promise<{ venue: string; status: string; n: number }[]> {
    const rows = await this.#db
      .selectFrom("orders")
      .select(["venue", "status", (eb) => eb.fn.countAll<number | string | bigint>().as("n")])
      .where("intent_id", "is not", null)
      .groupBy(["venue", "status"])
      .orderBy("venue")
      .orderBy("status")
      .execute();
    return rows.map((r) => ({ venue: r.venue, status: r.status, n: Number(r.n) }));
  }

  /** Every engine order, in creation order (audits, the chaos checks, tests). */
  async allEngine(): Promise<EngineOrderRow[]> {
    const rows = await this.#db
      .selectFrom("orders")
      .selectAll()
      .where("intent_id", "is not", null)
      .orderBy("created_at")
      .orderBy("client_order_id")
      .execute();
    return rows.map(engineOrderOf);
  }

  /** Client order ids of engine orders without a single journaled event (write-ahead says: none). */
  async withoutEvents(): Promise<string[]> {
    const rows = await this.#db
      .selectFrom("orders")
      .leftJoin("order_events", "order_events.client_order_id", "orders.client_order_id")
      .select("orders.client_order_id")
      .where("orders.intent_id", "is not", null)
      .where("order_events.id", "is", null)
      .execute();
    return rows.map((r) => r.client_order_id);
  }
}

/** The `order_events` table: the append-only history of each engine order, replayed on restart. */
export class OrderEventsRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Appends events outside the journal's batches (tests and repairs; the engine journals). */
  async append(events: readonly OrderEventRow[]): Promise<void> {
    await appendOrderEvents(this.#db, events);
  }

  /**
   * The sends of engine orders and the venue's answers to them (submit_sent, ack, reject), with
   * the order's venue, in the order they were written: what the send-to-answer round trips of
   * /metrics are computed from (app/service/round-trips.ts).
   */
  async sendsAndAnswers(): Promise<{ venue: string; clientOrderId: string; kind: string; ts: number }[]> {
    const rows = await this.#db
      .selectFrom("order_events")
      .innerJoin("orders", "orders.client_order_id", "order_events.client_order_id")
      .select(["orders.venue", "order_events.client_order_id", "order_events.kind", "order_events.ts"])
      .where("orders.intent_id", "is not", null)
      .where("order_events.kind", "in", ["submit_sent", "ack", "reject"])
      .orderBy("order_events.id")
      .execute();
    return rows.map((r) => ({
      venue: r.venue,
      clientOrderId: r.client_order_id,
      kind: r.kind,
      ts: toNumber(r.ts, "order_events.ts"),
    }));
  }

  /** The events of these orders in the order they were written. */
  async of(clientOrderIds: readonly string[]): Promise<OrderEventRow[]> {
    const out: (OrderEventRow & { id: number })[] = [];
    for (const part of chunks(clientOrderIds)) {
      const rows = await this.#db
        .selectFrom("order_events")
        .selectAll()
        .where("client_order_id", "in", part)
        .execute();
      for (const r of rows)
        out.push({
          id: toNumber(r.id, "order_events.id"),
          clientOrderId: r.client_order_id,
          kind: r.kind,
          payload: r.payload,
          ts: toNumber(r.ts, "order_events.ts"),
        });
    }
    return out.sort((a, b) => a.id - b.id).map(({ id: _id, ...e }) => e);
  }
}
