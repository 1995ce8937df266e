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

const SHORT: ClientOrderIdFormat = { style: "compact", length: 20, prefix: "pb" };
const FORMATS = [COMPACT_32, HEX_128, SHORT];

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
  assert.throws(
    () => validateClientOrderIdFormat({ style: "compact", length: 33, prefix: "pb" }),
    /length 33/,
  );
  assert.throws(
    () => validateClientOrderIdFormat({ style: "compact", length: 17, prefix: "pb" }),
    /length 17/,
  );
  assert.throws(() => validateClientOrderIdFormat({ style: "compact", length: 32, prefix: "p b" }), /prefix/);
});

test("isClientOrderId recognises its own ids and refuses others", () => {
  const p = { intentId: "i", leg: 0, attempt: 0 };
  for (const f of FORMATS) assert.ok(isClientOrderId(clientOrderId(p, f), f));
  assert.ok(!isClientOrderId(clientOrderId(p, HEX_128), COMPACT_32));
  assert.ok(!isClientOrderId(clientOrderId(p, COMPACT_32), HEX_128));
  assert.ok(!isClientOrderId("0xABCDEF0123456789abcdef0123456789", HEX_128), "uppercase hex");
  assert.ok(!isClientOrderId(`pb${"a".repeat(29)}!`, COMPACT_32));
});

test("property: same inputs give the same id, and the format holds", () => {
  fc.assert(
    fc.property(partsArb, fc.constantFrom(...FORMATS), (p, f) => {
      const id = clientOrderId(p, f);
      assert.equal(clientOrderId({ ...p }, f), id);
      assert.ok(isClientOrderId(id, f), id);
      if (f.style === "compact") assert.ok(id.length <= 32 && /^[A-Za-z0-9_-]+$/.test(id));
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
        assert.equal(ids.size, all.length, f.style);
      }
    }),
    { numRuns: 300 },
  );
});
