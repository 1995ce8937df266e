import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { computeHashOnElements, pedersen } from "@scure/starknet";
import { hashOnElements, pedersenFast } from "./pedersen.ts";

const FIELD = (1n << 251n) + 17n * (1n << 192n) + 1n;
const rnd = () => BigInt(`0x${randomBytes(32).toString("hex")}`) % FIELD;

test("windowed Pedersen equals @scure/starknet's on edge and random field elements", () => {
  const edge = [0n, 1n, 2n, 255n, 256n, (1n << 248n) - 1n, 1n << 248n, FIELD - 1n];
  for (const x of edge)
    for (const y of edge) assert.equal(pedersenFast(x, y), BigInt(pedersen(x, y)), `${x}, ${y}`);
  for (let i = 0; i < 40; i++) {
    const x = rnd();
    const y = rnd();
    assert.equal(pedersenFast(x, y), BigInt(pedersen(x, y)));
  }
  // StarkWare's published pair (starkware-libs/crypto-cpp pedersen_hash_test.cc, also signature_test_data.json)
  assert.equal(
    pedersenFast(
      0x3d937c035c878245caf64531a5756109c53068da139362728feb561405371cbn,
      0x208a0a10250e382e1e4bbe2880906c2791bf6275695e02fbbc6aeff9cd8b31an,
    ),
    0x30e480bed5fe53fa909cc0f8c4d99b8f9f2c016be4c41e13a4848797979c662n,
  );
});

test("hash on elements equals the library's fold; inputs outside the field are refused", () => {
  const values = [rnd(), rnd(), 0n, 7n, rnd()];
  assert.equal(hashOnElements(values), BigInt(computeHashOnElements(values) as string));
  assert.equal(hashOnElements([]), BigInt(computeHashOnElements([]) as string));
  assert.throws(() => pedersenFast(FIELD, 0n), /field elements/);
  assert.throws(() => pedersenFast(-1n, 0n), /field elements/);
});
