import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { registerSecret } from "../log/redact.ts";
import { checkPrivateKey, privateKeyToAddress } from "./address.ts";
import { KeystoreUsageError } from "./errors.ts";
import {
  FIELD_RE,
  KEYSTORE_FORMAT,
  KEYSTORE_VERSION,
  type KeystoreDocument,
  readKeystoreFile,
  type SecretRecord,
  VENUE_RE,
  WALLET_ID_RE,
  type WalletRecord,
  withKeystoreLock,
  writeKeystoreFile,
} from "./file.ts";
import { DEFAULT_KDF, type KdfParams } from "./payload.ts";
import { type ProxySetting, proxyDisplayOf, proxySecretForms } from "./proxy.ts";
import { encodingForField, type SecretEncoding, secretForms } from "./secret-encoding.ts";
import { Vault } from "./vault.ts";

/**
 * Every change to a keystore: create, add or merge wallets, remove, change the password. Each
 * takes the lock, proves the password, validates the whole request (reporting every problem at
 * once), and only then writes the new file atomically; a refused request leaves the file as it was.
 * Secret Buffers handed in are zeroed once sealed.
 */

export interface NewSecret {
  readonly bytes: Buffer;
  readonly encoding: SecretEncoding;
}

export interface NewVenueAccount {
  readonly identity?: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, NewSecret>>;
}

export interface NewWallet {
  readonly id: string;
  readonly label?: string;
  /** 32 raw bytes of the EVM private key */
  readonly key?: Buffer;
  readonly proxy?: ProxySetting;
  readonly venues?: Readonly<Record<string, NewVenueAccount>>;
}

export interface AddOptions {
  /** overwrite fields that already hold a different value (otherwise that is an error) */
  readonly replace?: boolean;
  /**
   * accept a private key another wallet already holds (otherwise that is an error): two wallets
   * on one key are one account on every venue, so a group would trade against itself
   */
  readonly allowSharedKey?: boolean;
}

/** The address of a key, or undefined when it is not a valid private key (problemsOf reports it). */
function addressOrUndefined(key: Buffer): string | undefined {
  try {
    return privateKeyToAddress(key, "key").toLowerCase();
  } catch {
    return undefined;
  }
}

/** The wallets of `doc`, other than `w` itself, whose key has the same address as `w`'s key. */
function keyOwnersIn(doc: KeystoreDocument, w: NewWallet): string[] {
  const address = w.key === undefined ? undefined : addressOrUndefined(w.key);
  if (address === undefined) return [];
  return Object.entries(doc.wallets)
    .filter(([id, r]) => id !== w.id && r.address?.toLowerCase() === address)
    .map(([id]) => id)
    .sort();
}

/** What a user is told about a key that other wallets already hold. */
export function sharedKeyText(id: string, owners: readonly string[], address: string): string {
  const them = owners.map((o) => `"${o}"`).join(", ");
  return `wallet "${id}": its private key is the one wallet ${them} already holds (${address}); two wallets on one key are one account on every venue`;
}

/**
 * The wallets of the keystore at `file` that already hold `w`'s key (read without the password:
 * addresses are public), for a warning before anything is asked or written; [] when there is
 * no keystore yet or `w` has no key.
 */
export function sharedKeyOwners(file: string, w: NewWallet): string[] {
  const path = resolve(file);
  if (w.key === undefined || !existsSync(path)) return [];
  return keyOwnersIn(readKeystoreFile(path), w);
}

/** Creates an empty keystore at `file` (and its directory); refuses to overwrite one. */
export async function createKeystore(
  file: string,
  password: string,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<void> {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await withKeystoreLock(path, async () => {
    if (existsSync(path)) throw new KeystoreUsageError(`a keystore already exists at ${path}`);
    const vault = await Vault.create(path, password, kdf);
    try {
      writeKeystoreFile(path, {
        format: KEYSTORE_FORMAT,
        version: KEYSTORE_VERSION,
        kdf: { ...kdf },
        check: vault.checkPayload(),
        wallets: {},
      });
    } finally {
      vault.close();
    }
  });
}

/** Opens the keystore under its lock, lets `change` edit the document, writes the result. */
async function editKeystore(
  file: string,
  password: string,
  change: (doc: KeystoreDocument, vault: Vault) => void,
): Promise<void> {
  const path = resolve(file);
  await withKeystoreLock(path, async () => {
    const doc = readKeystoreFile(path);
    const vault = await Vault.unlock(path, doc, password);
    try {
      change(doc, vault);
      writeKeystoreFile(path, doc);
    } finally {
      vault.close();
    }
  });
}

function zeroWallet(w: NewWallet): void {
  w.key?.fill(0);
  for (const v of Object.values(w.venues ?? {}))
    for (const s of Object.values(v.secrets ?? {})) s.bytes.fill(0);
}

/** Every problem with the request, before anything is sealed. */
function problemsOf(w: NewWallet, existing: WalletRecord | undefined, replace: boolean): string[] {
  const problems: string[] = [];
  const at = `wallet "${w.id}"`;
  if (!WALLET_ID_RE.test(w.id)) {
    problems.push(`${at}: an id is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  if (w.label !== undefined && /[\p{Cc}]/u.test(w.label))
    problems.push(`${at}: the label has control characters`);
  if (w.key !== undefined) {
    try {
      checkPrivateKey(w.key, `${at}, key`);
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (existing?.key !== undefined && !replace)
      problems.push(`${at} already has a key (use --replace to overwrite)`);
  }
  if (w.proxy !== undefined && existing?.proxy !== undefined && !replace) {
    problems.push(`${at} already has a proxy (use --replace to overwrite)`);
  }
  for (const [venue, v] of Object.entries(w.venues ?? {})) {
    if (!VENUE_RE.test(venue)) problems.push(`${at}: venue "${venue}" must match ${VENUE_RE}`);
    const old = existing?.venues[venue];
    for (const [field, value] of Object.entries(v.identity ?? {})) {
      if (!FIELD_RE.test(field))
        problems.push(`${at}, ${venue}.${field}: a field name must match ${FIELD_RE}`);
      if (value === "" || /[\p{Cc}]/u.test(value)) {
        problems.push(`${at}, ${venue}.${field}: the value is empty or has control characters`);
      }
      const before = old?.identity[field];
      if (before !== undefined && before !== value && !replace) {
        problems.push(`${at}, ${venue}.${field} is already "${before}" (use --replace to overwrite)`);
      }
    }
    for (const [field, s] of Object.entries(v.secrets ?? {})) {
      if (!FIELD_RE.test(field))
        problems.push(`${at}, ${venue}.${field}: a field name must match ${FIELD_RE}`);
      if (s.encoding !== encodingForField(field)) {
        problems.push(
          `${at}, ${venue}.${field}: encoding ${s.encoding} does not match the field's (${encodingForField(field)})`,
        );
      }
      if (s.bytes.length === 0) problems.push(`${at}, ${venue}.${field}: the secret is empty`);
      if (old?.secrets[field] !== undefined && !replace) {
        problems.push(`${at}, ${venue}.${field} is already set (use --replace to overwrite)`);
      }
    }
  }
  return problems;
}

function registerAll(bytes: Uint8Array, encoding: SecretEncoding): void {
  for (const f of secretForms(bytes, encoding)) registerSecret(f);
}

/** Merges `w` into the document (validated already), sealing its secrets and registering them for redaction. */
function merge(doc: KeystoreDocument, vault: Vault, w: NewWallet): void {
  const rec: WalletRecord = Object.hasOwn(doc.wallets, w.id) ? doc.wallets[w.id] : { label: "", venues: {} };
  if (w.label !== undefined) rec.label = w.label;
  if (w.key !== undefined) {
    registerAll(w.key, "hex");
    rec.key = vault.seal(w.key);
    rec.address = privateKeyToAddress(w.key, `wallet "${w.id}", key`);
  }
  if (w.proxy !== undefined) {
    rec.proxy = { url: proxyDisplayOf(w.proxy) };
    if (w.proxy.password !== undefined) {
      const pw = Buffer.from(w.proxy.password, "utf8");
      for (const f of proxySecretForms(w.proxy)) registerSecret(f);
      rec.proxy.password = vault.seal(pw);
      pw.fill(0);
    }
  }
  for (const [venue, v] of Object.entries(w.venues ?? {})) {
    const acct = rec.venues[venue] ?? { identity: {}, secrets: {} };
    Object.assign(acct.identity, v.identity ?? {});
    for (const [field, s] of Object.entries(v.secrets ?? {})) {
      registerAll(s.bytes, s.encoding);
      acct.secrets[field] = { encoding: s.encoding, payload: vault.seal(s.bytes) } satisfies SecretRecord;
    }
    rec.venues[venue] = acct;
  }
  doc.wallets[w.id] = rec;
}

/**
 * Adds wallets, or merges fields into existing ones. Anything that would overwrite a different
 * value needs `replace`; all problems of all wallets are reported in one error, nothing written.
 */
export async function addWallets(
  file: string,
  password: string,
  wallets: readonly NewWallet[],
  options: AddOptions = {},
): Promise<void> {
  try {
    await editKeystore(file, password, (doc, vault) => {
      const seen = new Set<string>();
      const problems: string[] = [];
      const requestKeys = new Map<string, string>();
      for (const w of wallets) {
        if (seen.has(w.id)) problems.push(`wallet "${w.id}" appears twice in the request`);
        seen.add(w.id);
        const existing = Object.hasOwn(doc.wallets, w.id) ? doc.wallets[w.id] : undefined;
        problems.push(...problemsOf(w, existing, options.replace === true));
        const address = w.key === undefined ? undefined : addressOrUndefined(w.key);
        if (address === undefined) continue;
        const owners = [
          ...keyOwnersIn(doc, w),
          ...(requestKeys.has(address) ? [requestKeys.get(address)!] : []),
        ];
        if (!requestKeys.has(address)) requestKeys.set(address, w.id);
        if (owners.length > 0 && options.allowSharedKey !== true) {
          const shown = privateKeyToAddress(w.key!, "key");
          problems.push(`${sharedKeyText(w.id, owners, shown)} (--allow-same-key to add it anyway)`);
        }
      }
      if (problems.length > 0) {
        throw new KeystoreUsageError(`nothing was changed in ${vault.file}:\n  - ${problems.join("\n  - ")}`);
      }
      for (const w of wallets) merge(doc, vault, w);
    });
  } finally {
    for (const w of wallets) zeroWallet(w);
  }
}

/** Removes wallets; every unknown id is reported and nothing is removed. */
export async function removeWallets(file: string, password: string, ids: readonly string[]): Promise<void> {
  await editKeystore(file, password, (doc, vault) => {
    const missing = ids.filter((id) => !Object.hasOwn(doc.wallets, id));
    if (missing.length > 0) {
      throw new KeystoreUsageError(
        `keystore ${vault.file} has no wallet ${missing.map((m) => `"${m}"`).join(", ")}`,
      );
    }
    for (const id of ids) delete doc.wallets[id];
  });
}

/**
 * Re-encrypts every entry under a new password (new salt, optionally new KDF parameters). The
 * parameters not given stay as they were. The new file replaces the old in one rename, so a crash leaves one password or the other working.
 */
export async function changePassword(
  file: string,
  oldPassword: string,
  newPassword: string,
  kdf: Partial<Omit<KdfParams, "algorithm" | "keyLength">> = {},
): Promise<void> {
  const path = resolve(file);
  await withKeystoreLock(path, async () => {
    const doc = readKeystoreFile(path);
    const oldVault = await Vault.unlock(path, doc, oldPassword);
    const newVault = await Vault.create(path, newPassword, { ...doc.kdf, ...kdf });
    try {
      const reseal = (payload: string, where: string): string => {
        const plain = oldVault.open(payload, where);
        try {
          return newVault.seal(plain);
        } finally {
          plain.fill(0);
        }
      };
      for (const [id, w] of Object.entries(doc.wallets)) {
        if (w.key !== undefined) w.key = reseal(w.key, `wallet ${id}, key`);
        if (w.proxy?.password !== undefined)
          w.proxy.password = reseal(w.proxy.password, `wallet ${id}, proxy password`);
        for (const [venue, v] of Object.entries(w.venues)) {
          for (const [field, s] of Object.entries(v.secrets)) {
            s.payload = reseal(s.payload, `wallet ${id}, ${venue}.${field}`);
          }
        }
      }
      doc.kdf = { ...newVault.kdf };
      doc.check = newVault.checkPayload();
      writeKeystoreFile(path, doc);
    } finally {
      oldVault.close();
      newVault.close();
    }
  });
}
