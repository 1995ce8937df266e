import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { secretForms } from "../wallets/secret-encoding.ts";
import { findLeaks, producedTexts } from "./secret-scan.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const KEY = randomBytes(32);
const SECRETS = new Map([
  ["agent key", secretForms(KEY, "hex")],
  ["password", ["a keystore password"]],
]);

function clean(): string {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-scan-"));
  dirs.push(dir);
  mkdirSync(join(dir, "logs"));
  writeFileSync(join(dir, "logs", "perpbot.log"), '{"level":"info","msg":"started"}\n');
  const db = new DatabaseSync(join(dir, "perpbot.db"));
  db.exec("CREATE TABLE orders (id TEXT, note TEXT, raw BLOB)");
  db.prepare("INSERT INTO orders VALUES (?, ?, ?)").run("o1", "fine", Buffer.from("nothing here"));
  db.close();
  return dir;
}

test("secret scan: a clean directory has no leak, and every file and table is read", () => {
  const dir = clean();
  const produced = producedTexts(dir);
  assert.ok(produced.some((p) => p.where === join("logs", "perpbot.log")));
  assert.ok(produced.some((p) => /^perpbot\.db table orders \(1 rows\)$/.test(p.where)));
  assert.deepEqual(findLeaks(produced, SECRETS), []);
});

test("secret scan: finds the key in every encoding, in a log, a SQLite row, a blob and a gzip file", () => {
  const hex = KEY.toString("hex");
  const forms = [
    hex,
    `0x${hex}`,
    hex.toUpperCase(),
    `0x${hex.toUpperCase()}`,
    KEY.toString("base64"),
    KEY.toString("base64url"),
  ];
  for (const form of forms) {
    const dir = clean();
    writeFileSync(join(dir, "logs", "perpbot.log"), `{"msg":"signing with ${form}"}\n`);
    assert.deepEqual(
      findLeaks(producedTexts(dir), SECRETS),
      [{ where: join("logs", "perpbot.log"), secret: "agent key" }],
      form,
    );
  }
  const dir = clean();
  const db = new DatabaseSync(join(dir, "perpbot.db"));
  db.prepare("INSERT INTO orders VALUES (?, ?, ?)").run("o2", "a keystore password", KEY);
  db.close();
  writeFileSync(
    join(dir, "recording.jsonl.gz"),
    gzipSync(Buffer.from(`1 {"k":"${KEY.toString("base64")}"}\n`)),
  );
  const leaks = findLeaks(producedTexts(dir), SECRETS);
  // the row text and the blob (as hex) are found in the table; the raw file bytes show the blob too
  assert.ok(leaks.some((l) => l.where === "perpbot.db table orders (2 rows)" && l.secret === "password"));
  assert.ok(leaks.some((l) => l.where === "perpbot.db table orders (2 rows)" && l.secret === "agent key"));
  assert.ok(leaks.some((l) => l.where === "recording.jsonl.gz (gunzipped)" && l.secret === "agent key"));
  assert.ok(
    !leaks.some((l) => l.where === "recording.jsonl.gz"),
    "compressed bytes hide it: only the gunzipped text shows it",
  );
});
