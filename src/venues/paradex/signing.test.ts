import assert from "node:assert/strict";
import { test } from "node:test";
import * as starknet from "@scure/starknet";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import {
  authHeaders,
  authTypedData,
  feltBytes,
  MAINNET_CHAIN,
  orderTypedData,
  scaled,
  signTyped,
} from "./signing.ts";
import {
  encodeType,
  messageHash,
  shortStringFelt,
  structHash,
  type TypedData,
  typeHash,
} from "./typed-data.ts";

// starknet.js `__mocks__/typedData/baseExample.json` and its `__tests__/utils/typedData.test.ts`
// (the same vectors in starknet.py `tests/.../test_typed_data.py` and starknet.go): rev 0 Mail
const MAIL: TypedData = {
  types: {
    StarkNetDomain: [
      { name: "name", type: "felt" },
      { name: "version", type: "felt" },
      { name: "chainId", type: "felt" },
    ],
    Person: [
      { name: "name", type: "felt" },
      { name: "wallet", type: "felt" },
    ],
    Mail: [
      { name: "from", type: "Person" },
      { name: "to", type: "Person" },
      { name: "contents", type: "felt" },
    ],
  },
  primaryType: "Mail",
  domain: { name: "StarkNet Mail", version: "1", chainId: 1 },
  message: {
    from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
    to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
    contents: "Hello, Bob!",
  },
};
const hex = (n: bigint) => `0x${n.toString(16)}`;

test("starknet.js typed-data vectors: type encoding, type hash, domain, struct and message hashes", () => {
  assert.equal(
    encodeType(MAIL.types, "Mail"),
    "Mail(from:Person,to:Person,contents:felt)Person(name:felt,wallet:felt)",
  );
  assert.equal(
    hex(typeHash(MAIL.types, "Mail")),
    "0x13d89452df9512bf750f539ba3001b945576243288137ddb6c788457d4b2f79",
  );
  assert.equal(
    hex(structHash(MAIL.types, "StarkNetDomain", MAIL.domain)),
    "0x54833b121883a3e3aebff48ec08a962f5742e5f7b973469c1f8f4f55d470b07",
  );
  assert.equal(
    hex(structHash(MAIL.types, "Mail", MAIL.message)),
    "0x4758f1ed5e7503120c228cbcaba626f61514559e9ef5ed653b0b885e0f38aec",
  );
  assert.equal(
    hex(messageHash(MAIL, "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")),
    "0x6fcff244f63e38b9d88b9e3378d44757710d1b244282b435cb472053c8d78d0",
  );
  // one changed character in the contents changes the hash
  const other = { ...MAIL, message: { ...MAIL.message, contents: "Hello, Bob?" } };
  assert.notEqual(
    hex(messageHash(other, "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")),
    "0x6fcff244f63e38b9d88b9e3378d44757710d1b244282b435cb472053c8d78d0",
  );
});

test("bad felts are refused naming the field", () => {
  const bad = { ...MAIL, message: { ...MAIL.message, contents: "x".repeat(32) } };
  assert.throws(() => messageHash(bad, "0x1"), /message\.contents: .* longer than 31 characters/);
  const missing = { ...MAIL, message: { from: MAIL.message.from, to: MAIL.message.to } };
  assert.throws(() => messageHash(missing, "0x1"), /message\.contents: missing/);
});

test("paradex-py message shapes: auth Request and Order (tests/message/test_auth.py, test_order.py)", () => {
  // build_auth_message(1, 2, 3): chain 0x1, timestamp 2, expiration 3
  const auth = authTypedData("\u0001", 2, 3);
  assert.deepEqual(auth.domain, { name: "Paradex", chainId: "0x1", version: "1" });
  assert.deepEqual(auth.message, { method: "POST", path: "/v1/auth", body: "", timestamp: 2, expiration: 3 });
  assert.deepEqual(
    auth.types.Request!.map((m) => m.name),
    ["method", "path", "body", "timestamp", "expiration"],
  );
  assert.deepEqual(
    auth.types.StarkNetDomain!.map((m) => m.name),
    ["name", "chainId", "version"],
  );
  // ETH-USD-PERP limit buy 0.1 @ 1500, signature_timestamp 1634736000000
  const order = orderTypedData("\u0001", {
    timestampMs: 1634736000000,
    market: "ETH-USD-PERP",
    side: "BUY",
    orderType: "LIMIT",
    size: "0.1",
    price: "1500",
  });
  assert.deepEqual(order.message, {
    timestamp: "1634736000000",
    market: "ETH-USD-PERP",
    side: "1",
    orderType: "LIMIT",
    size: "10000000",
    price: "150000000000",
  });
  assert.deepEqual(
    order.types.Order!.map((m) => m.name),
    ["timestamp", "market", "side", "orderType", "size", "price"],
  );
});

test("scaled felts: ×1e8 exactly, finer or malformed values refused", () => {
  assert.equal(scaled("0.00000001", "size"), "1");
  assert.equal(scaled("2500.50", "price"), "250050000000");
  assert.equal(scaled("0", "price"), "0");
  assert.throws(() => scaled("0.000000001", "size"), /size "0.000000001" has more than 8 decimals/);
  assert.throws(() => scaled("-1", "price"), /price "-1" is not a plain decimal/);
  assert.throws(() => scaled("1e3", "price"), /not a plain decimal/);
});

// StarkWare starkex-resources `crypto/starkware/crypto/signature/signature_test_data.json`
const STARKEX_KEY = "03c1e9550e66958296d11b60f8e8e7a7ad990d07fa65d5f7652c4a6c87d4e3cc";
const STARKEX_PUB_X = "077a3b314db07c45076d11f62b6f9e748a39790441823307743cf00d6597ea43";

test("the wallet's stark signer: StarkEx key vector, and its signature verifies over the hash only", async () => {
  const signer = signerFromKeyBytes("stark", Buffer.from(STARKEX_KEY, "hex"), "starkex vector");
  assert.equal(signer.publicKey, STARKEX_PUB_X);
  const h = messageHash(MAIL, "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
  const sig = await signer.sign(feltBytes(h));
  assert.equal(sig.length, 64);
  const s = new starknet.Signature(
    BigInt(`0x${Buffer.from(sig.subarray(0, 32)).toString("hex")}`),
    BigInt(`0x${Buffer.from(sig.subarray(32)).toString("hex")}`),
  );
  const full = starknet.getPublicKey(STARKEX_KEY);
  assert.ok(starknet.verify(s, hex(h), full));
  assert.ok(!starknet.verify(s, hex(h + 1n), full));
  assert.throws(
    () => signerFromKeyBytes("stark", new Uint8Array(31), "short"),
    /short: a Stark key is 32 bytes, got 31/,
  );
});

test("order and auth signatures: decimal [r, s] a verifier accepts; a tampered size fails", async () => {
  const signer = signerFromKeyBytes("stark", Buffer.from(STARKEX_KEY, "hex"), "k");
  const account = "0x1234abcd";
  const o = {
    timestampMs: 1700000000000,
    market: "BTC-USD-PERP",
    side: "SELL" as const,
    orderType: "LIMIT",
    size: "0.25",
    price: "64000.5",
  };
  const [r, s] = JSON.parse(await signTyped(signer, orderTypedData(MAINNET_CHAIN, o), account)) as [
    string,
    string,
  ];
  assert.match(r, /^[0-9]+$/);
  const sig = new starknet.Signature(BigInt(r), BigInt(s));
  const pub = starknet.getPublicKey(STARKEX_KEY);
  assert.ok(starknet.verify(sig, hex(messageHash(orderTypedData(MAINNET_CHAIN, o), account)), pub));
  const tampered = orderTypedData(MAINNET_CHAIN, { ...o, size: "2.5" });
  assert.ok(!starknet.verify(sig, hex(messageHash(tampered, account)), pub));

  const h = await authHeaders(signer, account, MAINNET_CHAIN, 1700000000, 1700086400);
  assert.equal(h["PARADEX-TIMESTAMP"], "1700000000");
  assert.equal(h["PARADEX-SIGNATURE-EXPIRATION"], "1700086400");
  const [ar, as] = JSON.parse(h["PARADEX-STARKNET-SIGNATURE"]) as [string, string];
  const authHash = messageHash(authTypedData(MAINNET_CHAIN, 1700000000, 1700086400), account);
  assert.ok(starknet.verify(new starknet.Signature(BigInt(ar), BigInt(as)), hex(authHash), pub));
  assert.equal(shortStringFelt(MAINNET_CHAIN), BigInt(`0x${Buffer.from(MAINNET_CHAIN).toString("hex")}`));
});

test("a signer of another scheme is refused", async () => {
  const ed = signerFromKeyBytes("ed25519", new Uint8Array(32).fill(7), "ed");
  await assert.rejects(signTyped(ed, MAIL, "0x1"), /the account signer is ed25519, a Stark key is needed/);
});
