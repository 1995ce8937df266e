import type { OrderRequest } from "../../core/types.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { type EdgexMarket, signedAmounts } from "./capabilities.ts";
import {
  domainSeparator,
  type EdgexDomain,
  nonceOf,
  orderDigest,
  signerAddress,
  signOrder,
} from "./signing.ts";

/** 8 days: l2ExpireTime = expireTime + this (edgex-python-sdk order/client.py `l1_offset`). */
export const L2_EXPIRE_OFFSET_MS = 8 * 86_400_000;

const TIF = { gtc: "GOOD_TIL_CANCEL", ioc: "IMMEDIATE_OR_CANCEL", post_only: "POST_ONLY" } as const;

export interface OrderAccount {
  readonly accountId: string;
  readonly signer: AccountSigner;
}

/** Per domain: its separator, computed once. */
const separators = new WeakMap<EdgexDomain, Uint8Array>();

/**
 * The createOrder body of one order (edgex-python-sdk order/client.py `create_order`): a limit
 * order at its price; a market order (an IOC with a protection price in perpbot) is sent as a
 * LIMIT IOC at that price, so its signed amounts bound what it can pay. expireTime and
 * l2ExpireTime as the SDK sets them; l2Signature over the EIP-712 LimitOrderParams.
 */
export async function orderBody(
  m: EdgexMarket,
  domain: EdgexDomain,
  acct: OrderAccount,
  o: OrderRequest,
  nowMs: number,
  expiryMs: number,
): Promise<Record<string, string | boolean>> {
  const inst = m.instrument;
  const price = inst.priceText(o.priceTicks);
  const size = inst.sizeText(o.sizeLots);
  const a = signedAmounts(m, price, size);
  const expireTime = nowMs + expiryMs;
  const nonce = nonceOf(o.clientOrderId);
  let sep = separators.get(domain);
  if (sep === undefined) {
    sep = domainSeparator(domain);
    separators.set(domain, sep);
  }
  const digest = orderDigest(sep, {
    nonce,
    signer: signerAddress(acct.signer),
    accountId: BigInt(acct.accountId),
    expirationTimestamp: BigInt(Math.floor(expireTime / 1000)),
    amountSynthetic: a.amountSynthetic,
    amountCollateral: a.amountCollateral,
    amountFee: a.amountFee,
    assetIdSynthetic: BigInt(m.contract.contractId),
    assetIdCollateral: BigInt(m.quote.coinId),
    isBuyingSynthetic: o.side === "buy",
  });
  const tif = o.type === "market" ? "IMMEDIATE_OR_CANCEL" : TIF[o.tif];
  return {
    accountId: acct.accountId,
    contractId: m.contract.contractId,
    price,
    size,
    type: "LIMIT",
    side: o.side === "buy" ? "BUY" : "SELL",
    timeInForce: tif,
    clientOrderId: o.clientOrderId,
    expireTime: String(expireTime),
    l2Nonce: nonce.toString(),
    l2Signature: await signOrder(acct.signer, digest),
    l2ExpireTime: String(expireTime + L2_EXPIRE_OFFSET_MS),
    l2Value: a.l2Value,
    l2Size: size,
    l2LimitFee: a.l2LimitFee,
    reduceOnly: o.reduceOnly,
  };
}
