import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../testing/cli-run.ts";

describe("perpbot config import-seed002", () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-seed002-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "risk.yaml"),
    "spread_entry_bps: 35\nscalp_management:\n  take_profit_pct: 15\ncarry:\n  min_funding_bps: 50\n  tick_interval_s: 5\n",
  );

  it("writes the TOML, prints each mapping and the keys left out; config show reads the file", () => {
    const r = runCli(dir, ["config", "import-seed002", "risk.yaml"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote perpbot\.toml: 3 keys imported, 1 not imported/);
    assert.match(r.stdout, /carry\.min_funding_bps\s+->\s+strategies\.carry\.min_funding_bps = 50/);
    assert.match(r.stdout, /carry\.tick_interval_s = 5: dropped/);
    assert.match(
      readFileSync(join(dir, "perpbot.toml"), "utf8"),
      /\[strategies\.carry\]\nkind = "carry"\nmin_funding_bps = 50/,
    );
    const show = runCli(dir, ["config", "show", "--json"]);
    assert.equal(show.status, 0, show.stderr);
    const shown = JSON.parse(show.stdout) as {
      values: { strategies: Record<string, Record<string, unknown>> };
      origins: Record<string, string>;
    };
    assert.equal(shown.values.strategies.scalp.take_profit_pct, 0.15);
    assert.equal(shown.values.strategies.carry.min_funding_bps, 50);
    assert.match(shown.origins["strategies.carry.min_funding_bps"], /^file .*perpbot\.toml$/);
  });

  it("does not overwrite without --force; --strict exits 3 when a key was left out", () => {
    const again = runCli(dir, ["config", "import-seed002", "risk.yaml"]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /--out perpbot\.toml exists: pass --force/);
    const strict = runCli(dir, ["config", "import-seed002", "risk.yaml", "--force", "--strict", "--json"]);
    assert.equal(strict.status, 3, strict.stderr);
    const out = JSON.parse(strict.stdout) as { unmapped: { seedKey: string }[] };
    assert.deepEqual(
      out.unmapped.map((u) => u.seedKey),
      ["carry.tick_interval_s"],
    );
  });

  it("a value our schema refuses names the seed key, and nothing is written", () => {
    writeFileSync(join(dir, "bad.yaml"), "carry:\n  hold_min_hours: 30\n  hold_max_hours: 24\n");
    const r = runCli(dir, ["config", "import-seed002", "bad.yaml", "--out", "bad.toml"]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /strategies\.carry\.hold_min_hours: must be at most .*hold_max_hours \(24\) \(got 30\) \(from risk\.yaml carry\.hold_min_hours\)/,
    );
    assert.equal(existsSync(join(dir, "bad.toml")), false);
  });

  it("a missing file, broken YAML and a file with no seed key are clear errors", () => {
    const missing = runCli(dir, ["config", "import-seed002", "nope.yaml", "--out", "x.toml"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.yaml: no such file/);
    writeFileSync(join(dir, "broken.yaml"), "carry:\n  a: [1, 2\n");
    const broken = runCli(dir, ["config", "import-seed002", "broken.yaml", "--out", "x.toml"]);
    assert.equal(broken.status, 2);
    assert.match(broken.stderr, /broken\.yaml line \d+, column \d+/);
    writeFileSync(join(dir, "other.yaml"), "venues:\n  hyperliquid: {}\n");
    const other = runCli(dir, ["config", "import-seed002", "other.yaml", "--out", "x.toml"]);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /no seed 002 key found/);
    assert.equal(existsSync(join(dir, "x.toml")), false);
  });
});
