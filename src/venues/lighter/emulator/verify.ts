/**
 * What the Lighter emulator checks in each transaction, written from the venue's rules (lighter-go
 * `types/txtypes/*.go` Validate(); VENUES.md §2.2, §2.6) and sharing nothing with the connector:
 * every field's presence, type and range, the account and its registered API key, the nonce
 * (the key's next, exactly), the transaction's expiry, and for ChangePubKey the account owner's
 * L1 signature (EIP-191 `personal_sign` over the message lighter-go builds), recovered here with
 * noble; auth tokens, their signature included. The Schnorr signature `Sig` of a transaction is
 * checked by the sequencer (schnorr/).
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { AccountRecord, LtEngine } from "./engine.ts";
import { verifyLighterAuthToken } from "./schnorr/verify.ts";

/** A refusal: the venue's code and message (HTTP 400). */
export interface TxRefusal {
  readonly code: number;
  readonly message: string;
}

/** Error codes the emulator answers (cx `lighter.js` where it names them; the rest are this emulator's). */
export const CODES = {
  invalidTxInfo: 21100,
  accountNotFound: 21102,
  invalidNonce: 21104,
  apiKeyNotFound: 21109,
  invalidSignature: 21120,
  invalidL1Signature: 21121,
  invalidMarket: 21600,
  invalidAmount: 21706,
  invalidPrice: 21707,
  invalidExpiry: 21711,
  clientOrderIndexExists: 21728,
  invalidAuth: 20013,
  tooManyRequests: 23000,
} as const;

export type SignatureVerifier = (
  txType: number,
  txInfo: Record<string, unknown>,
  publicKeyHex: string,
) => string | undefined;

const MAX_U48 = 2 ** 48 - 1;
const MIN_ORDER_EXPIRY_MS = 5 * 60_000;
const MAX_ORDER_EXPIRY_MS = 30 * 86_400_000;
/** a signed transaction may be valid this far ahead at most (the official signer sets ~10 min) */
const MAX_TX_AHEAD_MS = 60 * 60_000;

const refuse = (code: number, message: string): TxRefusal => ({ code, message });

type Fields = Record<string, unknown>;

function intField(info: Fields, name: string, min: number, max: number): number | TxRefusal {
  const v = info[name];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max)
    return refuse(
      CODES.invalidTxInfo,
      `${name} must be an integer in [${min}, ${max}], got ${typeof v === "bigint" ? v : JSON.stringify(v)}`,
    );
  return v;
}

/** The fields every L2 transaction carries, the key it names, its nonce and expiry. */
export function checkCommon(
  engine: LtEngine,
  info: Fields,
  expected: readonly string[],
): { account: AccountRecord; apiKeyIndex: number; nonce: number } | TxRefusal {
  const extra = Object.keys(info).filter((k) => !expected.includes(k));
  if (extra.length > 0) return refuse(CODES.invalidTxInfo, `unexpected tx_info field(s) ${extra.join(", ")}`);
  const missing = expected.filter((k) => !(k in info));
  if (missing.length > 0) return refuse(CODES.invalidTxInfo, `tx_info lacks ${missing.join(", ")}`);
  const accountIndex = intField(info, "AccountIndex", 0, MAX_U48);
  if (typeof accountIndex !== "number") return accountIndex;
  const apiKeyIndex = intField(info, "ApiKeyIndex", 0, 254);
  if (typeof apiKeyIndex !== "number") return apiKeyIndex;
  const nonce = intField(info, "Nonce", 0, Number.MAX_SAFE_INTEGER);
  if (typeof nonce !== "number") return nonce;
  const expiredAt = intField(info, "ExpiredAt", 0, Number.MAX_SAFE_INTEGER);
  if (typeof expiredAt !== "number") return expiredAt;
  const now = engine.clock.now();
  if (expiredAt <= now)
    return refuse(CODES.invalidExpiry, `transaction expired at ${expiredAt} (now ${now})`);
  if (expiredAt > now + MAX_TX_AHEAD_MS)
    return refuse(CODES.invalidExpiry, `ExpiredAt ${expiredAt} is more than an hour ahead`);
  if (typeof info.Sig !== "string" || Buffer.from(info.Sig, "base64").length !== 80)
    return refuse(CODES.invalidSignature, "Sig must be 80 bytes of base64 (s ‖ e)");
  const account = engine.accounts.get(accountIndex);
  if (account === undefined) return refuse(CODES.accountNotFound, `account ${accountIndex} not found`);
  return { account, apiKeyIndex, nonce };
}

/** The key is registered and `nonce` is its next. */
export function checkKeyAndNonce(
  account: AccountRecord,
  apiKeyIndex: number,
  nonce: number,
): TxRefusal | undefined {
  const key = account.keys.get(apiKeyIndex);
  if (key === undefined)
    return refuse(
      CODES.apiKeyNotFound,
      `api key ${apiKeyIndex} of account ${account.index} is not registered`,
    );
  if (nonce !== key.nextNonce)
    return refuse(CODES.invalidNonce, `invalid nonce ${nonce}: expected ${key.nextNonce}`);
  return undefined;
}

export const CREATE_ORDER_FIELDS = [
  "AccountIndex",
  "ApiKeyIndex",
  "MarketIndex",
  "ClientOrderIndex",
  "BaseAmount",
  "Price",
  "IsAsk",
  "Type",
  "TimeInForce",
  "ReduceOnly",
  "TriggerPrice",
  "OrderExpiry",
  "ExpiredAt",
  "Nonce",
  "Sig",
] as const;

export interface OrderFields {
  readonly marketId: number;
  readonly clientOrderIndex: number;
  readonly baseAmount: number;
  readonly price: number;
  readonly isAsk: boolean;
  readonly timeInForce: 0 | 1 | 2;
  readonly reduceOnly: boolean;
  readonly orderExpiry: number;
}

/** A CreateOrder's own fields (limit orders: Type 0; market orders Type 1 are refused here). */
export function checkCreateOrder(engine: LtEngine, info: Fields): OrderFields | TxRefusal {
  const marketId = intField(info, "MarketIndex", 0, 65_535);
  if (typeof marketId !== "number") return marketId;
  const m = engine.byId.get(marketId);
  if (m === undefined) return refuse(CODES.invalidMarket, `market ${marketId} does not exist`);
  const coi = intField(info, "ClientOrderIndex", 1, MAX_U48);
  if (typeof coi !== "number") return coi;
  const base = intField(info, "BaseAmount", 1, MAX_U48);
  if (typeof base !== "number") return refuse(CODES.invalidAmount, (base as TxRefusal).message);
  const price = intField(info, "Price", 1, 2 ** 32 - 1);
  if (typeof price !== "number") return refuse(CODES.invalidPrice, (price as TxRefusal).message);
  const isAsk = intField(info, "IsAsk", 0, 1);
  if (typeof isAsk !== "number") return isAsk;
  const type = intField(info, "Type", 0, 6);
  if (typeof type !== "number") return type;
  if (type !== 0)
    return refuse(CODES.invalidTxInfo, `order Type ${type}: the emulator takes limit orders (0) only`);
  const tif = intField(info, "TimeInForce", 0, 2);
  if (typeof tif !== "number") return tif;
  // min_base_amount is the minimum of orders that rest (Ld "Market data": "Order minimums (maker
  // orders)"); an IOC may be smaller
  const minLots = Math.round(Number(m.minBase) * 10 ** m.sizeDecimals);
  if (tif !== 0 && base < minLots)
    return refuse(
      CODES.invalidAmount,
      `BaseAmount ${base} is below the market's minimum ${minLots} for a resting order`,
    );
  const reduceOnly = intField(info, "ReduceOnly", 0, 1);
  if (typeof reduceOnly !== "number") return reduceOnly;
  const trigger = intField(info, "TriggerPrice", 0, 0);
  if (typeof trigger !== "number")
    return refuse(CODES.invalidTxInfo, "TriggerPrice must be 0 for a limit order");
  const expiry = intField(info, "OrderExpiry", 0, Number.MAX_SAFE_INTEGER);
  if (typeof expiry !== "number") return expiry;
  const now = engine.clock.now();
  if (tif === 0 && expiry !== 0) return refuse(CODES.invalidExpiry, "OrderExpiry must be 0 for an IOC order");
  if (tif !== 0 && (expiry < now + MIN_ORDER_EXPIRY_MS || expiry > now + MAX_ORDER_EXPIRY_MS))
    return refuse(CODES.invalidExpiry, `OrderExpiry ${expiry} must be 5 minutes to 30 days ahead`);
  return {
    marketId,
    clientOrderIndex: coi,
    baseAmount: base,
    price,
    isAsk: isAsk === 1,
    timeInForce: tif as 0 | 1 | 2,
    reduceOnly: reduceOnly === 1,
    orderExpiry: expiry,
  };
}

export const CANCEL_ORDER_FIELDS = [
  "AccountIndex",
  "ApiKeyIndex",
  "MarketIndex",
  "Index",
  "ExpiredAt",
  "Nonce",
  "Sig",
];
export const UPDATE_LEVERAGE_FIELDS = [
  "AccountIndex",
  "ApiKeyIndex",
  "MarketIndex",
  "InitialMarginFraction",
  "MarginMode",
  "ExpiredAt",
  "Nonce",
  "Sig",
];
export const CHANGE_PUB_KEY_FIELDS = [
  "AccountIndex",
  "ApiKeyIndex",
  "PubKey",
  "L1Sig",
  "ExpiredAt",
  "Nonce",
  "Sig",
];

export { intField };

const hex16 = (n: number) => `0x${n.toString(16).padStart(16, "0")}`;

/** The text the account's L1 key signs for ChangePubKey (lighter-go `change_pub_key.go`, as the official signer prints it). */
export function changePubKeyMessage(
  pubKeyHex: string,
  nonce: number,
  accountIndex: number,
  apiKeyIndex: number,
): string {
  return [
    "Register Lighter Account",
    "",
    `pubkey: 0x${pubKeyHex}`,
    `nonce: ${hex16(nonce)}`,
    `account index: ${hex16(accountIndex)}`,
    `api key index: ${hex16(apiKeyIndex)}`,
    "Only sign this message for a trusted client!",
  ].join("\n");
}

/** The address whose key made `signatureHex` (65 bytes r ‖ s ‖ v) over `message` with EIP-191, or undefined. */
export function recoverPersonalSigner(message: string, signatureHex: string): string | undefined {
  const bytes = Buffer.from(signatureHex.replace(/^0x/, ""), "hex");
  if (bytes.length !== 65) return undefined;
  const text = Buffer.from(message, "utf8");
  const digest = keccak_256(
    Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${text.length}`, "utf8"), text]),
  );
  const v = bytes[64];
  const recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) return undefined;
  try {
    const r = BigInt(`0x${bytes.subarray(0, 32).toString("hex")}`);
    const s = BigInt(`0x${bytes.subarray(32, 64).toString("hex")}`);
    const pub = new secp256k1.Signature(r, s, recovery).recoverPublicKey(digest).toBytes(false);
    return `0x${Buffer.from(keccak_256(pub.subarray(1)).subarray(12)).toString("hex")}`;
  } catch {
    return undefined;
  }
}

/** tokens whose signature verified, by "token key" (a token is reused for many reads; a check costs ~2 ms) */
const verifiedTokens = new Set<string>();

/**
 * An auth token `"{deadline}:{account}:{apiKeyIndex}:{sig}"`: well formed, not expired, at most
 * 8 h ahead (Ld), naming a registered key, and signed by that key (Schnorr over the first three
 * parts, schnorr/). Returns the account index, or a refusal.
 */
export function checkAuthToken(engine: LtEngine, token: string | undefined): number | TxRefusal {
  if (token === undefined || token === "") return refuse(CODES.invalidAuth, "auth token required");
  const m = /^(\d+):(\d+):(\d+):([0-9a-f]+)$/.exec(token);
  if (!m) return refuse(CODES.invalidAuth, "malformed auth token");
  const deadlineMs = Number(m[1]) * 1000;
  const now = engine.clock.now();
  if (deadlineMs <= now) return refuse(CODES.invalidAuth, "auth token expired");
  if (deadlineMs > now + 8 * 3_600_000 + 60_000)
    return refuse(CODES.invalidAuth, "auth token deadline is more than 8 h ahead");
  const account = engine.accounts.get(Number(m[2]));
  if (account === undefined || !account.keys.has(Number(m[3])))
    return refuse(
      CODES.invalidAuth,
      `auth token names api key ${m[3]} of account ${m[2]}, which is not registered`,
    );
  const publicKey = account.keys.get(Number(m[3]))!.publicKey;
  const seen = `${token} ${publicKey}`;
  if (!verifiedTokens.has(seen)) {
    const checked = verifyLighterAuthToken(token, publicKey);
    if (typeof checked === "string")
      return refuse(
        CODES.invalidAuth,
        `auth token is not signed by the registered api key ${m[3]} of account ${m[2]}: ${checked}`,
      );
    if (verifiedTokens.size >= 10_000) verifiedTokens.clear();
    verifiedTokens.add(seen);
  }
  return account.index;
}
