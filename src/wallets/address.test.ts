import assert from "node:assert/strict";
import { test } from "node:test";
import { privateKeyToAddress, toChecksumAddress } from "./address.ts";

const key = (hex: string) => Buffer.from(hex.padStart(64, "0"), "hex");

test("well-known private keys give their published addresses", () => {
  // keys 1 and 2: the addresses every Ethereum explorer lists for them (e.g. etherscan.io/address/0x7E5F…)
  assert.equal(privateKeyToAddress(key("1")), "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  assert.equal(privateKeyToAddress(key("2")), "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF");
  // web3.js documentation, web3.eth.accounts.privateKeyToAccount example
  assert.equal(
    privateKeyToAddress(key("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")),
    "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
  );
});

test("EIP-55 checksum matches the EIP's own examples", () => {
  // https://eips.ethereum.org/EIPS/eip-55 test cases
  for (const a of [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0xde709f2102306220921060314715629080e2fb77",
  ]) {
    assert.equal(toChecksumAddress(a.toLowerCase()), a);
  }
  assert.throws(() => toChecksumAddress("0x1234"), /not a 20-byte hex address/);
});

test("keys outside [1, n-1] or of the wrong length are refused with the place named", () => {
  const n = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
  assert.throws(
    () => privateKeyToAddress(key("0"), "wallet w1, key"),
    /wallet w1, key: the private key is zero/,
  );
  assert.throws(() => privateKeyToAddress(key(n), "w"), /not below the secp256k1 group order/);
  assert.throws(() => privateKeyToAddress(Buffer.alloc(31, 1), "w"), /32 bytes, got 31/);
  // n - 1 is the largest valid key
  const nMinus1 = `${n.slice(0, -1)}0`;
  assert.match(privateKeyToAddress(key(nMinus1)), /^0x[0-9a-fA-F]{40}$/);
});
