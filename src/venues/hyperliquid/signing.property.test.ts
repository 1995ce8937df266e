/**
 * Our L1 connection id against two other implementations on random actions: `@nktkas/hyperliquid`'s
 * `createL1ActionHash` (a standard client, `@msgpack/msgpack` inside) and the emulator's own
 * verifier (which re-serialises canonically; our wire output is already canonical).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createL1ActionHash } from "@nktkas/hyperliquid/signing";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { l1HashInput } from "./emulator/verify.ts";
import { l1ActionHash, toHex } from "./signing.ts";
import { cancelAction, modifyAction, type OrderInput, orderAction, updateLeverageAction } from "./wire.ts";

const decimal = fc
  .tuple(fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 6 }))
  .map(([n, d]) => (n / 10 ** d).toFixed(d));
const cloid = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((b) => `0x${Buffer.from(b).toString("hex")}`);
const order: fc.Arbitrary<OrderInput> = fc.record({
  asset: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 10_000, max: 10_300 })),
  isBuy: fc.boolean(),
  limitPx: decimal,
  sz: decimal,
  reduceOnly: fc.boolean(),
  orderType: fc.oneof(
    fc.constantFrom("Gtc", "Ioc", "Alo").map((tif) => ({ limit: { tif } }) as OrderInput["orderType"]),
    fc
      .record({ isMarket: fc.boolean(), triggerPx: decimal, tpsl: fc.constantFrom("tp", "sl") })
      .map((trigger) => ({ trigger }) as OrderInput["orderType"]),
  ),
  cloid: fc.option(cloid, { nil: undefined }),
});
const action = fc.oneof(
  fc.array(order, { minLength: 1, maxLength: 20 }).map((os) => orderAction(os)),
  fc
    .array(fc.record({ asset: fc.nat(300), oid: fc.nat(2 ** 40) }), { minLength: 1, maxLength: 20 })
    .map(cancelAction),
  fc.tuple(fc.oneof(fc.nat(2 ** 45), cloid), order).map(([oid, o]) => modifyAction(oid, o)),
  fc
    .tuple(fc.nat(300), fc.boolean(), fc.integer({ min: 1, max: 50 }))
    .map(([a, c, l]) => updateLeverageAction(a, c, l)),
);
const vault = fc.option(
  fc
    .uint8Array({ minLength: 20, maxLength: 20 })
    .map((b) => `0x${Buffer.from(b).toString("hex")}` as `0x${string}`),
  { nil: undefined },
);
const nonce = fc.integer({ min: 0, max: 2 ** 50 });

describe("hyperliquid L1 hash: cross-implementation", () => {
  it("equals @nktkas/hyperliquid's createL1ActionHash and the emulator's hash input", () => {
    fc.assert(
      fc.property(action, nonce, vault, fc.option(nonce, { nil: undefined }), (a, n, v, exp) => {
        const ours = toHex(l1ActionHash(a, n, v, exp));
        const json = JSON.parse(JSON.stringify(a)) as Record<string, unknown>;
        assert.equal(
          ours,
          createL1ActionHash({ action: json, nonce: n, vaultAddress: v, expiresAfter: exp }),
        );
        const body = {
          action: json as { type: string },
          nonce: n,
          signature: { r: "0x1", s: "0x1", v: 27 },
          vaultAddress: v,
          expiresAfter: exp,
        };
        assert.equal(ours, toHex(keccak_256(l1HashInput(body))));
      }),
      { numRuns: 300 },
    );
  });
});
