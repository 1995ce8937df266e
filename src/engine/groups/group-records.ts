import type { Store } from "../../store/store.ts";
import {
  type CloseReason,
  decodeEntry,
  type GroupFilter,
  type GroupRecord,
  type GroupStatus,
  type LegRecord,
  type OpenFailureReason,
} from "./group-types.ts";

const toUsd = (pico: bigint) => Number(pico) / 1e12;

/**
 * Groups as the store holds them (what `perpbot status`, the API and the dashboard show): legs
 * with entry fills, average entry price, net lots, fees and realised PnL from the stored fills.
 */
export async function listGroupRecords(
  store: Pick<Store, "groups" | "orders" | "fills">,
  filter: GroupFilter,
): Promise<GroupRecord[]> {
  const rows = await store.groups.list({
    status: filter.status,
    strategy: filter.strategy,
    groupIds: filter.groupIds,
    activeOnly: filter.activeOnly,
  });
  const ids = rows.map((r) => r.groupId);
  // legs and orders at once (on PostgreSQL, two connections): one round trip fewer per listing
  const [legs, orders] = await Promise.all([store.groups.legs(ids), store.orders.ofGroups(ids)]);
  const totals = await store.fills.totalsByOrder(orders.map((o) => o.clientOrderId));
  // legs by group and orders by group and leg, each in the order the store listed them (one
  // pass each: a filter per group made a listing of every group quadratic in their number)
  const legsOf = groupBy(legs, (l) => l.groupId);
  const ordersOf = groupBy(orders, (o) => `${o.groupId}\u0000${o.legIndex}`);
  return rows.map((r) => {
    const legRecords: LegRecord[] = (legsOf.get(r.groupId) ?? []).map((l) => {
      const mine = ordersOf.get(`${r.groupId}\u0000${l.legIndex}`) ?? [];
      let net = l.externalLots;
      let entryLots = 0;
      let entryNotional = 0;
      let entrySize = 0;
      let fees = 0n;
      let pnl = 0n;
      for (const o of mine) {
        net += (o.side === "buy" ? 1 : -1) * o.filledLots;
        const t = totals.get(o.clientOrderId);
        if (t) {
          fees += t.fee;
          pnl += t.realisedPnl;
        }
        if (o.purpose !== "entry") continue;
        entryLots += o.filledLots;
        if (t) {
          entryNotional += t.notional;
          entrySize += t.size;
        }
      }
      return {
        legIndex: l.legIndex,
        venue: l.venue,
        account: l.account,
        symbol: l.symbol,
        side: l.side,
        targetLots: l.targetLots,
        filledLots: entryLots,
        avgPrice: entrySize > 0 ? entryNotional / entrySize : 0,
        feesUsd: toUsd(fees),
        netLots: net,
        realisedPnlUsd: toUsd(pnl),
        externalLots: l.externalLots,
        externalReason: l.externalReason,
      };
    });
    return {
      groupId: r.groupId,
      id: r.groupId,
      strategy: r.strategy,
      status: r.status as GroupStatus,
      ...decodeRecordEntry(r.entry),
      fillTimeoutMs: r.fillTimeoutMs,
      meta: r.meta === null ? {} : (JSON.parse(r.meta) as Record<string, unknown>),
      closeReason: r.closeReason as CloseReason | null,
      failureReason: r.failureReason as OpenFailureReason | null,
      detail: r.detail,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      closedAt: r.closedAt,
      legs: legRecords,
      feesUsd: legRecords.reduce((s, l) => s + l.feesUsd, 0),
      realisedPnlUsd: legRecords.reduce((s, l) => s + l.realisedPnlUsd, 0),
    };
  });
}

function decodeRecordEntry(json: string): Pick<GroupRecord, "entry" | "sequenceFirst"> {
  const { entry, sequence } = decodeEntry(json);
  return sequence === undefined ? { entry } : { entry, sequenceFirst: sequence.first };
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list === undefined) out.set(k, [x]);
    else list.push(x);
  }
  return out;
}
