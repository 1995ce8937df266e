import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "./sections.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { resolveInstances } from "../strategies/instances.ts";
import { CarryHarness } from "../testing/carry-harness.ts";
import { loadStatusReport } from "./service/status.ts";

/**
 * carry and farm from one perpbot.toml in one node (what `perpbot run` composes): each instance
 * on its own wallets, both trading on the simulated venues at once, each group under its own
 * instance name, and the status view of each.
 */
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const CONFIG = `
[strategies.farm_a]
kind = "farm"
wallets = ["f1", "f2", "f3", "f4"]
venues = ["simA"]
mode = "same_venue"
markets = ["ETH"]
min_group_size = 4
max_group_size = 4
seed = 3

[strategies.carry_a]
kind = "carry"
wallets = ["c1"]
venues = ["simA", "simB"]
pairs = { allowlist = ["BTC"] }
`;

function load(toml: string) {
  const d = mkdtempSync(join(tmpdir(), "perpbot-carryfarm-"));
  dirs.push(d);
  writeFileSync(join(d, "perpbot.toml"), toml);
  return loadConfig({ cwd: d, env: {} }).values;
}

test("one config: farm_a and carry_a run together on disjoint wallets, each with its own groups", async () => {
  const wallets = ["c1", "f1", "f2", "f3", "f4"];
  const instances = resolveInstances(load(CONFIG), { wallets, venues: ["simA", "simB"], fallbackSeed: 0 });
  assert.deepEqual(
    instances.map((i) => [i.spec.name, i.spec.kind, i.spec.wallets]),
    [
      ["farm_a", "farm", ["f1", "f2", "f3", "f4"]],
      ["carry_a", "carry", ["c1"]],
    ],
  );
  const farm = instances.find((i) => i.spec.name === "farm_a")!;
  const carry = instances.find((i) => i.spec.name === "carry_a")!;
  // both instances exactly as the file resolved them, in one node on the two simulated venues
  const h = await CarryHarness.start({
    carryInstance: carry,
    extra: [farm],
    extraWallets: ["f1", "f2", "f3", "f4"],
  });
  dirs.push(h.dir);
  await h.advance(60_000);
  const carryGroups = await h.node.engine.groups({ strategy: "carry_a" });
  const farmGroups = await h.node.engine.groups({ strategy: "farm_a" });
  assert.equal(carryGroups.length, 1);
  assert.equal(carryGroups[0].status, "open");
  assert.ok(
    carryGroups[0].legs.every((l) => l.account === "c1"),
    "carry trades only its wallet",
  );
  assert.equal(farmGroups.length, 1);
  assert.equal(farmGroups[0].status, "open");
  assert.ok(
    farmGroups[0].legs.every((l) => l.account.startsWith("f")),
    "farm trades only its wallets",
  );
  const views = [...h.node.instances.values()].map((i) => i.strategy.view());
  assert.deepEqual(
    views.map((v) => [v.instance, v.kind, v.groups.length]),
    [
      ["carry_a", "carry", 1],
      ["farm_a", "farm", 1],
    ],
  );
  await h.stop();
});

test("carry and farm sharing a wallet is refused at load, with the path", () => {
  const bad = CONFIG.replace('wallets = ["c1"]', 'wallets = ["f1"]');
  assert.throws(
    () =>
      resolveInstances(load(bad), {
        wallets: ["c1", "f1", "f2", "f3", "f4"],
        venues: ["simA", "simB"],
        fallbackSeed: 0,
      }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /strategies\.carry_a\.wallets: wallet "f1" is already strategies\.farm_a's/.test(e.message),
  );
});

test("one config: farm, carry and scalp together, each on its own wallets; status shows each", async () => {
  const toml = `${CONFIG}
[strategies.scalp_a]
kind = "scalp"
enabled = true
wallets = ["s1"]
venues = ["simA", "simB"]
pairs = { allowlist = ["SOL"] }
# 10 % of the $2,000 wallet: one SOL lot of simB ($180) fits under notional_per_trade_max ($200)
alloc_frac_per_trade = 0.1
`;
  const wallets = ["c1", "f1", "f2", "f3", "f4", "s1"];
  const instances = resolveInstances(load(toml), { wallets, venues: ["simA", "simB"], fallbackSeed: 0 });
  assert.deepEqual(
    instances.map((i) => [i.spec.name, i.spec.kind, i.spec.wallets]),
    [
      ["farm_a", "farm", ["f1", "f2", "f3", "f4"]],
      ["carry_a", "carry", ["c1"]],
      ["scalp_a", "scalp", ["s1"]],
    ],
  );
  const h = await CarryHarness.start({
    carryInstance: instances.find((i) => i.spec.name === "carry_a")!,
    extra: instances.filter((i) => i.spec.name !== "carry_a"),
    extraWallets: ["f1", "f2", "f3", "f4", "s1"],
  });
  dirs.push(h.dir);
  // SOL is 1 % dearer on simB than on simA: a spread scalp takes (carry trades BTC, farm ETH)
  h.prices.simB.SOL = h.prices.simA.SOL * 1.01;
  await h.advance(60_000);
  const by = async (s: string) => h.node.engine.groups({ strategy: s });
  const [carry, farm, scalp] = [await by("carry_a"), await by("farm_a"), await by("scalp_a")];
  assert.equal(carry.length, 1);
  assert.equal(farm.length, 1);
  const sv = [...h.node.instances.values()].find((i) => i.spec.name === "scalp_a")!.strategy.view();
  assert.ok(scalp.length >= 1, `scalp took the spread: ${JSON.stringify(sv)}`);
  for (const [groups, prefix] of [
    [carry, "c"],
    [farm, "f"],
    [scalp, "s"],
  ] as const)
    for (const g of groups)
      assert.ok(
        g.legs.every((l) => l.account.startsWith(prefix)),
        `${g.strategy} legs on its wallets`,
      );
  assert.equal(scalp[0].legs.find((l) => l.side === "buy")?.venue, "simA", "scalp buys the cheaper venue");
  const report = await loadStatusReport(h.store, { now: h.clock.now(), recent: 5 });
  assert.deepEqual(
    report.instances.map((i) => i.strategy),
    ["carry_a", "farm_a", "scalp_a"],
  );
  for (const i of report.instances) assert.ok(i.totals.groups >= 1, `${i.strategy} has its groups in status`);
  await h.stop();
});
