import assert from "node:assert/strict";
import { test } from "node:test";
import { hedgedMakerConfig, hedgedMakerInstanceSchema } from "./config.ts";

const base = { kind: "hedged_maker", venue: "simA", hedge_venue: "simB", markets: ["ETH"], quantity: 0.1 };

test("hedged maker config: the decided defaults (STRATEGIES.md 3.3)", () => {
  const c = hedgedMakerConfig(base as Parameters<typeof hedgedMakerConfig>[0]);
  assert.equal(c.fill_timeout_s, 5);
  assert.equal(c.phase_sleep_s, 0);
  assert.equal(c.hedge_slippage_bps, 20);
  assert.equal(c.hedge_timeout_s, 180);
  assert.equal(c.max_position_qty, 0);
  assert.equal(c.max_unhedged_usd, null);
  assert.equal(c.cycles, null);
  assert.equal(c.min_profit_bps, 1);
});

test("hedged maker config: bad keys are refused with the key named", () => {
  const issues = (o: object) => {
    const r = hedgedMakerInstanceSchema.safeParse({ ...base, ...o });
    assert.equal(r.success, false, JSON.stringify(o));
    return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  };
  assert.match(issues({ hedge_venue: "simA" }), /^hedge_venue: must differ from venue \("simA"\)/);
  assert.match(
    issues({ max_position_qty: 0.05 }),
    /^max_position_qty: must be 0 or at least quantity \(0.1\)/,
  );
  assert.match(issues({ quantity: -1 }), /^quantity:/);
  assert.match(issues({ max_unhedged_usd: 0 }), /^max_unhedged_usd:/);
  assert.match(issues({ cycles: 0 }), /^cycles:/);
  assert.match(issues({ hedge_slippage_bps: 600 }), /^hedge_slippage_bps:/);
  assert.match(issues({ markets: ["eth"] }), /^markets\.0: markets are underlying symbols/);
  assert.match(issues({ take_profit_bps: 2 }), /take_profit_bps/);
});
