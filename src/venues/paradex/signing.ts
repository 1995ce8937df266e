/**
 * Paradex's signed messages (no I/O): the auth request that buys a JWT and the order, both
 * Starknet typed data rev 0 (typed-data.ts) under the domain
 * `StarkNetDomain{name:"Paradex", chainId, version:"1"}` — member order name, chainId, version as
 * tradeparadex/paradex-py `paradex_py/message/{auth,order}.py` builds it (its tests
 * `tests/message/test_auth.py`, `test_order.py` give the shapes reproduced in signing.test.ts).
 * The signature is Stark ECDSA over the message hash by the account's Stark key (the signer's
 * scheme "stark", src/wallets/signer.ts), sent as the decimal pair `["r","s"]`.
 */
import type { AccountSigner } from "../../core/venue-account.ts";
import { messageHash, shortStringFelt, type TypedData, type Types } from "./typed-data.ts";

export const MAINNET_CHAIN = "PRIVATE_SN_PARACLEAR_MAINNET";
export const TESTNET_CHAIN = "PRIVATE_SN_POTC_SEPOLIA";

/** prices and sizes travel as integers scaled by 1e8 (paradex-py `Order.chain_price/chain_size`) */
export const SCALE_DECIMALS = 8;

const DOMAIN_MEMBERS = [
  { name: "name", type: "felt" },
  { name: "chainId", type: "felt" },
  { name: "version", type: "felt" },
] as const;

export const AUTH_TYPES: Types = {
  StarkNetDomain: DOMAIN_MEMBERS,
  Request: [
    { name: "method", type: "felt" },
    { name: "path", type: "felt" },
    { name: "body", type: "felt" },
    { name: "timestamp", type: "felt" },
    { name: "expiration", type: "felt" },
  ],
};

export const ORDER_TYPES: Types = {
  StarkNetDomain: DOMAIN_MEMBERS,
  Order: [
    { name: "timestamp", type: "felt" },
    { name: "market", type: "felt" },
    { name: "side", type: "felt" },
    { name: "orderType", type: "felt" },
    { name: "size", type: "felt" },
    { name: "price", type: "felt" },
  ],
};

function domain(chain: string) {
  return { name: "Paradex", chainId: `0x${shortStringFelt(chain, "chain id").toString(16)}`, version: "1" };
}

/** The `Request` a client signs for `POST /v1/auth` (timestamps in seconds). */
export function authTypedData(chain: string, timestampS: number, expirationS: number): TypedData {
  return {
    types: AUTH_TYPES,
    primaryType: "Request",
    domain: domain(chain),
    message: { method: "POST", path: "/v1/auth", body: "", timestamp: timestampS, expiration: expirationS },
  };
}

export interface OrderToSign {
  /** signature time, ms */
  readonly timestampMs: number;
  readonly market: string;
  readonly side: "BUY" | "SELL";
  /** "LIMIT" | "MARKET" */
  readonly orderType: string;
  /** decimal text, e.g. "0.1" */
  readonly size: string;
  /** decimal text; "0" for a market order */
  readonly price: string;
}

const DECIMAL_RE = /^[0-9]+(\.[0-9]+)?$/;

/** A decimal text ×10^8 as an integer text ("1500" → "150000000000"); refuses finer values. */
export function scaled(value: string, field: string): string {
  if (!DECIMAL_RE.test(value)) throw new Error(`paradex: ${field} "${value}" is not a plain decimal`);
  const [whole, frac = ""] = value.split(".") as [string, string?];
  const f = frac.replace(/0+$/, "");
  if (f.length > SCALE_DECIMALS)
    throw new Error(`paradex: ${field} "${value}" has more than ${SCALE_DECIMALS} decimals`);
  return (
    BigInt(whole) * 10n ** BigInt(SCALE_DECIMALS) +
    BigInt(f.padEnd(SCALE_DECIMALS, "0") || "0")
  ).toString();
}

export function orderTypedData(chain: string, o: OrderToSign): TypedData {
  return {
    types: ORDER_TYPES,
    primaryType: "Order",
    domain: domain(chain),
    message: {
      timestamp: String(o.timestampMs),
      market: o.market,
      side: o.side === "BUY" ? "1" : "2",
      orderType: o.orderType,
      size: scaled(o.size, "size"),
      price: scaled(o.price, "price"),
    },
  };
}

/** The felt as the 32 big-endian bytes the signer takes. */
export function feltBytes(n: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(64, "0"), "hex"));
}

/** `["r","s"]` in decimal, as Paradex takes a signature (header or order field). */
export async function signTyped(signer: AccountSigner, td: TypedData, account: string): Promise<string> {
  if (signer.scheme !== "stark")
    throw new Error(`paradex: the account signer is ${signer.scheme}, a Stark key is needed`);
  const sig = await signer.sign(feltBytes(messageHash(td, account)));
  const r = BigInt(`0x${Buffer.from(sig.subarray(0, 32)).toString("hex")}`);
  const s = BigInt(`0x${Buffer.from(sig.subarray(32, 64)).toString("hex")}`);
  return JSON.stringify([r.toString(), s.toString()]);
}

export interface AuthHeaders {
  readonly "PARADEX-STARKNET-ACCOUNT": string;
  readonly "PARADEX-STARKNET-SIGNATURE": string;
  readonly "PARADEX-TIMESTAMP": string;
  readonly "PARADEX-SIGNATURE-EXPIRATION": string;
}

/** Headers of `POST /v1/auth` (docs.paradex.trade "Authentication": JWT from a signed Request). */
export async function authHeaders(
  signer: AccountSigner,
  account: string,
  chain: string,
  timestampS: number,
  expirationS: number,
): Promise<AuthHeaders> {
  return {
    "PARADEX-STARKNET-ACCOUNT": account,
    "PARADEX-STARKNET-SIGNATURE": await signTyped(
      signer,
      authTypedData(chain, timestampS, expirationS),
      account,
    ),
    "PARADEX-TIMESTAMP": String(timestampS),
    "PARADEX-SIGNATURE-EXPIRATION": String(expirationS),
  };
}
