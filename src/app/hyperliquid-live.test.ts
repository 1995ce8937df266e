import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";
import { signerAddressOf } from "../venues/hyperliquid/exchange.ts";
import { addWallets, createKeystore } from "../wallets/edit.ts";
import type { KdfParams } from "../wallets/payload.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

/**
 * `perpbot run --live` as a user starts it, a real child process, against the Hyperliquid
 * emulator this test starts: four wallets in the keystore (master keys and agent keys), their
 * accounts funded and the agents approved on the emulator, `mode = "live"` with
 * `[venues.hyperliquid]` pointing at it, the farm in same-venue groups. The farm opens a group
 * across the wallets on the venue, positions net out; Ctrl-C with --flatten-on-exit closes it.
 */
const BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));
const FAST_KDF: KdfParams = {
  algorithm: "argon2id",
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
  keyLength: 32,
};
const PW = "live run test password";
const WALLETS = ["w01", "w02", "w03", "w04"];
const masterKey = (i: number) => Buffer.alloc(32, 0x31 + i);
const agentKey = (i: number) => Buffer.alloc(32, 0x51 + i);
const addressOf = (key: Buffer) => signerAddressOf(signerFromKeyBytes("secp256k1", key, "test"));
const MASTERS = WALLETS.map((_, i) => addressOf(masterKey(i)));
const AGENTS = WALLETS.map((_, i) => addressOf(agentKey(i)));

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  return { ...env, PERPBOT_KEYSTORE_PASSWORD: PW };
}

async function setUp(emu: HyperliquidEmulator, opts: { testnet: boolean }): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-live-"));
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
      `url = "${emu.url}"`,
      `testnet = ${opts.testnet}`,
      ...WALLETS.flatMap((id, i) => [`[venues.hyperliquid.wallets.${id}]`, `address = "${MASTERS[i]}"`]),
      "[farm]",
      'mode = "same_venue"',
      'markets = ["BTC"]',
      "min_group_size = 3",
      "max_group_size = 4",
      "check_interval_seconds = 1",
      "min_cooldown_minutes = 60",
      "max_cooldown_minutes = 60",
    ].join("\n"),
  );
  return cwd;
}

function startRun(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [BIN, "run", "--live", "--status-every", "1", ...args], {
    cwd,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const until = async (cond: (out: string) => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!cond(stdout) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    if (!cond(stdout)) {
      child.kill("SIGKILL");
      throw new Error(`not seen within ${ms} ms\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
  };
  return { child, exited, until, out: () => stdout, err: () => stderr };
}

const openCount = (out: string) =>
  Math.max(0, ...[...out.matchAll(/^farm: (\d+) groups? open/gm)].map((m) => Number(m[1])));

test("perpbot run --live: the farm's same-venue group on the Hyperliquid emulator, end to end", async () => {
  const emu = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false });
  try {
    for (const [i, m] of MASTERS.entries()) {
      emu.driver.fund(m, 10_000);
      emu.driver.approveAgent(m, AGENTS[i], "perpbot");
    }
    emu.driver.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 5, levels: 10, stepPx: 1 });
    const cwd = await setUp(emu, { testnet: true });
    const run = startRun(cwd, ["--flatten-on-exit"]);
    // open, and the liquidation guard has read the venue's liquidation prices (clearinghouseState)
    await run.until((out) => openCount(out) > 0 && /liq \d+\.\d%/.test(out), 60_000);
    assert.match(run.out(), /perpbot LIVE: hyperliquid testnet, 4 wallets/);
    // the group's legs are on the venue: several wallets hold BTC, longs and shorts net out
    const sizes = MASTERS.map((m) => Number(emu.driver.position(m, "BTC")));
    const holding = sizes.filter((s) => s !== 0);
    assert.ok(holding.length >= 3, `a group of 3-4 wallets holds positions: ${sizes}`);
    assert.ok(holding.some((s) => s > 0) && holding.some((s) => s < 0), `longs and shorts: ${sizes}`);
    assert.ok(Math.abs(sizes.reduce((a, b) => a + b, 0)) * 97_000 <= 2 + 1e-6, `net delta: ${sizes}`);
    for (const m of MASTERS) {
      const cloids = emu.driver.orders(m).map((o) => o.cloid);
      assert.equal(new Set(cloids).size, cloids.length, "one venue order per client order id");
    }
    assert.match(run.out(), /^hyperliquid: .*book:BTC ok/m);
    run.child.kill("SIGINT");
    const code = await run.exited;
    assert.equal(code, 0, run.err());
    assert.match(run.out(), /stopped; state saved/);
    assert.deepEqual(
      MASTERS.map((m) => emu.driver.position(m, "BTC")),
      ["0", "0", "0", "0"],
      "--flatten-on-exit closed every leg on the venue",
    );
    assert.doesNotMatch(
      run.out() + run.err(),
      new RegExp(agentKey(0).toString("hex")),
      "no key in any output",
    );
    // the farm report: Hyperliquid has no points API (VENUES.md §1.9), so every wallet's row says
    // so beside its volume and cost per $1M, never a 0
    const st = spawnSync(process.execPath, [BIN, "status"], { cwd, env: cleanEnv(), encoding: "utf8" });
    assert.equal(st.status, 0, st.stderr);
    const rows = st.stdout.split("\n").filter((l) => /^ {2}w0\d +hyperliquid /.test(l));
    assert.ok(rows.length >= 3, st.stdout);
    for (const r of rows)
      assert.match(r, /\$[\d,.]+ +-?\$[\d,.]+ n\/a \(venue publishes no points\)$/, st.stdout);
    assert.match(st.stdout, /^points: n\/a \(venue publishes no points\)$/m);
  } finally {
    await emu.close();
  }
});

test("perpbot run --live on mainnet asks for a typed confirmation; without a terminal it needs --yes", async () => {
  const emu = await startHyperliquidEmulator({ hourlyFunding: false });
  try {
    const cwd = await setUp(emu, { testnet: false });
    const run = startRun(cwd, []);
    const code = await run.exited;
    assert.equal(code, 2, run.err());
    assert.match(run.err(), /trades REAL MONEY on hyperliquid mainnet: confirm with --yes/);
    assert.equal(emu.driver.orders(MASTERS[0]).length, 0);
    assert.equal(emu.driver.connections(), 0, "nothing connected");
  } finally {
    await emu.close();
  }
});

/** `perpbot run --live` on a pseudo-terminal (`script`), answering the confirmation with `word`. */
async function onTerminal(cwd: string, word: string, started: (out: string) => boolean) {
  // exec: the shell `script` starts (dash where SHELL is /bin/sh) must not stay as the parent, or
  // the Ctrl-C kills it and `script` reports 130 whatever perpbot did
  const cmd = `exec ${process.execPath} ${BIN} run --live --status-every 1`;
  const child = spawn("script", ["-qec", cmd, "/dev/null"], { cwd, env: cleanEnv(), stdio: "pipe" });
  let out = "";
  let typed = false;
  let stopped = false;
  child.stdout.on("data", (d) => {
    out += d;
    if (!typed && out.includes("to go on: ")) {
      typed = true;
      child.stdin.write(`${word}\r`);
    }
    // Ctrl-C on the terminal, as the operator stops it
    if (!stopped && started(out)) {
      stopped = true;
      child.stdin.write("\x03");
    }
  });
  const guard = setTimeout(() => child.kill("SIGKILL"), 45_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(guard);
  return { code, out };
}

// util-linux `script` gives the child a terminal; without it this test cannot run here
const NO_SCRIPT = spawnSync("script", ["--version"]).error !== undefined;

test("perpbot run --live on mainnet, on a terminal: a wrong word starts nothing, the typed word starts it", {
  skip: NO_SCRIPT ? "skipped: util-linux `script` (a pseudo-terminal for the child) is not installed" : false,
}, async () => {
  const emu = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false, mainnet: true });
  try {
    for (const [i, m] of MASTERS.entries()) {
      emu.driver.fund(m, 10_000);
      emu.driver.approveAgent(m, AGENTS[i], "perpbot");
    }
    emu.driver.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 5, levels: 10, stepPx: 1 });
    const cwd = await setUp(emu, { testnet: false });
    const live = (out: string) => /perpbot LIVE: hyperliquid MAINNET/.test(out);
    const no = await onTerminal(cwd, "testnet", live);
    assert.match(
      no.out,
      /perpbot run --live trades REAL MONEY on hyperliquid mainnet\. Type "mainnet" to go on:/,
    );
    assert.match(no.out, /not confirmed, nothing was started/);
    assert.equal(no.code, 2, no.out);
    assert.equal(emu.driver.connections(), 0, "nothing connected");
    assert.equal(emu.driver.orders(MASTERS[0]).length, 0);
    const yes = await onTerminal(cwd, "mainnet", live);
    assert.ok(live(yes.out), yes.out);
    assert.equal(yes.code, 0, yes.out);
  } finally {
    await emu.close();
  }
});

test("perpbot run --live on mainnet with --yes starts without asking", async () => {
  const emu = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false, mainnet: true });
  try {
    for (const [i, m] of MASTERS.entries()) {
      emu.driver.fund(m, 10_000);
      emu.driver.approveAgent(m, AGENTS[i], "perpbot");
    }
    emu.driver.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 5, levels: 10, stepPx: 1 });
    const cwd = await setUp(emu, { testnet: false });
    const run = startRun(cwd, ["--yes"]);
    await run.until((out) => /perpbot LIVE: hyperliquid MAINNET, 4 wallets/.test(out), 30_000);
    assert.doesNotMatch(run.out() + run.err(), /Type "mainnet"/);
    run.child.kill("SIGINT");
    assert.equal(await run.exited, 0, run.err());
  } finally {
    await emu.close();
  }
});

test("perpbot status during a live run lists the wallets polled because the IP's user-stream slots were full", async () => {
  // the emulator grants two users' streams from this IP: two wallets must be polled
  const emu = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false, userStreamsPerIp: 2 });
  try {
    for (const [i, m] of MASTERS.entries()) {
      emu.driver.fund(m, 10_000);
      emu.driver.approveAgent(m, AGENTS[i], "perpbot");
    }
    emu.driver.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 5, levels: 10, stepPx: 1 });
    const cwd = await setUp(emu, { testnet: true });
    const run = startRun(cwd, []);
    await run.until((out) => /^hyperliquid: .*account ok/m.test(out), 60_000);
    const status = () => {
      const r = spawnSync(process.execPath, [BIN, "status", "--json"], {
        cwd,
        env: cleanEnv(),
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { venueNotices: { venue: string; key: string; text: string }[] };
    };
    let notices: { key: string; text: string }[] = [];
    const end = Date.now() + 20_000;
    while (notices.length < 2 && Date.now() < end) {
      notices = status().venueNotices;
      if (notices.length < 2) await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(notices.length, 2, JSON.stringify(notices));
    for (const n of notices)
      assert.match(
        n.text,
        /^wallet w0\d polled every \d+\.\d s, not streamed \(the venue refused its user streams: .*Cannot track more than 2 total users\.\)$/,
      );
    assert.equal(emu.driver.userStreamUsers(), 2);
    run.child.kill("SIGINT");
    assert.equal(await run.exited, 0, run.err());
    assert.deepEqual(status().venueNotices, [], "no notices once the run stopped");
  } finally {
    await emu.close();
  }
});
