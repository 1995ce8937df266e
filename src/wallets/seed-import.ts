import { readFileSync } from "node:fs";
import type { NewSecret, NewVenueAccount, NewWallet } from "./edit.ts";
import { KeystoreCorruptError, KeystoreUsageError, WrongPasswordError } from "./errors.ts";
import { WALLET_ID_RE } from "./file.ts";
import { DEFAULT_KDF, decryptSecret, type KdfParams } from "./payload.ts";
import { type ProxySetting, parseProxy } from "./proxy.ts";
import { secretBytes } from "./secret-encoding.ts";
import { signerFromKeyBytes } from "./signer.ts";

/**
 * Reads seed 000's `api-keys.json` so its users bring their wallets over unchanged:
 *
 *   { "w01": { "private_key": "AQ...(seed-000 payload)", "lighter_api_key": "a1b2...",
 *              "lighter_account_index": 12345, "lighter_api_key_index": 2 } }
 *
 * Encrypted values are opened with the file's own password (Argon2id defaults of seed 000; an
 * empty password is accepted here, since seed 000 let one be used); hex values are taken as
 * plaintext. Every field of the file maps to a place in the keystore (table below); a field we do
 * not know is an error rather than silently dropped. An empty venue secret (seed 000 wrote
 * `"lighter_api_key": ""` for wallets without a Lighter API key yet) imports nothing and is
 * reported as a note naming the wallet and the field.
 *
 * `solana_private_key` (seed 000's Ranger wallets) is kept as the `solana` secret `private_key`:
 * the 64-byte Solana keypair (secret seed then public key) or its 32-byte seed, given as a
 * seed-000 payload, hex, base58 (as Phantom and `solana-keygen` print it) or the JSON byte array
 * of a `solana-keygen` file; a keypair whose public half is not its seed's is refused.
 */

type FieldTarget =
  | { kind: "key" }
  | { kind: "secret"; venue: string; field: string; format?: "solana" }
  | { kind: "identity"; venue: string; field: string }
  | { kind: "label" }
  | { kind: "proxy" };

export const SEED_FIELDS: Readonly<Record<string, FieldTarget>> = {
  private_key: { kind: "key" },
  lighter_api_key: { kind: "secret", venue: "lighter", field: "api_private_key" },
  lighter_account_index: { kind: "identity", venue: "lighter", field: "account_index" },
  lighter_api_key_index: { kind: "identity", venue: "lighter", field: "api_key_index" },
  solana_private_key: { kind: "secret", venue: "solana", field: "private_key", format: "solana" },
  label: { kind: "label" },
  proxy: { kind: "proxy" },
};

const HEX_RE = /^(?:0[xX])?(?:[0-9a-fA-F]{2})+$/;

interface WalletDraft {
  id: string;
  label?: string;
  key?: Buffer;
  proxy?: ProxySetting;
  venues: Record<string, { identity: Record<string, string>; secrets: Record<string, NewSecret> }>;
}

function venueOf(d: WalletDraft, venue: string) {
  d.venues[venue] ??= { identity: {}, secrets: {} };
  return d.venues[venue];
}

/** The wallets of an import file, and what was in it that imports nothing (each a line to show). */
export interface SeedImport {
  readonly wallets: NewWallet[];
  readonly notes: string[];
}

/** The wallets of the file (readSeedKeys without its notes). */
export async function readSeedKeysFile(
  file: string,
  password: string,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<NewWallet[]> {
  return (await readSeedKeys(file, password, kdf)).wallets;
}

/**
 * Parses and decrypts the file. A wrong import password (no encrypted entry opens) is a
 * WrongPasswordError; entries that do not open while others do are named in a KeystoreCorruptError.
 */
export async function readSeedKeys(
  file: string,
  password: string,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<SeedImport> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new KeystoreUsageError(`import file ${file}: ${(err as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new KeystoreUsageError(`import file ${file}: expected an object of wallet id → fields`);
  }
  const problems: string[] = [];
  const notes: string[] = [];
  const drafts: WalletDraft[] = [];
  const encrypted: { draft: WalletDraft; name: string; payload: string; apply: (b: Buffer) => void }[] = [];

  for (const [id, fields] of Object.entries(json)) {
    const at = `wallet "${id}"`;
    if (!WALLET_ID_RE.test(id)) problems.push(`${at}: not a usable wallet id`);
    if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
      problems.push(`${at}: expected an object of fields`);
      continue;
    }
    const d: WalletDraft = { id, venues: {} };
    drafts.push(d);
    for (const [name, value] of Object.entries(fields as Record<string, unknown>)) {
      const target = Object.hasOwn(SEED_FIELDS, name) ? SEED_FIELDS[name] : undefined;
      const where = `${at}, ${name}`;
      if (target === undefined) {
        problems.push(`${where}: unknown field (known: ${Object.keys(SEED_FIELDS).join(", ")})`);
        continue;
      }
      if (target.kind === "identity") {
        if ((typeof value !== "string" || value === "") && !Number.isSafeInteger(value)) {
          problems.push(`${where}: expected a string or an integer`);
        } else venueOf(d, target.venue).identity[target.field] = String(value);
        continue;
      }
      if (value === "" && target.kind === "secret") {
        notes.push(
          `${where} is empty: no ${target.venue} ${target.field} imported (add it later: perpbot keys add ${id} --venue ${target.venue} --secret ${target.field})`,
        );
        continue;
      }
      if (typeof value !== "string" || value === "") {
        problems.push(`${where}: expected a non-empty string`);
        continue;
      }
      if (target.kind === "label") d.label = value;
      else if (target.kind === "proxy") {
        try {
          d.proxy = parseProxy(value, where);
        } catch (err) {
          problems.push((err as Error).message);
        }
      } else {
        const apply =
          target.kind === "key"
            ? (b: Buffer) => {
                d.key = b;
              }
            : (b: Buffer) => {
                const bytes = target.format === "solana" ? solanaKeyBytes(b, where) : b;
                venueOf(d, target.venue).secrets[target.field] = { bytes, encoding: "hex" };
              };
        // hex is plaintext; anything else must be a seed-000 payload (hex never decodes to one:
        // its first base64 character would have to be 'A' for the 0x01 version byte). A Solana
        // key may also be plaintext base58 or a JSON byte array; a payload is neither: it has at
        // least 103 characters, a 64-byte key's base58 at most 88
        try {
          if (HEX_RE.test(value)) apply(secretBytes(value, "hex", where));
          else if (target.kind === "secret" && target.format === "solana" && isSolanaText(value))
            apply(Buffer.from(value, "utf8"));
          else encrypted.push({ draft: d, name, payload: value, apply });
        } catch (err) {
          problems.push((err as Error).message);
        }
      }
    }
  }
  if (problems.length > 0) {
    throw new KeystoreUsageError(`import file ${file} was not imported:\n  - ${problems.join("\n  - ")}`);
  }

  const failed: string[] = [];
  const late: string[] = [];
  for (const e of encrypted) {
    const where = `import file ${file}: wallet "${e.draft.id}", ${e.name}`;
    const plain = await decryptSecret(e.payload, password, kdf, where, { allowEmpty: true });
    if (plain === null) failed.push(`wallet "${e.draft.id}", ${e.name}`);
    else
      try {
        e.apply(plain);
      } catch (err) {
        late.push((err as Error).message);
      }
  }
  if (late.length > 0 && failed.length === 0) {
    for (const d of drafts) zeroDraft(d);
    throw new KeystoreUsageError(`import file ${file} was not imported:\n  - ${late.join("\n  - ")}`);
  }
  if (failed.length > 0) {
    for (const d of drafts) zeroDraft(d);
    if (failed.length === encrypted.length) {
      throw new WrongPasswordError(
        `the import password does not decrypt ${file} (none of its ${encrypted.length} encrypted entries opens)`,
      );
    }
    throw new KeystoreCorruptError(
      `import file ${file}: these entries do not decrypt with the import password (damaged, or encrypted with another password):\n  - ${failed.join("\n  - ")}`,
    );
  }
  const wallets = drafts.map((d) => ({
    id: d.id,
    ...(d.label === undefined ? {} : { label: d.label }),
    ...(d.key === undefined ? {} : { key: d.key }),
    ...(d.proxy === undefined ? {} : { proxy: d.proxy }),
    venues: d.venues as Record<string, NewVenueAccount>,
  }));
  return { wallets, notes };
}

function zeroDraft(d: WalletDraft): void {
  d.key?.fill(0);
  for (const v of Object.values(d.venues)) for (const s of Object.values(v.secrets)) s.bytes.fill(0);
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BASE58_RE = /^[1-9A-HJ-NP-Za-km-z]{32,90}$/;
const BYTE_ARRAY_RE = /^\[\s*\d{1,3}(\s*,\s*\d{1,3})*\s*\]$/;

function isSolanaText(text: string): boolean {
  return BASE58_RE.test(text) || BYTE_ARRAY_RE.test(text.trim());
}

/** Bitcoin-alphabet base58 (Solana's), big-endian; each leading '1' is a zero byte. */
export function base58Decode(text: string): Buffer {
  let n = 0n;
  for (const ch of text) n = n * 58n + BigInt(BASE58.indexOf(ch));
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  let zeros = 0;
  while (text[zeros] === "1") zeros++;
  return Buffer.from([...new Array<number>(zeros).fill(0), ...bytes]);
}

/**
 * The raw Solana key of `b`: raw bytes (from hex or a payload), or base58 / JSON-array text. 64
 * bytes must be a keypair whose last 32 are the ed25519 public key of the first 32.
 */
function solanaKeyBytes(b: Buffer, where: string): Buffer {
  const text = b.toString("utf8");
  let raw = b;
  if (b.length !== 32 && b.length !== 64 && isSolanaText(text)) {
    raw = BYTE_ARRAY_RE.test(text.trim()) ? Buffer.from(JSON.parse(text) as number[]) : base58Decode(text);
    b.fill(0);
  }
  if (raw.length !== 32 && raw.length !== 64) {
    raw.fill(0);
    throw new KeystoreUsageError(
      `${where}: a Solana key is a 64-byte keypair or a 32-byte seed, got ${raw.length} bytes`,
    );
  }
  if (raw.length === 64) {
    const pub = signerFromKeyBytes("ed25519", raw.subarray(0, 32), where).publicKey;
    if (pub !== raw.subarray(32).toString("hex")) {
      raw.fill(0);
      throw new KeystoreUsageError(
        `${where}: the keypair's last 32 bytes are not the public key of its first 32 (a damaged or mixed-up key)`,
      );
    }
  }
  return raw;
}
