import type { Instrument } from "../../core/instrument.ts";
import type { MutableBook } from "../../core/market.ts";
import type { OrderRequest } from "../../core/types.ts";

/** Input checks and market-data helpers of the exchange core. */

export /** A message naming what is wrong with the request, or undefined when it is well formed. */
function validate(req: OrderRequest, inst: Instrument | undefined): string | undefined {
  if (inst === undefined) return `unknown symbol "${req.symbol}"`;
  if (typeof req.clientOrderId !== "string" || req.clientOrderId === "")
    return "clientOrderId must be a non-empty string";
  if (typeof req.account !== "string" || req.account === "") return "account must be a non-empty string";
  if (req.side !== "buy" && req.side !== "sell") return `side "${String(req.side)}" must be buy or sell`;
  if (req.type !== "limit" && req.type !== "market")
    return `type "${String(req.type)}" must be limit or market`;
  if (req.tif !== "gtc" && req.tif !== "ioc" && req.tif !== "post_only")
    return `tif "${String(req.tif)}" is unknown`;
  if (!Number.isSafeInteger(req.priceTicks) || req.priceTicks <= 0) {
    return `priceTicks ${req.priceTicks} must be a positive integer (ticks of ${inst.spec.tickSize})`;
  }
  if (!Number.isSafeInteger(req.sizeLots) || req.sizeLots <= 0) {
    return `sizeLots ${req.sizeLots} must be a positive integer (lots of ${inst.spec.lotSize})`;
  }
  return undefined;
}

export /** A best-bid/offer update: drop levels inside the new touch, then set the touch. */
function applyBbo(
  inst: Instrument,
  book: MutableBook,
  bidPx: number,
  bidSz: number,
  askPx: number,
  askSz: number,
) {
  const bid = inst.roundPrice(bidPx, "buy", "nearest");
  const ask = inst.roundPrice(askPx, "sell", "nearest");
  // the stale levels are the best ones, removed best first (per BBO event: no list, no closure);
  // the bids go before the asks, which removing a bid cannot change
  for (let t = book.bestBidTicks(); t !== undefined && t > bid; t = book.bestBidTicks())
    book.setLevel("bid", t, 0);
  for (let t = book.bestAskTicks(); t !== undefined && t < ask; t = book.bestAskTicks())
    book.setLevel("ask", t, 0);
  book.setLevel("bid", bid, bidSz);
  book.setLevel("ask", ask, askSz);
}
