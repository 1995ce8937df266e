import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { WallClock } from "../../core/clock.ts";
import {
  type HyperliquidEmulator,
  startHyperliquidEmulator,
} from "../../venues/hyperliquid/emulator/start.ts";
import { signerAddressOf } from "../../venues/hyperliquid/exchange.ts";
import { MemoryNonceStore, NonceManager } from "../../venues/hyperliquid/nonce.ts";
import { HyperliquidVenue } from "../../venues/hyperliquid/venue.ts";
import { addWallets, createKeystore } from "../../wallets/edit.ts";
import type { KdfParams } from "../../wallets/payload.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";

/**
 * `perpbot doctor` as a user runs it (a child process) against the Hyperliquid emulator on
 * loopback: a keystore with two wallets (master and agent keys), `[venues.hyperliquid]` pointing
 * at the emulator, and each failure the doctor must find set up for real on the emulator.
 */
const BIN = fileURLToPath(new URL("../../cli/bin.ts", import.meta.url));
const FAST_KDF: KdfParams = {
  algorithm: "argon2id",
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
  keyLength: 32,
};
const PW = "doctor test password";
const WALLETS = ["w01", "w02"];
const masterKey = (i: number) => Buffer.alloc(32, 0x41 + i);
const agentKey = (i: number) => Buffer.alloc(32, 0x61 + i);
const signerOf = (key: Buffer) => signerFromKeyBytes("secp256k1", key, "test");
const MASTERS = WALLETS.map((_, i) => signerAddressOf(signerOf(masterKey(i))));
const AGENTS = WALLETS.map((_, i) => signerAddressOf(signerOf(agentKey(i))));

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function setUp(url: string, extra: readonly string[] = []): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-doctor-"));
  dirs.push(cwd);
  const ks = join(cwd, "data", "keystore.json");
  await createKeystore(ks, PW, FAST_KDF);
  await addWallets(
    ks,
    PW,
    WALLETS.map((id, i) => ({
      id,
      key: masterKey(i),
      venues: {
        hyperliquid: {
          identity: {},
          secrets: { agent_private_key: { bytes: agentKey(i), encoding: "hex" as const } },
        },
      },
    })),
  );
  writeFileSync(
    join(cwd, "perpbot.toml"),
    [
      'mode = "live"',
      "[venues.hyperliquid]",
      `url = "${url}"`,
      "timeout_ms = 2000",
      ...WALLETS.flatMap((id, i) => [
        `[venues.hyperliquid.wallets.${id}]`,
        `address = "${MASTERS[i]}"`,
        ...(id === "w02" ? extra : []),
      ]),
      "[farm]",
      'mode = "same_venue"',
      'markets = ["BTC"]',
      "min_group_size = 2",
      "max_group_size = 2",
    ].join("\n"),
  );
  return cwd;
}

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI in a child process; async, so the emulator in this process keeps answering. */
function perpbot(cwd: string, args: string[], password = PW): Promise<Result> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  env.PERPBOT_KEYSTORE_PASSWORD = password;
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** The table row of a venue, wallet and check, e.g. row(out, "w01", "agent"). */
function row(out: string, wallet: string, check: string): string {
  const line = out.split("\n").find((l) => new RegExp(`^hyperliquid\\s+${wallet}\\s+${check}\\s`).test(l));
  assert.ok(line, `no row for ${wallet} ${check} in:\n${out}`);
  return line;
}

interface JsonReport {
  mode: string;
  ok: boolean;
  counts: Record<string, number>;
  checks: {
    venue: string;
    wallet: string | null;
    check: string;
    status: string;
    detail: string;
    fix?: string;
  }[];
}

async function ready(): Promise<{ emu: HyperliquidEmulator; cwd: string }> {
  const emu = await startHyperliquidEmulator({ hourlyFunding: false });
  for (const [i, m] of MASTERS.entries()) {
    emu.driver.fund(m, 10_000);
    emu.driver.approveAgent(m, AGENTS[i], "perpbot");
  }
  emu.driver.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 5, levels: 5, stepPx: 1 });
  return { emu, cwd: await setUp(emu.url) };
}

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

test("doctor: the venue unreachable (a closed port) fails reachable with what to check, exit 1", async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const cwd = await setUp(`http://127.0.0.1:${port}`);
  const r = await perpbot(cwd, ["doctor"]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      `^hyperliquid\\s+-\\s+reachable\\s+FAIL\\s+testnet http://127\\.0\\.0\\.1:${port}: no answer \\(/info: ECONNREFUSED\\)$`,
      "m",
    ),
  );
  assert.match(r.stdout, /-> check \[venues\.hyperliquid\] url and testnet, and this machine's network/);
  for (const w of WALLETS) {
    assert.match(row(r.stdout, w, "keys"), /ok/, "the keys are checked all the same");
    assert.match(row(r.stdout, w, "account"), /skip\s+venue unreachable/);
  }
});

test("doctor: a position and an order another client opened on the account are not perpbot's", async () => {
  const { emu, cwd } = await ready();
  // another client (the connector itself, signing with w01's master key) trades w01's account
  const other = new HyperliquidVenue({
    endpoints: { url: emu.url, wsUrl: emu.wsUrl, mainnet: false },
    clock: new WallClock(),
    nonces: new NonceManager(new MemoryNonceStore()),
    timeoutMs: 2000,
  });
  try {
    await other.connect();
    await other.bindAccount({
      account: "x",
      identity: { address: MASTERS[0] },
      signer: signerOf(masterKey(0)),
    });
    const base = { account: "x", symbol: "BTC", type: "limit" as const, reduceOnly: false };
    await other.submit({
      ...base,
      clientOrderId: `0x${"1".padStart(32, "0")}`,
      side: "buy",
      priceTicks: 971_000,
      sizeLots: 1000,
      tif: "ioc",
    });
    await other.submit({
      ...base,
      clientOrderId: `0x${"2".padStart(32, "0")}`,
      side: "buy",
      priceTicks: 900_000,
      sizeLots: 1000,
      tif: "gtc",
    });
    assert.equal(emu.driver.position(MASTERS[0], "BTC"), "0.01");
    const r = await perpbot(cwd, ["doctor"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      row(r.stdout, "w01", "positions"),
      /FAIL\s+not perpbot's: BTC 0\.01 on the venue, perpbot's orders account for 0$/,
    );
    assert.match(
      row(r.stdout, "w01", "orders"),
      /FAIL\s+1 of 1 open orders are not perpbot's: BTC buy 0\.01 @ 90000(\.0)? \(oid \d+\)$/,
    );
    assert.match(r.stdout, /-> close or move the position on the venue/);
    assert.match(r.stdout, /-> cancel them on the venue/);
    assert.match(row(r.stdout, "w02", "positions"), /ok/);
    assert.match(row(r.stdout, "w01", "balance"), /ok\s+account value [\d,.]+ USDC, margin used [1-9]/);
  } finally {
    await other.close();
    await emu.close();
  }
});

test("doctor: the venue's clock 10 s ahead fails the clock check; --max-skew widens the limit", async () => {
  const { emu, cwd } = await ready();
  try {
    emu.driver.skewClock(10_000);
    const r = await perpbot(cwd, ["doctor"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const m =
      /^hyperliquid\s+-\s+clock\s+FAIL\s+venue ahead by (\d+) ms \(round trip \d+ ms, limit 2000 ms\)$/m.exec(
        r.stdout,
      );
    assert.ok(m, r.stdout);
    assert.ok(Math.abs(Number(m[1]) - 10_000) < 1000, `skew ${m[1]} ms`);
    assert.match(r.stdout, /-> sync this machine's clock/);
    const wide = await perpbot(cwd, ["doctor", "--max-skew", "60000"]);
    assert.equal(wide.code, 0, wide.stdout);
    assert.match(wide.stdout, /clock\s+ok\s+venue ahead by \d+ ms \(round trip \d+ ms, limit 60000 ms\)/);
    const bad = await perpbot(cwd, ["doctor", "--max-skew", "soon"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-skew "soon": give a whole number of milliseconds/);
  } finally {
    await emu.close();
  }
});

test("doctor: an agent approved with approve-agent that expires within 7 days warns; the budget spent fails", async () => {
  // no request budget at all for an address that has traded nothing: used 0 of cap 0
  const emu = await startHyperliquidEmulator({ hourlyFunding: false, addressBaseRequests: 0 });
  try {
    for (const m of MASTERS) emu.driver.fund(m, 10_000);
    const cwd = await setUp(emu.url);
    const until = Date.now() + 2 * 86_400_000;
    const approve = await perpbot(cwd, [
      "hyperliquid",
      "approve-agent",
      "--wallet",
      "w01",
      "--name",
      `perpbot valid_until ${until}`,
    ]);
    assert.equal(approve.code, 0, approve.stderr);
    const r = await perpbot(cwd, ["doctor"]);
    const expiry = new Date(until).toISOString().replace(/\.\d+Z$/, "Z");
    assert.match(
      row(r.stdout, "w01", "agent"),
      new RegExp(
        `WARN\\s+agent ${AGENTS[0]} "perpbot valid_until ${until}" approved for ${MASTERS[0]}, valid until ${expiry}$`,
      ),
    );
    assert.match(r.stdout, /-> renew it soon: run `perpbot hyperliquid approve-agent --wallet w01`/);
    assert.match(
      row(r.stdout, "w02", "rate limit"),
      /FAIL\s+0 of 0 requests used: one action per 10 s until volume raises the cap$/,
    );
    assert.equal(
      r.code,
      1,
      "the spent budget (and w02's unapproved agent) fail; the warning alone would not",
    );
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
