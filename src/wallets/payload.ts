import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { argon2idAsync as nobleArgon2id } from "@noble/hashes/argon2.js";
import { argon2id } from "hash-wasm";
import { KeystoreCorruptError, KeystoreUsageError } from "./errors.ts";

/**
 * Seed 000's encrypted-secret payload, bit for bit, so wallets encrypted by that tool open here:
 *
 *   base64-without-padding( [0x01] [salt 16 B] [nonce 12 B] [AES-256-GCM ciphertext + 16 B tag] )
 *
 * with the AES key = Argon2id(password UTF-8 bytes, salt). The payload does not carry the Argon2
 * parameters; the keystore file records them beside the payloads (seed 000 used the Rust `argon2`
 * crate defaults, DEFAULT_KDF below), so stronger ones can be chosen later without a new format.
 */

export const PAYLOAD_VERSION = 0x01;
export const SALT_BYTES = 16;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const HEADER_BYTES = 1 + SALT_BYTES + NONCE_BYTES;

export interface KdfParams {
  readonly algorithm: "argon2id";
  /** memory cost in KiB */
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** AES-256 needs 32 */
  readonly keyLength: 32;
}

/** Argon2id m=19456 KiB, t=2, p=1: the `argon2` crate's defaults, which seed 000 used (OWASP's minimum too). */
export const DEFAULT_KDF: KdfParams = Object.freeze({
  algorithm: "argon2id",
  memoryKiB: 19_456,
  iterations: 2,
  parallelism: 1,
  keyLength: 32,
});

/** Throws when the parameters are not ones Argon2id accepts (RFC 9106 section 3.1). */
export function checkKdfParams(kdf: KdfParams, where: string): void {
  const bad = (what: string) => new KeystoreCorruptError(`${where}: KDF ${what}`);
  if (kdf.algorithm !== "argon2id") throw bad(`algorithm "${String(kdf.algorithm)}" is not argon2id`);
  if (!Number.isInteger(kdf.parallelism) || kdf.parallelism < 1 || kdf.parallelism > 255)
    throw bad(`parallelism ${kdf.parallelism} must be an integer 1..255`);
  if (!Number.isInteger(kdf.iterations) || kdf.iterations < 1 || kdf.iterations > 1000)
    throw bad(`iterations ${kdf.iterations} must be an integer 1..1000`);
  // at most 4 GiB: a hostile file must not make us allocate without bound
  if (
    !Number.isInteger(kdf.memoryKiB) ||
    kdf.memoryKiB < 8 * kdf.parallelism ||
    kdf.memoryKiB > 4 * 1024 * 1024
  )
    throw bad(`memoryKiB ${kdf.memoryKiB} must be an integer between 8 x parallelism and 4194304`);
  if (kdf.keyLength !== 32) throw bad(`keyLength ${String(kdf.keyLength)} must be 32 (AES-256)`);
}

/** Whether an empty password is accepted: only to read a file another program encrypted so. */
export interface PasswordOptions {
  readonly allowEmpty?: boolean;
}

/**
 * The 32-byte AES key for `password` and `salt`. The caller zeroes it when done. An empty password
 * is refused unless `allowEmpty` (importing seed 000 files written under one): hash-wasm refuses an
 * empty password, so that case runs @noble/hashes' Argon2id (same RFC 9106 function, slower).
 */
export async function deriveKey(
  password: string,
  salt: Uint8Array,
  kdf: KdfParams,
  opts: PasswordOptions = {},
): Promise<Buffer> {
  checkKdfParams(kdf, "key derivation");
  if (password.length === 0) {
    if (opts.allowEmpty !== true) throw new KeystoreUsageError("the password is empty");
    const key = await nobleArgon2id(new Uint8Array(0), salt, {
      t: kdf.iterations,
      m: kdf.memoryKiB,
      p: kdf.parallelism,
      dkLen: kdf.keyLength,
    });
    return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  }
  const pw = Buffer.from(password, "utf8");
  try {
    const key = await argon2id({
      password: pw,
      salt,
      parallelism: kdf.parallelism,
      iterations: kdf.iterations,
      memorySize: kdf.memoryKiB,
      hashLength: kdf.keyLength,
      outputType: "binary",
    });
    return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  } finally {
    pw.fill(0);
  }
}

export interface ParsedPayload {
  readonly salt: Buffer;
  readonly nonce: Buffer;
  /** ciphertext followed by the 16-byte tag */
  readonly sealed: Buffer;
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Base64 as seed 000 writes it: standard alphabet, no `=` padding. */
export function base64NoPad(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64").replace(/=+$/, "");
}

/** Splits a payload into its parts; `where` names the entry in the error ("wallet w01, key"). */
export function parsePayload(text: string, where: string): ParsedPayload {
  if (typeof text !== "string" || !BASE64_RE.test(text) || text.replace(/=+$/, "").length % 4 === 1) {
    throw new KeystoreCorruptError(`${where}: the encrypted payload is not base64`);
  }
  const bytes = Buffer.from(text, "base64");
  if (bytes.length < HEADER_BYTES + TAG_BYTES) {
    throw new KeystoreCorruptError(
      `${where}: the encrypted payload is ${bytes.length} bytes, shorter than the ${HEADER_BYTES + TAG_BYTES} of an empty one (truncated?)`,
    );
  }
  if (bytes[0] !== PAYLOAD_VERSION) {
    throw new KeystoreCorruptError(
      `${where}: payload version 0x${bytes[0].toString(16).padStart(2, "0")} is not supported (only 0x01)`,
    );
  }
  return {
    salt: bytes.subarray(1, 1 + SALT_BYTES),
    nonce: bytes.subarray(1 + SALT_BYTES, HEADER_BYTES),
    sealed: bytes.subarray(HEADER_BYTES),
  };
}

/**
 * Encrypts `plaintext` under an already derived key. The salt is the one the key was derived
 * from (it goes into the payload so the payload stands alone); the nonce is random unless a test
 * fixes it. A random 96-bit nonce per payload keeps GCM safe far beyond any keystore's size.
 */
export function sealWithKey(
  key: Buffer,
  salt: Uint8Array,
  plaintext: Uint8Array,
  nonce?: Uint8Array,
): string {
  if (salt.length !== SALT_BYTES) throw new KeystoreUsageError(`salt must be ${SALT_BYTES} bytes`);
  const iv = nonce ?? randomBytes(NONCE_BYTES);
  if (iv.length !== NONCE_BYTES) throw new KeystoreUsageError(`nonce must be ${NONCE_BYTES} bytes`);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const out = base64NoPad(Buffer.concat([Buffer.of(PAYLOAD_VERSION), salt, iv, ct]));
  ct.fill(0);
  return out;
}

/** The plaintext, or null when the tag does not verify (wrong key, or bytes changed). */
export function openWithKey(key: Buffer, payload: ParsedPayload): Buffer | null {
  const ctLen = payload.sealed.length - TAG_BYTES;
  const decipher = createDecipheriv("aes-256-gcm", key, payload.nonce);
  decipher.setAuthTag(payload.sealed.subarray(ctLen));
  const plain = decipher.update(payload.sealed.subarray(0, ctLen));
  try {
    decipher.final();
    return plain;
  } catch {
    plain.fill(0);
    return null;
  }
}

/** Seed 000's `encrypt_private_key` for any bytes: fresh random salt, one KDF run. */
export async function encryptSecret(
  plaintext: Uint8Array,
  password: string,
  kdf = DEFAULT_KDF,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, kdf);
  try {
    return sealWithKey(key, salt, plaintext);
  } finally {
    key.fill(0);
  }
}

/** Seed 000's decrypt: the plaintext bytes, or null when the password does not open the payload. */
export async function decryptSecret(
  payload: string,
  password: string,
  kdf = DEFAULT_KDF,
  where = "payload",
  opts: PasswordOptions = {},
): Promise<Buffer | null> {
  const parsed = parsePayload(payload, where);
  const key = await deriveKey(password, parsed.salt, kdf, opts);
  try {
    return openWithKey(key, parsed);
  } finally {
    key.fill(0);
  }
}
