import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { inspect } from "node:util";
import { redactText } from "../log/redact.ts";
import { FAST_KDF } from "../testing/keystore.ts";
import { addWallets, createKeystore } from "./edit.ts";
import { openKeystore } from "./keystore.ts";
import { signerFromKeyBytes, signerFromKeystore } from "./signer.ts";

const PW = "signer test password";
const dir = mkdtempSync(join(tmpdir(), "perpbot-signer-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// RFC 8032 section 7.1, TEST 1: secret key, public key and the signature of the empty message
const RFC_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC_SIGNATURE =
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

test("an ed25519 signer from a keystore entry signs as RFC 8032 says, and shows only its public key", async () => {
  const file = join(dir, "keystore.json");
  await createKeystore(file, PW, FAST_KDF);
  await addWallets(file, PW, [
    {
      id: "w1",
      label: "signer",
      venues: {
        backpack: {
          identity: { api_key_id: "bp-key-1" },
          secrets: { api_private_key: { bytes: Buffer.from(RFC_SEED, "hex"), encoding: "hex" } },
        },
      },
    },
  ]);
  const ks = await openKeystore(file, PW);
  try {
    const signer = await signerFromKeystore(ks, {
      walletId: "w1",
      scheme: "ed25519",
      venue: "backpack",
      field: "api_private_key",
    });
    assert.equal(signer.publicKey, RFC_PUBLIC);
    assert.equal(Buffer.from(await signer.sign(new Uint8Array(0))).toString("hex"), RFC_SIGNATURE);
    const message = new TextEncoder().encode("instruction=orderExecute&price=60000");
    const sig = await signer.sign(message);
    const spki = Buffer.concat([
      Buffer.from("302a300506032b6570032100", "hex"),
      Buffer.from(RFC_PUBLIC, "hex"),
    ]);
    const pub = createPublicKey({ key: spki, format: "der", type: "spki" });
    assert.ok(verify(null, message, pub, sig), "verifies under the public key");
    assert.ok(!verify(null, new TextEncoder().encode("tampered"), pub, sig));
    // the secret is not reachable through the signer's own properties or its JSON
    const shown = JSON.stringify(signer) + Object.values(signer).map(String).join(" ");
    assert.ok(!shown.includes(RFC_SEED), shown);
    await assert.rejects(
      signerFromKeystore(ks, { walletId: "w1", scheme: "ed25519", venue: "backpack", field: "nope" }),
      /wallet w1, backpack\.nope: no such secret field \(has: api_private_key\)/,
    );
  } finally {
    ks.close();
  }
});

test("bad keys are refused with where they came from", () => {
  assert.throws(
    () => signerFromKeyBytes("ed25519", new Uint8Array(31), "wallet w9"),
    /wallet w9: .*32-byte seed, got 31/,
  );
  assert.throws(
    () => signerFromKeyBytes("secp256k1", new Uint8Array(32), "wallet w9"),
    /wallet w9: the private key is zero/,
  );
});

// the Python SDK's test key (hyperliquid-python-sdk tests/signing_test.py) and its address
const PY_KEY = "0123456789012345678901234567890123456789012345678901234567890123";
const PY_ADDRESS = "14791697260e4c9a71f18484c9f997b308e59325";

test("a secp256k1 signer signs a digest recoverably, low s, and shows only its public key", async () => {
  const { secp256k1 } = await import("@noble/curves/secp256k1.js");
  const { keccak_256 } = await import("@noble/hashes/sha3.js");
  const key = Buffer.from(PY_KEY, "hex");
  const signer = signerFromKeyBytes("secp256k1", key, "wallet w1");
  key.fill(0); // the signer keeps its own copy
  assert.equal(signer.publicKey.length, 66);
  const digest = keccak_256(new TextEncoder().encode("perpbot"));
  const sig = await signer.sign(digest);
  assert.equal(sig.length, 65);
  // an independent implementation recovers the same public key from r, s and the recovery id
  const recovered = secp256k1.Signature.fromBytes(sig.subarray(0, 64), "compact")
    .addRecoveryBit(sig[64])
    .recoverPublicKey(digest);
  assert.equal(recovered.toHex(true), signer.publicKey);
  const address = Buffer.from(keccak_256(recovered.toBytes(false).subarray(1)).subarray(12)).toString("hex");
  assert.equal(address, PY_ADDRESS);
  const s = BigInt(`0x${Buffer.from(sig.subarray(32, 64)).toString("hex")}`);
  assert.ok(s <= secp256k1.Point.CURVE().n / 2n, "low s");
  assert.doesNotMatch(JSON.stringify(signer) + String(signer), new RegExp(PY_KEY));
  await assert.rejects(signer.sign(new Uint8Array(31)), /wallet w1: secp256k1 signs a 32-byte digest/);
});

test("an ed25519 key kept as base64 text (as Backpack shows its API secrets) signs as RFC 8032; other text is refused", async () => {
  const file = join(dir, "keystore-b64.json");
  await createKeystore(file, PW, FAST_KDF);
  const b64 = Buffer.from(RFC_SEED, "hex").toString("base64");
  await addWallets(file, PW, [
    {
      id: "w1",
      venues: {
        backpack: {
          identity: {},
          secrets: {
            api_secret: { bytes: Buffer.from(b64, "utf8"), encoding: "utf8" },
            pasted: { bytes: Buffer.from(`${b64.slice(0, 20)} ${b64.slice(21)}`, "utf8"), encoding: "utf8" },
          },
        },
      },
    },
  ]);
  const ks = await openKeystore(file, PW);
  try {
    const source = { walletId: "w1", scheme: "ed25519", venue: "backpack", text: "base64" } as const;
    const signer = await signerFromKeystore(ks, { ...source, field: "api_secret" });
    assert.equal(signer.publicKey, RFC_PUBLIC);
    assert.equal(Buffer.from(await signer.sign(new Uint8Array(0))).toString("hex"), RFC_SIGNATURE);
    await assert.rejects(
      signerFromKeystore(ks, { ...source, field: "pasted" }),
      /wallet w1, backpack\.pasted: expected the secret as base64 text \(as the venue shows it\), got 44 characters that are not/,
    );
    // the raw-bytes reading of the same text is not a 32-byte seed: the error says so
    await assert.rejects(
      signerFromKeystore(ks, { walletId: "w1", scheme: "ed25519", venue: "backpack", field: "api_secret" }),
      /an ed25519 key is a 32-byte seed, got 44 bytes/,
    );
  } finally {
    ks.close();
  }
});

test("a secp256k1 signer with an HMAC secret field (EdgeX): the MAC is RFC 4231's, or of the base64 text; a missing field is named", async () => {
  const file = join(dir, "keystore-hmac.json");
  await createKeystore(file, PW, FAST_KDF);
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
  await addWallets(file, PW, [
    {
      id: "w2",
      label: "hmac",
      venues: {
        edgex: {
          identity: {},
          secrets: {
            trading_private_key: { bytes: Buffer.alloc(32, 4), encoding: "hex" },
            api_secret: { bytes: Buffer.from("Jefe", "utf8"), encoding: "utf8" },
            api_passphrase: { bytes: Buffer.from("pass-phrase-7", "utf8"), encoding: "utf8" },
          },
        },
      },
    },
  ]);
  const ks = await openKeystore(file, PW);
  try {
    const source = {
      walletId: "w2",
      scheme: "secp256k1" as const,
      venue: "edgex",
      field: "trading_private_key",
    };
    const data = new TextEncoder().encode("what do ya want for nothing?");
    const raw = await signerFromKeystore(ks, { ...source, hmac: { field: "api_secret", key: "stored" } });
    assert.equal(
      Buffer.from(raw.hmacSha256?.(data) ?? []).toString("hex"),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    assert.equal(raw.scheme, "secp256k1");
    assert.equal((await raw.sign(new Uint8Array(32))).length, 65, "still signs digests");
    // "base64-text": the key is the ASCII of base64("Jefe") = "SmVmZQ==" (EdgeX's auth.py)
    const b64 = await signerFromKeystore(ks, {
      ...source,
      hmac: { field: "api_secret", key: "base64-text" },
    });
    const { createHmac } = await import("node:crypto");
    assert.equal(
      Buffer.from(b64.hmacSha256?.(data) ?? []).toString("hex"),
      createHmac("sha256", "SmVmZQ==").update(data).digest("hex"),
    );
    assert.ok(!JSON.stringify(b64).includes("Jefe"));
    await assert.rejects(
      signerFromKeystore(ks, { ...source, hmac: { field: "nope", key: "stored" } }),
      /wallet w2, edgex\.nope: no such secret field/,
    );
    assert.equal(b64.apiPassphrase, undefined, "no passphrase unless its field is named");
    // the passphrase field: its text comes back from the signer, never in its JSON or inspection
    const withPass = await signerFromKeystore(ks, {
      ...source,
      hmac: { field: "api_secret", key: "base64-text", passphrase: "api_passphrase" },
    });
    assert.equal(withPass.apiPassphrase?.(), "pass-phrase-7");
    assert.ok(!JSON.stringify(withPass).includes("pass-phrase-7"));
    assert.ok(!inspect(withPass).includes("pass-phrase-7"));
    assert.equal(redactText("header pass-phrase-7 sent").includes("pass-phrase-7"), false);
    await assert.rejects(
      signerFromKeystore(ks, { ...source, hmac: { field: "api_secret", key: "stored", passphrase: "pp" } }),
      /wallet w2, edgex\.pp: no such secret field/,
    );
  } finally {
    ks.close();
  }
});

test("an HMAC-only signer (an exchange-managed account): RFC 4231's MAC, no private key, sign refused, a bad source named", async () => {
  const file = join(dir, "keystore-hmac-only.json");
  await createKeystore(file, PW, FAST_KDF);
  await addWallets(file, PW, [
    {
      id: "w3",
      label: "managed",
      venues: {
        hibachi: {
          identity: {},
          secrets: { api_secret: { bytes: Buffer.from("Jefe", "utf8"), encoding: "utf8" } },
        },
      },
    },
  ]);
  const ks = await openKeystore(file, PW);
  try {
    const source = { walletId: "w3", scheme: "hmac" as const, venue: "hibachi" };
    const s = await signerFromKeystore(ks, { ...source, hmac: { field: "api_secret", key: "stored" } });
    const data = new TextEncoder().encode("what do ya want for nothing?");
    // RFC 4231 test case 2
    assert.equal(
      Buffer.from(s.hmacSha256?.(data) ?? []).toString("hex"),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    assert.equal(s.scheme, "hmac");
    assert.equal(s.publicKey, "");
    await assert.rejects(s.sign(new Uint8Array(32)), /wallet w3, hibachi: .*has no private key/);
    assert.ok(!JSON.stringify(s).includes("Jefe") && !inspect(s).includes("Jefe"));
    await assert.rejects(
      signerFromKeystore(ks, { ...source, hmac: { field: "nope", key: "stored" } }),
      /wallet w3, hibachi\.nope: no such secret field \(has: api_secret\)/,
    );
    await assert.rejects(
      signerFromKeystore(ks, {
        ...source,
        field: "api_secret",
        hmac: { field: "api_secret", key: "stored" },
      }),
      /wallet w3, hibachi: an hmac signer names its venue and hmac secret field, and no private-key field/,
    );
    await assert.rejects(
      signerFromKeystore(ks, source),
      /an hmac signer names its venue and hmac secret field/,
    );
  } finally {
    ks.close();
  }
});
