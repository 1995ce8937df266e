import type { Side } from "../../core/types.ts";

/**
 * The maker's decisions as pure functions of plain numbers (STRATEGIES.md section 3.2). Prices are
 * integer ticks, sizes integer lots; `direction` is the side of the opens, take-profits are the
 * other side. The strategy class only gathers the inputs and carries the answers out.
 */

export type Direction = Side;

export function tpSide(direction: Direction): Side {
  return direction === "buy" ? "sell" : "buy";
}

/** Touch as the maker reads it: both sides present. */
export interface Touch {
  readonly bidTicks: number;
  readonly askTicks: number;
}

/** Rule 1: the stop or pause line. Buy: ask >= line; sell: bid <= line. Prices as floats. */
export function lineHit(direction: Direction, bid: number, ask: number, line: number | null): boolean {
  if (line === null) return false;
  return direction === "buy" ? ask >= line : bid <= line;
}

export type PriceState = "stop" | "pause" | "ok";

export function priceState(
  direction: Direction,
  bid: number,
  ask: number,
  stopPrice: number | null,
  pausePrice: number | null,
): PriceState {
  if (lineHit(direction, bid, ask, stopPrice)) return "stop";
  if (lineHit(direction, bid, ask, pausePrice)) return "pause";
  return "ok";
}

/**
 * Rule 2: the wait before the next open, in ms after `last_open_at`; null: no open while `n`
 * take-profits rest (n >= max_orders). A take-profit filled since the last open: no wait.
 */
export function waitMs(
  n: number,
  maxOrders: number,
  waitS: number,
  tpFilledSinceOpen: boolean,
): number | null {
  if (n >= maxOrders) return null;
  if (tpFilledSinceOpen) return 0;
  const r = n / maxOrders;
  const w = waitS * 1000;
  if (r >= 2 / 3) return 2 * w;
  if (r >= 1 / 3) return w;
  if (r >= 1 / 6) return w / 2;
  return w / 4;
}

/** The take-profit price (float) for an entry price: buy entry x (1 + tp), sell entry x (1 - tp). */
export function tpPriceValue(direction: Direction, entry: number, tpBps: number): number {
  return direction === "buy" ? entry * (1 + tpBps / 10_000) : entry * (1 - tpBps / 10_000);
}

/** Keep a take-profit maker: a sell at or below the bid goes to bid + 1 tick, a buy mirrored. */
export function keepMaker(direction: Direction, tpTicks: number, touch: Touch): number {
  if (direction === "buy") return tpTicks <= touch.bidTicks ? touch.bidTicks + 1 : tpTicks;
  return tpTicks >= touch.askTicks ? touch.askTicks - 1 : tpTicks;
}

/**
 * Rule 3: the grid step. The next take-profit would sit at `ask x (1 + tp)` (buy) or
 * `bid x (1 - tp)` (sell); it must be more than `grid_step` away from the nearest resting one on
 * the inside (buy: the lowest, sell: the highest). No resting take-profit or no grid step: ok.
 */
export function gridOk(
  direction: Direction,
  touch: Touch,
  tpTicks: readonly number[],
  tpBps: number,
  gridStepBps: number | null,
): boolean {
  if (gridStepBps === null || tpTicks.length === 0) return true;
  const step = 1 + gridStepBps / 10_000;
  if (direction === "buy") {
    const next = tpPriceValue("buy", touch.askTicks, tpBps);
    return Math.min(...tpTicks) / next > step;
  }
  const next = tpPriceValue("sell", touch.bidTicks, tpBps);
  return next / Math.max(...tpTicks) > step;
}

/**
 * Rule 4: the open's price, post-only one tick inside the touch on our side of it (buy: ask - 1,
 * sell: bid + 1), never crossing or touching an own take-profit (buy: at most the lowest TP - 1).
 * Undefined: no price is left (the take-profits sit at the touch).
 */
export function openPriceTicks(
  direction: Direction,
  touch: Touch,
  tpTicks: readonly number[],
): number | undefined {
  if (direction === "buy") {
    let p = touch.askTicks - 1;
    if (tpTicks.length > 0) p = Math.min(p, Math.min(...tpTicks) - 1);
    return p >= 1 ? p : undefined;
  }
  let p = touch.bidTicks + 1;
  if (tpTicks.length > 0) p = Math.max(p, Math.max(...tpTicks) + 1);
  return p;
}

/** Rule 5: the touch moved away from a resting open (the price we would quote now is better). */
export function movedAway(
  direction: Direction,
  restingTicks: number,
  touch: Touch,
  tpTicks: readonly number[],
): boolean {
  const now = openPriceTicks(direction, touch, tpTicks);
  if (now === undefined) return false;
  return direction === "buy" ? now > restingTicks : now < restingTicks;
}

/** A resting take-profit as reconcile sees it. */
export interface RestingTp {
  readonly clientOrderId: string;
  readonly priceTicks: number;
  readonly lots: number;
}

export type ReconcilePlan =
  | { readonly kind: "ok" }
  /** d > 0: a take-profit for `lots` at the entry price x (1 +- tp) */
  | { readonly kind: "post"; readonly lots: number }
  /** d < 0: drop `dropPending` lots of pending take-profit, cancel these, then post `thenPost` */
  | {
      readonly kind: "cancel";
      readonly dropPending: number;
      readonly cancel: readonly string[];
      readonly thenPost: number;
    }
  /** the position is on the wrong side: cancel every TP, close `lots` reduce-only */
  | { readonly kind: "wrong_side"; readonly lots: number; readonly cancel: readonly string[] };

/**
 * The reconcile rule (STRATEGIES.md 3.2): `P` the position in lots in the bot's direction
 * (negative: the wrong side), `T` resting + in-flight take-profits + pending, `d = P - T`. Excess is
 * removed pending first (not sent yet), then the resting take-profits farthest from the touch.
 */
export function reconcilePlan(
  direction: Direction,
  positionLots: number,
  tps: readonly RestingTp[],
  pendingLots: number,
  touch: Touch | undefined,
): ReconcilePlan {
  if (positionLots < 0) {
    return { kind: "wrong_side", lots: -positionLots, cancel: tps.map((t) => t.clientOrderId) };
  }
  const resting = tps.reduce((s, t) => s + t.lots, 0);
  const d = positionLots - resting - pendingLots;
  if (d === 0) return { kind: "ok" };
  if (d > 0) return { kind: "post", lots: d };
  let excess = -d;
  const dropPending = Math.min(pendingLots, excess);
  excess -= dropPending;
  // farthest from the touch first: a buy bot's sell TPs from the highest down, a sell bot's mirrored
  const ref = touch === undefined ? 0 : direction === "buy" ? touch.bidTicks : touch.askTicks;
  const order = [...tps].sort(
    (a, b) => Math.abs(b.priceTicks - ref) - Math.abs(a.priceTicks - ref) || b.lots - a.lots,
  );
  const cancel: string[] = [];
  for (const t of order) {
    if (excess <= 0) break;
    cancel.push(t.clientOrderId);
    excess -= t.lots;
  }
  // the last cancel may take away more than the excess: the difference is posted again
  return { kind: "cancel", dropPending, cancel, thenPost: Math.max(0, -excess) };
}

/** The protection price of a reduce-only IOC close: the touch we cross, moved by the slippage. */
export function iocPriceValue(closeSide: Side, bid: number, ask: number, slippageBps: number): number {
  return closeSide === "sell" ? bid * (1 - slippageBps / 10_000) : ask * (1 + slippageBps / 10_000);
}
