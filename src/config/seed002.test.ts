import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import "../app/sections.ts";
import { loadConfig } from "./load.ts";
import { importSeed002, Seed002Error } from "./seed002.ts";

// A risk.yaml in seed 002's layout: the README's keys (scalp at the top level, `carry:`,
// `scalp_management:`), plus the renamed keys STRATEGIES.md 1.2 / 2.2 name in the seed column.
const RISK_YAML = `
# Global
paper_mode: true
scalp_enabled: true
spread_entry_bps: 35.0
slippage_bps_buffer: 5.0
alloc_frac_per_trade: 0.05
max_scalp_total_alloc_pct: 0.20
max_spread_pct: 1.0
global:
  max_drawdown_pct: 10
  max_total_notional_usd: 5000
scalp_management:
  stop_loss_bps: 50.0
  take_profit_pct: 15
  min_profit_bps: 25
carry:
  paper_mode: true
  min_funding_bps: 50.0
  hold_min_hours: 8.0
  max_hold_hours: 24
  max_carry_total_alloc_pct: 0.80
  mtm_stop_bps: 100
  v2_edge_decay_threshold: 0.8
  maker_order_enabled: true
  max_scale_ups_per_position: 3
  high_yield_tp_pct_after_4h: 0.01
  pnl_loss_blocklist_threshold_usd: 75
  tick_interval_s: 5
  dry_run_live: true
  mystery_key: 3
`;

function loadToml(toml: string) {
  const dir = mkdtempSync(join(tmpdir(), "seed002-test-"));
  try {
    const file = join(dir, "perpbot.toml");
    writeFileSync(file, toml);
    return loadConfig({ file, env: {} }).values as unknown as {
      strategies: Record<string, Record<string, unknown>>;
      engine: { kill_switch: { max_drawdown_pct: number } };
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("import-seed002", () => {
  const result = importSeed002(RISK_YAML);
  const byKey = new Map(result.mapped.map((m) => [m.seedKey, m]));

  it("maps renamed keys to ours and keeps the value", () => {
    assert.equal(byKey.get("carry.max_hold_hours")?.key, "strategies.carry.hold_max_hours");
    assert.equal(byKey.get("carry.v2_edge_decay_threshold")?.key, "strategies.carry.edge_decay_ratio");
    assert.equal(byKey.get("carry.maker_order_enabled")?.key, "strategies.carry.maker_entry");
    assert.equal(byKey.get("carry.max_scale_ups_per_position")?.key, "strategies.carry.max_scale_ups");
    assert.equal(
      byKey.get("carry.high_yield_tp_pct_after_4h")?.key,
      "strategies.carry.high_yield_tp_pct_after_decay",
    );
    assert.equal(
      byKey.get("carry.pnl_loss_blocklist_threshold_usd")?.key,
      "strategies.carry.pnl_blocklist_usd",
    );
    assert.equal(byKey.get("scalp_enabled")?.key, "strategies.scalp.enabled");
    assert.equal(byKey.get("carry.dry_run_live")?.key, "strategies.carry.dry_run");
    assert.equal(byKey.get("scalp_management.stop_loss_bps")?.key, "strategies.scalp.stop_loss_bps");
    assert.equal(byKey.get("global.max_drawdown_pct")?.key, "engine.kill_switch.max_drawdown_pct");
  });

  it("reads percentages written into fraction keys, and says so", () => {
    const tp = byKey.get("scalp_management.take_profit_pct");
    assert.equal(tp?.value, 0.15);
    assert.match(tp?.note ?? "", /percentage: 15 % is 0.15/);
    // the README's max_spread_pct 1.0 is 1 %, not 100 %
    assert.equal(byKey.get("max_spread_pct")?.value, 0.01);
    // a fraction that is already one stays as it is
    assert.equal(byKey.get("alloc_frac_per_trade")?.value, 0.05);
    assert.equal(byKey.get("alloc_frac_per_trade")?.note, undefined);
  });

  it("flags keys the seed shipped but never read", () => {
    assert.match(byKey.get("carry.mtm_stop_bps")?.note ?? "", /never read/);
    assert.match(byKey.get("global.max_total_notional_usd")?.note ?? "", /never read/);
  });

  it("lists every key it could not map, with the reason", () => {
    const un = new Map(result.unmapped.map((u) => [u.seedKey, u.reason]));
    assert.deepEqual([...un.keys()].sort(), [
      "carry.mystery_key",
      "carry.paper_mode",
      "carry.tick_interval_s",
      "paper_mode",
    ]);
    assert.match(un.get("carry.mystery_key") ?? "", /not a seed 002 key/);
    assert.match(un.get("paper_mode") ?? "", /--live/);
    // and they are in the written file's header, so the user sees them where they edit
    assert.match(result.toml, /# {3}carry\.mystery_key = 3: not a seed 002 key/);
  });

  it("writes TOML our config loader accepts, with the imported values in effect", () => {
    const values = loadToml(result.toml);
    assert.equal(values.strategies.carry.kind, "carry");
    assert.equal(values.strategies.carry.hold_max_hours, 24);
    assert.equal(values.strategies.carry.min_funding_bps, 50);
    assert.equal(values.strategies.carry.maker_entry, true);
    assert.equal(values.strategies.carry.max_scale_ups, 3);
    assert.equal(values.strategies.scalp.kind, "scalp");
    assert.equal(values.strategies.scalp.spread_entry_bps, 35);
    assert.equal(values.strategies.scalp.take_profit_pct, 0.15);
    assert.equal(values.engine.kill_switch.max_drawdown_pct, 10);
    // a key not in risk.yaml keeps our default
    assert.equal(values.strategies.carry.required_confirms, 2);
  });

  it("a value of the wrong type is not imported and says what it expected", () => {
    const r = importSeed002(
      "carry:\n  hold_min_hours: eight\n  required_confirms: 2.5\n  maker_order_enabled: 1\n",
    );
    const un = new Map(r.unmapped.map((u) => [u.seedKey, u.reason]));
    assert.match(un.get("carry.hold_min_hours") ?? "", /expected a number, found "eight"/);
    assert.match(un.get("carry.required_confirms") ?? "", /whole number, found 2.5/);
    assert.match(un.get("carry.maker_order_enabled") ?? "", /true or false, found 1/);
    assert.equal(r.mapped.length, 0);
  });

  it("two seed keys for one of ours: the first wins, the second is listed", () => {
    const r = importSeed002("carry:\n  max_hold_hours: 24\n  hold_max_hours: 12\n");
    assert.equal(r.mapped.length, 1);
    assert.equal(r.mapped[0].value, 24);
    assert.match(r.unmapped[0].reason, /already set from carry\.max_hold_hours/);
  });

  it("broken YAML names the line; an empty file or a list is refused", () => {
    assert.throws(
      () => importSeed002("carry:\n  a: 1\n b: [\n", { source: "risk.yaml" }),
      (e: Error) => {
        assert.ok(e instanceof Seed002Error);
        assert.match(e.message, /^risk\.yaml line \d+, column \d+: /);
        return true;
      },
    );
    assert.throws(() => importSeed002("carry:\n  a: 1\n  a: 2\n"), /risk\.yaml line 3.*unique/i);
    assert.throws(() => importSeed002(""), /empty: nothing to import/);
    assert.throws(() => importSeed002("- a\n- b\n"), /expected a mapping .* found a list/);
  });

  it("instance names are the caller's", () => {
    const r = importSeed002("carry:\n  min_funding_bps: 45\nspread_entry_bps: 30\n", {
      carryName: "c1",
      scalpName: "s1",
    });
    const values = loadToml(r.toml);
    assert.equal(values.strategies.c1.min_funding_bps, 45);
    assert.equal(values.strategies.s1.spread_entry_bps, 30);
  });
});
