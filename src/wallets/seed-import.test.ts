import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FAST_KDF } from "../testing/keystore.ts";
import { KeystoreCorruptError, KeystoreUsageError, WrongPasswordError } from "./errors.ts";
import { encryptSecret } from "./payload.ts";
import { readSeedKeysFile } from "./seed-import.ts";

const dir = mkdtempSync(join(tmpdir(), "perpbot-seed-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function seedFile(content: unknown): string {
  const f = join(dir, `api-keys-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
  return f;
}
const key = (n: number) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");

test("maps every known field, plaintext hex and encrypted values alike", async () => {
  const file = seedFile({
    a1: {
      private_key: await encryptSecret(key(5), "old pw", FAST_KDF),
      lighter_api_key: `0x${"cd".repeat(40)}`,
      lighter_account_index: 77,
      lighter_api_key_index: "4",
      label: "Alpha",
      proxy: "http://u:p%3Aw@h.example:81",
    },
    a2: { private_key: key(6).toString("hex") },
  });
  const [a1, a2] = await readSeedKeysFile(file, "old pw", FAST_KDF);
  assert.deepEqual(a1.key, key(5));
  assert.equal(a1.label, "Alpha");
  assert.deepEqual(a1.proxy, { scheme: "http", host: "h.example", port: 81, username: "u", password: "p:w" });
  assert.deepEqual(a1.venues?.lighter.identity, { account_index: "77", api_key_index: "4" });
  assert.deepEqual(a1.venues?.lighter.secrets?.api_private_key, {
    bytes: Buffer.alloc(40, 0xcd),
    encoding: "hex",
  });
  assert.deepEqual(a2.key, key(6));
});

test("unknown fields and bad values are all reported at once", async () => {
  const file = seedFile({
    "bad id": { private_key: 5 },
    ok: { private_key: "ab", ranger_key: "x", lighter_account_index: 1.5 },
  });
  await assert.rejects(readSeedKeysFile(file, "pw", FAST_KDF), (e: Error) => {
    assert.ok(e instanceof KeystoreUsageError);
    assert.match(e.message, /wallet "bad id": not a usable wallet id/);
    assert.match(e.message, /wallet "bad id", private_key: expected a non-empty string/);
    assert.match(e.message, /wallet "ok", ranger_key: unknown field \(known: private_key, /);
    assert.match(e.message, /wallet "ok", lighter_account_index: expected a string or an integer/);
    return true;
  });
  await assert.rejects(readSeedKeysFile(seedFile("{ truncated"), "pw", FAST_KDF), /import file .*: .*JSON/);
});

test("no entry opening means a wrong password; some failing are named as damaged", async () => {
  const good = await encryptSecret(key(1), "right", FAST_KDF);
  const other = await encryptSecret(key(2), "another", FAST_KDF);
  const file = seedFile({ w1: { private_key: good }, w2: { private_key: other } });
  await assert.rejects(readSeedKeysFile(file, "wrong", FAST_KDF), (e: Error) => {
    assert.ok(e instanceof WrongPasswordError);
    assert.match(e.message, /none of its 2 encrypted entries opens/);
    return true;
  });
  await assert.rejects(readSeedKeysFile(file, "right", FAST_KDF), (e: Error) => {
    assert.ok(e instanceof KeystoreCorruptError);
    assert.match(e.message, /do not decrypt with the import password .*\n {2}- wallet "w2", private_key$/);
    return true;
  });
});
