import { decode, encode, GENERATOR, mul, mulAdd2, ORDER } from "./curve.ts";
import { type Fp5, fp5FromBytesLE } from "./field.ts";
import { hashToQuinticExtension } from "./poseidon2.ts";

/**
 * Lighter's Schnorr scheme over ECgFp5 (`elliottech/poseidon_crypto` `signature/schnorr`):
 * the message is already an Fp5 hash m; r = k·G, e = int(Poseidon2(enc(r) ‖ m)) mod n (the five
 * output limbs read as a little-endian 320-bit integer), s = k − e·sk mod n. The signature is
 * 80 bytes, s then e, each 40-byte little-endian (values ≥ n are reduced, as the reference does).
 * Verification recomputes r' = s·G + e·pk and accepts iff Poseidon2(enc(r') ‖ m) gives e again.
 * The public key is enc(sk·G), 40 bytes. Own implementation.
 */

function scalarFromBytesLE(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v % ORDER;
}

function scalarToBytesLE(k: bigint): Uint8Array {
  const out = new Uint8Array(40);
  let v = k;
  for (let i = 0; i < 40; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The five limbs of an Fp5 value as one little-endian integer, mod n (the reference's `FromGfp5`). */
export function scalarFromFp5(a: Fp5): bigint {
  let v = 0n;
  for (let i = 4; i >= 0; i--) v = (v << 64n) | a[i]!;
  return v % ORDER;
}

function challenge(r: Fp5, hashedMsg: Fp5): bigint {
  return scalarFromFp5(hashToQuinticExtension([...r, ...hashedMsg]));
}

export interface Signature {
  readonly s: bigint;
  readonly e: bigint;
}

export function signatureFromBytes(b: Uint8Array): Signature {
  if (b.length !== 80) throw new Error(`a Lighter signature is 80 bytes, got ${b.length}`);
  return { s: scalarFromBytesLE(b.subarray(0, 40)), e: scalarFromBytesLE(b.subarray(40, 80)) };
}

export function signatureToBytes(sig: Signature): Uint8Array {
  const out = new Uint8Array(80);
  out.set(scalarToBytesLE(sig.s), 0);
  out.set(scalarToBytesLE(sig.e), 40);
  return out;
}

export function publicKeyFromSecret(sk: bigint): Fp5 {
  return encode(mul(GENERATOR, sk));
}

/** Signs with a caller-chosen nonce k (deterministic, for the emulator's own fixtures and tests). */
export function signHashedWithNonce(hashedMsg: Fp5, sk: bigint, k: bigint): Signature {
  const e = challenge(encode(mul(GENERATOR, k)), hashedMsg);
  const s = (((k - e * sk) % ORDER) + ORDER) % ORDER;
  return { s, e };
}

/** undefined when valid, else why not ("bad public key", "bad signature"). */
export function verifyHashed(publicKey: Fp5, hashedMsg: Fp5, sig: Signature): string | undefined {
  const pk = decode(publicKey);
  if (pk === undefined) return "bad public key: not a curve point encoding";
  const r = encode(mulAdd2(GENERATOR, sig.s, pk, sig.e));
  return challenge(r, hashedMsg) === sig.e ? undefined : "bad signature";
}

/** Byte-level entry point: 40-byte key, 40-byte message hash, 80-byte signature. */
export function verifyBytes(
  publicKey: Uint8Array,
  hashedMsg: Uint8Array,
  sig: Uint8Array,
): string | undefined {
  if (publicKey.length !== 40) return `bad public key: 40 bytes expected, got ${publicKey.length}`;
  if (hashedMsg.length !== 40) return `bad message hash: 40 bytes expected, got ${hashedMsg.length}`;
  if (sig.length !== 80) return `bad signature: 80 bytes expected, got ${sig.length}`;
  return verifyHashed(fp5FromBytesLE(publicKey), fp5FromBytesLE(hashedMsg), signatureFromBytes(sig));
}
