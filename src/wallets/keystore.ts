import { resolve } from "node:path";
import { registerSecret } from "../log/redact.ts";
import { privateKeyToAddress } from "./address.ts";
import { KeystoreCorruptError, KeystoreUsageError } from "./errors.ts";
import { type KeystoreDocument, readKeystoreFile, type WalletRecord } from "./file.ts";
import { parseProxy, parseStoredProxy, proxySecretForms, proxyUrlOf } from "./proxy.ts";
import { type SecretEncoding, secretForms } from "./secret-encoding.ts";
import { Vault } from "./vault.ts";

/** What the rest of the program may know about a wallet without decrypting anything. */
export interface WalletSummary {
  readonly id: string;
  readonly label: string;
  /** EIP-55 address of the wallet's key, when it has one */
  readonly address?: string;
  readonly hasKey: boolean;
  /** proxy URL without its password, e.g. http://user@host:port */
  readonly proxy?: string;
  readonly venues: readonly VenueSummary[];
}

export interface VenueSummary {
  readonly venue: string;
  /** public account identity: address, api_key_id, agent_address, account_index, subaccount, ... */
  readonly identity: Readonly<Record<string, string>>;
  /** names of the venue's secrets (never their values) */
  readonly secretFields: readonly string[];
}

/** One entry that failed `verify`. */
export interface VerifyFailure {
  readonly wallet: string;
  readonly entry: string;
  readonly message: string;
}

function registerForms(bytes: Uint8Array, encoding: SecretEncoding): void {
  for (const f of secretForms(bytes, encoding)) registerSecret(f);
}

/**
 * An opened keystore. Secrets are decrypted on demand, handed to a callback as Buffers, and
 * zeroed when the callback settles; each secret's printable forms are registered with the log
 * scrubber the first time it is decrypted, before any code can see it.
 */
export class Keystore {
  readonly file: string;
  private readonly doc: KeystoreDocument;
  private readonly vault: Vault;

  private constructor(file: string, doc: KeystoreDocument, vault: Vault) {
    this.file = file;
    this.doc = doc;
    this.vault = vault;
  }

  /** Opens `file` with `password`: WrongPasswordError (exit 3) or KeystoreCorruptError (exit 4). */
  static async open(file: string, password: string): Promise<Keystore> {
    const path = resolve(file);
    const doc = readKeystoreFile(path);
    return new Keystore(path, doc, await Vault.unlock(path, doc, password));
  }

  private record(walletId: string): WalletRecord {
    const w = Object.hasOwn(this.doc.wallets, walletId) ? this.doc.wallets[walletId] : undefined;
    if (w === undefined) throw new KeystoreUsageError(`keystore ${this.file} has no wallet "${walletId}"`);
    return w;
  }

  walletIds(): string[] {
    return Object.keys(this.doc.wallets).sort();
  }

  wallets(): WalletSummary[] {
    return this.walletIds().map((id) => this.wallet(id));
  }

  wallet(walletId: string): WalletSummary {
    const w = this.record(walletId);
    return {
      id: walletId,
      label: w.label,
      ...(w.address === undefined ? {} : { address: w.address }),
      hasKey: w.key !== undefined,
      ...(w.proxy === undefined ? {} : { proxy: w.proxy.url }),
      venues: Object.entries(w.venues)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([venue, v]) => ({
          venue,
          identity: { ...v.identity },
          secretFields: Object.keys(v.secrets).sort(),
        })),
    };
  }

  /** The public identity of a wallet on a venue (throws if the wallet has no such venue). */
  identity(walletId: string, venue: string): Readonly<Record<string, string>> {
    const v = this.record(walletId).venues[venue];
    if (v === undefined)
      throw new KeystoreUsageError(`wallet "${walletId}" has no ${venue} account in ${this.file}`);
    return { ...v.identity };
  }

  /** Runs `fn` with the wallet's 32-byte EVM private key; the Buffer is zeroed afterwards. */
  async withWalletKey<T>(walletId: string, fn: (key: Buffer) => T | Promise<T>): Promise<T> {
    const w = this.record(walletId);
    if (w.key === undefined)
      throw new KeystoreUsageError(`wallet "${walletId}" has no private key in ${this.file}`);
    const key = this.vault.open(w.key, `wallet ${walletId}, key`);
    try {
      registerForms(key, "hex");
      return await fn(key);
    } finally {
      key.fill(0);
    }
  }

  /**
   * Runs `fn` with every secret of the wallet's account on `venue` (field name → bytes: raw key
   * bytes for `hex` fields, UTF-8 for text fields); all Buffers are zeroed afterwards.
   */
  async withSecret<T>(
    walletId: string,
    venue: string,
    fn: (secrets: ReadonlyMap<string, Buffer>) => T | Promise<T>,
  ): Promise<T> {
    const v = this.record(walletId).venues[venue];
    if (v === undefined)
      throw new KeystoreUsageError(`wallet "${walletId}" has no ${venue} account in ${this.file}`);
    const secrets = new Map<string, Buffer>();
    try {
      for (const [field, s] of Object.entries(v.secrets)) {
        const bytes = this.vault.open(s.payload, `wallet ${walletId}, ${venue}.${field}`);
        secrets.set(field, bytes);
        registerForms(bytes, s.encoding);
      }
      return await fn(secrets);
    } finally {
      for (const b of secrets.values()) b.fill(0);
    }
  }

  /**
   * The URL the wallet's venue connections go through (`http://user:pass@host:port`), or
   * undefined for a direct connection. The password is registered with the log scrubber.
   */
  proxyUrl(walletId: string): string | undefined {
    const p = this.record(walletId).proxy;
    if (p === undefined) return undefined;
    const where = `keystore ${this.file}: wallet ${walletId}, proxy`;
    let password: string | undefined;
    if (p.password !== undefined) {
      const bytes = this.vault.open(p.password, `wallet ${walletId}, proxy password`);
      password = bytes.toString("utf8");
      bytes.fill(0);
    }
    const base = parseStoredProxy(p.url, where);
    const setting = password === undefined ? base : { ...base, password };
    for (const f of proxySecretForms(setting)) registerSecret(f);
    return proxyUrlOf(setting);
  }

  /** The wallet's address re-derived from its decrypted key (what `list` shows). */
  async deriveAddress(walletId: string): Promise<string | undefined> {
    if (this.record(walletId).key === undefined) return undefined;
    return this.withWalletKey(walletId, (key) => privateKeyToAddress(key, `wallet ${walletId}, key`));
  }

  /** Decrypts every entry and checks each wallet's address; returns every failure (empty = all good). */
  async verify(): Promise<{ entries: number; failures: VerifyFailure[] }> {
    const failures: VerifyFailure[] = [];
    let entries = 0;
    const attempt = async (wallet: string, entry: string, fn: () => unknown) => {
      entries++;
      try {
        await fn();
      } catch (err) {
        failures.push({ wallet, entry, message: (err as Error).message });
      }
    };
    for (const id of this.walletIds()) {
      const w = this.record(id);
      if (w.key !== undefined) {
        await attempt(id, "key", async () => {
          const derived = await this.deriveAddress(id);
          if (w.address !== undefined && derived !== w.address) {
            throw new KeystoreCorruptError(
              `keystore ${this.file}: wallet ${id}: recorded address ${w.address} is not the key's address ${derived}`,
            );
          }
        });
      }
      for (const [venue, v] of Object.entries(w.venues)) {
        for (const [field, s] of Object.entries(v.secrets)) {
          await attempt(id, `${venue}.${field}`, () => {
            this.vault.open(s.payload, `wallet ${id}, ${venue}.${field}`).fill(0);
          });
        }
      }
      if (w.proxy !== undefined) await attempt(id, "proxy", () => this.proxyUrl(id));
    }
    return { entries, failures };
  }

  /**
   * Every printable form of every secret in the keystore, and the password's: what a "no secret
   * in any log line" test searches the output for. Decrypts everything; for tests and audits.
   */
  async allSecretForms(): Promise<string[]> {
    const forms = new Set<string>();
    const add = (bytes: Uint8Array, encoding: SecretEncoding) => {
      for (const f of secretForms(bytes, encoding)) forms.add(f);
    };
    for (const id of this.walletIds()) {
      const w = this.record(id);
      if (w.key !== undefined) await this.withWalletKey(id, (k) => add(k, "hex"));
      for (const [venue, v] of Object.entries(w.venues)) {
        await this.withSecret(id, venue, (secrets) => {
          for (const [field, b] of secrets) add(b, v.secrets[field].encoding);
        });
      }
      if (w.proxy?.password !== undefined) {
        const setting = parseProxy(this.proxyUrl(id) ?? "", `wallet ${id}, proxy`);
        for (const f of proxySecretForms(setting)) forms.add(f);
      }
    }
    return [...forms];
  }

  /** Zeroes the derived key; the keystore cannot decrypt after this. */
  close(): void {
    this.vault.close();
  }
}

/** The library entry point: `const ks = await openKeystore(path, password)`. */
export function openKeystore(file: string, password: string): Promise<Keystore> {
  return Keystore.open(file, password);
}

/**
 * Every form of every secret in the keystore at `file`, the password included: the list the
 * lead's "no secret in any log line during a full paper run" test searches for.
 */
export async function keystoreSecretForms(file: string, password: string): Promise<string[]> {
  const ks = await openKeystore(file, password);
  try {
    return [password, ...(await ks.allSecretForms())];
  } finally {
    ks.close();
  }
}
