/**
 * Extended (x10) settlement signing (no I/O). An order carries a Stark signature over an
 * off-chain message in SNIP-12 revision 1 form (Poseidon):
 *   msgHash   = poseidon("StarkNet Message", domainHash, starkPublicKey, orderHash)
 *   domain    = poseidon(sel(StarknetDomain), name, version, chainId, revision)   (revision: the integer 1)
 *   orderHash = poseidon(sel(Order), position_id, base_asset_id, base_amount, quote_asset_id,
 *                        quote_amount, fee_asset_id, fee_amount, expiration, salt)
 * sel(T) = starknet_keccak of the literal type text below; i64 amounts go in as P − |x| when
 * negative; the nested PositionId/AssetId/Timestamp contribute their single value (Cairo's Hash
 * derive). Source: x10xchange/rust-crypto-lib-base src/starknet_messages.rs (HEAD, commit
 * "update StarknetDomain revision hashing to int instead of shortstring"); the Python SDK
 * x10xchange/python_sdk x10/perpetual/order_object_settlement.py gives the amounts, rounding
 * and the settlement expiration (order expiry + 14 days, seconds, rounded up).
 * The signature is the account signer's (scheme "stark", src/wallets/signer.ts: RFC 6979 Stark
 * ECDSA), sent as 0x-hex r and s in the order's `settlement`.
 */
import { keccak, poseidonHashMany } from "@scure/starknet";
import type { AccountSigner } from "../../core/venue-account.ts";
import { feltBytes, feltHex, feltOf, shortStringFelt, signedFelt, unsignedFelt } from "../starknet/felt.ts";

export interface StarknetDomain {
  readonly name: string;
  readonly version: string;
  readonly chainId: string;
  readonly revision: number;
}

/** python_sdk x10/perpetual/configuration.py MAINNET_CONFIG / TESTNET_CONFIG `starknet_domain` */
export const MAINNET_DOMAIN: StarknetDomain = {
  name: "Perpetuals",
  version: "v0",
  chainId: "SN_MAIN",
  revision: 1,
};
export const TESTNET_DOMAIN: StarknetDomain = {
  name: "Perpetuals",
  version: "v0",
  chainId: "SN_SEPOLIA",
  revision: 1,
};

/** The literal type texts whose starknet_keccak is each struct's selector (rust-crypto-lib-base). */
export const DOMAIN_TYPE =
  '"StarknetDomain"("name":"shortstring","version":"shortstring","chainId":"shortstring","revision":"shortstring")';
export const ORDER_TYPE =
  '"Order"("position_id":"felt","base_asset_id":"AssetId","base_amount":"i64","quote_asset_id":"AssetId","quote_amount":"i64","fee_asset_id":"AssetId","fee_amount":"u64","expiration":"Timestamp","salt":"felt")"PositionId"("value":"u32")"AssetId"("value":"felt")"Timestamp"("seconds":"u64")';
export const TRANSFER_TYPE =
  '"TransferArgs"("recipient":"PositionId","position_id":"PositionId","collateral_id":"AssetId","amount":"u64","expiration":"Timestamp","salt":"felt")"PositionId"("value":"u32")"AssetId"("value":"felt")"Timestamp"("seconds":"u64")';

export function selector(typeText: string): bigint {
  return keccak(new TextEncoder().encode(typeText));
}

const DOMAIN_SELECTOR = selector(DOMAIN_TYPE);
const ORDER_SELECTOR = selector(ORDER_TYPE);
const TRANSFER_SELECTOR = selector(TRANSFER_TYPE);
const MESSAGE_PREFIX = shortStringFelt("StarkNet Message");

export function domainHash(d: StarknetDomain): bigint {
  return poseidonHashMany([
    DOMAIN_SELECTOR,
    shortStringFelt(d.name, "domain.name"),
    shortStringFelt(d.version, "domain.version"),
    shortStringFelt(d.chainId, "domain.chainId"),
    unsignedFelt(BigInt(d.revision), 32, "domain.revision"),
  ]);
}

const domainCache = new Map<string, bigint>();
function cachedDomainHash(d: StarknetDomain): bigint {
  const key = `${d.name}|${d.version}|${d.chainId}|${d.revision}`;
  let h = domainCache.get(key);
  if (h === undefined) {
    h = domainHash(d);
    domainCache.set(key, h);
  }
  return h;
}

/** The signed fields of an order, in the venue's integer units. */
export interface OrderMessage {
  /** the account's collateral position (`l2Vault`), a u32 */
  readonly positionId: number;
  readonly baseAssetId: bigint | string;
  /** signed: positive when buying the synthetic */
  readonly baseAmount: bigint;
  readonly quoteAssetId: bigint | string;
  /** signed: negative when buying (collateral paid) */
  readonly quoteAmount: bigint;
  readonly feeAssetId: bigint | string;
  readonly feeAmount: bigint;
  /** settlement expiration, seconds */
  readonly expirationS: number;
  readonly salt: bigint;
}

export function orderHash(o: OrderMessage): bigint {
  return poseidonHashMany([
    ORDER_SELECTOR,
    unsignedFelt(BigInt(o.positionId), 32, "order.position_id"),
    feltOf(o.baseAssetId, "order.base_asset_id"),
    signedFelt(o.baseAmount, 64, "order.base_amount"),
    feltOf(o.quoteAssetId, "order.quote_asset_id"),
    signedFelt(o.quoteAmount, 64, "order.quote_amount"),
    feltOf(o.feeAssetId, "order.fee_asset_id"),
    unsignedFelt(o.feeAmount, 64, "order.fee_amount"),
    unsignedFelt(BigInt(o.expirationS), 64, "order.expiration"),
    feltOf(o.salt, "order.salt"),
  ]);
}

export interface TransferMessage {
  readonly recipient: number;
  readonly positionId: number;
  readonly collateralId: bigint | string;
  readonly amount: bigint;
  readonly expirationS: number;
  readonly salt: bigint;
}

/** TransferArgs (not sent by this connector; hashed to reproduce the library's vectors). */
export function transferHash(t: TransferMessage): bigint {
  return poseidonHashMany([
    TRANSFER_SELECTOR,
    unsignedFelt(BigInt(t.recipient), 32, "transfer.recipient"),
    unsignedFelt(BigInt(t.positionId), 32, "transfer.position_id"),
    feltOf(t.collateralId, "transfer.collateral_id"),
    unsignedFelt(t.amount, 64, "transfer.amount"),
    unsignedFelt(BigInt(t.expirationS), 64, "transfer.expiration"),
    feltOf(t.salt, "transfer.salt"),
  ]);
}

/** poseidon("StarkNet Message", domain, public key, struct hash) */
export function messageHash(structHash: bigint, domain: StarknetDomain, publicKey: bigint | string): bigint {
  return poseidonHashMany([
    MESSAGE_PREFIX,
    cachedDomainHash(domain),
    feltOf(publicKey, "stark key"),
    structHash,
  ]);
}

export function orderMessageHash(
  o: OrderMessage,
  domain: StarknetDomain,
  publicKey: bigint | string,
): bigint {
  return messageHash(orderHash(o), domain, publicKey);
}

const FOURTEEN_DAYS_MS = 14 * 86_400_000;

/** The signed expiration: the order's expiry plus 14 days, in seconds, rounded up. */
export function settlementExpirationS(expiryEpochMillis: number): number {
  return Math.ceil((expiryEpochMillis + FOURTEEN_DAYS_MS) / 1000);
}

export interface Settlement {
  readonly signature: { readonly r: string; readonly s: string };
  readonly starkKey: string;
  readonly collateralPosition: string;
}

/** Sign an order message: its hash (the SDK's default order id, decimal) and the settlement. */
export async function signOrder(
  signer: AccountSigner,
  o: OrderMessage,
  domain: StarknetDomain,
): Promise<{ hash: bigint; settlement: Settlement }> {
  if (signer.scheme !== "stark")
    throw new Error(`extended: orders are signed by a stark key, not ${signer.scheme}`);
  const starkKey = BigInt(`0x${signer.publicKey}`);
  const hash = orderMessageHash(o, domain, starkKey);
  const sig = await signer.sign(feltBytes(hash));
  const hex = Buffer.from(sig).toString("hex");
  return {
    hash,
    settlement: {
      signature: { r: feltHex(BigInt(`0x${hex.slice(0, 64)}`)), s: feltHex(BigInt(`0x${hex.slice(64)}`)) },
      starkKey: feltHex(starkKey),
      collateralPosition: String(o.positionId),
    },
  };
}
