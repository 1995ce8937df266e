import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startAsterEmulator } from "../venues/aster/emulator/start.ts";
import { signerAddress } from "../venues/aster/signing.ts";
import { addWallets, createKeystore } from "../wallets/edit.ts";
import type { KdfParams } from "../wallets/payload.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

/**
 * `perpbot run --live` as a user starts it, a real child process, against the Aster emulator this
 * test starts: four wallets whose API wallet keys sit in the keystore (field
 * api_wallet_private_key of their "aster" entry), their users funded and API wallets approved on
 * the emulator, `[venues.aster]` pointing at it, the farm in same-venue groups on BTCUSDT. A group
 * opens across the wallets, positions net out; Ctrl-C with --flatten-on-exit closes every leg.
 */
const BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));
const FAST_KDF: KdfParams = {
  algorithm: "argon2id",
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
  keyLength: 32,
};
const PW = "aster live run test password";
const WALLETS = ["w01", "w02", "w03", "w04"];
const walletKey = (i: number) => Buffer.alloc(32, 0x21 + i);
const apiKey = (i: number) => Buffer.alloc(32, 0x61 + i);
const USERS = WALLETS.map((_, i) => `0x${(0xa1 + i).toString(16).repeat(20)}`);
const API_WALLETS = WALLETS.map((_, i) => signerAddress(signerFromKeyBytes("secp256k1", apiKey(i), "test")));

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

test("perpbot run --live: the farm's same-venue group on the Aster emulator, end to end", async () => {
  const emu = await startAsterEmulator({ scheduledFunding: false, bookRefreshMs: 250 });
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-aster-live-"));
  dirs.push(cwd);
  try {
    for (const [i, u] of USERS.entries()) {
      emu.driver.fund(u, 10_000);
      emu.driver.approveSigner(u, API_WALLETS[i]);
    }
    emu.driver.setBook({
      symbol: "BTCUSDT",
      bidPx: 59_999.9,
      askPx: 60_000,
      qty: 5,
      levels: 10,
      stepPx: 0.1,
    });
    const ks = join(cwd, "data", "keystore.json");
    await createKeystore(ks, PW, FAST_KDF);
    await addWallets(
      ks,
      PW,
      WALLETS.map((id, i) => ({
        id,
        key: walletKey(i),
        venues: {
          aster: {
            identity: {},
            secrets: { api_wallet_private_key: { bytes: apiKey(i), encoding: "hex" as const } },
          },
        },
      })),
    );
    writeFileSync(
      join(cwd, "perpbot.toml"),
      [
        'mode = "live"',
        "[venues.aster]",
        `rest_url = "${emu.url}"`,
        `ws_url = "${emu.wsUrl}"`,
        'symbols = ["BTCUSDT"]',
        ...WALLETS.flatMap((id, i) => [`[venues.aster.wallets.${id}]`, `address = "${USERS[i]}"`]),
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
    const child = spawn(
      process.execPath,
      [BIN, "run", "--live", "--status-every", "1", "--flatten-on-exit"],
      {
        cwd,
        env: cleanEnv(),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const opened = () => /^farm: [1-9]\d* groups? open/m.test(out);
    const end = Date.now() + 60_000;
    while (!opened() && Date.now() < end && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    if (!opened()) {
      child.kill("SIGKILL");
      assert.fail(`no group opened\nstdout: ${out}\nstderr: ${err}`);
    }
    assert.match(out, /perpbot LIVE: aster/);
    const sizes = USERS.map((u) => Number(emu.driver.position(u, "BTCUSDT")));
    const holding = sizes.filter((s) => s !== 0);
    assert.ok(holding.length >= 3, `a group of 3-4 wallets holds positions: ${sizes}`);
    assert.ok(holding.some((s) => s > 0) && holding.some((s) => s < 0), `longs and shorts: ${sizes}`);
    for (const u of USERS) {
      const ids = emu.driver.orders(u).map((o) => o.clientOrderId);
      assert.equal(new Set(ids).size, ids.length, "one venue order per client order id");
    }
    child.kill("SIGINT");
    assert.equal(await exited, 0, err);
    assert.deepEqual(
      USERS.map((u) => Number(emu.driver.position(u, "BTCUSDT"))),
      [0, 0, 0, 0],
      `--flatten-on-exit closed every leg on the venue\nstdout: ${out.slice(-3000)}\nstderr: ${err.slice(-4000)}`,
    );
    assert.doesNotMatch(out + err, new RegExp(apiKey(0).toString("hex")), "no key in any output");
  } finally {
    await emu.close();
  }
});
