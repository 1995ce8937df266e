import { fp5FromBytesLE, fp5ToBytesLE } from "./field.ts";
import { signatureFromBytes, verifyHashed } from "./schnorr.ts";
import { authTokenMessageHash, MAINNET_CHAIN_ID, parseTxInfo, txMessageHash } from "./tx-hash.ts";

/**
 * The emulator's independent check of Lighter signatures: recomputes the message from `txInfo`
 * and verifies the Schnorr/ECgFp5 signature in its `Sig` against the registered API key. Shares
 * nothing with any connector code (see the sibling modules for the sources of each step).
 */

/** A 40-byte key as hex (with or without 0x), or a reason it is not one. */
function parsePublicKey(hex: string): Uint8Array | string {
  if (typeof hex !== "string") return `bad public key: expected a hex string, got ${typeof hex}`;
  const h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{80}$/.test(h))
    return `bad public key: expected 40 bytes of hex, got ${hex.length} chars`;
  return new Uint8Array(Buffer.from(h, "hex"));
}

/** As `verifyLighterSignature`, for any chain id (mainnet 304, testnet 300). */
export function verifyLighterSignatureOnChain(
  chainId: number,
  txType: number,
  txInfo: Record<string, unknown>,
  publicKeyHex: string,
): string | undefined {
  const pk = parsePublicKey(publicKeyHex);
  if (typeof pk === "string") return pk;
  const tx = parseTxInfo(txType, txInfo);
  if (typeof tx === "string") return tx;
  return verifyHashed(fp5FromBytesLE(pk), txMessageHash(chainId, txType, tx), signatureFromBytes(tx.sig));
}

/**
 * The venue's hash of a tx: the hex of its 40-byte message hash, which is what the official
 * signer returns as `txHash` (checked in verify.test.ts). Throws a RangeError naming the field
 * when `txInfo` does not parse (`verifyLighterSignatureOnChain` says so first).
 */
export function lighterTxHash(chainId: number, txType: number, txInfo: Record<string, unknown>): string {
  const tx = parseTxInfo(txType, txInfo);
  if (typeof tx === "string") throw new RangeError(tx);
  return Buffer.from(fp5ToBytesLE(txMessageHash(chainId, txType, tx))).toString("hex");
}

/**
 * undefined when `txInfo.Sig` is a valid signature by `publicKeyHex` of the tx on Lighter
 * mainnet (chain id 304); otherwise a short reason ("bad signature", "unknown tx type 99",
 * "bad txInfo for CreateOrder: Price: …", "bad public key: …").
 */
export function verifyLighterSignature(
  txType: number,
  txInfo: Record<string, unknown>,
  publicKeyHex: string,
): string | undefined {
  return verifyLighterSignatureOnChain(MAINNET_CHAIN_ID, txType, txInfo, publicKeyHex);
}

/**
 * Parses a `tx_info` JSON text as the venue receives it, keeping integers beyond 2^53 exact
 * (as bigints, via the reviver's source text) so that their hash is the signed one.
 */
export function parseTxInfoJson(text: string): Record<string, unknown> | string {
  let v: unknown;
  try {
    v = JSON.parse(text, (_key, value, context?: { source?: string }) =>
      typeof value === "number" &&
      !Number.isSafeInteger(value) &&
      context?.source !== undefined &&
      /^-?\d+$/.test(context.source)
        ? BigInt(context.source)
        : value,
    );
  } catch (e) {
    return `bad txInfo: not JSON (${(e as Error).message})`;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "bad txInfo: expected a JSON object";
  return v as Record<string, unknown>;
}

export interface AuthToken {
  readonly deadline: number;
  readonly accountIndex: number;
  readonly apiKeyIndex: number;
}

/**
 * Checks the signature of an auth token "{deadline}:{accountIndex}:{apiKeyIndex}:{hexSig}" and
 * returns its parts, or a reason. Deadline and key-registration rules are the caller's.
 */
export function verifyLighterAuthToken(token: string, publicKeyHex: string): AuthToken | string {
  const m = /^(\d+):(\d+):(\d+):([0-9a-fA-F]{160})$/.exec(token);
  if (m === null) return "bad auth token: expected deadline:account:apiKey:160 hex chars of signature";
  const pk = parsePublicKey(publicKeyHex);
  if (typeof pk === "string") return pk;
  const message = `${m[1]}:${m[2]}:${m[3]}`;
  const sig = signatureFromBytes(new Uint8Array(Buffer.from(m[4]!, "hex")));
  const bad = verifyHashed(fp5FromBytesLE(pk), authTokenMessageHash(message), sig);
  if (bad !== undefined) return bad;
  return { deadline: Number(m[1]), accountIndex: Number(m[2]), apiKeyIndex: Number(m[3]) };
}
