import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ORDER } from "./curve.ts";
import { fp5, fp5FromBytesLE, fp5ToBytesLE, P } from "./field.ts";
import {
  publicKeyFromSecret,
  scalarFromFp5,
  signatureFromBytes,
  signatureToBytes,
  signHashedWithNonce,
  verifyBytes,
  verifyHashed,
} from "./schnorr.ts";
import { SCHNORR } from "./test-vectors.ts";

describe("Schnorr over ECgFp5 (poseidon_crypto schnorr_test.go vectors)", () => {
  it("reproduces the reference signatures for fixed nonces and verifies them (TestComparativeSchnorrSignAndVerify)", () => {
    for (const v of SCHNORR) {
      const sig = signHashedWithNonce(v.msg, v.sk, v.k);
      assert.equal(sig.s, v.s);
      assert.equal(sig.e, v.e);
      const pk = publicKeyFromSecret(v.sk);
      assert.equal(verifyHashed(pk, v.msg, sig), undefined);
    }
  });

  it("sign then verify round-trips for random keys, nonces and messages; a flipped bit never verifies", () => {
    const scalar = fc.bigInt({ min: 1n, max: ORDER - 1n });
    const limb = fc.bigInt({ min: 0n, max: P - 1n });
    fc.assert(
      fc.property(scalar, scalar, fc.tuple(limb, limb, limb, limb, limb), fc.nat(639), (sk, k, m, bit) => {
        const msg = fp5(m);
        const pk = fp5ToBytesLE(publicKeyFromSecret(sk));
        const sig = signatureToBytes(signHashedWithNonce(msg, sk, k));
        assert.equal(verifyBytes(pk, fp5ToBytesLE(msg), sig), undefined);
        const bad = Uint8Array.from(sig);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        assert.notEqual(verifyBytes(pk, fp5ToBytesLE(msg), bad), undefined);
      }),
      { numRuns: 20 },
    );
  });

  it("rejects a changed message, key, s or e", () => {
    const v = SCHNORR[0]!;
    const pk = publicKeyFromSecret(v.sk);
    const sig = { s: v.s, e: v.e };
    const msg2 = fp5([v.msg[0] + 1n, v.msg[1], v.msg[2], v.msg[3], v.msg[4]]);
    assert.equal(verifyHashed(pk, msg2, sig), "bad signature");
    assert.equal(verifyHashed(publicKeyFromSecret(v.sk + 1n), v.msg, sig), "bad signature");
    assert.equal(verifyHashed(pk, v.msg, { s: v.s + 1n, e: v.e }), "bad signature");
    assert.equal(verifyHashed(pk, v.msg, { s: v.s, e: (v.e + 1n) % ORDER }), "bad signature");
  });

  it("byte form: s ‖ e little-endian, values ≥ n reduced (TestBytes)", () => {
    const v = SCHNORR[1]!;
    const pk = fp5ToBytesLE(publicKeyFromSecret(v.sk));
    const msg = fp5ToBytesLE(v.msg);
    const bytes = signatureToBytes({ s: v.s, e: v.e });
    assert.deepEqual(signatureFromBytes(bytes), { s: v.s, e: v.e });
    assert.equal(verifyBytes(pk, msg, bytes), undefined);
    const nonCanonical = signatureToBytes({ s: v.s + ORDER, e: v.e + ORDER });
    assert.equal(verifyBytes(pk, msg, nonCanonical), undefined);
    assert.match(verifyBytes(pk, msg, bytes.subarray(0, 79)) ?? "", /80 bytes expected, got 79/);
    assert.match(verifyBytes(pk.subarray(1), msg, bytes) ?? "", /public key: 40 bytes expected, got 39/);
  });

  it("a key that is no curve point is reported as such", () => {
    const v = SCHNORR[2]!;
    // an element that decodes to no point (TestBasicOps' first "bad" value)
    const bad = fp5([
      13557832913345268708n,
      15669280705791538619n,
      8534654657267986396n,
      12533218303838131749n,
      5058070698878426028n,
    ]);
    assert.match(verifyHashed(bad, v.msg, { s: v.s, e: v.e }) ?? "", /bad public key/);
  });

  it("the challenge reads the hash limbs as a little-endian integer mod n (TestFromQuinticExtension)", () => {
    const m = P - 1n;
    const e = scalarFromFp5([m, m, m, m, m]);
    const limbs = [3449841778703204414n, 3382000508875488967n, 212073444237n, 124554051540n, 17179869170n];
    assert.equal(
      e,
      limbs.reduceRight((acc, l) => (acc << 64n) | l, 0n),
    );
    assert.deepEqual(fp5FromBytesLE(fp5ToBytesLE(SCHNORR[0]!.msg)), SCHNORR[0]!.msg);
  });
});
