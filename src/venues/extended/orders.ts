import { randomInt } from "node:crypto";
import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { OrderRequest } from "../../core/types.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import type { MarketSubscription } from "../../core/venue-streams.ts";
import { starkAmounts } from "./amounts.ts";
import type { ExMarket } from "./parse.ts";
import { type StarknetDomain, settlementExpirationS, signOrder } from "./signing.ts";

export interface OrderContext {
  readonly inst: Instrument;
  readonly market: ExMarket;
  readonly vault: number;
  readonly signer: AccountSigner;
  readonly domain: StarknetDomain;
  readonly maxFeeRate: string;
  /** now + the configured lifetime (ms) */
  readonly expiryEpochMillis: number;
  /** the settlement salt (a u32); random unless a test fixes it */
  readonly nonce?: number;
}

/**
 * The body of POST /user/order for one order (python_sdk NewOrderModel `to_api_request_json`):
 * `id` is the client's order id; a market order goes as an IOC LIMIT at its protection price;
 * `settlement` carries the Stark signature over the amounts the venue will settle.
 */
export async function orderBody(order: OrderRequest, c: OrderContext) {
  const ioc = order.type === "market" || order.tif === "ioc";
  const side = order.side === "buy" ? "BUY" : "SELL";
  const qty = c.inst.sizeText(order.sizeLots);
  const price = c.inst.priceText(order.priceTicks);
  const nonce = c.nonce ?? randomInt(1, 2 ** 31);
  const a = starkAmounts({
    side,
    qty,
    price,
    feeRate: c.maxFeeRate,
    syntheticResolution: c.market.l2Config.syntheticResolution,
    collateralResolution: c.market.l2Config.collateralResolution,
  });
  const { settlement } = await signOrder(
    c.signer,
    {
      positionId: c.vault,
      baseAssetId: c.market.l2Config.syntheticId,
      baseAmount: a.base,
      quoteAssetId: c.market.l2Config.collateralId,
      quoteAmount: a.quote,
      feeAssetId: c.market.l2Config.collateralId,
      feeAmount: a.fee,
      expirationS: settlementExpirationS(c.expiryEpochMillis),
      salt: BigInt(nonce),
    },
    c.domain,
  );
  return {
    id: order.clientOrderId,
    market: c.inst.symbol,
    type: "LIMIT",
    side,
    qty,
    price,
    reduceOnly: order.reduceOnly,
    postOnly: order.tif === "post_only" && !ioc,
    timeInForce: ioc ? "IOC" : "GTT",
    expiryEpochMillis: c.expiryEpochMillis,
    fee: c.maxFeeRate,
    nonce: String(nonce),
    selfTradeProtectionLevel: "ACCOUNT",
    settlement,
  };
}

/** The stream path of a subscription. */
export function streamPathOf(sub: MarketSubscription): string {
  if (sub.channel === "book") return `orderbooks/${sub.symbol}`;
  if (sub.channel === "trades") return `publicTrades/${sub.symbol}`;
  if (sub.channel === "mark") return `prices/mark/${sub.symbol}`;
  if (sub.channel === "funding") return `funding/${sub.symbol}`;
  throw new InvalidValueError(`extended: no "${sub.channel}" stream for ${sub.symbol} (subscribe its book)`);
}
