import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { L1_VECTORS, PY_KEY, USER_SIGNED_VECTORS } from "../fixtures/vectors.ts";
import {
  exchangeBody,
  fromHex,
  HlSigner,
  signApproveAgent,
  signL1Action,
  signUserSignedAction,
} from "../signing.ts";
import {
  batchModifyAction,
  cancelAction,
  cancelByCloidAction,
  modifyAction,
  noopAction,
  type OrderInput,
  orderAction,
  scheduleCancelAction,
  updateLeverageAction,
} from "../wire.ts";
import { recoverSigner } from "./verify.ts";

/** Address of a key, computed here with noble (not with the code under test). */
function addressOf(key: string): string {
  const pub = secp256k1.getPublicKey(Buffer.from(key.slice(2), "hex"), false);
  return `0x${Buffer.from(keccak_256(pub.subarray(1)).subarray(12)).toString("hex")}`;
}

const post = (body: string) => JSON.parse(body) as unknown;

describe("emulator verifier: published vectors (a standard client's requests pass)", () => {
  for (const v of L1_VECTORS) {
    // The Rust SDK's vectors hash the price "2000.0" as written; the venue re-writes it as
    // "2000", so those recover to the right signer only when hashed as posted.
    const drifted = JSON.stringify(v.action).includes('"2000.0"');
    it(`L1 ${v.name}${drifted ? " (non-canonical price)" : ""}`, () => {
      const body = {
        action: v.action,
        nonce: v.nonce,
        signature: v.sig,
        vaultAddress: v.vaultAddress ?? null,
      };
      const expected = addressOf(v.key);
      assert.equal(recoverSigner(body, v.mainnet, !drifted).signer, expected);
      assert.notEqual(
        recoverSigner(body, !v.mainnet, !drifted).signer,
        expected,
        "wrong chain must not verify",
      );
      if (drifted)
        assert.notEqual(recoverSigner(body, v.mainnet, true).signer, expected, "canonical re-serialisation");
    });
  }
  for (const v of USER_SIGNED_VECTORS) {
    it(`user-signed ${v.name}`, () => {
      const r = recoverSigner({ action: v.action, nonce: v.action.time, signature: v.sig }, false);
      assert.equal(r.kind, "userSigned");
      assert.equal(r.signer, addressOf(v.key));
    });
  }
});

describe("emulator verifier: requests signed by signing.ts", () => {
  const agent = new HlSigner(fromHex(`0x${"42".repeat(32)}`, 32));
  const order: OrderInput = {
    asset: 0,
    isBuy: true,
    limitPx: "97123",
    sz: "0.0015",
    reduceOnly: false,
    orderType: { limit: { tif: "Alo" } },
    cloid: "0x00112233445566778899aabbccddeeff",
  };
  const actions = {
    order: orderAction([
      order,
      { ...order, isBuy: false, limitPx: 98000.5, cloid: undefined, reduceOnly: true },
    ]),
    trigger: orderAction([
      { ...order, orderType: { trigger: { isMarket: false, triggerPx: "95000.5", tpsl: "tp" } } },
    ]),
    cancel: cancelAction([{ asset: 0, oid: 123456789012 }]),
    cancelByCloid: cancelByCloidAction([{ asset: 3, cloid: order.cloid as string }]),
    modify: modifyAction(order.cloid as string, order),
    batchModify: batchModifyAction([
      { oid: 77, order },
      { oid: 78, order: { ...order, limitPx: 1.2345 } },
    ]),
    updateLeverage: updateLeverageAction(5, false, 20),
    scheduleCancel: scheduleCancelAction(1_800_000_000_000),
    noop: noopAction(),
  };
  const vault = "0x1719884eb866cb12b2287399b15f7db5e7d775ea";
  const nonce = 1_764_000_000_123;

  for (const [name, action] of Object.entries(actions)) {
    for (const mainnet of [true, false]) {
      it(`${name} ${mainnet ? "mainnet" : "testnet"}, with and without vault and expiresAfter`, () => {
        for (const [v, exp] of [
          [undefined, undefined],
          [vault, undefined],
          [undefined, nonce + 60_000],
          [vault, nonce + 60_000],
        ] as const) {
          const sig = signL1Action(agent, action, { nonce, mainnet, vaultAddress: v, expiresAfter: exp });
          const body = post(exchangeBody(action, nonce, sig, v, exp));
          assert.equal(recoverSigner(body, mainnet).signer, agent.address);
        }
      });
    }
  }

  it("approveAgent (named and unnamed) recovers the master", () => {
    const master = new HlSigner(fromHex(PY_KEY, 32));
    for (const agentName of ["perpbot", undefined]) {
      const { action, signature } = signApproveAgent(master, {
        agentAddress: agent.address,
        agentName,
        nonce,
        mainnet: false,
      });
      const r = recoverSigner(post(exchangeBody(action as never, nonce, signature)), false);
      assert.equal(r.kind, "userSigned");
      assert.equal(r.signer, master.address);
      assert.equal(r.kind === "userSigned" && r.hyperliquidChain, "Testnet");
    }
  });

  it("usdSend signed here recovers the signer", () => {
    const action = {
      type: "usdSend",
      signatureChainId: "0xa4b1",
      hyperliquidChain: "Mainnet",
      destination: "0x5e9ee1089755c3435139848e47e6635505d5a13a",
      amount: "12.5",
      time: nonce,
    };
    const sig = signUserSignedAction(agent, "usdSend", action);
    assert.equal(recoverSigner({ action, nonce, signature: sig }, true).signer, agent.address);
  });
});

describe("emulator verifier: tampering is refused", () => {
  const signer = new HlSigner(fromHex(`0x${"07".repeat(32)}`, 32));
  const order: OrderInput = {
    asset: 1,
    isBuy: true,
    limitPx: "3000.5",
    sz: "0.1",
    reduceOnly: false,
    orderType: { limit: { tif: "Gtc" } },
  };
  const action = orderAction([order]);
  const nonce = 1_764_000_000_000;
  const sig = signL1Action(signer, action, { nonce, mainnet: true, expiresAfter: nonce + 5000 });
  const good = post(exchangeBody(action, nonce, sig, undefined, nonce + 5000)) as Record<string, unknown>;
  const mutate = (
    f: (b: Record<string, unknown> & { action: { orders: Record<string, unknown>[] } }) => void,
  ) => {
    const b = structuredClone(good) as Record<string, unknown> & {
      action: { orders: Record<string, unknown>[] };
    };
    f(b);
    return recoverSigner(b, true).signer;
  };

  it("the untouched request verifies, with or without canonicalisation", () => {
    assert.equal(recoverSigner(good, true).signer, signer.address);
    assert.equal(recoverSigner(good, true, false).signer, signer.address);
  });

  it("a changed field, nonce, vault, expiry or signature recovers someone else", () => {
    const tampered = [
      mutate((b) => {
        b.action.orders[0].p = "3000.6";
      }),
      mutate((b) => {
        b.action.orders[0].s = "1";
      }),
      mutate((b) => {
        b.action.orders[0].b = false;
      }),
      mutate((b) => {
        b.action.orders[0].c = "0x00000000000000000000000000000001";
      }),
      mutate((b) => {
        b.nonce = (b.nonce as number) + 1;
      }),
      mutate((b) => {
        b.vaultAddress = "0x1719884eb866cb12b2287399b15f7db5e7d775ea";
      }),
      mutate((b) => {
        delete b.expiresAfter;
      }),
      mutate((b) => {
        (b.signature as { v: number }).v = 55 - (b.signature as { v: number }).v;
      }),
    ];
    for (const [i, who] of tampered.entries()) assert.notEqual(who, signer.address, `tamper #${i}`);
  });

  it("canonicalisation drift ('3000.50', keys out of order) signed by the client fails like on the venue", () => {
    const wire0 = (action.orders as Record<string, unknown>[])[0];
    const drift = { type: "order", orders: [{ ...wire0, p: "3000.50" }], grouping: "na" };
    const s1 = signL1Action(signer, drift as never, { nonce, mainnet: true });
    assert.notEqual(
      recoverSigner(post(exchangeBody(drift as never, nonce, s1)), true).signer,
      signer.address,
    );
    const reordered = { type: "order", grouping: "na", orders: (action as { orders: unknown }).orders };
    const s2 = signL1Action(signer, reordered as never, { nonce, mainnet: true });
    assert.notEqual(
      recoverSigner(post(exchangeBody(reordered as never, nonce, s2)), true).signer,
      signer.address,
    );
  });

  it("a malformed body is a parse error, not a signer", () => {
    assert.throws(() => recoverSigner({ action: { type: "order" }, nonce: -1, signature: sig }, true));
    assert.throws(() =>
      recoverSigner({ ...good, action: { type: "order", orders: [{ a: 1 }], grouping: "na" } }, true),
    );
  });
});
