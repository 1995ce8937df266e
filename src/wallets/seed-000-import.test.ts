import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createCipheriv, createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { argon2id } from "@noble/hashes/argon2.js";
import { openKeystore } from "./keystore.ts";
import { base58Decode } from "./seed-import.ts";

/**
 * Seed 000's whole `api-keys.json`, every field kind it wrote, through the real `perpbot keys`
 * CLI: encrypted and plaintext private keys, an empty `lighter_api_key` (a wallet with no Lighter
 * API key yet), `solana_private_key` as a payload, base58 and a JSON byte array, a label, and the
 * file encrypted under an empty password (seed 000 allowed one). Its payloads are made here with
 * @noble/hashes' Argon2id and node's AES-GCM, seed 000's layout written out by hand.
 */
const BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));
const KEYSTORE_PW = "keystore pw for seed 000";
const FAST = ["--kdf-memory", "64", "--kdf-iterations", "1"];
const dir = mkdtempSync(join(tmpdir(), "perpbot-seed000-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function keys(cwd: string, args: string[], env: Record<string, string>) {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) clean[k] = v;
  const r = spawnSync(process.execPath, [BIN, "keys", ...args], {
    cwd,
    env: { ...clean, ...env },
    encoding: "utf8",
    input: "",
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Seed 000's payload: base64 (no padding) of 0x01 ‖ salt ‖ nonce ‖ AES-256-GCM(ct ‖ tag), Argon2id 19456 KiB, t=2, p=1. */
function seed000Payload(plain: Uint8Array, password: string): string {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const key = argon2id(new TextEncoder().encode(password), salt, { t: 2, m: 19456, p: 1, dkLen: 32 });
  const c = createCipheriv("aes-256-gcm", key, nonce);
  const ct = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  return Buffer.concat([Buffer.from([1]), salt, nonce, ct])
    .toString("base64")
    .replace(/=+$/, "");
}

/** A Solana keypair (seed ‖ public key), as `solana-keygen` stores it. */
function keypair(fill: number): Buffer {
  const seed = Buffer.alloc(32, fill);
  const priv = createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(priv).export({ format: "der", type: "spki" });
  return Buffer.concat([seed, spki.subarray(spki.length - 32)]);
}

/** base58 by repeated division (the other direction of the importer's decoder). */
function base58(bytes: Buffer): string {
  const A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  const digits: number[] = [];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += digits[i] << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    for (; carry > 0; carry = Math.floor(carry / 58)) digits.push(carry % 58);
  }
  let zeros = "";
  for (const b of bytes) {
    if (b !== 0) break;
    zeros += "1";
  }
  return (
    zeros +
    digits
      .reverse()
      .map((d) => A[d])
      .join("")
  );
}

test("base58 as the IETF draft's examples give it (draft-msporny-base58-03 section 5)", () => {
  assert.equal(base58Decode("2NEpo7TZRRrLZSi2U").toString("utf8"), "Hello World!");
  assert.equal(base58Decode("11233QC4").toString("hex"), "0000287fb4cd");
});

test("seed 000's whole api-keys.json under an empty password imports; keys list shows each wallet's venue secrets", async () => {
  const k = (n: number) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");
  const lighterKey = Buffer.alloc(40, 0xab);
  const sol = [keypair(3), keypair(4), keypair(5)];
  const file = join(dir, "api-keys.json");
  writeFileSync(
    file,
    JSON.stringify({
      w01: {
        private_key: seed000Payload(k(1), ""),
        lighter_api_key: "",
        lighter_account_index: 11,
        lighter_api_key_index: 2,
      },
      w02: {
        private_key: seed000Payload(k(2), ""),
        lighter_api_key: seed000Payload(lighterKey, ""),
        lighter_account_index: 12,
        lighter_api_key_index: 3,
        solana_private_key: seed000Payload(sol[0], ""),
        label: "farm 02",
      },
      w03: { private_key: k(3).toString("hex"), solana_private_key: base58(sol[1]) },
      w04: { private_key: `0x${k(4).toString("hex")}`, solana_private_key: JSON.stringify([...sol[2]]) },
    }),
  );
  const cwd = mkdtempSync(join(dir, "cwd-"));
  const env = { PERPBOT_KEYSTORE_PASSWORD: KEYSTORE_PW };
  // the new keystore still needs a real password
  const emptyKs = keys(cwd, ["init", ...FAST], { PERPBOT_KEYSTORE_PASSWORD: "" });
  assert.equal(emptyKs.code, 2, emptyKs.out + emptyKs.err);
  assert.match(emptyKs.err, /no keystore password/);
  const emptyFile = join(cwd, "empty.pw");
  writeFileSync(emptyFile, "");
  const emptyKs2 = keys(cwd, ["--password-file", emptyFile, "init", ...FAST], {});
  assert.equal(emptyKs2.code, 2);
  assert.match(emptyKs2.err, /--password-file .*empty\.pw: the file is empty/);
  assert.equal(keys(cwd, ["init", ...FAST], env).code, 0);

  // a wrong (non-empty) import password opens nothing and changes nothing
  const wrong = keys(cwd, ["import", file], { ...env, PERPBOT_IMPORT_PASSWORD: "not empty" });
  assert.equal(wrong.code, 3, wrong.err);
  const imp = keys(cwd, ["import", file, "--import-password-file", emptyFile], env);
  assert.equal(imp.code, 0, imp.err);
  assert.match(imp.out, /imported 4 wallet\(s\)/);
  assert.match(
    imp.out,
    /^note: wallet "w01", lighter_api_key is empty: no lighter api_private_key imported \(add it later: perpbot keys add w01 --venue lighter --secret api_private_key\)$/m,
  );

  const list = keys(cwd, ["list"], env);
  assert.equal(list.code, 0, list.err);
  const line = (id: string) => list.out.split("\n").find((l) => l.startsWith(`${id}\t`)) ?? "";
  assert.match(line("w01"), /\tlighter\(account_index=11 api_key_index=2; no secret\)$/);
  assert.match(
    line("w02"),
    /^w02\tfarm 02\t0x\w+\tlighter\(account_index=12 api_key_index=3 api_private_key=\*\*\*\) solana\(private_key=\*\*\*\)$/,
  );
  assert.match(line("w03"), /\tsolana\(private_key=\*\*\*\)$/);
  assert.match(line("w04"), /\tsolana\(private_key=\*\*\*\)$/);

  const ks = await openKeystore(join(cwd, "data", "keystore.json"), KEYSTORE_PW);
  try {
    for (const [i, id] of ["w02", "w03", "w04"].entries())
      await ks.withSecret(id, "solana", (s) => assert.deepEqual(s.get("private_key"), sol[i], id));
    await ks.withSecret("w02", "lighter", (s) => assert.deepEqual(s.get("api_private_key"), lighterKey));
    await ks.withWalletKey("w01", (key) => assert.deepEqual(Buffer.from(key), k(1)));
    assert.deepEqual(ks.identity("w01", "lighter"), { account_index: "11", api_key_index: "2" });
  } finally {
    ks.close();
  }
  for (const r of [imp, list])
    for (const s of sol) assert.ok(!(r.out + r.err).includes(base58(s)), "no Solana key printed");
});

test("a Solana keypair whose halves do not match, or of the wrong length, is refused naming wallet and field; nothing imported", () => {
  const bad = keypair(6);
  bad[40] ^= 1;
  const file = join(dir, "bad-keys.json");
  writeFileSync(
    file,
    JSON.stringify({
      w01: { private_key: "11".repeat(32), solana_private_key: base58(bad) },
      w02: { private_key: "22".repeat(32), solana_private_key: "ab".repeat(20) },
    }),
  );
  const cwd = mkdtempSync(join(dir, "cwd-"));
  const env = { PERPBOT_KEYSTORE_PASSWORD: KEYSTORE_PW, PERPBOT_IMPORT_PASSWORD: "" };
  assert.equal(keys(cwd, ["init", ...FAST], env).code, 0);
  const r = keys(cwd, ["import", file], env);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(
    r.err,
    /wallet "w01", solana_private_key: the keypair's last 32 bytes are not the public key of its first 32/,
  );
  assert.match(
    r.err,
    /wallet "w02", solana_private_key: a Solana key is a 64-byte keypair or a 32-byte seed, got 20 bytes/,
  );
  assert.match(keys(cwd, ["list"], env).out, /no wallets in/);
});
