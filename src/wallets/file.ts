import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { KeystoreBusyError, KeystoreCorruptError, KeystoreUsageError } from "./errors.ts";

/**
 * The keystore file: one JSON document, written whole and atomically. Everything secret is a
 * seed-000 payload (payload.ts); ids, labels, venue identities and addresses are public and kept
 * in the clear so they can be listed and checked. docs/keystore.md shows an example.
 */

export const KEYSTORE_FORMAT = "perpbot-keystore";
export const KEYSTORE_VERSION = 1;

export const WALLET_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const VENUE_RE = /^[a-z][a-z0-9_-]{0,31}$/;
export const FIELD_RE = /^[a-z][a-z0-9_]{0,63}$/;

const payload = z.string().min(1);
const kdfSchema = z.strictObject({
  algorithm: z.literal("argon2id"),
  memoryKiB: z.int(),
  iterations: z.int(),
  parallelism: z.int(),
  keyLength: z.literal(32),
});
const secretSchema = z.strictObject({ encoding: z.enum(["hex", "utf8"]), payload });
const venueSchema = z.strictObject({
  identity: z.record(z.string().regex(FIELD_RE), z.string()),
  secrets: z.record(z.string().regex(FIELD_RE), secretSchema),
});
const walletSchema = z.strictObject({
  label: z.string(),
  /** EIP-55 address of `key`, kept in the clear for listings; verify re-derives it */
  address: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .optional(),
  /** the wallet's EVM private key: 32 raw bytes, exactly as seed 000 stores it */
  key: payload.optional(),
  proxy: z.strictObject({ url: z.string(), password: payload.optional() }).optional(),
  venues: z.record(z.string().regex(VENUE_RE), venueSchema),
});
const documentSchema = z.strictObject({
  format: z.literal(KEYSTORE_FORMAT),
  version: z.literal(KEYSTORE_VERSION),
  kdf: kdfSchema,
  /** a payload of CHECK_PLAINTEXT: tells a wrong password apart from a damaged entry */
  check: payload,
  wallets: z.record(z.string().regex(WALLET_ID_RE), walletSchema),
});

export type KeystoreDocument = z.output<typeof documentSchema>;
export type WalletRecord = z.output<typeof walletSchema>;
export type VenueRecord = z.output<typeof venueSchema>;
export type SecretRecord = z.output<typeof secretSchema>;

/** Plaintext of the `check` payload (32 bytes, like a key, so the check costs what an entry does). */
export const CHECK_PLAINTEXT = Buffer.from("perpbot keystore password check\n", "utf8");

function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(top level)" : path.map(String).join(".");
}

/** Validates a parsed document, naming every bad entry at once. */
export function parseDocument(value: unknown, file: string): KeystoreDocument {
  const r = documentSchema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  - ${pathOf(i.path)}: ${i.message}`);
  throw new KeystoreCorruptError(`keystore ${file} is not a valid keystore:\n${lines.join("\n")}`);
}

/** Reads and validates the keystore; a missing file is a usage error pointing at `keys init`. */
export function readKeystoreFile(file: string): KeystoreDocument {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new KeystoreUsageError(`no keystore at ${file}: create one with "perpbot keys init"`);
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KeystoreCorruptError(
      `keystore ${file} is not valid JSON (${text.length} bytes; truncated or damaged?): ${(err as Error).message}`,
    );
  }
  return parseDocument(json, file);
}

export function serializeDocument(doc: KeystoreDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `file` so that a crash at any instant leaves either the old or the new content:
 * write a temporary file in the same directory (same file system, so rename is atomic), fsync
 * it, rename it over the old one, fsync the directory so the rename itself is durable.
 */
export function writeFileAtomic(file: string, text: string): void {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  const fd = openSync(tmp, "wx", 0o600);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never created: nothing to clean
    }
    throw err;
  }
  fsyncDir(dir);
}

export function writeKeystoreFile(file: string, doc: KeystoreDocument): void {
  writeFileAtomic(file, serializeDocument(doc));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `fn` holding `<file>.lock`, so two `perpbot keys` commands never both read, change and
 * write the keystore (the second would silently undo the first). A lock left by a killed process
 * (its pid is gone) is taken over, and that process's temporary files are removed.
 */
export async function withKeystoreLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") {
          throw new KeystoreBusyError(`keystore ${file} is locked by another process (${lock})`);
        }
        throw err;
      }
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(lock, "utf8").trim());
      } catch {
        // vanished meanwhile: retry
      }
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new KeystoreBusyError(`keystore ${file} is being changed by process ${holder} (${lock})`);
      }
      try {
        unlinkSync(lock);
      } catch {
        // another process took it over first; the retry will tell
      }
    }
  }
  try {
    removeStaleTemporaries(file);
    return await fn();
  } finally {
    unlinkSync(lock);
  }
}

/** Temporary files of writes that were killed before their rename: garbage once we hold the lock. */
function removeStaleTemporaries(file: string): void {
  const prefix = `.${basename(file)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const n of names) {
    if (n.startsWith(prefix)) {
      try {
        unlinkSync(join(dirname(file), n));
      } catch {
        // best effort: a leftover temporary is harmless
      }
    }
  }
}
