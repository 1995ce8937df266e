import { createECDH } from "node:crypto";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { KeystoreUsageError } from "./errors.ts";

/** The secp256k1 group order n (SEC 2, section 2.4.1): a private key must lie in [1, n-1]. */
const CURVE_ORDER = Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "hex");

/** Throws unless `key` is a usable secp256k1 private key; compares bytes so no copy of the key is made. */
export function checkPrivateKey(key: Uint8Array, where: string): void {
  if (key.length !== 32)
    throw new KeystoreUsageError(`${where}: a private key is 32 bytes, got ${key.length}`);
  if (key.every((b) => b === 0)) throw new KeystoreUsageError(`${where}: the private key is zero`);
  if (Buffer.compare(Buffer.from(key.buffer, key.byteOffset, 32), CURVE_ORDER) >= 0) {
    throw new KeystoreUsageError(`${where}: the private key is not below the secp256k1 group order`);
  }
}

/** EIP-55 mixed-case checksum of a 20-byte address given as 40 hex digits (any case). */
export function toChecksumAddress(address: string): string {
  const hex = address.replace(/^0x/i, "").toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(hex)) throw new KeystoreUsageError(`"${address}" is not a 20-byte hex address`);
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(hex))).toString("hex");
  let out = "0x";
  for (let i = 0; i < 40; i++) out += Number.parseInt(hash[i], 16) >= 8 ? hex[i].toUpperCase() : hex[i];
  return out;
}

/**
 * The Ethereum address of a private key: keccak-256 of the uncompressed public key without its
 * 0x04 prefix, last 20 bytes, EIP-55 checksummed (Ethereum yellow paper, appendix F; EIP-55).
 */
export function privateKeyToAddress(key: Uint8Array, where = "private key"): string {
  checkPrivateKey(key, where);
  const ecdh = createECDH("secp256k1");
  ecdh.setPrivateKey(key);
  const pub = ecdh.getPublicKey();
  const digest = keccak_256(pub.subarray(1));
  return toChecksumAddress(Buffer.from(digest.subarray(12)).toString("hex"));
}
