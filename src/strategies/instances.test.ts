import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "../app/sections.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { resolveInstances } from "./instances.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function load(toml: string) {
  const d = mkdtempSync(join(tmpdir(), "perpbot-instances-"));
  dirs.push(d);
  writeFileSync(join(d, "perpbot.toml"), toml);
  return loadConfig({ cwd: d, env: {} }).values;
}
const rc = { wallets: ["w1", "w2", "w3", "w4"], venues: ["simA", "simB"], fallbackSeed: 42 };
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail("no error thrown");
}

test("an old config's [farm] runs as the instance named farm on every wallet, with its own seed", () => {
  const [farm, ...rest] = resolveInstances(load('[farm]\nmarkets = ["ETH"]\nseed = 9\n'), rc);
  assert.equal(rest.length, 0);
  assert.deepEqual(farm.spec, {
    name: "farm",
    kind: "farm",
    wallets: rc.wallets,
    venues: rc.venues,
    seed: 9,
  });
  assert.deepEqual(farm.config.kind === "farm" && farm.config.markets, ["ETH"]);
  // -1 takes the fallback seed as the bare number, so the old backtest replays the same draws
  assert.equal(resolveInstances(load(""), rc)[0].spec.seed, 42);
  assert.deepEqual(resolveInstances(load("[farm]\nenabled = false\n"), rc), []);
});

test("named instances: their own wallets, venues, seed and exposure cap", () => {
  const values = load(`
[strategies.farm_a]
kind = "farm"
wallets = ["w1", "w2"]
venues = ["simA"]
max_exposure_usd = 5000

[strategies.farm_b]
kind = "farm"
wallets = ["w3", "w4"]
mode = "cross_venue"
`);
  const [a, b] = resolveInstances(values, rc);
  assert.deepEqual(a.spec, {
    name: "farm_a",
    kind: "farm",
    wallets: ["w1", "w2"],
    venues: ["simA"],
    seed: "42:farm_a",
  });
  assert.equal(a.maxExposureUsd, 5000);
  assert.deepEqual(b.spec.venues, ["simA", "simB"]);
  assert.equal(b.maxExposureUsd, undefined);
  assert.equal(b.config.kind === "farm" ? b.config.mode : undefined, "cross_venue");
});

test("overlapping wallets, unknown wallets and venues, a missing wallet list and a leftover [farm] are all reported at once", () => {
  const err = configError(() =>
    resolveInstances(
      load(`
[farm]
markets = ["BTC"]

[strategies.one]
kind = "farm"
wallets = ["w1", "w2"]

[strategies.two]
kind = "farm"
wallets = ["w2", "w9"]
venues = ["nowhere"]

[strategies.three]
kind = "farm"
`),
      rc,
    ),
  );
  const byPath = err.issues.map((i) => `${i.path}: ${i.message}`);
  assert.ok(
    byPath.some((m) => m.startsWith("farm: [farm] is set but")),
    byPath.join("\n"),
  );
  assert.ok(byPath.some((m) => /strategies\.two\.wallets: wallet "w2" is already strategies\.one's/.test(m)));
  assert.ok(byPath.some((m) => /strategies\.two\.wallets: wallet "w9" is not a managed wallet/.test(m)));
  assert.ok(byPath.some((m) => /strategies\.two\.venues: venue "nowhere" is not configured/.test(m)));
  assert.ok(byPath.some((m) => /strategies\.three\.wallets: must list/.test(m)));
});

test("an instance table is validated like [farm]: unknown kind, unknown key and crossed bounds fail the load", () => {
  for (const [toml, pattern] of [
    ['[strategies.x]\nkind = "sniper"\n', /strategies\.x/],
    [
      '[strategies.x]\nkind = "carry"\nhold_min_hours = 30\n',
      /strategies\.x\.hold_min_hours: must be at most hold_max_hours/,
    ],
    ['[strategies.x]\nkind = "farm"\nmin_group_sise = 3\n', /min_group_sise/],
    [
      '[strategies.x]\nkind = "farm"\nmin_group_size = 5\nmax_group_size = 3\n',
      /must not exceed max_group_size/,
    ],
    ['[strategies.Bad-Name]\nkind = "farm"\n', /strategies\.Bad-Name: Invalid key/],
  ] as const) {
    const err = configError(() => load(toml));
    assert.match(err.message, pattern);
  }
});

test('maker instances: kind = "maker" tables, each on its own venue and wallets, keys checked and named', () => {
  const values = load(`
[strategies.mk_eth]
kind = "maker"
wallets = ["w1"]
venue = "simA"
markets = ["ETH", "BTC"]
quantity = 0.1
take_profit_bps = 3
grid_step_bps = 50

[strategies.mk_sol]
kind = "maker"
wallets = ["w2", "w3"]
venue = "simB"
markets = ["SOL"]
quantity = 1
direction = "sell"
`);
  const [a, b] = resolveInstances(values, rc);
  assert.deepEqual(a.spec.venues, ["simA"]);
  assert.deepEqual(b.spec.venues, ["simB"]);
  assert.deepEqual(b.spec.wallets, ["w2", "w3"]);
  assert.equal(a.config.kind === "maker" ? a.config.take_profit_bps : 0, 3);
  assert.equal(b.config.kind === "maker" ? b.config.direction : "", "sell");
  const err = configError(() =>
    load(`
[strategies.bad]
kind = "maker"
venue = "simA"
markets = ["ETH"]
quantity = -1
take_profit_bps = 0
`),
  );
  assert.match(err.message, /strategies\.bad\.quantity/);
  assert.match(err.message, /strategies\.bad\.take_profit_bps/);
});
