import type { ClosedTrade, HeldExit, PriceTrigger } from "./types.ts";

/**
 * Completed trades from fills (STRATEGIES.md 4.3): per coin in time order, a reducing fill closes
 * min(|fill|, |position|) at the average entry, net of the pro-rata entry fees and its own fee;
 * the rest of a fill that crosses zero opens the other way. Pure; the state is plain JSON.
 */
export interface OpenLot {
  /** signed base units */
  readonly qty: number;
  readonly entry: number;
  /** entry fees not yet charged to a completed trade (USD) */
  readonly fees: number;
  readonly openedAt: number;
  readonly entryReason: string;
}

export interface FillInput {
  readonly coin: string;
  readonly side: "buy" | "sell";
  readonly qty: number;
  readonly price: number;
  readonly feeUsd: number;
  readonly ts: number;
  /** entry reason for an opening fill, exit reason for a closing one */
  readonly reason: string;
  readonly version: string;
}

export function applyFill(
  lot: OpenLot | undefined,
  f: FillInput,
): { lot: OpenLot | undefined; closed: ClosedTrade | null } {
  const signed = f.side === "buy" ? f.qty : -f.qty;
  if (lot === undefined || lot.qty === 0 || Math.sign(lot.qty) === Math.sign(signed)) {
    const held = lot?.qty ?? 0;
    const qty = held + signed;
    const entry =
      lot === undefined || held === 0
        ? f.price
        : (Math.abs(held) * lot.entry + f.qty * f.price) / Math.abs(qty);
    return {
      lot: {
        qty,
        entry,
        fees: (lot?.fees ?? 0) + f.feeUsd,
        openedAt: lot?.openedAt ?? f.ts,
        entryReason: lot?.entryReason ?? f.reason,
      },
      closed: null,
    };
  }
  const closeQty = Math.min(f.qty, Math.abs(lot.qty));
  const share = closeQty / Math.abs(lot.qty);
  const entryFees = lot.fees * share;
  const exitFee = f.feeUsd * (closeQty / f.qty);
  const dir = lot.qty > 0 ? 1 : -1;
  const pnl = dir * closeQty * (f.price - lot.entry);
  const closed: ClosedTrade = {
    coin: f.coin,
    side: dir > 0 ? "long" : "short",
    qty: closeQty,
    entry: lot.entry,
    exit: f.price,
    netUsd: pnl - entryFees - exitFee,
    feesUsd: entryFees + exitFee,
    openedAt: lot.openedAt,
    closedAt: f.ts,
    entryReason: lot.entryReason,
    exitReason: f.reason,
    version: f.version,
  };
  const left = lot.qty + signed;
  if (Math.abs(left) < 1e-12) return { lot: undefined, closed };
  if (Math.sign(left) === Math.sign(lot.qty))
    return { lot: { ...lot, qty: left, fees: lot.fees - entryFees }, closed };
  // crossed zero: the rest of the fill opens the other way with the rest of its fee
  return {
    lot: { qty: left, entry: f.price, fees: f.feeUsd - exitFee, openedAt: f.ts, entryReason: f.reason },
    closed,
  };
}

/**
 * Whether the held stop or take-profit is touched at this book: a long is closed at the bid, so
 * its bid decides; a short's ask. The stop is checked first: a gap through both is a stop.
 */
export function exitTouched(
  x: HeldExit,
  bid: number | null,
  ask: number | null,
): "stop_loss" | "take_profit" | null {
  if (x.side === "long") {
    if (bid === null) return null;
    if (bid <= x.stopLoss) return "stop_loss";
    if (x.takeProfit !== null && bid >= x.takeProfit) return "take_profit";
    return null;
  }
  if (ask === null) return null;
  if (ask >= x.stopLoss) return "stop_loss";
  if (x.takeProfit !== null && ask <= x.takeProfit) return "take_profit";
  return null;
}

export function triggerHit(t: PriceTrigger | null, price: number | null): boolean {
  if (t === null || price === null) return false;
  return t.op === "<" ? price < t.price : price > t.price;
}
