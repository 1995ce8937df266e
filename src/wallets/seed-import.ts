import { readFileSync } from "node:fs";
import type { NewSecret, NewVenueAccount, NewWallet } from "./edit.ts";
import { KeystoreCorruptError, KeystoreUsageError, WrongPasswordError } from "./errors.ts";
import { WALLET_ID_RE } from "./file.ts";
import { DEFAULT_KDF, decryptSecret, type KdfParams } from "./payload.ts";
import { type ProxySetting, parseProxy } from "./proxy.ts";
import { secretBytes } from "./secret-encoding.ts";

/**
 * Reads seed 000's `api-keys.json` so its users bring their wallets over unchanged:
 *
 *   { "w01": { "private_key": "AQ...(seed-000 payload)", "lighter_api_key": "a1b2...",
 *              "lighter_account_index": 12345, "lighter_api_key_index": 2 } }
 *
 * Encrypted values are opened with the file's own password (Argon2id defaults of seed 000); hex
 * values are taken as plaintext. Every field of the file maps to a place in the keystore (table
 * below); a field we do not know is an error rather than silently dropped.
 */

type FieldTarget =
  | { kind: "key" }
  | { kind: "secret"; venue: string; field: string }
  | { kind: "identity"; venue: string; field: string }
  | { kind: "label" }
  | { kind: "proxy" };

export const SEED_FIELDS: Readonly<Record<string, FieldTarget>> = {
  private_key: { kind: "key" },
  lighter_api_key: { kind: "secret", venue: "lighter", field: "api_private_key" },
  lighter_account_index: { kind: "identity", venue: "lighter", field: "account_index" },
  lighter_api_key_index: { kind: "identity", venue: "lighter", field: "api_key_index" },
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

/**
 * Parses and decrypts the file. A wrong import password (no encrypted entry opens) is a
 * WrongPasswordError; entries that do not open while others do are named in a KeystoreCorruptError.
 */
export async function readSeedKeysFile(
  file: string,
  password: string,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<NewWallet[]> {
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
                venueOf(d, target.venue).secrets[target.field] = { bytes: b, encoding: "hex" };
              };
        // hex is plaintext; anything else must be a seed-000 payload (hex never decodes to one:
        // its first base64 character would have to be 'A' for the 0x01 version byte)
        if (HEX_RE.test(value)) apply(secretBytes(value, "hex", where));
        else encrypted.push({ draft: d, name, payload: value, apply });
      }
    }
  }
  if (problems.length > 0) {
    throw new KeystoreUsageError(`import file ${file} was not imported:\n  - ${problems.join("\n  - ")}`);
  }

  const failed: string[] = [];
  for (const e of encrypted) {
    const where = `import file ${file}: wallet "${e.draft.id}", ${e.name}`;
    const plain = await decryptSecret(e.payload, password, kdf, where);
    if (plain === null) failed.push(`wallet "${e.draft.id}", ${e.name}`);
    else e.apply(plain);
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
  return drafts.map((d) => ({
    id: d.id,
    ...(d.label === undefined ? {} : { label: d.label }),
    ...(d.key === undefined ? {} : { key: d.key }),
    ...(d.proxy === undefined ? {} : { proxy: d.proxy }),
    venues: d.venues as Record<string, NewVenueAccount>,
  }));
}

function zeroDraft(d: WalletDraft): void {
  d.key?.fill(0);
  for (const v of Object.values(d.venues)) for (const s of Object.values(v.secrets)) s.bytes.fill(0);
}
