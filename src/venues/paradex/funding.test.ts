import assert from "node:assert/strict";
import { test } from "node:test";
import { accruedFunding, hourlyRate } from "./funding.ts";

const H = 3_600_000;

test("funding accrues pro rata over the period: a long pays a positive rate, a short earns it", () => {
  const base = { markPx: 60_000, ratePerPeriod: 0.0008, periodHours: 8, fromMs: 0 };
  // a full 8 h period on 0.5 BTC long: 0.5 · 60000 · 0.0008 = 24 paid
  assert.ok(Math.abs(accruedFunding({ ...base, size: 0.5, toMs: 8 * H }) + 24) < 1e-9);
  // 2 h of it: a quarter; short earns the same amount
  assert.ok(Math.abs(accruedFunding({ ...base, size: -0.5, toMs: 2 * H }) - 6) < 1e-9);
  // continuous: two halves add up to the whole
  const a = accruedFunding({ ...base, size: 1, toMs: 3 * H });
  const b = accruedFunding({ ...base, size: 1, fromMs: 3 * H, toMs: 8 * H });
  assert.ok(Math.abs(a + b - accruedFunding({ ...base, size: 1, toMs: 8 * H })) < 1e-9);
  assert.equal(accruedFunding({ ...base, size: 0, toMs: H }), -0);
  assert.equal(hourlyRate(0.0008, 8), 0.0001);
});

test("bad periods and intervals are refused naming the field", () => {
  const base = { size: 1, markPx: 1, ratePerPeriod: 0.001, fromMs: 0, toMs: 1 };
  assert.throws(() => accruedFunding({ ...base, periodHours: 0 }), /funding_period_hours 0 must be > 0/);
  assert.throws(
    () => accruedFunding({ ...base, periodHours: 8, fromMs: 5, toMs: 1 }),
    /ends \(1\) before it starts \(5\)/,
  );
  assert.throws(() => hourlyRate(0.001, Number.NaN), /funding_period_hours NaN/);
});
