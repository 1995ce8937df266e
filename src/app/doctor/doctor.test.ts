import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  AGENTS,
  dirs,
  type JsonReport,
  MASTERS,
  perpbot,
  ready,
  removeDirs,
  row,
  setUp,
  WALLETS,
} from "../../testing/doctor-harness.ts";
import { startHyperliquidEmulator } from "../../venues/hyperliquid/emulator/start.ts";

/**
 * `perpbot doctor` as a user runs it (a child process) against the Hyperliquid emulator on
 * loopback: a ready set-up, an unapproved agent, keys that do not decrypt, paper.
 * The set-up is src/testing/doctor-harness.ts.
 */
after(removeDirs);

test("doctor: every check green on a ready set-up, exit 0, and --json says the same", async () => {
  const { emu, cwd } = await ready();
  try {
    const r = await perpbot(cwd, ["doctor"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^VENUE\s+WALLET\s+CHECK\s+STATUS\s+DETAIL$/m);
    assert.match(
      r.stdout,
      /^hyperliquid\s+-\s+reachable\s+ok\s+testnet http:\/\/127\.0\.0\.1:\d+: 3 perps listed$/m,
    );
    assert.match(r.stdout, /^hyperliquid\s+-\s+clock\s+ok\s+venue (ahead|behind) by \d+ ms/m);
    for (const [i, w] of WALLETS.entries()) {
      assert.match(row(r.stdout, w, "keys"), /ok\s+hyperliquid\.agent_private_key decrypts$/);
      assert.match(
        row(r.stdout, w, "agent"),
        new RegExp(`ok\\s+agent ${AGENTS[i]} "perpbot" approved for ${MASTERS[i]}$`),
      );
      assert.match(row(r.stdout, w, "balance"), /ok\s+account value 10,000\.00 USDC, margin used 0\.00/);
      assert.match(row(r.stdout, w, "margin BTC"), /ok\s+cross 20x$/);
      assert.match(row(r.stdout, w, "positions"), /ok\s+0 open, all perpbot's$/);
      assert.match(row(r.stdout, w, "orders"), /ok\s+0 open, all perpbot's$/);
      assert.match(row(r.stdout, w, "rate limit"), /ok\s+0 of 10000 requests used$/);
    }
    assert.doesNotMatch(r.stdout, /FAIL|WARN|->/);
    assert.match(r.stdout, /doctor \(live\): 16 ok, 0 warnings, 0 failed, 0 skipped: ready/);

    const j = await perpbot(cwd, ["doctor", "--json"]);
    assert.equal(j.code, 0, j.stderr);
    const report = JSON.parse(j.stdout) as JsonReport;
    assert.equal(report.mode, "live");
    assert.equal(report.ok, true);
    assert.deepEqual(report.counts, { ok: 16, warn: 0, fail: 0, skip: 0 });
    assert.deepEqual(Object.keys(report.checks[0]).sort(), ["check", "detail", "status", "venue", "wallet"]);
    const agent = report.checks.find((c) => c.wallet === "w02" && c.check === "agent");
    assert.equal(agent?.status, "ok");
    assert.equal(report.checks.find((c) => c.check === "reachable")?.wallet, null);
  } finally {
    await emu.close();
  }
});

test("doctor: an unapproved agent fails its wallet's row with the approve-agent command, exit 1", async () => {
  const emu = await startHyperliquidEmulator({ hourlyFunding: false });
  try {
    for (const m of MASTERS) emu.driver.fund(m, 10_000);
    emu.driver.approveAgent(MASTERS[0], AGENTS[0]);
    const cwd = await setUp(emu.url);
    const r = await perpbot(cwd, ["doctor"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(row(r.stdout, "w01", "agent"), /\sok\s+agent 0x[0-9a-f]{40} approved/);
    assert.match(
      row(r.stdout, "w02", "agent"),
      new RegExp(`FAIL\\s+agent ${AGENTS[1]} is not an approved agent \\(role "missing"\\)$`),
    );
    const lines = r.stdout.split("\n");
    const at = lines.findIndex((l) => /^hyperliquid\s+w02\s+agent\s/.test(l));
    assert.match(lines[at + 1], /^\s+-> run `perpbot hyperliquid approve-agent --wallet w02`$/);
    assert.match(r.stdout, /1 failed.*NOT ready/);
    const j = JSON.parse((await perpbot(cwd, ["doctor", "--json"])).stdout) as JsonReport;
    assert.equal(j.ok, false);
    assert.equal(j.counts.fail, 1);
    const fail = j.checks.find((c) => c.status === "fail");
    assert.deepEqual(
      { wallet: fail?.wallet, check: fail?.check, fix: fail?.fix },
      { wallet: "w02", check: "agent", fix: "run `perpbot hyperliquid approve-agent --wallet w02`" },
    );
  } finally {
    await emu.close();
  }
});

test("doctor: a wrong keystore password fails every wallet's keys row and skips the agent check", async () => {
  const { emu, cwd } = await ready();
  try {
    const r = await perpbot(cwd, ["doctor"], "not the password");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    for (const w of WALLETS) {
      assert.match(
        row(r.stdout, w, "keys"),
        /FAIL\s+keystore .*keystore\.json: the password does not open it$/,
      );
      assert.match(row(r.stdout, w, "agent"), /skip\s+the key did not decrypt: approval not checked$/);
      // what needs no key is still checked
      assert.match(row(r.stdout, w, "balance"), /ok\s+account value 10,000\.00/);
    }
    assert.match(
      r.stdout,
      /-> give the password the keystore was created with \(\$PERPBOT_KEYSTORE_PASSWORD or --password-file\)/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /not the password/, "the password typed is never echoed");
    const j = JSON.parse((await perpbot(cwd, ["doctor", "--json"], "not the password")).stdout) as JsonReport;
    assert.deepEqual(
      j.checks.filter((c) => c.status !== "ok").map((c) => `${c.wallet} ${c.check} ${c.status}`),
      ["w01 keys fail", "w02 keys fail", "w01 agent skip", "w02 agent skip"],
    );
  } finally {
    await emu.close();
  }
});

test("doctor: a key the keystore does not hold fails that wallet's keys row with the keys add command", async () => {
  const emu = await startHyperliquidEmulator({ hourlyFunding: false });
  try {
    for (const m of MASTERS) emu.driver.fund(m, 10_000);
    const cwd = await setUp(emu.url, ['agent_key = "backup_key"']);
    const r = await perpbot(cwd, ["doctor"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(row(r.stdout, "w01", "keys"), /ok/);
    assert.match(row(r.stdout, "w02", "keys"), /FAIL\s+hyperliquid\.backup_key: .*backup_key/);
    assert.match(r.stdout, /-> store it: run `perpbot keys add w02 --venue hyperliquid --secret backup_key`/);
    assert.match(row(r.stdout, "w02", "agent"), /skip/);
  } finally {
    await emu.close();
  }
});

test("doctor: paper mode has nothing to check", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-doctor-"));
  dirs.push(cwd);
  const r = await perpbot(cwd, ["doctor", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(
    { mode: j.mode, ok: j.ok, checks: j.checks.map((c) => `${c.venue} ${c.check} ${c.status}`) },
    { mode: "paper", ok: true, checks: ["sim paper ok"] },
  );
});
