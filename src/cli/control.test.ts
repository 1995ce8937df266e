import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ControlPoller } from "../app/control.ts";
import { getControlRequest, listControlRequests } from "../app/service/control.ts";
import { FarmHarness } from "../testing/farm-harness.ts";

/**
 * `perpbot status`, `perpbot close` and `perpbot flatten` through the real CLI (child processes)
 * against a store file that a farm in this test process trades on: with a ControlPoller acting
 * as the running `perpbot run`, and without one (the request stays queued).
 */

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function workdir(): string {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-cli-control-"));
  dirs.push(cwd);
  // the harness keeps its store at <dir>/perpbot.db
  writeFileSync(join(cwd, "perpbot.toml"), '[store]\nurl = "sqlite:./perpbot.db"\n');
  return cwd;
}

/** Run the CLI without blocking this process (the farm and the poller keep running meanwhile). */
function perpbot(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT__")) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`perpbot ${args.join(" ")} did not finish in 60 s\n${stdout}\n${stderr}`));
    }, 60_000);
    child.on("exit", (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

const farm = {
  min_duration_hours: 6,
  max_duration_hours: 6,
  min_cooldown_minutes: 600,
  max_cooldown_minutes: 600,
};
const wallets = Array.from({ length: 8 }, (_, i) => ({ id: `w${i + 1}`, balanceUsd: 2_000 + 100 * i }));

describe("with a runner polling", () => {
  test("status shows the groups; close and flatten are carried out by the runner; bad input exits 2", async () => {
    const cwd = workdir();
    const h = await FarmHarness.start({ dir: cwd, wallets, farm });
    await h.advance(60_000);
    const poller = new ControlPoller({
      store: h.store,
      clock: h.clock,
      engine: h.runtime.engine,
      farm: h.runtime.farm,
      venues: ["simA"],
      wallets: wallets.map((w) => w.id),
    });
    await poller.start();
    // simulated time runs in the background, as a live runner's would
    let pumping = true;
    const pumpLoop = (async () => {
      while (pumping) {
        await h.advance(200);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      const st = await perpbot(cwd, ["status", "--json"]);
      assert.equal(st.code, 0, st.stderr);
      const report = JSON.parse(st.stdout);
      assert.equal(report.tradingState, "ACTIVE");
      assert.equal(report.runner.running, true);
      assert.equal(report.runner.pid, process.pid);
      assert.equal(report.active.length, 2);
      for (const g of report.active) {
        assert.equal(g.status, "open");
        assert.equal(g.venues, "simA");
        assert.equal(g.base, "BTC");
        assert.equal(g.legs.length, 4);
        assert.ok(g.closeAt > g.createdAt && g.closesInMs !== null);
        for (const l of g.legs) {
          assert.ok(wallets.some((w) => w.id === l.wallet));
          assert.ok(l.side === "long" ? l.size > 0 : l.size < 0, JSON.stringify(l));
          assert.ok(l.avgPrice > 90_000 && l.avgPrice < 110_000, JSON.stringify(l));
        }
        assert.ok(
          g.accounting.volumeUsd > 0 && Number(g.accounting.feesUsd) > 0,
          JSON.stringify(g.accounting),
        );
      }
      const [a, b] = report.active as { id: string; legs: { wallet: string }[] }[];

      const text = await perpbot(cwd, ["status"]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /trading state: ACTIVE {3}runner: running/);
      assert.match(text.stdout, /active groups: 2/);
      for (const g of [a, b]) assert.ok(text.stdout.includes(g.id));
      assert.match(text.stdout, /w\d +simA +BTC +(long|short) +-?\d+\.\d+ @ \d+/);

      // a unique prefix of the id is enough
      const close = await perpbot(cwd, ["close", a.id.slice(0, a.id.length - 2)]);
      assert.equal(close.code, 0, close.stderr);
      assert.match(close.stdout, new RegExp(`request #\\d+: close ${a.id}`));
      assert.match(close.stdout, new RegExp(`waiting for \`perpbot run\` \\(pid ${process.pid}\\)`));
      assert.match(close.stdout, new RegExp(`done: closed 1 group\\(s\\); closed: ${a.id}`));
      const closedA = (await h.groups()).find((g) => g.groupId === a.id);
      assert.equal(closedA?.status, "closed");
      assert.equal(closedA?.closeReason, "manual");

      const again = await perpbot(cwd, ["close", a.id]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`group ${a.id} is already closed \\(manual\\)`));

      const flat = await perpbot(cwd, ["flatten", "--wallet", b.legs[0].wallet]);
      assert.equal(flat.code, 0, flat.stderr);
      assert.match(flat.stdout, new RegExp(`done: 1 group\\(s\\) closed \\(${b.id}\\)`));
      assert.equal((await h.positionLots()).size, 0, "nothing left on the venue");

      const unknown = await perpbot(cwd, ["close", "nope"]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /no group "nope" in the store/);
      const badWallet = await perpbot(cwd, ["flatten", "--wallet", "stranger"]);
      assert.equal(badWallet.code, 1, "the runner refuses a wallet it does not manage");
      assert.match(badWallet.stderr, /failed: wallet "stranger" is not one this runner manages/);

      const after = JSON.parse((await perpbot(cwd, ["status", "--json"])).stdout);
      assert.equal(after.active.length, 0);
      assert.deepEqual(after.recentlyClosed.map((g: { reason: string }) => g.reason).sort(), [
        "manual",
        "manual",
      ]);
      assert.equal(after.totals.groups, 2);
      assert.ok(after.totals.volumeUsd > report.active[0].accounting.volumeUsd, "closing added volume");
      assert.equal(after.openRequests, 0);
    } finally {
      pumping = false;
      await pumpLoop;
      await poller.stop();
      await h.stop();
    }
  });
});

describe("without a runner", () => {
  test("close --wait 1 says it is queued and exits 1; --no-wait exits 0; bad input exits 2; a runner started later acts on it", async () => {
    const cwd = workdir();
    const first = await FarmHarness.start({ dir: cwd, wallets: wallets.slice(0, 4), farm });
    await first.advance(60_000);
    const [g] = await first.groups();
    assert.equal(g.status, "open");
    await first.stop();

    const started = Date.now();
    const r = await perpbot(cwd, ["close", g.groupId, "--wait", "1"]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(Date.now() - started < 15_000);
    assert.match(r.stdout, /no `perpbot run` seen in the last 15 s; waiting up to 1 s/);
    assert.match(r.stdout, /queued: `perpbot run` will act on it when it runs/);
    assert.match(r.stderr, /no `perpbot run` picked up request #1 within 1 s/);

    const nw = await perpbot(cwd, ["flatten", "--venue", "simA", "--no-wait"]);
    assert.equal(nw.code, 0, nw.stderr);
    assert.match(
      nw.stdout,
      /request #2: flatten venue simA\nqueued: `perpbot run` will act on it when it runs \(it expires unacted at \d{4}-/,
    );

    for (const args of [
      ["close", g.groupId, "--wait", "0"],
      ["close", g.groupId, "--wait", "soon"],
      ["close", g.groupId, "--expire-after", "-5"],
      ["flatten", "--venue", "simA", "--expire-after", "1h"],
      ["flatten", "--wallet", ""],
      ["flatten", "--venue", "nowhere"],
      ["close"],
    ]) {
      const bad = await perpbot(cwd, args);
      assert.equal(bad.code, 2, `${args.join(" ")}: ${bad.stderr}`);
      assert.match(bad.stderr, /\S/, `${args.join(" ")} explains itself`);
    }

    const second = await FarmHarness.start({
      dir: cwd,
      clock: first.clock,
      wallets: wallets.slice(0, 4),
      farm,
    });
    const queued = await listControlRequests(second.store);
    assert.deepEqual(
      queued.map((q) => [q.id, q.action, q.status]),
      [
        [1, "close", "pending"],
        [2, "flatten", "pending"],
      ],
    );
    const poller = new ControlPoller({
      store: second.store,
      clock: second.clock,
      engine: second.runtime.engine,
      farm: second.runtime.farm,
      venues: ["simA"],
    });
    await poller.start();
    for (let i = 0; i < 100 && (await getControlRequest(second.store, 2))?.status !== "done"; i++)
      await second.advance(500);
    assert.equal((await getControlRequest(second.store, 1))?.status, "done");
    assert.equal((await getControlRequest(second.store, 2))?.status, "done");
    const [closed] = (await second.groups()).filter((x) => x.groupId === g.groupId);
    assert.equal(closed.status, "closed");
    assert.equal(closed.closeReason, "manual");
    await poller.stop();
    await second.stop();
  });
});
