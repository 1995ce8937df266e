import { type Money, toUsd } from "../../core/money.ts";

/** Totals for a leg, a group, a wallet or everything. Money sums are exact; USD floats for display. */
export interface FarmTotals {
  volumeUsd: number;
  fees: Money;
  funding: Money;
  realisedPnl: Money;
  fills: number;
}

export interface AccountedLeg {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
}

export interface AccountedGroup {
  readonly id: string;
  readonly closeReason: string | null;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly legs: readonly AccountedLeg[];
}

/**
 * A fill as the accounting reads it, with the group of the order it filled (the store's fill
 * records are these: the strategy reads plain records, never the store).
 */
export interface AccountedFill extends AccountedLeg {
  readonly groupId: string | null;
  /** exact decimal text */
  readonly price: string;
  readonly size: string;
  readonly fee: Money;
  readonly realisedPnl: Money;
}

/** A funding settlement as the accounting reads it (positive: received). */
export interface AccountedFunding extends AccountedLeg {
  readonly amount: Money;
  readonly ts: number;
}

export interface FarmAccounting {
  readonly total: FarmTotals;
  readonly byGroup: ReadonlyMap<string, FarmTotals>;
  /** by account, over every venue */
  readonly byWallet: ReadonlyMap<string, FarmTotals>;
  /** by venue, over every wallet */
  readonly byVenue: ReadonlyMap<string, FarmTotals>;
  /**
   * key `${account}|${venue}`: one wallet on one venue, what a venue's points are paid on (its
   * volume and what it cost)
   */
  readonly byWalletVenue: ReadonlyMap<string, FarmTotals>;
  /** key `${group}|${venue}|${account}|${symbol}` */
  readonly byLeg: ReadonlyMap<string, FarmTotals>;
}

export function emptyTotals(): FarmTotals {
  return { volumeUsd: 0, fees: 0n, funding: 0n, realisedPnl: 0n, fills: 0 };
}

/** Net result: realised PnL + funding - fees (USD). */
export function netPnlUsd(t: FarmTotals): number {
  return toUsd(t.realisedPnl + t.funding - t.fees);
}

/** What farming cost per $1M of volume: the net loss scaled to a million traded (negative = profit). */
export function costPerMillionUsd(t: FarmTotals): number {
  return t.volumeUsd > 0 ? (-netPnlUsd(t) / t.volumeUsd) * 1_000_000 : 0;
}

/**
 * Attribute fills (by their order's group) and funding payments (by the leg that held the
 * position at the time: a wallet is in one group per venue and market at a time) to legs,
 * groups and wallets.
 */
export function accountFarm(
  groups: readonly AccountedGroup[],
  fills: readonly AccountedFill[],
  funding: readonly AccountedFunding[],
): FarmAccounting {
  const total = emptyTotals();
  const byGroup = new Map<string, FarmTotals>();
  const byWallet = new Map<string, FarmTotals>();
  const byVenue = new Map<string, FarmTotals>();
  const byWalletVenue = new Map<string, FarmTotals>();
  const byLeg = new Map<string, FarmTotals>();
  const at = <K>(m: Map<K, FarmTotals>, k: K) => {
    const t = m.get(k) ?? emptyTotals();
    m.set(k, t);
    return t;
  };
  const known = new Set(groups.map((g) => g.id));
  for (const g of groups) at(byGroup, g.id);
  for (const f of fills) {
    if (f.groupId === null || !known.has(f.groupId)) continue;
    const notional = Math.abs(Number(f.size) * Number(f.price));
    for (const t of [
      total,
      at(byGroup, f.groupId),
      at(byWallet, f.account),
      at(byVenue, f.venue),
      at(byWalletVenue, walletVenueKey(f.account, f.venue)),
      at(byLeg, legKey(f.groupId, f)),
    ]) {
      t.volumeUsd += notional;
      t.fees += f.fee;
      t.realisedPnl += f.realisedPnl;
      t.fills += 1;
    }
  }
  for (const p of funding) {
    const g = groups.find(
      (x) =>
        x.openedAt <= p.ts &&
        (x.closedAt === null || p.ts <= x.closedAt) &&
        x.legs.some((l) => l.venue === p.venue && l.account === p.account && l.symbol === p.symbol),
    );
    if (!g) continue;
    for (const t of [
      total,
      at(byGroup, g.id),
      at(byWallet, p.account),
      at(byVenue, p.venue),
      at(byWalletVenue, walletVenueKey(p.account, p.venue)),
      at(byLeg, legKey(g.id, p)),
    ])
      t.funding += p.amount;
  }
  return { total, byGroup, byWallet, byVenue, byWalletVenue, byLeg };
}

/** The key of `byWalletVenue`. */
export function walletVenueKey(account: string, venue: string): string {
  return `${account}|${venue}`;
}

function legKey(groupId: string, l: AccountedLeg): string {
  return `${groupId}|${l.venue}|${l.account}|${l.symbol}`;
}
