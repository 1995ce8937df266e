import type { GroupState } from "./groups/group-types.ts";
import { isActive, legNetLots } from "./groups/group-types.ts";
import { type EngineOrder, posKey } from "./orders/order-gateway.ts";
import { accountKey } from "./orders/order-records.ts";

/**
 * What the reconciler compares a venue's positions against, and which accounts it must read in
 * a pass (see QUIET_SWEEP_PASSES): the holdings of our active groups and single orders per
 * account, the working lots per position, and the signature of what we hold on an account.
 */

/**
 * A pass reads the positions of an account only when something may have changed there: at
 * start; after any order, fill or liquidation event on it (the gateway sees every venue event);
 * while it has working orders, a busy group, or a discrepancy from the previous pass (so the
 * two-pass rule and the orphan clock carry on); when what our groups hold there changed; and, so
 * that a position that appears without any event (a lost event, a venue that does not report
 * trades made elsewhere) is still found, every account at least every QUIET_SWEEP_PASSES passes,
 * staggered so each pass reads its share. An orphan nobody told us about is thus seen within
 * QUIET_SWEEP_PASSES intervals, confirmed the pass after, and flattened after the grace period.
 */
export const QUIET_SWEEP_PASSES = 4;

/**
 * What our active groups and the strategies' single orders hold, by account then symbol, and
 * which position keys an operation (a busy group) is working on.
 */
export function expectedHoldings(
  groups: Iterable<GroupState>,
  singleHoldings: ReadonlyMap<string, number>,
): { expected: Map<string, Map<string, number>>; busyKeys: Set<string> } {
  const expected = new Map<string, Map<string, number>>();
  const busyKeys = new Set<string>();
  const add = (acct: string, symbol: string, lots: number) => {
    let bySymbol = expected.get(acct);
    if (bySymbol === undefined) {
      bySymbol = new Map();
      expected.set(acct, bySymbol);
    }
    bySymbol.set(symbol, (bySymbol.get(symbol) ?? 0) + lots);
  };
  for (const g of groups) {
    if (!isActive(g.status)) continue;
    for (const l of g.legs) {
      add(accountKey(l.spec.venue, l.spec.account), l.spec.symbol, legNetLots(l));
      if (g.busy) busyKeys.add(posKey(l.spec.venue, l.spec.account, l.spec.symbol));
    }
  }
  for (const [key, lots] of singleHoldings) {
    if (lots === 0) continue;
    const cut = key.lastIndexOf("\u0000");
    add(key.slice(0, cut), key.slice(cut + 1), lots);
  }
  return { expected, busyKeys };
}

export function keyOf(o: EngineOrder): string {
  return posKey(o.venue, o.tracked.request.account, o.tracked.request.symbol);
}

export function signatureOf(bySymbol: ReadonlyMap<string, number>): string {
  let s = "";
  for (const [symbol, lots] of bySymbol) s += `${symbol}=${lots};`;
  return s;
}

/** Working lots per (venue, account, symbol), and whether an orphan flatten is among them. */
export function workingByKey(
  orders: Iterable<EngineOrder>,
): Map<string, { lots: number; orphanWorking: boolean }> {
  const out = new Map<string, { lots: number; orphanWorking: boolean }>();
  for (const o of orders) {
    if (o.tracked.terminal) continue;
    const key = keyOf(o);
    let w = out.get(key);
    if (w === undefined) {
      w = { lots: 0, orphanWorking: false };
      out.set(key, w);
    }
    w.lots += o.tracked.workingLots;
    if (o.purpose === "orphan") w.orphanWorking = true;
  }
  return out;
}
