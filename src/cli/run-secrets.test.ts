import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startCli } from "../testing/cli-run.ts";
import { findLeaks, type Produced, producedTexts } from "../testing/secret-scan.ts";
import { startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";
import { signerAddressOf } from "../venues/hyperliquid/exchange.ts";
import { addWallets, createKeystore } from "../wallets/edit.ts";
import { keystoreSecretForms } from "../wallets/keystore.ts";
import { parseProxy } from "../wallets/proxy.ts";
import { secretForms } from "../wallets/secret-encoding.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("a full paper run with keys loaded writes no secret to stdout, stderr, any log file or any row of the store", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-secrets-"));
  dirs.push(cwd);
  const keystore = join(cwd, "data", "keystore.json");
  const password = `pw-${randomBytes(9).toString("base64url")}-ключ`;
  // cheap recorded KDF parameters: the leak check is about where secrets go, not the KDF
  await createKeystore(keystore, password, {
    algorithm: "argon2id",
    memoryKiB: 256,
    iterations: 1,
    parallelism: 1,
    keyLength: 32,
  });
  await addWallets(
    keystore,
    password,
    ["alpha", "beta", "gamma"].map((id) => ({
      id,
      label: `${id} wallet`,
      key: randomBytes(32),
      proxy: parseProxy(`proxy.example:8080:user-${id}:${randomBytes(8).toString("hex")}`),
      venues: {
        lighter: {
          identity: { account_index: "7" },
          secrets: {
            api_key: { bytes: Buffer.from(randomBytes(20).toString("hex")), encoding: "utf8" as const },
          },
        },
      },
    })),
  );
  const forms = await keystoreSecretForms(keystore, password);
  assert.ok(forms.length >= 3 * 6, `expected the forms of every secret, got ${forms.length}`);

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  env.PERPBOT_KEYSTORE_PASSWORD = password;
  env.PERPBOT__LOG__LEVEL = "debug";
  const r = spawnSync(process.execPath, [BIN, "run", "--duration", "4", "--status-every", "1"], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /3 wallets/, "the run traded the keystore's wallets");
  const produced: Produced[] = [
    { where: "stdout", text: r.stdout },
    { where: "stderr", text: r.stderr },
    ...producedTexts(join(cwd, "data")),
  ];
  assert.ok(
    produced.some((p) => p.where.startsWith("logs")),
    "a log file was written",
  );
  assert.ok(
    produced.some((p) => /table orders/.test(p.where)),
    "the store's tables were read",
  );
  const leaks = findLeaks(produced, new Map([["keystore secret", forms]]));
  assert.deepEqual(leaks, [], `secrets found: ${leaks.map((l) => `${l.secret} in ${l.where}`).join("; ")}`);
});

/**
 * Issue 12's "no secret in any log line, error, doctor output or recording": a full
 * `perpbot run --live` on the Hyperliquid emulator with debug logs and the API on, with errors
 * on the way (5xx, 429 and a lost answer on /exchange, one wallet whose agent the venue does not
 * know, so its orders are refused), `perpbot doctor` (text and --json) and `perpbot status`
 * while it runs, a wrong-password doctor, then every output and every file of the data directory
 * (logs, every row of every table of the store, the nonce file, anything recorded) and every API
 * answer scanned for every form of every secret (src/testing/secret-scan.ts; its own test shows
 * it finds a planted key in each encoding).
 */
const WALLETS = ["w01", "w02", "w03", "w04", "w05", "w06"];
/** the wallet whose agent the venue does not know */
const UNAPPROVED = 5;
const API_PATHS = [
  "/api/status",
  "/api/strategies",
  "/api/groups",
  "/api/positions",
  "/api/orders",
  "/api/trades",
  "/api/funding",
  "/api/equity",
  "/api/alerts",
  "/api/config",
  "/metrics",
  "/health",
  "/openapi.json",
  "/",
];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test("a full live run on the Hyperliquid emulator, with errors, doctor and status, leaks no secret anywhere", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-secrets-live-"));
  dirs.push(cwd);
  const password = `pw-${randomBytes(9).toString("base64url")}-ключ`;
  const masters = WALLETS.map(() => randomBytes(32));
  const agents = WALLETS.map(() => randomBytes(32));
  const address = (k: Buffer) => signerAddressOf(signerFromKeyBytes("secp256k1", k, "test"));
  const keystore = join(cwd, "data", "keystore.json");
  await createKeystore(keystore, password, {
    algorithm: "argon2id",
    memoryKiB: 64,
    iterations: 1,
    parallelism: 1,
    keyLength: 32,
  });
  await addWallets(
    keystore,
    password,
    WALLETS.map((id, i) => ({
      id,
      key: Buffer.from(masters[i]),
      venues: {
        hyperliquid: {
          identity: {},
          secrets: { agent_private_key: { bytes: Buffer.from(agents[i]), encoding: "hex" as const } },
        },
      },
    })),
  );
  const secrets = new Map<string, readonly string[]>([["keystore password", [password]]]);
  for (const [i, w] of WALLETS.entries()) {
    secrets.set(`${w} master key`, secretForms(masters[i], "hex"));
    secrets.set(`${w} agent key`, secretForms(agents[i], "hex"));
  }
  const all = await keystoreSecretForms(keystore, password);
  secrets.set("any keystore secret", all);
  for (const form of [
    agents[0].toString("hex").toUpperCase(),
    `0x${masters[1].toString("hex")}`,
    agents[2].toString("base64"),
  ])
    assert.ok(all.includes(form), "the forms searched include upper hex, 0x hex and base64");

  // five perpbot processes (two runs, doctors, status) from one address within a minute, each
  // with its own limiter: more weight than the venue's 1200 a minute; this test is about secrets
  const emu = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false, ipWeightPerMinute: 6000 });
  const apiPort = await freePort();
  try {
    for (const m of masters) emu.driver.fund(address(m), 10_000);
    // w06's agent is not approved at first: doctor fails it and a live run refuses to start
    for (const [i, m] of masters.entries())
      if (i !== UNAPPROVED) emu.driver.approveAgent(address(m), address(agents[i]), "perpbot");
    emu.driver.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 5, levels: 10, stepPx: 1 });
    writeFileSync(
      join(cwd, "perpbot.toml"),
      [
        'mode = "live"',
        "[log]",
        'level = "debug"',
        "[api]",
        "enabled = true",
        `port = ${apiPort}`,
        "[venues.hyperliquid]",
        `url = "${emu.url}"`,
        "timeout_ms = 2000",
        ...WALLETS.flatMap((id, i) => [
          `[venues.hyperliquid.wallets.${id}]`,
          `address = "${address(masters[i])}"`,
        ]),
        // a loaded machine may deliver a book late: the leak check is not about staleness
        "[engine]",
        "max_book_age_ms = 5000",
        "[farm]",
        'mode = "same_venue"',
        'markets = ["BTC"]',
        "min_group_size = 3",
        "max_group_size = 3",
        "check_interval_seconds = 1",
        "min_cooldown_minutes = 60",
        "max_cooldown_minutes = 60",
      ].join("\n"),
    );
    const env = { PERPBOT_KEYSTORE_PASSWORD: password };
    const produced: Produced[] = [];
    const cli = async (args: string[], extra: Record<string, string> = env) => {
      const c = startCli(cwd, args, () => false, { env: extra, timeoutMs: 120_000 });
      const { code } = await c.exited;
      produced.push(
        { where: `stdout of perpbot ${args.join(" ")}`, text: c.out() },
        { where: `stderr of perpbot ${args.join(" ")}`, text: c.err() },
      );
      return { code, out: c.out(), err: c.err() };
    };

    // before the approval: the doctor names w06's agent, a live run refuses to start with the fix
    const refused = await cli(["run", "--live"]);
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.err, /w06.*approve-agent w06/);
    assert.doesNotMatch(
      refused.err,
      /unexpected error/,
      "a key the venue does not know is the user's to fix",
    );
    // one doctor here: each reads every wallet, and the emulator meters the IP's weight as the venue does
    const doctor = await cli(["doctor"]);
    assert.equal(doctor.code, 1, "w06's unapproved agent fails the doctor");
    assert.match(doctor.out, /w06\s+agent\s+FAIL/);
    emu.driver.approveAgent(address(masters[UNAPPROVED]), address(agents[UNAPPROVED]), "perpbot");
    const run = startCli(
      cwd,
      ["run", "--live", "--status-every", "1", "--flatten-on-exit"],
      (out) => /^farm: [1-9]\d* groups? open/m.test(out),
      { env, timeoutMs: 90_000 },
    );
    try {
      await run.ready;
      // while it runs: doctor (text and JSON, and with a wrong password), status, the API
      const running = await cli(["doctor"]);
      assert.match(
        running.out,
        /positions\s+ok\s+\d+ open, all perpbot's/,
        "the run's own positions are perpbot's",
      );
      assert.doesNotMatch(running.out, /positions\s+FAIL/);
      await cli(["doctor", "--json"]);

      await cli(["doctor"], { PERPBOT_KEYSTORE_PASSWORD: `${password}-wrong` });
      assert.equal((await cli(["status"])).code, 0);
      await cli(["status", "--json"]);
      for (const path of API_PATHS) {
        const r = await fetch(`http://127.0.0.1:${apiPort}${path}`);
        produced.push({ where: `API ${path} (${r.status})`, text: await r.text() });
      }
      // the closing orders meet a 5xx, a 429 and a lost answer
      emu.driver.serverErrors(1);
      emu.driver.rateLimit(1);
      emu.driver.loseAcks(1);
      run.child.kill("SIGINT");
      const end = await run.exited;
      produced.push(
        { where: "stdout of perpbot run --live", text: run.out() },
        { where: "stderr of perpbot run --live", text: run.err() },
      );
      assert.equal(end.code, 0, run.err());
    } finally {
      run.child.kill("SIGKILL");
    }
    // and a run that cannot start: its error
    await cli(["run", "--live"], { PERPBOT_KEYSTORE_PASSWORD: "wrong" });

    assert.ok(
      emu.driver.faultsApplied().serverError === 1 && emu.driver.faultsApplied().loseAck === 1,
      JSON.stringify(emu.driver.faultsApplied()),
    );
    produced.push(...producedTexts(cwd));
    assert.ok(
      produced.some((p) => /^data\/logs\//.test(p.where)),
      "a log file was written",
    );
    assert.ok(
      produced.some((p) => /table orders \([1-9]\d* rows\)/.test(p.where)),
      "the store holds the run's orders",
    );
    assert.ok(
      produced.some((p) => /API \/api\/orders \(200\)/.test(p.where)),
      "the API answered",
    );
    const leaks = findLeaks(produced, secrets);
    assert.deepEqual(leaks, [], `secrets found: ${leaks.map((l) => `${l.secret} in ${l.where}`).join("; ")}`);
  } finally {
    await emu.close();
  }
});
