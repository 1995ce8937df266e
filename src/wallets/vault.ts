import { randomBytes } from "node:crypto";
import { registerSecret } from "../log/redact.ts";
import { KeystoreCorruptError, WrongPasswordError } from "./errors.ts";
import { CHECK_PLAINTEXT, type KeystoreDocument } from "./file.ts";
import {
  checkKdfParams,
  deriveKey,
  type KdfParams,
  openWithKey,
  parsePayload,
  SALT_BYTES,
  sealWithKey,
} from "./payload.ts";

/**
 * The unlocked state of one keystore: the AES key derived from the password and the keystore's
 * salt. Every payload in a keystore shares that salt (each still has its own random nonce), so
 * one Argon2id run unlocks all 40+ wallets instead of one run per secret; each payload remains a
 * standalone seed-000 payload. The password itself is not kept; the derived key is zeroed by
 * close(). A new salt is drawn whenever the password changes.
 */
export class Vault {
  readonly file: string;
  readonly kdf: KdfParams;
  readonly salt: Buffer;
  private key: Buffer | null;

  private constructor(file: string, kdf: KdfParams, salt: Buffer, key: Buffer) {
    this.file = file;
    this.kdf = kdf;
    this.salt = salt;
    this.key = key;
  }

  /** Derives the key and proves it on the document's check payload; a wrong password changes nothing. */
  static async unlock(file: string, doc: KeystoreDocument, password: string): Promise<Vault> {
    checkKdfParams(doc.kdf, `keystore ${file}`);
    const check = parsePayload(doc.check, `keystore ${file}: check`);
    const key = await deriveKey(password, check.salt, doc.kdf);
    const plain = openWithKey(key, check);
    if (plain === null) {
      key.fill(0);
      throw new WrongPasswordError(`wrong password for keystore ${file}`);
    }
    const ok = plain.equals(CHECK_PLAINTEXT);
    plain.fill(0);
    if (!ok) {
      key.fill(0);
      throw new KeystoreCorruptError(`keystore ${file}: the check entry decrypts to an unexpected value`);
    }
    // registered once proven: a wrong guess such as "wrong" must not blank that word in messages
    registerSecret(password);
    return new Vault(file, doc.kdf, Buffer.from(check.salt), key);
  }

  /** A fresh vault with a new random salt, and its check payload. */
  static async create(file: string, password: string, kdf: KdfParams): Promise<Vault> {
    registerSecret(password);
    checkKdfParams(kdf, "new keystore");
    const salt = randomBytes(SALT_BYTES);
    const key = await deriveKey(password, salt, kdf);
    return new Vault(file, kdf, salt, key);
  }

  private liveKey(): Buffer {
    if (this.key === null) throw new Error(`keystore ${this.file} was closed`);
    return this.key;
  }

  /** A payload of `plaintext` under this keystore's key and salt. */
  seal(plaintext: Uint8Array): string {
    return sealWithKey(this.liveKey(), this.salt, plaintext);
  }

  checkPayload(): string {
    return this.seal(CHECK_PLAINTEXT);
  }

  /**
   * The plaintext of one entry; `where` names it ("wallet w01, lighter.api_private_key"). The
   * password was proven on the check entry, so a failure here means this entry is damaged.
   */
  open(payload: string, where: string): Buffer {
    const label = `keystore ${this.file}: ${where}`;
    const parsed = parsePayload(payload, label);
    if (!parsed.salt.equals(this.salt)) {
      throw new KeystoreCorruptError(
        `${label}: encrypted with a different salt than the keystore (damaged or pasted in)`,
      );
    }
    const plain = openWithKey(this.liveKey(), parsed);
    if (plain === null) throw new KeystoreCorruptError(`${label}: does not decrypt (the entry is damaged)`);
    return plain;
  }

  close(): void {
    this.key?.fill(0);
    this.key = null;
  }
}
