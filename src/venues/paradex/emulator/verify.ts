/**
 * The emulator's own check of Paradex's Starknet signatures, sharing nothing with the connector's
 * typed-data or signing modules: the two message kinds Paradex takes (auth `Request`, `Order`)
 * are hashed here from SNIP-12 revision 0 as written in the SNIP (github.com/starknet-io/SNIPs
 * SNIPS/snip-12.md: type hash = starknet_keccak of the encoded type, i.e. keccak-256 masked to
 * 250 bits; struct hash = Pedersen chain over [typeHash, …members] ending with the count; message
 * hash = chain over ["StarkNet Message", domain, account, struct]), with @noble/hashes' keccak and
 * @scure/starknet's Pedersen primitive, and the signature checked with @scure/starknet's verify.
 * Orders are rebuilt from the request body as received (decimal size and price ×1e8).
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { pedersen } from "@scure/starknet";
import { verifyStarkKeySignature } from "../../starknet/verify.ts";

const MASK_250 = (1n << 250n) - 1n;

function snKeccak(text: string): bigint {
  const digest = keccak_256(new TextEncoder().encode(text));
  return BigInt(`0x${Buffer.from(digest).toString("hex")}`) & MASK_250;
}

/** ASCII short string or number text → felt */
function felt(v: string): bigint {
  if (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v);
  return BigInt(`0x${Buffer.from(v, "latin1").toString("hex") || "0"}`);
}

function chain(items: readonly bigint[]): bigint {
  let acc = 0n;
  for (const x of items) acc = BigInt(pedersen(acc, x));
  return BigInt(pedersen(acc, BigInt(items.length)));
}

const DOMAIN_TYPE = snKeccak("StarkNetDomain(name:felt,chainId:felt,version:felt)");
const REQUEST_TYPE = snKeccak("Request(method:felt,path:felt,body:felt,timestamp:felt,expiration:felt)");
const ORDER_TYPE = snKeccak(
  "Order(timestamp:felt,market:felt,side:felt,orderType:felt,size:felt,price:felt)",
);
const PREFIX = felt("StarkNet Message");

function domainHash(chainName: string): bigint {
  return chain([DOMAIN_TYPE, felt("Paradex"), felt(chainName), felt("1")]);
}

export function authHash(
  chainName: string,
  account: string,
  timestampS: string,
  expirationS: string,
): bigint {
  const s = chain([
    REQUEST_TYPE,
    felt("POST"),
    felt("/v1/auth"),
    0n,
    BigInt(timestampS),
    BigInt(expirationS),
  ]);
  return chain([PREFIX, domainHash(chainName), BigInt(account), s]);
}

/** "0.1" → 10000000n; undefined when not a decimal with at most 8 places */
export function e8(text: string): bigint | undefined {
  const m = /^([0-9]+)(?:\.([0-9]{1,8}))?$/.exec(text);
  if (m === null) return undefined;
  return BigInt(m[1]!) * 100_000_000n + BigInt((m[2] ?? "").padEnd(8, "0"));
}

export interface SignedOrderFields {
  readonly signatureTimestamp: number;
  readonly market: string;
  readonly side: string;
  readonly type: string;
  readonly size: bigint;
  readonly price: bigint;
}

export function orderHash(chainName: string, account: string, o: SignedOrderFields): bigint {
  const side = o.side === "BUY" ? 1n : 2n;
  const s = chain([
    ORDER_TYPE,
    BigInt(o.signatureTimestamp),
    felt(o.market),
    side,
    felt(o.type),
    o.size,
    o.price,
  ]);
  return chain([PREFIX, domainHash(chainName), BigInt(account), s]);
}

/** A `["r","s"]` decimal (or hex) pair → whether it is the Stark key's (x only) signature of `hash`. */
export function checkSignature(text: unknown, hash: bigint, publicKeyHex: string): boolean {
  let pair: unknown = text;
  if (typeof text === "string") {
    try {
      pair = JSON.parse(text);
    } catch {
      return false;
    }
  }
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((x) => typeof x === "string")) return false;
  try {
    return verifyStarkKeySignature(BigInt(pair[0] as string), BigInt(pair[1] as string), hash, publicKeyHex);
  } catch {
    return false;
  }
}
