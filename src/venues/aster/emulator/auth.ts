/**
 * The Aster emulator's request authentication, written from the venue's documents and sharing
 * nothing with the connector's signer (../signing.ts): noble's secp256k1 recovery and keccak.
 *
 * V3 (asterdex/api-docs futures-v3 "general-info"): the request's parameter text, taken from the
 * raw bytes (query for GET/DELETE, body otherwise), ends in `&signature=0x<r‖s‖v>`; what is before
 * it is hashed verbatim as EIP-712 Message{string msg} in domain AsterSignTransaction/1/1666/0x0.
 * The recovered address must be the `signer` parameter, an API wallet the `user` approved; the
 * `nonce` (µs) must lie within ±10 s of the server's time and not be one of the user's last 100
 * (a nonce below the smallest kept, once 100 are kept, is refused as expired).
 *
 * V1 (Binance's scheme): X-MBX-APIKEY names a registered key; `signature` = hex HMAC-SHA256 of
 * query ‖ body without the signature; `timestamp` (ms) must be < server time + 1 s and no older
 * than `recvWindow` (default 5000, at most 60 000).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";

const UTF8 = new TextEncoder();
const kc = (...parts: Uint8Array[]) => {
  const h = keccak_256.create();
  for (const p of parts) h.update(p);
  return h.digest();
};

function uint256(n: number): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setBigUint64(24, BigInt(n));
  return out;
}

const DOMAIN_SEPARATOR = kc(
  kc(UTF8.encode("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")),
  kc(UTF8.encode("AsterSignTransaction")),
  kc(UTF8.encode("1")),
  uint256(1666),
  new Uint8Array(32),
);
const MESSAGE_TYPEHASH = kc(UTF8.encode("Message(string msg)"));

/** The EIP-712 digest of one V3 message text. */
export function messageDigest(msg: string): Uint8Array {
  return kc(Uint8Array.of(0x19, 0x01), DOMAIN_SEPARATOR, kc(MESSAGE_TYPEHASH, kc(UTF8.encode(msg))));
}

/** The address that produced a 65-byte r‖s‖v signature (v 27/28 or 0/1) over `msg`, or undefined. */
export function recoverAddress(msg: string, sigHex: string): string | undefined {
  if (!/^0x[0-9a-fA-F]{130}$/.test(sigHex)) return undefined;
  const raw = Buffer.from(sigHex.slice(2), "hex");
  const v = raw[64] >= 27 ? raw[64] - 27 : raw[64];
  if (v !== 0 && v !== 1) return undefined;
  try {
    const sig = secp256k1.Signature.fromBytes(raw.subarray(0, 64), "compact").addRecoveryBit(v);
    const pub = sig.recoverPublicKey(messageDigest(msg)).toBytes(false);
    return `0x${Buffer.from(kc(pub.subarray(1)).subarray(12)).toString("hex")}`;
  } catch {
    return undefined;
  }
}

export type AuthResult =
  | { readonly ok: true; readonly user: string; readonly params: URLSearchParams }
  | { readonly ok: false; readonly status: number; readonly code: number; readonly msg: string };

const refuse = (status: number, code: number, msg: string): AuthResult => ({ ok: false, status, code, msg });

/** Per user: the last `keep` nonces (µs). */
export class NonceBook {
  readonly keep: number;
  readonly windowMs: number;
  readonly #seen = new Map<string, number[]>();

  constructor(keep = 100, windowMs = 10_000) {
    this.keep = keep;
    this.windowMs = windowMs;
  }

  check(user: string, nonce: number, nowMs: number): string | undefined {
    if (Math.abs(nonce / 1000 - nowMs) > this.windowMs)
      return `nonce ${nonce} is more than ${this.windowMs / 1000} s from the server's time`;
    const list = this.#seen.get(user) ?? [];
    if (list.includes(nonce)) return `nonce ${nonce} was used already`;
    if (list.length >= this.keep && nonce < list[0]) return `nonce ${nonce} is below the smallest kept`;
    list.push(nonce);
    list.sort((a, b) => a - b);
    if (list.length > this.keep) list.shift();
    this.#seen.set(user, list);
    return undefined;
  }
}

export interface Registry {
  /** user (lower case) → approved API wallets (lower case) */
  readonly agents: Map<string, Set<string>>;
  /** V1 API key → its secret and user */
  readonly hmacKeys: Map<string, { readonly secret: string; readonly user: string }>;
}

/** Split `text` at its last `&signature=` (or a leading `signature=`). */
function cutSignature(text: string): { signed: string; signature: string } | undefined {
  const at = text.lastIndexOf("&signature=");
  if (at >= 0) return { signed: text.slice(0, at), signature: text.slice(at + 11) };
  if (text.startsWith("signature=")) return { signed: "", signature: text.slice(10) };
  return undefined;
}

export function verifyV3(text: string, reg: Registry, nonces: NonceBook, nowMs: number): AuthResult {
  const cut = cutSignature(text);
  if (cut === undefined)
    return refuse(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
  const params = new URLSearchParams(cut.signed);
  for (const k of ["nonce", "user", "signer"])
    if (!params.get(k))
      return refuse(400, -1102, `Mandatory parameter '${k}' was not sent, was empty/null, or malformed.`);
  const user = params.get("user")!.toLowerCase();
  const signer = params.get("signer")!.toLowerCase();
  const nonce = Number(params.get("nonce"));
  if (!Number.isSafeInteger(nonce))
    return refuse(400, -1100, "Illegal characters found in parameter 'nonce'.");
  const recovered = recoverAddress(cut.signed, decodeURIComponent(cut.signature));
  if (recovered === undefined || recovered !== signer)
    return refuse(400, -1022, "Signature for this request is not valid.");
  if (!reg.agents.get(user)?.has(signer))
    return refuse(401, -2015, "Invalid API-key, IP, or permissions for action.");
  const bad = nonces.check(user, nonce, nowMs);
  if (bad !== undefined)
    return refuse(400, -1021, `Timestamp for this request is outside of the recvWindow (${bad}).`);
  return { ok: true, user, params };
}

export function verifyV1(
  query: string,
  body: string,
  apiKey: string | undefined,
  reg: Registry,
  nowMs: number,
): AuthResult {
  if (apiKey === undefined || apiKey === "") return refuse(401, -2014, "API-key format invalid.");
  const key = reg.hmacKeys.get(apiKey);
  if (key === undefined) return refuse(401, -2015, "Invalid API-key, IP, or permissions for action.");
  const inBody = cutSignature(body);
  const inQuery = inBody === undefined ? cutSignature(query) : undefined;
  const signature = inBody?.signature ?? inQuery?.signature;
  if (signature === undefined)
    return refuse(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
  const signed = inBody !== undefined ? query + inBody.signed : (inQuery?.signed ?? "") + body;
  const want = createHmac("sha256", key.secret).update(signed).digest();
  const got = Buffer.from(signature, "hex");
  if (got.length !== want.length || !timingSafeEqual(got, want))
    return refuse(400, -1022, "Signature for this request is not valid.");
  const params = new URLSearchParams(
    inBody !== undefined ? `${query}&${inBody.signed}` : `${inQuery?.signed ?? ""}&${body}`,
  );
  const ts = Number(params.get("timestamp"));
  const window = Number(params.get("recvWindow") ?? 5000);
  if (!Number.isFinite(ts))
    return refuse(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
  if (!(window > 0 && window <= 60_000)) return refuse(400, -1131, "recvWindow must be less than 60000");
  if (ts >= nowMs + 1000 || nowMs - ts > window)
    return refuse(400, -1021, "Timestamp for this request is outside of the recvWindow.");
  return { ok: true, user: key.user, params };
}
