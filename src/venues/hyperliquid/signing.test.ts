import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import {
  L1_VECTORS,
  NK_HASHES,
  PY_KEY,
  PY_PHANTOM,
  type Sig,
  USER_SIGNED_VECTORS,
} from "./fixtures/vectors.ts";
import { pack } from "./msgpack.ts";
import { loadNativeBackend, loadWasmBackend } from "./secp.ts";
import {
  exchangeBody,
  fromHex,
  type HlSignature,
  HlSigner,
  l1ActionHash,
  signApproveAgent,
  signL1Action,
  signUserSignedAction,
  toHex,
} from "./signing.ts";
import { orderAction } from "./wire.ts";

/** r and s compared as integers (the Python vectors strip leading zero nibbles). */
function assertSig(actual: HlSignature, expected: Sig, name: string): void {
  assert.equal(BigInt(actual.r), BigInt(expected.r), `${name}: r`);
  assert.equal(BigInt(actual.s), BigInt(expected.s), `${name}: s`);
  assert.equal(actual.v, expected.v, `${name}: v`);
  assert.match(actual.r, /^0x[0-9a-f]{64}$/);
  assert.match(actual.s, /^0x[0-9a-f]{64}$/);
}

const signer = (key: string) => new HlSigner(fromHex(key, 32));

describe("hyperliquid signing: published vectors", () => {
  for (const v of L1_VECTORS) {
    it(`L1 ${v.name}`, () => {
      const sig = signL1Action(signer(v.key), v.action, {
        nonce: v.nonce,
        mainnet: v.mainnet,
        vaultAddress: v.vaultAddress,
        expiresAfter: v.expiresAfter,
      });
      assertSig(sig, v.sig, v.name);
    });
  }

  for (const v of USER_SIGNED_VECTORS) {
    it(`user-signed ${v.name}`, () => {
      assertSig(signUserSignedAction(signer(v.key), v.kind, v.action), v.sig, v.name);
    });
  }

  it("PY phantom agent connection id of a production order (built from the order input)", () => {
    const action = orderAction([
      {
        asset: 4,
        isBuy: true,
        sz: 0.0147,
        limitPx: 1670.1,
        reduceOnly: false,
        orderType: { limit: { tif: "Ioc" } },
      },
    ]);
    assert.deepEqual(action, PY_PHANTOM.action);
    assert.equal(toHex(l1ActionHash(action, PY_PHANTOM.nonce)), PY_PHANTOM.connectionId);
  });

  it("NK connection ids with and without vault and expiresAfter", () => {
    const { action, nonce, vaultAddress: vault, expiresAfter: exp } = NK_HASHES;
    assert.equal(toHex(l1ActionHash(action, nonce)), NK_HASHES.base);
    assert.equal(toHex(l1ActionHash(action, nonce, vault)), NK_HASHES.withVault);
    assert.equal(toHex(l1ActionHash(action, nonce, undefined, exp)), NK_HASHES.withExpires);
    assert.equal(toHex(l1ActionHash(action, nonce, vault, exp)), NK_HASHES.withBoth);
  });

  it("the PY order vectors' actions are what orderAction builds from the SDK's order requests", () => {
    const base = { asset: 1, isBuy: true, sz: 100, limitPx: 100, reduceOnly: false } as const;
    const find = (name: string) => L1_VECTORS.find((v) => v.name === `${name} mainnet`)?.action;
    assert.deepEqual(orderAction([{ ...base, orderType: { limit: { tif: "Gtc" } } }]), find("PY order"));
    assert.deepEqual(
      orderAction([
        { ...base, orderType: { limit: { tif: "Gtc" } }, cloid: "0x00000000000000000000000000000001" },
      ]),
      find("PY order with cloid"),
    );
    assert.deepEqual(
      orderAction([{ ...base, orderType: { trigger: { triggerPx: 103, isMarket: true, tpsl: "sl" } } }]),
      find("PY tpsl order"),
    );
  });
});

describe("hyperliquid signing: keys and backends", () => {
  it("derives the address of the published key", () => {
    // eth_account.Account.from_key(PY_KEY).address (the Python SDK's examples use this key)
    assert.equal(signer(PY_KEY).address, "0x14791697260e4c9a71f18484c9f997b308e59325");
  });

  it("the native and WASM backends sign byte-identically", async () => {
    const native = loadNativeBackend();
    if (!native) return; // no prebuild on this platform: the WASM backend is the one in use
    const wasm = await loadWasmBackend();
    const key = fromHex(PY_KEY, 32);
    for (const v of L1_VECTORS.slice(0, 6)) {
      const a = signL1Action(new HlSigner(key, native), v.action, { nonce: v.nonce, mainnet: v.mainnet });
      const b = signL1Action(new HlSigner(key, wasm), v.action, { nonce: v.nonce, mainnet: v.mainnet });
      assert.deepEqual(a, b);
    }
  });

  it("never shows the key", () => {
    const s = signer(PY_KEY);
    const secret = PY_KEY.slice(2);
    for (const text of [
      JSON.stringify(s),
      inspect(s, { showHidden: true, depth: 9 }),
      String(Object.keys(s)),
    ]) {
      assert.ok(!text.includes(secret), text);
      assert.ok(!text.includes("1,35,69"), text); // the first key bytes as a list
    }
  });

  it("refuses an invalid key", () => {
    assert.throws(() => new HlSigner(new Uint8Array(32)));
    assert.throws(() => new HlSigner(new Uint8Array(31).fill(1)));
  });
});

describe("hyperliquid signing: approveAgent and body", () => {
  it('approveAgent without a name signs agentName "" and omits it from the action', () => {
    const master = signer(PY_KEY);
    const agent = "0x1111111111111111111111111111111111111111";
    const unnamed = signApproveAgent(master, { agentAddress: agent, nonce: 1700000000000, mainnet: false });
    assert.equal("agentName" in unnamed.action, false);
    const named = signApproveAgent(master, {
      agentAddress: agent,
      agentName: "",
      nonce: 1700000000000,
      mainnet: false,
    });
    assert.deepEqual(unnamed.signature, named.signature);
    assert.equal(unnamed.action.hyperliquidChain, "Testnet");
    assert.equal(unnamed.action.signatureChainId, "0x66eee");
    const other = signApproveAgent(master, {
      agentAddress: agent,
      agentName: "bot",
      nonce: 1700000000000,
      mainnet: false,
    });
    assert.notDeepEqual(other.signature, named.signature);
  });

  it("builds the /exchange body with optional fields only when set", () => {
    const sig = { r: "0x01", s: "0x02", v: 27 } as unknown as HlSignature;
    assert.deepEqual(JSON.parse(exchangeBody({ type: "noop" }, 5, sig)), {
      action: { type: "noop" },
      nonce: 5,
      signature: sig,
    });
    const withBoth = JSON.parse(exchangeBody({ type: "noop" }, 5, sig, "0xab", 9));
    assert.deepEqual(Object.keys(withBoth), ["action", "nonce", "signature", "vaultAddress", "expiresAfter"]);
  });
});

describe("hyperliquid msgpack", () => {
  const hex = (v: Parameters<typeof pack>[0]) => Buffer.from(pack(v)).toString("hex");
  it("writes the smallest integer encodings (msgpack-python's)", () => {
    assert.equal(hex(0), "00");
    assert.equal(hex(127), "7f");
    assert.equal(hex(128), "cc80");
    assert.equal(hex(255), "ccff");
    assert.equal(hex(256), "cd0100");
    assert.equal(hex(65536), "ce00010000");
    assert.equal(hex(2 ** 32), "cf0000000100000000");
    assert.equal(hex(100000000000), "cf000000174876e800");
    assert.equal(hex(-1), "ff");
    assert.equal(hex(-32), "e0");
    assert.equal(hex(-33), "d0df");
    assert.equal(hex(-129), "d1ff7f");
    assert.equal(hex(-40000), "d2ffff63c0");
    assert.equal(hex(2n ** 64n - 1n), "cfffffffffffffffff");
    assert.equal(hex(-(2n ** 40n)), "d3ffffff0000000000");
    assert.throws(() => pack(2 ** 60));
  });

  it("strings, floats, nil, bools, bin, arrays and maps in insertion order", () => {
    assert.equal(hex("a"), "a161");
    assert.equal(hex("x".repeat(31)), `bf${"78".repeat(31)}`);
    assert.equal(hex("x".repeat(32)), `d920${"78".repeat(32)}`);
    assert.equal(hex("y".repeat(300)), `da012c${"79".repeat(300)}`);
    assert.equal(hex("é"), "a2c3a9");
    assert.equal(hex(1.5), "cb3ff8000000000000");
    assert.equal(hex(null), "c0");
    assert.equal(hex([true, false]), "92c3c2");
    assert.equal(hex(Uint8Array.of(1, 2)), "c4020102");
    assert.equal(hex({ b: 1, a: 2 }), "82a16201a16102");
    assert.equal(hex({ a: 1, skip: undefined }), "81a16101");
    assert.equal(hex(Array.from({ length: 16 }, () => 0)), `dc0010${"00".repeat(16)}`);
  });
});
