import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import "../app/sections.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { farmSection } from "../strategies/farm/config.ts";
import { simSection } from "../venues/sim/config.ts";
import { UsageError } from "./errors.ts";
import { parseNumberArg } from "./time-arg.ts";

/** One rule for booleans and numbers written as text: PERPBOT__ variables and options alike. */

const dirs: string[] = [];
const emptyDir = () => {
  const d = mkdtempSync(join(tmpdir(), "perpbot-rule-"));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function envError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ cwd: emptyDir(), env });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

describe("PERPBOT__ variables", () => {
  test("booleans are true or false, nothing else", () => {
    for (const text of ["yes", "no", "0", "1", "on", "off", "TRUE", ""]) {
      const e = envError({ PERPBOT__FARM__ENABLED: text });
      assert.match(e.message, /farm\.enabled: expected true or false/, text);
    }
    const off = loadConfig({ cwd: emptyDir(), env: { PERPBOT__FARM__ENABLED: "false" } });
    assert.equal(farmSection.get(off.values).enabled, false);
    const on = loadConfig({ cwd: emptyDir(), env: { PERPBOT__FARM__ENABLED: " true " } });
    assert.equal(farmSection.get(on.values).enabled, true);
  });

  test("numbers are decimal: no hex, exponent, Infinity or blank", () => {
    for (const text of [
      "0x10",
      "1e3",
      "Infinity",
      "-Infinity",
      "NaN",
      " ",
      "+5",
      ".5",
      "5.",
      "0b1",
      "1_000",
    ]) {
      const e = envError({ PERPBOT__SIM__LATENCY_MS: text });
      assert.match(e.message, /sim\.latency_ms: expected a decimal number/, JSON.stringify(text));
    }
    const c = loadConfig({
      cwd: emptyDir(),
      env: { PERPBOT__SIM__LATENCY_MS: "12.5", PERPBOT__SIM__SEED: "16", PERPBOT__FARM__SEED: "-1" },
    });
    assert.equal(simSection.get(c.values).latency_ms, 12.5);
    assert.equal(simSection.get(c.values).seed, 16);
    assert.equal(farmSection.get(c.values).seed, -1);
  });
});

describe("command-line options", () => {
  test("parseNumberArg follows the same rule and names the option", () => {
    for (const text of ["0x1", "1e3", "Infinity", "", "abc", "+1"]) {
      assert.throws(
        () => parseNumberArg(text, "--days", { above: 0, max: 366, unit: "days" }),
        (e: unknown) =>
          e instanceof UsageError &&
          e.message === `--days "${text}": expected a decimal number of days above 0 and at most 366`,
        text,
      );
    }
    assert.equal(parseNumberArg("0.5", "--days", { above: 0 }), 0.5);
    assert.throws(
      () => parseNumberArg("2.5", "--seed", { min: 0, integer: true }),
      /expected a whole number/,
    );
  });

  test("backtest --days 0x1 and run --duration 1e3 are usage errors, exit 2", () => {
    const bin = fileURLToPath(new URL("./bin.ts", import.meta.url));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
    const cases: [string[], RegExp][] = [
      [["backtest", "farm", "--days", "0x1"], /--days "0x1": expected a decimal number/],
      [["backtest", "farm", "--days", "1", "--seed", "1e3"], /--seed "1e3": expected a whole number/],
      [["run", "--duration", "1e3"], /--duration "1e3": expected a decimal number/],
    ];
    for (const [args, message] of cases) {
      const r = spawnSync(process.execPath, [bin, ...args], {
        cwd: emptyDir(),
        env,
        encoding: "utf8",
        timeout: 30_000,
      });
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
