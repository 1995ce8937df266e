/**
 * The "no secret anywhere" scanner of the leak tests: everything a run produced, as text, and the
 * places any form of any secret (src/wallets/secret-encoding.ts `secretForms`: the text, hex lower
 * and upper with and without 0x, base64 padded, unpadded and url-safe) appears in it.
 *
 * `producedTexts` reads every file under a directory: gzip files uncompressed, SQLite files as
 * every row of every table (each value as text, blobs as hex, base64 and utf-8 too) besides their
 * raw bytes, and every other file as utf-8 and as latin-1 (so a key written into a binary file
 * shows as well).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { gunzipSync } from "node:zlib";

export interface Produced {
  /** where the text came from: "stdout of doctor", "data/perpbot.db table orders row 3", … */
  readonly where: string;
  readonly text: string;
}

const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");

function valueText(v: unknown): string {
  if (v instanceof Uint8Array) {
    const b = Buffer.from(v);
    return `${b.toString("hex")} ${b.toString("base64")} ${b.toString("utf8")}`;
  }
  return typeof v === "bigint" ? v.toString() : String(v);
}

/** Every row of every table of a SQLite file, one Produced per table. */
export function sqliteTexts(file: string, label: string): Produced[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r) => String(r.name));
    return tables.map((t) => {
      const rows = db.prepare(`SELECT * FROM "${t.replaceAll('"', '""')}"`).all();
      const text = rows.map((r) => Object.values(r).map(valueText).join("\t")).join("\n");
      return { where: `${label} table ${t} (${rows.length} rows)`, text };
    });
  } finally {
    db.close();
  }
}

/** Every file under `dir` as text (see the module comment); `where` names the file relative to `dir`. */
export function producedTexts(dir: string): Produced[] {
  const out: Produced[] = [];
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of files) {
    const label = relative(dir, file);
    const bytes = readFileSync(file);
    out.push({ where: label, text: `${bytes.toString("utf8")}\n${bytes.toString("latin1")}` });
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        out.push({ where: `${label} (gunzipped)`, text: gunzipSync(bytes).toString("utf8") });
      } catch {
        // a gzip file still being written ends early: its raw bytes were scanned above
      }
    }
    if (bytes.subarray(0, 16).equals(SQLITE_MAGIC)) out.push(...sqliteTexts(file, label));
  }
  return out;
}

export interface Leak {
  readonly where: string;
  /** which secret (its label), never the secret itself */
  readonly secret: string;
}

/**
 * Each place a form of a secret occurs in. `secrets` maps a label ("wallet w01 key") to its forms;
 * the leaks name the label and the place, so a failing test does not print the secret.
 */
export function findLeaks(
  produced: readonly Produced[],
  secrets: ReadonlyMap<string, readonly string[]>,
): Leak[] {
  const leaks: Leak[] = [];
  for (const p of produced)
    for (const [secret, forms] of secrets)
      if (forms.some((f) => f.length > 0 && p.text.includes(f))) leaks.push({ where: p.where, secret });
  return leaks;
}
