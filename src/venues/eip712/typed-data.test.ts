import assert from "node:assert/strict";
import { test } from "node:test";
import { keccak256 } from "../../wallets/secp256k1.ts";
import {
  domainSeparator,
  encodeType,
  hashStruct,
  type TypedTypes,
  typedDataDigest,
  typeHash,
} from "./typed-data.ts";

/**
 * The worked example of the EIP-712 specification (https://eips.ethereum.org/EIPS/eip-712,
 * assets/eip-712/Example.js, "Ether Mail"): the published type string, type hash, struct hashes,
 * domain separator and digest.
 */
const TYPES: TypedTypes = {
  Person: [
    { name: "name", type: "string" },
    { name: "wallet", type: "address" },
  ],
  Mail: [
    { name: "from", type: "Person" },
    { name: "to", type: "Person" },
    { name: "contents", type: "string" },
  ],
};
const DOMAIN = {
  name: "Ether Mail",
  version: "1",
  chainId: 1,
  verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
};
const MAIL = {
  from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
  to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
  contents: "Hello, Bob!",
};
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

test("the spec's Mail example: type string, type hash, struct hashes, domain, digest", () => {
  assert.equal(
    encodeType("Mail", TYPES),
    "Mail(Person from,Person to,string contents)Person(string name,address wallet)",
  );
  assert.equal(
    hex(typeHash("Mail", TYPES)),
    "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2",
  );
  assert.equal(
    hex(hashStruct("Person", MAIL.from, TYPES)),
    "0xfc71e5fa27ff56c350aa531bc129ebdf613b772b6604664f5d8dbe21b85eb0c8",
  );
  assert.equal(
    hex(hashStruct("Mail", MAIL, TYPES)),
    "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e",
  );
  const sep = domainSeparator(DOMAIN);
  assert.equal(hex(sep), "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
  assert.equal(
    hex(typedDataDigest(sep, "Mail", TYPES, MAIL)),
    "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2",
  );
});

test("a changed member changes the struct hash; values out of range or of the wrong kind throw naming the path", () => {
  const changed = { ...MAIL, contents: "Hello, Bob?" };
  assert.notEqual(hex(hashStruct("Mail", changed, TYPES)), hex(hashStruct("Mail", MAIL, TYPES)));
  const T: TypedTypes = {
    Leg: [
      { name: "size", type: "uint64" },
      { name: "delta", type: "int8" },
      { name: "ok", type: "bool" },
    ],
    Order: [{ name: "legs", type: "Leg[]" }],
  };
  const leg = { size: 1, delta: -1, ok: true };
  assert.equal(encodeType("Order", T), "Order(Leg[] legs)Leg(uint64 size,int8 delta,bool ok)");
  assert.ok(hashStruct("Order", { legs: [leg] }, T).length === 32);
  assert.throws(
    () => hashStruct("Order", { legs: [{ ...leg, size: 2n ** 64n }] }, T),
    /Order\.legs\[0\]\.size: .* does not fit uint64/,
  );
  assert.throws(() => hashStruct("Order", { legs: [{ ...leg, delta: -129 }] }, T), /does not fit int8/);
  assert.throws(
    () => hashStruct("Order", { legs: [{ ...leg, ok: "yes" }] }, T),
    /Order\.legs\[0\]\.ok: expected a boolean/,
  );
  assert.throws(
    () => hashStruct("Order", { legs: [{ size: 1, ok: true }] }, T),
    /Order\.legs\[0\]\.delta: missing/,
  );
});

test("negative ints are two's complement words; an empty array is keccak of nothing", () => {
  const T: TypedTypes = { X: [{ name: "v", type: "int64" }], Y: [{ name: "a", type: "uint8[]" }] };
  // int64 -1 is the all-ones word: hashStruct = keccak(typeHash ‖ 0xff…ff)
  const ones = new Uint8Array(32).fill(0xff);
  assert.equal(hex(hashStruct("X", { v: -1 }, T)), hex(keccak256(typeHash("X", T), ones)));
  assert.equal(hex(hashStruct("X", { v: "-1" }, T)), hex(keccak256(typeHash("X", T), ones)));
  assert.equal(hex(hashStruct("Y", { a: [] }, T)), hex(keccak256(typeHash("Y", T), keccak256())));
});
