import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { simSection } from "../venues/sim/config.ts";
import { ConfigError } from "./errors.ts";
import { loadConfig } from "./load.ts";
import { logSection, storeSection } from "./sections.ts";
import { renderConfigJson, secretValues } from "./show.ts";

const dirs: string[] = [];
function dirWith(toml?: string): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-config-"));
  dirs.push(d);
  if (toml !== undefined) writeFileSync(join(d, "perpbot.toml"), toml);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail("no error thrown");
}

describe("loadConfig", () => {
  test("no file and no env: every default, every origin 'default'", () => {
    const c = loadConfig({ cwd: dirWith(), env: {} });
    assert.equal(c.file, null);
    assert.equal(c.values.mode, "paper");
    assert.equal(storeSection.get(c.values).url, "sqlite:./data/perpbot.db");
    assert.deepEqual(simSection.get(c.values).venues, ["simA", "simB"]);
    assert.equal(simSection.get(c.values).wallets, 12);
    assert.equal(simSection.get(c.values).faults.enabled, false);
    assert.deepEqual(c.originOf("sim.wallets"), { kind: "default" });
  });

  test("env overrides the file, coerced to the schema's types, with origins", () => {
    const cwd = dirWith('[sim]\nwallets = 20\nlatency_ms = 5\n[log]\nmodules = { store = "warn" }\n');
    const c = loadConfig({
      cwd,
      env: {
        PERPBOT__SIM__WALLETS: "30",
        PERPBOT__SIM__FAULTS__ENABLED: "true",
        PERPBOT__SIM__VENUES: " simB , simA",
        PERPBOT__LOG__MODULES__engine: "debug",
        PERPBOT_TEST_PG: "skip",
        OTHER: "x",
      },
    });
    const sim = simSection.get(c.values);
    assert.equal(sim.wallets, 30);
    assert.equal(sim.latency_ms, 5);
    assert.equal(sim.faults.enabled, true);
    assert.deepEqual(sim.venues, ["simB", "simA"]);
    assert.deepEqual(logSection.get(c.values).modules, { store: "warn", engine: "debug" });
    assert.deepEqual(c.originOf("sim.wallets"), { kind: "env", name: "PERPBOT__SIM__WALLETS" });
    assert.deepEqual(c.originOf("sim.latency_ms"), { kind: "file", file: join(cwd, "perpbot.toml") });
    assert.deepEqual(c.originOf("log.modules.engine"), {
      kind: "env",
      name: "PERPBOT__LOG__MODULES__engine",
    });
    assert.deepEqual(c.originOf("log.modules.store"), { kind: "file", file: join(cwd, "perpbot.toml") });
    assert.deepEqual(c.originOf("sim.seed"), { kind: "default" });
  });

  test("every mistake is reported at once, each with its key path and origin", () => {
    const cwd = dirWith(
      'mode = "demo"\n[sim]\nwallets = "many"\nwallet_balance_min_usd = 9000\n[log]\nlevle = "debug"\n',
    );
    const err = configError(() =>
      loadConfig({
        cwd,
        env: {
          PERPBOT__SIM__LATENCY_MS: "-5",
          PERPBOT__SIM__SEED: "abc",
          PERPBOT__STORE__URLL: "x",
          PERPBOT__SIM__FAULTS__ENABLED: "maybe",
        },
      }),
    );
    const got = err.issues.map((i) => `${i.path} <${i.origin}>`).sort();
    assert.deepEqual(got, [
      "log.levle <perpbot.toml>",
      "mode <perpbot.toml>",
      "sim.faults.enabled <env PERPBOT__SIM__FAULTS__ENABLED>",
      "sim.latency_ms <env PERPBOT__SIM__LATENCY_MS>",
      "sim.seed <env PERPBOT__SIM__SEED>",
      "sim.wallet_balance_min_usd <perpbot.toml>",
      "sim.wallets <perpbot.toml>",
      "store.urll <env PERPBOT__STORE__URLL>",
    ]);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /invalid configuration \(8 problems\)/);
    assert.match(err.message, /sim\.seed: expected a decimal number, got "abc"/);
    assert.match(err.message, /store\.urll: unknown key/);
    assert.match(
      err.message,
      /sim\.wallet_balance_min_usd: must not exceed sim\.wallet_balance_max_usd \(got 9000\)/,
    );
  });

  test("a TOML syntax error names the line and column", () => {
    const cwd = dirWith('mode = "paper"\n[sim]\nwallets = = 3\n');
    const err = configError(() => loadConfig({ cwd, env: {} }));
    assert.match(err.message, /TOML syntax error at line 3, column \d+/);
    assert.match(err.message, /perpbot\.toml/);
  });

  test("a --config file that does not exist is an error; a missing default file is not", () => {
    const cwd = dirWith();
    const err = configError(() => loadConfig({ cwd, file: "nope.toml", env: {} }));
    assert.match(err.message, /config file not found: .*nope\.toml/);
    assert.equal(loadConfig({ cwd, env: {} }).file, null);
  });

  test("live trading needs both mode = live and --live", () => {
    const live = dirWith('mode = "live"\n');
    assert.match(
      configError(() => loadConfig({ cwd: live, env: {}, live: false })).message,
      /--live flag was not given/,
    );
    assert.equal(loadConfig({ cwd: live, env: {}, live: true }).values.mode, "live");
    const paper = dirWith();
    assert.match(
      configError(() => loadConfig({ cwd: paper, env: {}, live: true })).message,
      /mode: is "paper" but --live was given.*\(default\)/,
    );
    assert.match(
      configError(() => loadConfig({ cwd: paper, env: { PERPBOT__MODE: "live" }, live: false })).message,
      /env PERPBOT__MODE/,
    );
    // config show passes no flag: it reports a live config without demanding --live
    assert.equal(loadConfig({ cwd: live, env: {} }).values.mode, "live");
  });

  test("a store URL's password is masked in config show and offered to the log scrubber", () => {
    const c = loadConfig({
      cwd: dirWith(),
      env: { PERPBOT__STORE__URL: "postgres://bot:p%40ss-w0rd@db.example:5432/perp" },
    });
    const shown = renderConfigJson(c);
    assert.ok(!shown.includes("p%40ss-w0rd"));
    assert.match(shown, /postgres:\/\/bot:\*\*\*\*@db\.example:5432\/perp/);
    assert.match(shown, /"store\.url": "env PERPBOT__STORE__URL"/);
    assert.deepEqual(secretValues(c).sort(), ["p%40ss-w0rd", "p@ss-w0rd"]);
  });

  test("an invalid store URL is reported without echoing its password", () => {
    const err = configError(() =>
      loadConfig({ cwd: dirWith(), env: { PERPBOT__STORE__URL: "mysql://bot:hunter22@db/perp" } }),
    );
    assert.match(
      err.message,
      /store\.url: must be "sqlite:<path>" or .*\(got "mysql:\/\/bot:\*\*\*\*@db\/perp"\)/,
    );
    assert.ok(!err.message.includes("hunter22"));
  });
});
