import { DatabaseSync } from "node:sqlite";
import type { Venue } from "../../core/venue.ts";
import type { Engine } from "../../engine/executor.ts";
import type { Store } from "../../store/store.ts";

/**
 * The chaos test's four invariants, checked after every restart against the durable files
 * themselves (the engine's store and the simulator's SQLite file), not the engine's memory:
 * (a) no intent produced two orders: every venue order was journaled first, and no entry leg's
 *     orders filled more than the leg's size across all attempts;
 * (b) after the start's reconcile pass, every venue position is what the store's active groups
 *     hold, or is an orphan the engine is handling;
 * (c) once quiet, every group is flat (closed/failed) or open and hedged within one lot;
 * (d) the store passes its integrity checks, the simulator's file too, and every journaled
 *     order has its events.
 */
export interface ChaosCounts {
  a: number;
  b: number;
  c: number;
  d: number;
  orphans: number;
  groups: number;
  details: string[];
}

const key = (v: string, a: string, s: string) => `${v}|${a}|${s}`;

/** (b): venue positions against the store's active groups, right after start(). */
export async function checkPositions(
  store: Store,
  engine: Engine,
  venues: ReadonlyMap<string, Venue>,
  accounts: readonly string[],
  out: ChaosCounts,
): Promise<void> {
  const expected = await expectedByKey(store);
  const orphans = new Map(engine.orphans().map((o) => [key(o.venue, o.account, o.symbol), o.lots]));
  out.orphans += orphans.size;
  for (const [venueId, venue] of venues) {
    for (const account of accounts) {
      const positions = await venue.positions(account);
      const symbols = new Set(positions.map((p) => p.symbol));
      for (const k of expected.keys())
        if (k.startsWith(`${venueId}|${account}|`)) symbols.add(k.split("|")[2]);
      for (const symbol of symbols) {
        const k = key(venueId, account, symbol);
        const actual = positions.find((p) => p.symbol === symbol)?.sizeLots ?? 0;
        const diff = actual - (expected.get(k) ?? 0);
        if (diff !== 0 && orphans.get(k) !== diff) {
          out.b++;
          out.details.push(
            `(b) ${k}: venue ${actual}, groups ${expected.get(k) ?? 0}, orphan ${orphans.get(k) ?? "-"}`,
          );
        }
      }
    }
  }
}

async function expectedByKey(store: Store): Promise<Map<string, number>> {
  const groups = await store.groups.list({ activeOnly: true });
  const ids = groups.map((g) => g.groupId);
  const legs = await store.groups.legs(ids);
  const orders = await store.orders.ofGroups(ids);
  const out = new Map<string, number>();
  for (const l of legs) {
    let net = l.externalLots;
    for (const o of orders)
      if (o.groupId === l.groupId && o.legIndex === l.legIndex)
        net += (o.side === "buy" ? 1 : -1) * o.filledLots;
    const k = key(l.venue, l.account, l.symbol);
    out.set(k, (out.get(k) ?? 0) + net);
  }
  return out;
}

/** (c): every group flat, or open and hedged within one lot of its coarsest instrument. */
export async function checkGroups(
  store: Store,
  venues: ReadonlyMap<string, Venue>,
  out: ChaosCounts,
): Promise<void> {
  const groups = await store.groups.list();
  out.groups = groups.length;
  const ids = groups.map((g) => g.groupId);
  const legs = await store.groups.legs(ids);
  const orders = await store.orders.ofGroups(ids);
  const netOf = new Map<string, number>();
  for (const l of legs) netOf.set(`${l.groupId}#${l.legIndex}`, l.externalLots);
  for (const o of orders) {
    const k = `${o.groupId}#${o.legIndex}`;
    netOf.set(k, (netOf.get(k) ?? 0) + (o.side === "buy" ? 1 : -1) * o.filledLots);
  }
  for (const g of groups) {
    const mine = legs.filter((l) => l.groupId === g.groupId);
    if (g.status === "closed" || g.status === "failed") {
      for (const l of mine) {
        const net = netOf.get(`${g.groupId}#${l.legIndex}`) ?? 0;
        if (net !== 0) {
          out.c++;
          out.details.push(`(c) ${g.groupId} ${g.status} leg ${l.legIndex} still holds ${net} lots`);
        }
      }
    } else if (g.status === "open") {
      let units = 0;
      let bound = 0;
      for (const l of mine) {
        const inst = venues.get(l.venue)!.instrument(l.symbol);
        units += inst.sizeValue(netOf.get(`${g.groupId}#${l.legIndex}`) ?? 0);
        bound = Math.max(bound, inst.lot.value);
      }
      if (Math.abs(units) > bound * (1 + 1e-9)) {
        out.c++;
        out.details.push(`(c) ${g.groupId} open with imbalance ${units} > ${bound}`);
      }
    } else {
      out.c++;
      out.details.push(`(c) ${g.groupId} still ${g.status} after the quiet period`);
    }
  }
}

/** One order as the venue records it, for (a). */
export interface VenueOrderRecord {
  readonly venue: string;
  /** empty when the venue order carries none (never one of the engine's) */
  readonly clientOrderId: string;
  readonly filledLots: number;
}

/**
 * (a): every venue order was journaled first, and no entry leg's orders filled more than the
 * leg's size across all its attempts.
 */
export async function checkJournal(
  store: Store,
  venueOrders: readonly VenueOrderRecord[],
  out: ChaosCounts,
): Promise<void> {
  const journal = new Map((await store.orders.allEngine()).map((o) => [o.clientOrderId, o]));
  const legs = await store.groups.legs([
    ...new Set([...journal.values()].flatMap((o) => (o.groupId ? [o.groupId] : []))),
  ]);
  const target = new Map(legs.map((l) => [`${l.groupId}:entry#${l.legIndex}`, l.targetLots]));
  const filledByFamily = new Map<string, number>();
  for (const r of venueOrders) {
    const j = journal.get(r.clientOrderId);
    if (j === undefined) {
      out.a++;
      out.details.push(`(a) venue order ${r.venue} ${r.clientOrderId || "(no cloid)"} was never journaled`);
      continue;
    }
    if (j.purpose !== "entry") continue;
    const fam = `${j.intentId}#${j.legIndex}`;
    filledByFamily.set(fam, (filledByFamily.get(fam) ?? 0) + r.filledLots);
  }
  for (const [fam, filled] of filledByFamily) {
    const t = target.get(fam);
    if (t !== undefined && filled > t) {
      out.a++;
      out.details.push(`(a) ${fam}: venue filled ${filled} lots for a leg of ${t}`);
    }
  }
}

/** (d) on the store: its integrity checks, and every journaled order has its events. */
export async function checkStore(store: Store, out: ChaosCounts): Promise<void> {
  for (const p of await store.integrityCheck()) {
    out.d++;
    out.details.push(`(d) store: ${p}`);
  }
  for (const id of await store.orders.withoutEvents()) {
    out.d++;
    out.details.push(`(d) order ${id} has no journaled events`);
  }
}

/** (a) and (d): the simulator's orders against the journal, and both files' integrity. */
export async function checkOrdersAndIntegrity(
  store: Store,
  simDbPath: string,
  out: ChaosCounts,
): Promise<void> {
  const sim = new DatabaseSync(simDbPath, { readOnly: true });
  try {
    const rows = sim.prepare("SELECT venue, client_order_id, filled_lots FROM sim_orders").all() as {
      venue: string;
      client_order_id: string;
      filled_lots: number;
    }[];
    await checkJournal(
      store,
      rows.map((r) => ({
        venue: r.venue,
        clientOrderId: r.client_order_id,
        filledLots: Number(r.filled_lots),
      })),
      out,
    );
    const ok = sim.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
    for (const r of ok)
      if (r.integrity_check !== "ok") {
        out.d++;
        out.details.push(`(d) sim db: ${r.integrity_check}`);
      }
  } finally {
    sim.close();
  }
  await checkStore(store, out);
}
