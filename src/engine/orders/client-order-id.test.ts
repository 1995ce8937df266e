import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { InvalidValueError } from "../../core/errors.ts";
import {
  type ClientOrderIdFormat,
  type ClientOrderIdParts,
  COMPACT_32,
  clientOrderId,
  HEX_128,
  isClientOrderId,
  validateClientOrderIdFormat,
} from "./client-order-id.ts";

const SHORT: ClientOrderIdFormat = { kind: "text", length: 20, prefix: "pb", alphabet: "base64url" };
const ALNUM_24: ClientOrderIdFormat = { kind: "text", length: 24, prefix: "P", alphabet: "alnum" };
const UINT_48: ClientOrderIdFormat = { kind: "uint", bits: 48 };
const HEX_8: ClientOrderIdFormat = { kind: "hex", bytes: 8, prefix: "" };
const FORMATS = [COMPACT_32, HEX_128, SHORT, ALNUM_24, UINT_48, HEX_8];

const partsArb = fc.record({
  intentId: fc.string({ minLength: 1, maxLength: 40 }),
  leg: fc.nat({ max: 10 }),
  attempt: fc.nat({ max: 10 }),
});

test("ids have the venue's shape", () => {
  const p = { intentId: "3f0c9a1e-intent", leg: 0, attempt: 0 };
  assert.match(clientOrderId(p, COMPACT_32), /^pb[A-Za-z0-9_-]{30}$/);
  assert.match(clientOrderId(p, HEX_128), /^0x[0-9a-f]{32}$/);
  assert.match(clientOrderId(p, SHORT), /^pb[A-Za-z0-9_-]{18}$/);
  assert.match(clientOrderId(p, ALNUM_24), /^P[A-Za-z0-9]{23}$/);
  assert.match(clientOrderId(p, HEX_8), /^[0-9a-f]{16}$/);
  const n = BigInt(clientOrderId(p, UINT_48));
  assert.ok(n >= 1n && n < 2n ** 48n, String(n));
});

test("a resend after an unknown outcome reuses the id; a deliberate new attempt does not", () => {
  const first = clientOrderId({ intentId: "i-1", leg: 1, attempt: 0 }, HEX_128);
  const resend = clientOrderId({ intentId: "i-1", leg: 1, attempt: 0 }, HEX_128);
  const retry = clientOrderId({ intentId: "i-1", leg: 1, attempt: 1 }, HEX_128);
  assert.equal(resend, first);
  assert.notEqual(retry, first);
});

test("the encoding cannot be confused by separators in the intent id", () => {
  // a naive "intent-leg-attempt" join would make these two the same string
  const a = clientOrderId({ intentId: "x-1", leg: 2, attempt: 0 }, COMPACT_32);
  const b = clientOrderId({ intentId: "x", leg: 12, attempt: 0 }, COMPACT_32);
  assert.notEqual(a, b);
});

test("known value: the derivation is stable across releases", () => {
  // pinned from `printf '["perpbot/client-order-id/v1","intent-42",3,1]' | sha256sum`;
  // a change here changes the id of every order in flight: bump the domain tag instead
  const p = { intentId: "intent-42", leg: 3, attempt: 1 };
  assert.equal(clientOrderId(p, HEX_128), "0x9a6e7c41d9529bdc9c13854abf657934");
  assert.equal(clientOrderId(p, COMPACT_32), "pbmm58QdlSm9ycE4VKv2V5NFDfROdkQ9");
});

test("bad parts and bad formats are refused with the value in the message", () => {
  assert.throws(() => clientOrderId({ intentId: "", leg: 0, attempt: 0 }, HEX_128), InvalidValueError);
  assert.throws(() => clientOrderId({ intentId: "i", leg: -1, attempt: 0 }, HEX_128), /leg -1/);
  assert.throws(() => clientOrderId({ intentId: "i", leg: 0, attempt: 0.5 }, HEX_128), /attempt 0.5/);
  const text = (length: number, prefix: string): ClientOrderIdFormat => ({
    kind: "text",
    length,
    prefix,
    alphabet: "base64url",
  });
  assert.throws(() => validateClientOrderIdFormat(text(46, "pb")), /length 46/);
  assert.throws(() => validateClientOrderIdFormat(text(17, "pb")), /length 17/);
  assert.throws(() => validateClientOrderIdFormat(text(32, "p b")), /prefix/);
  assert.throws(
    () => validateClientOrderIdFormat({ kind: "text", length: 24, prefix: "p_", alphabet: "alnum" }),
    /prefix "p_" is not in the alnum alphabet/,
  );
  assert.throws(() => validateClientOrderIdFormat({ kind: "uint", bits: 16 }), /bits 16/);
  assert.throws(() => validateClientOrderIdFormat({ kind: "hex", bytes: 33, prefix: "0x" }), /bytes 33/);
  assert.throws(
    () => validateClientOrderIdFormat({ kind: "hex", bytes: 16, prefix: "0X" as "0x" }),
    /prefix must be/,
  );
});

test("isClientOrderId recognises its own ids and refuses others", () => {
  const p = { intentId: "i", leg: 0, attempt: 0 };
  for (const f of FORMATS) assert.ok(isClientOrderId(clientOrderId(p, f), f));
  assert.ok(!isClientOrderId(clientOrderId(p, HEX_128), COMPACT_32));
  assert.ok(!isClientOrderId(clientOrderId(p, COMPACT_32), HEX_128));
  assert.ok(!isClientOrderId("0xABCDEF0123456789abcdef0123456789", HEX_128), "uppercase hex");
  assert.ok(!isClientOrderId(`pb${"a".repeat(29)}!`, COMPACT_32));
  assert.ok(!isClientOrderId("0", UINT_48), "zero is no client id");
  assert.ok(!isClientOrderId(String(2n ** 48n), UINT_48), "too many bits");
  assert.ok(!isClientOrderId(`P${"a".repeat(22)}_`, ALNUM_24));
});

test("property: same inputs give the same id, and the format holds", () => {
  fc.assert(
    fc.property(partsArb, fc.constantFrom(...FORMATS), (p, f) => {
      const id = clientOrderId(p, f);
      assert.equal(clientOrderId({ ...p }, f), id);
      assert.ok(isClientOrderId(id, f), id);
      if (f.kind === "text") assert.ok(id.length === f.length && /^[A-Za-z0-9_-]+$/.test(id));
    }),
    { numRuns: 1000 },
  );
});

test("property: distinct (intent, leg, attempt) give distinct ids in every format", () => {
  const key = (p: ClientOrderIdParts) => JSON.stringify([p.intentId, p.leg, p.attempt]);
  fc.assert(
    fc.property(fc.uniqueArray(partsArb, { minLength: 2, maxLength: 60, selector: key }), (all) => {
      for (const f of FORMATS) {
        const ids = new Set(all.map((p) => clientOrderId(p, f)));
        assert.equal(ids.size, all.length, JSON.stringify(f));
      }
    }),
    { numRuns: 300 },
  );
});
