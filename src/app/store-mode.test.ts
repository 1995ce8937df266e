import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "./sections.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { openStore } from "../store/store.ts";
import { claimStoreFor } from "./store-mode.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("a store used by a sandbox run is refused to a live run and the other way round; each may reuse its own", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-store-mode-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "perpbot.toml"), `[store]\nurl = "sqlite:${join(cwd, "s.db")}"\n`);
  const config = loadConfig({ cwd, env: {} });
  const store = await openStore(`sqlite:${join(cwd, "s.db")}`);
  try {
    await claimStoreFor("sandbox", store, config, 1);
    await claimStoreFor("sandbox", store, config, 2);
    await assert.rejects(
      claimStoreFor("live", store, config, 3),
      (e: unknown) =>
        e instanceof ConfigError &&
        /store\.url: .*s\.db holds the groups of a sandbox run, and a live run would take them for its own/.test(
          e.message,
        ),
    );
    // the refusal changed nothing: sandbox still owns it
    await claimStoreFor("sandbox", store, config, 4);
    const other = await openStore(`sqlite:${join(cwd, "t.db")}`);
    try {
      await claimStoreFor("live", other, config, 5);
      await assert.rejects(claimStoreFor("sandbox", other, config, 6), /holds the groups of a live run/);
    } finally {
      await other.close();
    }
  } finally {
    await store.close();
  }
});
