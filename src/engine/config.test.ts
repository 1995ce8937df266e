import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "../app/sections.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { defaultEngineSettings, engineSection, engineSettingsFrom } from "./config.ts";

const dirs: string[] = [];
function dirWith(toml: string): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-engine-config-"));
  dirs.push(d);
  writeFileSync(join(d, "perpbot.toml"), toml);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("orphan handling defaults are STRATEGIES.md §0's: grace 30 s, retry every 300 s, alert after 3, 60 s entry lock and post-close quiet", () => {
  const s = defaultEngineSettings();
  assert.deepEqual(
    [
      s.orphanGraceMs,
      s.orphanRetryCooldownMs,
      s.orphanAlertAfterFailures,
      s.orphanEntryLockMs,
      s.orphanCloseQuietMs,
    ],
    [30_000, 300_000, 3, 60_000, 60_000],
  );
});

test("the orphan settings are read from [engine] in the TOML file, in seconds", () => {
  const config = loadConfig({
    cwd: dirWith(
      "[engine]\norphan_retry_cooldown_seconds = 12.5\norphan_alert_after_failures = 5\norphan_entry_lock_seconds = 2\norphan_close_quiet_seconds = 0\n",
    ),
    env: {},
  });
  const s = engineSettingsFrom(engineSection.get(config.values));
  assert.equal(s.orphanRetryCooldownMs, 12_500);
  assert.equal(s.orphanAlertAfterFailures, 5);
  assert.equal(s.orphanEntryLockMs, 2_000);
  assert.equal(s.orphanCloseQuietMs, 0);
});

test("bad orphan settings are refused, each with its path", () => {
  let err: unknown;
  try {
    loadConfig({
      cwd: dirWith(
        '[engine]\norphan_retry_cooldown_seconds = -1\norphan_alert_after_failures = 0\norphan_entry_lock_seconds = 7200\norphan_close_quiet_seconds = "60"\n',
      ),
      env: {},
    });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError, String(err));
  assert.deepEqual(err.issues.map((i) => i.path).sort(), [
    "engine.orphan_alert_after_failures",
    "engine.orphan_close_quiet_seconds",
    "engine.orphan_entry_lock_seconds",
    "engine.orphan_retry_cooldown_seconds",
  ]);
});
