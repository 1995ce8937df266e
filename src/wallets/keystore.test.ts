import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { redactText, unregisterSecret } from "../log/redact.ts";
import { FAST_KDF } from "../testing/keystore.ts";
import { addWallets, changePassword, createKeystore, type NewWallet, removeWallets } from "./edit.ts";
import { KeystoreCorruptError, KeystoreUsageError, WrongPasswordError } from "./errors.ts";
import { keystoreSecretForms, openKeystore } from "./keystore.ts";
import { parseProxy } from "./proxy.ts";
import { secretForms } from "./secret-encoding.ts";

const PW = "Ŧest pässword ✓";

const dirs: string[] = [];
function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-ks-"));
  dirs.push(d);
  return join(d, "sub", "keystore.json");
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const hexKey = (n: number) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");

function wallet(id: string, n: number): NewWallet {
  return {
    id,
    label: `wallet ${n}`,
    key: hexKey(n),
    proxy: parseProxy(`proxy${n}.example:8000:user${n}:proxy-pw-${n}`),
    venues: {
      lighter: {
        identity: { account_index: String(100 + n), api_key_index: "2" },
        secrets: { api_private_key: { bytes: Buffer.alloc(40, n), encoding: "hex" } },
      },
      aster: {
        identity: { api_key_id: `key-${n}` },
        secrets: { api_secret: { bytes: Buffer.from(`Aster-Secret-${n}-XYZ`), encoding: "utf8" } },
      },
    },
  };
}

async function keystoreWith(n: number): Promise<string> {
  const file = tempFile();
  await createKeystore(file, PW, FAST_KDF);
  await addWallets(
    file,
    PW,
    Array.from({ length: n }, (_, i) => wallet(`w${String(i + 1).padStart(2, "0")}`, i + 1)),
  );
  return file;
}

describe("keystore", () => {
  test("wallets, identities, secrets and proxies come back; Buffers are zeroed after use", async () => {
    const file = await keystoreWith(3);
    const ks = await openKeystore(file, PW);
    assert.deepEqual(ks.walletIds(), ["w01", "w02", "w03"]);
    const w1 = ks.wallet("w01");
    assert.equal(w1.address, "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    assert.equal(w1.proxy, "http://user1@proxy1.example:8000");
    assert.deepEqual(
      w1.venues.map((v) => [v.venue, v.secretFields]),
      [
        ["aster", ["api_secret"]],
        ["lighter", ["api_private_key"]],
      ],
    );
    assert.deepEqual(ks.identity("w02", "lighter"), { account_index: "102", api_key_index: "2" });
    let kept: Buffer | undefined;
    const text = await ks.withSecret("w02", "aster", (s) => {
      kept = s.get("api_secret");
      return kept?.toString("utf8");
    });
    assert.equal(text, "Aster-Secret-2-XYZ");
    assert.ok(
      kept?.every((b) => b === 0),
      "secret buffer not zeroed",
    );
    assert.equal(await ks.withWalletKey("w03", (k) => k.toString("hex")), hexKey(3).toString("hex"));
    assert.equal(ks.proxyUrl("w02"), "http://user2:proxy-pw-2@proxy2.example:8000");
    assert.equal(await ks.deriveAddress("w02"), "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF");
    assert.deepEqual(await ks.verify(), { entries: 12, failures: [] });
    ks.close();
    await assert.rejects(
      ks.withWalletKey("w01", () => 0),
      /was closed/,
    );
  });

  test("decrypted secrets are registered with the log scrubber before code sees them", async () => {
    // secrets of wallet 7 appear in no other test, so nothing registered them before
    const line = `k=${"0".repeat(63)}7 s=Aster-Secret-7-XYZ p=proxy-pw-7 pw=pw for the scrubber test`;
    assert.equal(redactText(line), line);
    const file = tempFile();
    await createKeystore(file, "pw for the scrubber test", FAST_KDF);
    await addWallets(file, "pw for the scrubber test", [wallet("w07", 7)]);
    // adding registers them too; forget them so this test sees what decrypting alone does
    const added = wallet("w07", 7);
    for (const f of [
      ...secretForms(added.key!, "hex"),
      ...secretForms(Buffer.from("Aster-Secret-7-XYZ"), "utf8"),
      ...secretForms(Buffer.alloc(40, 7), "hex"),
      "proxy-pw-7",
      "pw for the scrubber test",
    ])
      unregisterSecret(f);
    assert.equal(redactText(line), line);
    const ks = await openKeystore(file, "pw for the scrubber test");
    assert.equal(redactText(line), `k=${"0".repeat(63)}7 s=Aster-Secret-7-XYZ p=proxy-pw-7 pw=[REDACTED]`);
    let seen = "";
    await ks.withSecret("w07", "aster", () => {
      seen = redactText(line);
    });
    assert.equal(seen, `k=${"0".repeat(63)}7 s=[REDACTED] p=proxy-pw-7 pw=[REDACTED]`);
    await ks.withWalletKey("w07", () => undefined);
    ks.proxyUrl("w07");
    assert.equal(redactText(line), "k=[REDACTED] s=[REDACTED] p=[REDACTED] pw=[REDACTED]");
    ks.close();
  });

  test("keystoreSecretForms lists every form of every secret and the password", async () => {
    const file = await keystoreWith(2);
    const forms = await keystoreSecretForms(file, PW);
    for (const f of [
      PW,
      `0x${hexKey(2).toString("hex")}`,
      hexKey(1).toString("base64").replace(/=+$/, ""),
      Buffer.alloc(40, 2).toString("hex"),
      "Aster-Secret-1-XYZ",
      "proxy-pw-2",
    ]) {
      assert.ok(forms.includes(f), `missing ${f}`);
    }
    // and none of them is written in the clear in the file
    const text = readFileSync(file, "utf8");
    for (const f of forms) assert.ok(!text.includes(f), `${f} in the keystore file`);
  });

  test("a wrong password is WrongPasswordError (exit 3) and changes nothing", async () => {
    const file = await keystoreWith(1);
    const before = readFileSync(file);
    for (const attempt of [
      () => openKeystore(file, "not it"),
      () => addWallets(file, "not it", [wallet("w09", 9)]),
      () => removeWallets(file, "not it", ["w01"]),
      () => changePassword(file, "not it", "new one"),
    ]) {
      await assert.rejects(attempt(), (e: Error) => {
        assert.ok(e instanceof WrongPasswordError);
        assert.equal(e.exitCode, 3);
        assert.match(e.message, /wrong password for keystore .*keystore\.json/);
        return true;
      });
    }
    assert.deepEqual(readFileSync(file), before);
  });

  test("change-password re-encrypts everything: new password works, old does not", async () => {
    const file = await keystoreWith(2);
    await changePassword(file, PW, "brand new ✓", { memoryKiB: 32 });
    await assert.rejects(openKeystore(file, PW), WrongPasswordError);
    const ks = await openKeystore(file, "brand new ✓");
    assert.equal((await ks.verify()).failures.length, 0);
    assert.equal(await ks.withWalletKey("w02", (k) => k.toString("hex")), hexKey(2).toString("hex"));
    assert.equal(JSON.parse(readFileSync(file, "utf8")).kdf.memoryKiB, 32);
    ks.close();
  });

  test("conflicting adds are refused all at once, nothing written; --replace overwrites", async () => {
    const file = await keystoreWith(1);
    const before = readFileSync(file);
    const bad: NewWallet[] = [
      wallet("w01", 5),
      { id: "bad id!", key: Buffer.alloc(31, 1) },
      { id: "w02", venues: { lighter: { identity: { account_index: "" } } } },
    ];
    await assert.rejects(addWallets(file, PW, bad), (e: Error) => {
      assert.ok(e instanceof KeystoreUsageError);
      for (const re of [
        /wallet "w01" already has a key/,
        /wallet "w01", lighter\.account_index is already "101"/,
        /wallet "w01", aster\.api_secret is already set/,
        /wallet "bad id!": an id is/,
        /wallet "bad id!", key: a private key is 32 bytes, got 31/,
        /wallet "w02", lighter\.account_index: the value is empty/,
      ])
        assert.match(e.message, re);
      return true;
    });
    assert.deepEqual(readFileSync(file), before);
    await addWallets(file, PW, [wallet("w01", 5)], { replace: true });
    const ks = await openKeystore(file, PW);
    assert.equal(ks.identity("w01", "lighter").account_index, "105");
    ks.close();
  });

  test("rm removes only known wallets, all or nothing", async () => {
    const file = await keystoreWith(3);
    await assert.rejects(removeWallets(file, PW, ["w01", "nope"]), /no wallet "nope"/);
    await removeWallets(file, PW, ["w01", "w03"]);
    const ks = await openKeystore(file, PW);
    assert.deepEqual(ks.walletIds(), ["w02"]);
    ks.close();
  });

  test("a truncated file, a damaged entry and a bad field are clear errors naming the place", async () => {
    const file = await keystoreWith(2);
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    await assert.rejects(openKeystore(file, PW), (e: Error) => {
      assert.ok(e instanceof KeystoreCorruptError);
      assert.match(e.message, /keystore .*keystore\.json is not valid JSON .*truncated or damaged/);
      return true;
    });

    const doc = JSON.parse(text);
    const p: string = doc.wallets.w02.venues.aster.secrets.api_secret.payload;
    // change one base64 character inside the ciphertext
    const i = p.length - 10;
    doc.wallets.w02.venues.aster.secrets.api_secret.payload =
      p.slice(0, i) + (p[i] === "A" ? "B" : "A") + p.slice(i + 1);
    doc.wallets.w01.key = doc.wallets.w01.key.slice(0, 30);
    writeFileSync(file, JSON.stringify(doc));
    const ks = await openKeystore(file, PW);
    const { failures } = await ks.verify();
    assert.deepEqual(
      failures.map((f) => [f.wallet, f.entry]),
      [
        ["w01", "key"],
        ["w02", "aster.api_secret"],
      ],
    );
    assert.match(failures[0].message, /wallet w01, key: the encrypted payload is \d+ bytes, shorter/);
    assert.match(
      failures[1].message,
      /wallet w02, aster\.api_secret: does not decrypt \(the entry is damaged\)/,
    );
    await assert.rejects(
      ks.withSecret("w02", "aster", () => 0),
      /wallet w02, aster\.api_secret: does not decrypt/,
    );
    ks.close();

    doc.wallets.w02.venues.aster.secrets.api_secret = { encoding: "base32", payload: 7 };
    doc.version = 9;
    writeFileSync(file, JSON.stringify(doc));
    await assert.rejects(openKeystore(file, PW), (e: Error) => {
      assert.match(e.message, /version: /);
      assert.match(e.message, /wallets\.w02\.venues\.aster\.secrets\.api_secret\.encoding: /);
      assert.match(e.message, /wallets\.w02\.venues\.aster\.secrets\.api_secret\.payload: /);
      return true;
    });
  });

  test("a missing keystore points at keys init; init refuses to overwrite", async () => {
    const file = tempFile();
    await assert.rejects(openKeystore(file, PW), /no keystore at .*: create one with "perpbot keys init"/);
    await createKeystore(file, PW, FAST_KDF);
    await assert.rejects(createKeystore(file, PW, FAST_KDF), /already exists/);
  });
});
