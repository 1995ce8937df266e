import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import "../app/sections.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { engineSection, engineSettingsFrom } from "./config.ts";
import { checkInstrumentCaps, instrumentCapIssues } from "./instrument-caps.ts";

const dirs: string[] = [];
function tempDir(toml = ""): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-caps-"));
  dirs.push(d);
  writeFileSync(join(d, "perpbot.toml"), toml);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const simKeys = () => [...catalogInstruments("simA"), ...catalogInstruments("simB")].map((i) => i.key);

test("a per-instrument cap set through the environment keeps its case and reaches the risk limits", () => {
  const config = loadConfig({
    cwd: tempDir(),
    env: { "PERPBOT__ENGINE__MAX_NOTIONAL_USD_BY_INSTRUMENT__simA:BTC": "10" },
  });
  const caps = engineSection.get(config.values).max_notional_usd_by_instrument;
  assert.deepEqual(Object.keys(caps), ["simA:BTC"]);
  const btc = catalogInstruments("simA").find((i) => i.spec.symbol === "BTC");
  assert.ok(btc);
  const limit = engineSettingsFrom(engineSection.get(config.values)).limits.maxNotionalByInstrument?.[
    btc.key
  ];
  assert.ok(limit !== undefined, `no cap under ${btc.key}: ${JSON.stringify(Object.keys(caps))}`);
  assert.deepEqual(config.originOf("engine.max_notional_usd_by_instrument.simA:BTC"), {
    kind: "env",
    name: "PERPBOT__ENGINE__MAX_NOTIONAL_USD_BY_INSTRUMENT__simA:BTC",
  });
  assert.deepEqual(instrumentCapIssues(config, simKeys()), []);
});

test("a cap naming an instrument that does not exist is a config error naming the key and its origin", () => {
  const config = loadConfig({
    cwd: tempDir('[engine.max_notional_usd_by_instrument]\n"sima:btc" = 10\n"simA:BTX" = 5\n'),
    env: { "PERPBOT__ENGINE__MAX_NOTIONAL_USD_BY_INSTRUMENT__simC:BTC": "7" },
  });
  assert.throws(
    () => checkInstrumentCaps(config, simKeys()),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.exitCode, 2);
      const byPath = new Map(e.issues.map((i) => [i.path, i]));
      const lower = byPath.get("engine.max_notional_usd_by_instrument.sima:btc");
      assert.ok(lower, e.message);
      assert.match(lower.message, /no instrument "sima:btc".*did you mean "simA:BTC"/);
      assert.match(lower.origin, /perpbot\.toml$/);
      assert.ok(byPath.has("engine.max_notional_usd_by_instrument.simA:BTX"), e.message);
      const env = byPath.get("engine.max_notional_usd_by_instrument.simC:BTC");
      assert.equal(env?.origin, "env PERPBOT__ENGINE__MAX_NOTIONAL_USD_BY_INSTRUMENT__simC:BTC");
      assert.match(e.message, /known: simA:BTC, /);
      return true;
    },
  );
});

test("perpbot run refuses a cap on an unknown instrument at start, exit 2, before writing anything", () => {
  const cwd = tempDir('[engine.max_notional_usd_by_instrument]\n"simA:BTX" = 5\n');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  const bin = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));
  const r = spawnSync(process.execPath, [bin, "run", "--duration", "1"], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(r.status, 2, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stderr, /engine\.max_notional_usd_by_instrument\.simA:BTX: no instrument "simA:BTX"/);
});
