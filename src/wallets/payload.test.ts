import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { KeystoreCorruptError } from "./errors.ts";
import {
  base64NoPad,
  DEFAULT_KDF,
  decryptSecret,
  deriveKey,
  encryptSecret,
  type KdfParams,
  openWithKey,
  parsePayload,
  sealWithKey,
} from "./payload.ts";
import { secretBytes } from "./secret-encoding.ts";

/** Cheap Argon2id parameters: legitimate because a keystore records its own (RFC 9106 allows m >= 8p). */
const FAST_KDF: KdfParams = {
  algorithm: "argon2id",
  memoryKiB: 8,
  iterations: 1,
  parallelism: 1,
  keyLength: 32,
};

/*
 * Independent test vector. Produced once, outside this code base (which uses hash-wasm and
 * node:crypto), with two other implementations:
 *   1. key = @noble/hashes 2.x `argon2id(utf8(PASSWORD), salt 0x00..0x0f, { t: 2, m: 19456, p: 1, dkLen: 32 })`
 *      = 22b63c7d0f5e1596c2bfb5a5617e1d9400eabba2f49bbc9553793da41d1f21ef
 *   2. Python `cryptography` 48.0.0: AESGCM(key).encrypt(nonce 0xa0..0xab, PLAINTEXT, None)
 *   3. payload = b"\x01" + salt + nonce + ciphertext_and_tag, base64 with the "=" padding stripped.
 * The plaintext is the private key of the web3.js documentation's `privateKeyToAccount` example.
 */
const VECTOR = {
  password: "pässwörd 🔑 seed-000",
  payload:
    "AQABAgMEBQYHCAkKCwwNDg+goaKjpKWmp6ipqquqidi9oAvDd8BbFI1+FVfOBlk4+IB68FBEGnBYu8WyxYHQEy+BTQ2NFM+R5ZP4+tE",
  derivedKey: "22b63c7d0f5e1596c2bfb5a5617e1d9400eabba2f49bbc9553793da41d1f21ef",
  plaintext: "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
};

describe("seed-000 payload", () => {
  test("the independent vector decrypts to the expected key with the default parameters", async () => {
    const plain = await decryptSecret(VECTOR.payload, VECTOR.password, DEFAULT_KDF);
    assert.ok(plain !== null, "vector did not decrypt");
    assert.equal(plain.toString("hex"), VECTOR.plaintext);
    const parsed = parsePayload(VECTOR.payload, "vector");
    const key = await deriveKey(VECTOR.password, parsed.salt, DEFAULT_KDF);
    assert.equal(key.toString("hex"), VECTOR.derivedKey);
    // and our sealing with the same key, salt and nonce reproduces the vector byte for byte
    assert.equal(
      sealWithKey(key, parsed.salt, Buffer.from(VECTOR.plaintext, "hex"), parsed.nonce),
      VECTOR.payload,
    );
    assert.equal(await decryptSecret(VECTOR.payload, `${VECTOR.password} `, DEFAULT_KDF), null);
  });

  test("round trip for random keys and unicode passwords (cheap recorded KDF)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (key, password, prefixed) => {
          // the key is given as hex, with or without 0x, as seed 000 takes it
          const hex = Buffer.from(key).toString("hex");
          const bytes = secretBytes(prefixed ? `0x${hex}` : hex, "hex", "key");
          const payload = await encryptSecret(bytes, password, FAST_KDF);
          const raw = Buffer.from(payload, "base64");
          assert.equal(raw.length, 1 + 16 + 12 + 32 + 16);
          assert.equal(raw[0], 0x01);
          assert.ok(!payload.includes("="));
          const back = await decryptSecret(payload, password, FAST_KDF);
          assert.deepEqual(back && new Uint8Array(back), key);
          assert.equal(await decryptSecret(payload, `${password}x`, FAST_KDF), null);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("round trip once with the default parameters; fresh salt and nonce every time", async () => {
    const key = Buffer.from("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", "hex");
    const a = await encryptSecret(key, "correct horse battery staple");
    const b = await encryptSecret(key, "correct horse battery staple");
    assert.notEqual(a, b);
    assert.notDeepEqual(parsePayload(a, "a").salt, parsePayload(b, "b").salt);
    assert.deepEqual(await decryptSecret(a, "correct horse battery staple"), key);
  });

  test("a flipped bit anywhere after the version byte makes the payload fail, never decrypt wrongly", async () => {
    const salt = Buffer.alloc(16, 7);
    const key = await deriveKey("pw", salt, FAST_KDF);
    const payload = sealWithKey(key, salt, Buffer.alloc(32, 0xab));
    const raw = Buffer.from(payload, "base64");
    for (let i = 17; i < raw.length; i++) {
      const bad = Buffer.from(raw);
      bad[i] ^= 0x01;
      assert.equal(openWithKey(key, parsePayload(base64NoPad(bad), "p")), null, `byte ${i}`);
    }
  });

  test("malformed payloads are named errors", () => {
    const good = Buffer.concat([Buffer.of(1), Buffer.alloc(60)]);
    assert.throws(() => parsePayload("not base64!", "wallet w1, key"), /wallet w1, key: .*not base64/);
    assert.throws(
      () => parsePayload(base64NoPad(good.subarray(0, 40)), "wallet w2, key"),
      (e: Error) => {
        assert.ok(e instanceof KeystoreCorruptError);
        assert.match(e.message, /wallet w2, key: the encrypted payload is 40 bytes, shorter than the 45/);
        return true;
      },
    );
    const v2 = Buffer.from(good);
    v2[0] = 2;
    assert.throws(() => parsePayload(base64NoPad(v2), "x"), /x: payload version 0x02 is not supported/);
    // padded base64 is accepted on input, as other seed-000 tools may write it
    assert.equal(parsePayload(good.toString("base64"), "p").sealed.length, 60 - 28);
  });

  test("KDF parameters outside Argon2id's limits are refused before any work", async () => {
    await assert.rejects(deriveKey("pw", Buffer.alloc(16), { ...FAST_KDF, memoryKiB: 4 }), /memoryKiB 4/);
    await assert.rejects(deriveKey("pw", Buffer.alloc(16), { ...FAST_KDF, iterations: 0 }), /iterations 0/);
    await assert.rejects(deriveKey("", Buffer.alloc(16), FAST_KDF), /password is empty/);
  });
});
