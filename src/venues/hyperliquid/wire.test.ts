import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  batchModifyAction,
  cancelAction,
  cancelByCloidAction,
  floatToWire,
  modifyAction,
  orderAction,
  scheduleCancelAction,
  updateLeverageAction,
} from "./wire.ts";

describe("hyperliquid wire", () => {
  it("floatToWire follows the Python SDK's float_to_wire", () => {
    // expected outputs: Python `float_to_wire` (hyperliquid/utils/signing.py) on the same inputs
    assert.equal(floatToWire(100), "100");
    assert.equal(floatToWire(100.0), "100");
    assert.equal(floatToWire(1670.1), "1670.1");
    assert.equal(floatToWire(0.0147), "0.0147");
    assert.equal(floatToWire(0.1 + 0.2), "0.3");
    assert.equal(floatToWire(1e-7), "0.0000001");
    assert.equal(floatToWire(123456.78901234), "123456.78901234");
    assert.equal(floatToWire(-0), "0");
    assert.throws(() => floatToWire(0.123456789), /rounded/);
    assert.throws(() => floatToWire(Number.NaN));
  });

  it("floatToWire takes exact decimal strings and normalises them", () => {
    assert.equal(floatToWire("4.3370"), "4.337");
    assert.equal(floatToWire("2000.0"), "2000");
    assert.equal(floatToWire("0010.50"), "10.5");
    assert.equal(floatToWire("0.00000000"), "0");
    assert.equal(floatToWire("-0.0"), "0");
    assert.throws(() => floatToWire("0.123456789"), /8 decimals/);
    assert.throws(() => floatToWire("1e5"));
  });

  it("builds actions with keys in the hashed order", () => {
    const o = {
      asset: 3,
      isBuy: false,
      limitPx: "2500.50",
      sz: "0.10",
      reduceOnly: true,
      orderType: { limit: { tif: "Alo" } },
    } as const;
    const cloid = "0x0123456789abcdef0123456789abcdef";
    const a = orderAction([{ ...o, cloid }], "na", {
      b: "0xABCDEF0000000000000000000000000000000000",
      f: 10,
    });
    assert.deepEqual(Object.keys(a), ["type", "orders", "grouping", "builder"]);
    assert.deepEqual(a.orders, [
      { a: 3, b: false, p: "2500.5", s: "0.1", r: true, t: { limit: { tif: "Alo" } }, c: cloid },
    ]);
    assert.equal((a.builder as { b: string }).b, "0xabcdef0000000000000000000000000000000000");
    assert.deepEqual(cancelAction([{ asset: 1, oid: 9 }]), { type: "cancel", cancels: [{ a: 1, o: 9 }] });
    assert.deepEqual(cancelByCloidAction([{ asset: 1, cloid }]), {
      type: "cancelByCloid",
      cancels: [{ asset: 1, cloid }],
    });
    assert.deepEqual(Object.keys(modifyAction(5, o) as object), ["type", "oid", "order"]);
    assert.deepEqual(
      Object.keys((batchModifyAction([{ oid: cloid, order: o }]) as { modifies: object[] }).modifies[0]),
      ["oid", "order"],
    );
    assert.deepEqual(updateLeverageAction(2, false, 5), {
      type: "updateLeverage",
      asset: 2,
      isCross: false,
      leverage: 5,
    });
    assert.deepEqual(scheduleCancelAction(), { type: "scheduleCancel" });
    assert.deepEqual(scheduleCancelAction(77), { type: "scheduleCancel", time: 77 });
    assert.throws(() => cancelByCloidAction([{ asset: 1, cloid: "0xABC" }]), /cloid/);
    assert.throws(() => updateLeverageAction(1, true, 2.5));
  });
});
