import type { Instrument } from "../../core/instrument.ts";
import type { MutableBook } from "../../core/market.ts";
import { availableMargin, type MarginContext } from "./margin.ts";
import type { LeverageSetting, OrderState, SimState } from "./state.ts";

/** What the pre-trade checks read of the exchange core (so the two files do not import each other). */
export interface PreTradeContext extends MarginContext {
  readonly state: SimState;
  readonly config: { readonly books: ReadonlyMap<string, MutableBook> };
  /** lots a reduce-only order may still fill */
  reducibleLots(order: OrderState): number;
  settingOf(account: string, symbol: string): LeverageSetting;
}

/**
 * The venue's checks of a new (or amended) order before it reaches the book, in the order the
 * venue applies them: post-only that would cross, reduce-only with nothing to reduce, minimum
 * notional, then initial margin for the exposure it adds.
 */
/** [reason, message] when the order is refused before it reaches the book. */
export function preTradeCheck(
  x: PreTradeContext,
  order: OrderState,
  inst: Instrument,
): [string, string] | undefined {
  const book = x.config.books.get(order.symbol)!;
  const crosses = order.side === "buy" ? book.bestAskTicks() : book.bestBidTicks();
  if (order.tif === "post_only" && crosses !== undefined) {
    if (order.side === "buy" ? order.priceTicks >= crosses : order.priceTicks <= crosses) {
      return [
        "post_only_would_cross",
        `post-only ${order.side} at ${inst.priceText(order.priceTicks)} crosses`,
      ];
    }
  }
  if (order.reduceOnly) {
    if (x.reducibleLots(order) === 0) {
      return [
        "reduce_only_would_increase",
        `reduce-only ${order.side} on ${order.symbol} has no position to reduce`,
      ];
    }
    return undefined;
  }
  const notionalUsd = inst.sizeValue(order.sizeLots) * inst.priceValue(order.priceTicks);
  if (notionalUsd < inst.spec.minNotionalUsd) {
    return ["min_notional", `notional ${notionalUsd} USD is below the minimum ${inst.spec.minNotionalUsd}`];
  }
  const pos = x.state.position(order.account, order.symbol)?.sizeLots ?? 0;
  const after = pos + (order.side === "buy" ? order.sizeLots : -order.sizeLots);
  const increase = Math.max(0, Math.abs(after) - Math.abs(pos));
  if (increase === 0) return undefined;
  const setting = x.settingOf(order.account, order.symbol);
  const required = (inst.sizeValue(increase) * inst.priceValue(order.priceTicks)) / setting.leverage;
  const available = x.state.accounts.has(order.account) ? availableMargin(x.state, order.account, x) : 0;
  if (required > available) {
    return [
      "insufficient_margin",
      `order needs ${required.toFixed(6)} USD of margin, ${Math.max(0, available).toFixed(6)} available`,
    ];
  }
  return undefined;
}
