import assert from "node:assert/strict";
import { test } from "node:test";
import { Signature, verify } from "@scure/starknet";
import { authTypedData, TESTNET_CHAIN } from "./signing.ts";
import { starkKeyFromEthKey } from "./stark-key.ts";
import { messageHash } from "./typed-data.ts";

// Vectors: tradeparadex/paradex-py tests/api/test_account.py (TEST_L1_PRIVATE_KEY → TEST_L2_PRIVATE_KEY /
// TEST_L2_PUBLIC_KEY, the onboarding and auth signatures) with tests/mocks/api_client.py's system
// config (l1_chain_id 11155111, starknet_chain_id PRIVATE_SN_POTC_SEPOLIA).
const L1_PRIVATE_KEY = Buffer.from("f8e4d1d772cdd44e5e77615ad11cc071c94e4c06dc21150d903f28e6aa6abdff", "hex");
const L2_ADDRESS = "0x129c135ed63df9353885e292be4426b8ed6122b13c6c0e1bb787288a1f5adfa";
const L2_PRIVATE_KEY = 0x543b6cf6c91817a87174aaea4fb370ac1c694e864d7740d728f8344d53e815n;
const L2_PUBLIC_KEY = 0x2c144d2f2d4fc61b6f8967f3ba0012a87d90140bcfe5a3e92e8df83258c960fn;
const pySig = (text: string) => {
  const [r, s] = JSON.parse(text) as [string, string];
  return new Signature(BigInt(r), BigInt(s));
};

test("paradex-py key derivation: the ETH wallet's EIP-712 'STARK Key' signature grinds to the published Stark key", () => {
  const k = starkKeyFromEthKey(L1_PRIVATE_KEY, 11155111n);
  assert.equal(BigInt(k.privateKey), L2_PRIVATE_KEY);
  assert.equal(BigInt(k.publicKey), L2_PUBLIC_KEY);
});

test("paradex-py auth signature (timestamp 1706868900, expiry 1706955300) verifies over our Request hash", () => {
  const hash = messageHash(authTypedData(TESTNET_CHAIN, 1706868900, 1706955300), L2_ADDRESS);
  const sig = pySig(
    '["1977703130303461992863803129734853218488251484396280000763960303272760326570","1751655746465244006452018629921152189693020752513749714656209614151193043281"]',
  );
  // a Stark key is the point's x: verify against either y, as StarkWare's verifier does
  const ok = [2, 3].some((prefix) =>
    verify(sig, `0x${hash.toString(16)}`, `0${prefix}${L2_PUBLIC_KEY.toString(16).padStart(64, "0")}`),
  );
  assert.ok(ok, "the published signature is over the hash we compute");
  const other = messageHash(authTypedData(TESTNET_CHAIN, 1706868901, 1706955300), L2_ADDRESS);
  assert.ok(
    ![2, 3].some((p) =>
      verify(sig, `0x${other.toString(16)}`, `0${p}${L2_PUBLIC_KEY.toString(16).padStart(64, "0")}`),
    ),
    "and not over a Request one second later",
  );
});
