/**
 * GRVT order signing (no I/O). Sources: `gravity-technologies/grvt-pysdk`
 * `src/pysdk/grvt_raw_signing.py` (types, PRICE_MULTIPLIER, size scaling, time-in-force codes,
 * chain ids), `gravity-technologies/grvt-ts-sdk` `src/signing/domain.ts` (domain), ccxt
 * `js/src/grvt.js` (`EIP712_ORDER_TYPE`, `defaultSignature`, the wire `signature` object).
 *
 * Domain `{name:"GRVT Exchange", version:"0", chainId}` with no verifyingContract; chainId 325 on
 * mainnet, 326 on testnet. The signed struct is
 * `Order(uint64 subAccountID,bool isMarket,uint8 timeInForce,bool postOnly,bool reduceOnly,
 * OrderLeg[] legs,uint32 nonce,int64 expiration)OrderLeg(uint256 assetID,uint64 contractSize,
 * uint64 limitPrice,bool isBuyingContract)`; assetID is the instrument's `instrument_hash`,
 * contractSize = size × 10^base_decimals and limitPrice = price × 10^9, both truncated (the SDK's
 * `int(Decimal(x) * m)`), limitPrice 0 for a market order. expiration is in nanoseconds.
 */
import type { AccountSigner } from "../../core/venue-account.ts";
import { type EvmSignature, evmAddress, signDigest } from "../eip712/evm.ts";
import { domainSeparator, type TypedStruct, type TypedTypes, typedDataDigest } from "../eip712/typed-data.ts";

export const GRVT_CHAIN_IDS = { mainnet: 325, testnet: 326 } as const;
export type GrvtNetwork = keyof typeof GRVT_CHAIN_IDS;

export const PRICE_DECIMALS = 9;

export const ORDER_TYPES: TypedTypes = {
  Order: [
    { name: "subAccountID", type: "uint64" },
    { name: "isMarket", type: "bool" },
    { name: "timeInForce", type: "uint8" },
    { name: "postOnly", type: "bool" },
    { name: "reduceOnly", type: "bool" },
    { name: "legs", type: "OrderLeg[]" },
    { name: "nonce", type: "uint32" },
    { name: "expiration", type: "int64" },
  ],
  OrderLeg: [
    { name: "assetID", type: "uint256" },
    { name: "contractSize", type: "uint64" },
    { name: "limitPrice", type: "uint64" },
    { name: "isBuyingContract", type: "bool" },
  ],
};

/** The wire names and their signed codes (grvt_raw_signing.py `SignTimeInForce`). */
export const TIME_IN_FORCE = {
  GOOD_TILL_TIME: 1,
  ALL_OR_NONE: 2,
  IMMEDIATE_OR_CANCEL: 3,
  FILL_OR_KILL: 4,
} as const;
export type TimeInForce = keyof typeof TIME_IN_FORCE;

/** What signing needs to know of an instrument (from `all_instruments`). */
export interface InstrumentScale {
  readonly instrument: string;
  /** e.g. "0x030501" */
  readonly instrumentHash: string;
  readonly baseDecimals: number;
}

export interface OrderLegInput {
  readonly instrument: string;
  /** decimal string, base units */
  readonly size: string;
  /** decimal string; undefined for a market order */
  readonly limitPrice?: string;
  readonly isBuyingAsset: boolean;
}

export interface OrderInput {
  /** the trading sub-account id, decimal string */
  readonly subAccountId: string;
  readonly isMarket: boolean;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly legs: readonly OrderLegInput[];
  /** uint32 */
  readonly nonce: number;
  /** nanoseconds since the epoch */
  readonly expirationNs: bigint;
  readonly clientOrderId: string;
}

/** The wire `signature` object of a signed order (ccxt `defaultSignature` + the SDK's fields). */
export interface GrvtSignature extends EvmSignature {
  readonly signer: string;
  readonly expiration: string;
  readonly nonce: number;
  readonly chain_id: string;
}

/** `x × 10^decimals`, truncated toward zero, from a plain decimal string. */
export function scaleDecimal(x: string, decimals: number, what: string): bigint {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(x);
  if (!m) throw new RangeError(`grvt: ${what} "${x}" is not a non-negative decimal`);
  const frac = (m[2] ?? "").slice(0, decimals).padEnd(decimals, "0");
  return BigInt(m[1]) * 10n ** BigInt(decimals) + (frac === "" ? 0n : BigInt(frac));
}

function scaleOf(instruments: ReadonlyMap<string, InstrumentScale>, name: string): InstrumentScale {
  const s = instruments.get(name);
  if (s === undefined) throw new RangeError(`grvt: unknown instrument ${name}`);
  return s;
}

/** The EIP-712 message of an order, as the SDK builds it. */
export function orderMessage(
  order: OrderInput,
  instruments: ReadonlyMap<string, InstrumentScale>,
): TypedStruct {
  return {
    subAccountID: order.subAccountId,
    isMarket: order.isMarket,
    timeInForce: TIME_IN_FORCE[order.timeInForce],
    postOnly: order.postOnly,
    reduceOnly: order.reduceOnly,
    legs: order.legs.map((leg) => {
      const s = scaleOf(instruments, leg.instrument);
      return {
        assetID: s.instrumentHash,
        contractSize: scaleDecimal(leg.size, s.baseDecimals, `${leg.instrument} size`),
        limitPrice:
          leg.limitPrice === undefined
            ? 0n
            : scaleDecimal(leg.limitPrice, PRICE_DECIMALS, `${leg.instrument} price`),
        isBuyingContract: leg.isBuyingAsset,
      };
    }),
    nonce: order.nonce,
    expiration: order.expirationNs,
  };
}

const separators = new Map<number, Uint8Array>();

export function grvtDomainSeparator(chainId: number): Uint8Array {
  let sep = separators.get(chainId);
  if (sep === undefined) {
    sep = domainSeparator({ name: "GRVT Exchange", version: "0", chainId });
    separators.set(chainId, sep);
  }
  return sep;
}

export function orderDigest(
  order: OrderInput,
  instruments: ReadonlyMap<string, InstrumentScale>,
  chainId: number,
): Uint8Array {
  return typedDataDigest(
    grvtDomainSeparator(chainId),
    "Order",
    ORDER_TYPES,
    orderMessage(order, instruments),
  );
}

export async function signOrder(
  signer: AccountSigner,
  order: OrderInput,
  instruments: ReadonlyMap<string, InstrumentScale>,
  chainId: number,
): Promise<GrvtSignature> {
  const sig = await signDigest(signer, orderDigest(order, instruments, chainId), "grvt");
  return {
    signer: evmAddress(signer),
    ...sig,
    expiration: order.expirationNs.toString(),
    nonce: order.nonce,
    chain_id: String(chainId),
  };
}

/** The body of `POST full/v1/create_order` (snake-case wire shape, ccxt `createOrder`). */
export function createOrderBody(order: OrderInput, signature: GrvtSignature): Record<string, unknown> {
  return {
    order: {
      sub_account_id: order.subAccountId,
      is_market: order.isMarket,
      time_in_force: order.timeInForce,
      post_only: order.postOnly,
      reduce_only: order.reduceOnly,
      legs: order.legs.map((l) => ({
        instrument: l.instrument,
        size: l.size,
        limit_price: l.limitPrice ?? null,
        is_buying_asset: l.isBuyingAsset,
      })),
      signature,
      metadata: { client_order_id: order.clientOrderId },
    },
  };
}

/** A random uint32 nonce (the SDK draws one per order). */
export function randomNonce(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

// ---------------------------------------------------------------- wallet login

/** ccxt js/src/grvt.js `EIP712_WALLETLOGIN_TYPE`: `WalletLogin(address signer,uint32 nonce,int64 expiration)`. */
export const LOGIN_TYPES: TypedTypes = {
  WalletLogin: [
    { name: "signer", type: "address" },
    { name: "nonce", type: "uint32" },
    { name: "expiration", type: "int64" },
  ],
};

/**
 * The body of `POST auth/wallet/login` on the edge host: `{address, signature}` signed as
 * WalletLogin by the wallet itself. The answer sets the `gravity=` session cookie and names the
 * account in `X-Grvt-Account-Id` (ccxt `signInWithPrivateKey`, `handleErrors`).
 */
export async function walletLoginBody(
  signer: AccountSigner,
  nonce: number,
  expirationNs: bigint,
  chainId: number,
): Promise<{ address: string; signature: GrvtSignature }> {
  const address = evmAddress(signer);
  const digest = typedDataDigest(grvtDomainSeparator(chainId), "WalletLogin", LOGIN_TYPES, {
    signer: address,
    nonce,
    expiration: expirationNs,
  });
  const sig = await signDigest(signer, digest, "grvt login");
  return {
    address,
    signature: {
      signer: address,
      ...sig,
      expiration: expirationNs.toString(),
      nonce,
      chain_id: String(chainId),
    },
  };
}
