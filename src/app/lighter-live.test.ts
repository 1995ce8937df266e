import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { FAST_KDF } from "../testing/keystore.ts";
import { startLighterEmulator } from "../venues/lighter/emulator/start.ts";
import { generateApiKey } from "../venues/lighter/signing.ts";
import { privateKeyToAddress } from "../wallets/address.ts";
import { addWallets, createKeystore } from "../wallets/edit.ts";

/**
 * `perpbot run --live` as a user starts it, a real child process, against the Lighter emulator:
 * four wallets whose Lighter API keys (from the official signer) are in the keystore and
 * registered on the emulator at index 3, `mode = "live"` with `[venues.lighter]` pointing at it,
 * the farm in same-venue groups on BTC. The farm opens a group, positions net out; Ctrl-C with
 * --flatten-on-exit closes it. The emulator's request budget is raised: this checks the run, not
 * the 60-a-minute limit (the fault matrix and the emulator tests do).
 */
const BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));
const PW = "lighter live run test password";
const WALLETS = ["w01", "w02", "w03", "w04"];
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

test("perpbot run --live: the farm's same-venue group on the Lighter emulator, end to end", async () => {
  const emu = await startLighterEmulator({ scheduledFunding: false, perMinute: 1_000_000 });
  try {
    const cwd = mkdtempSync(join(tmpdir(), "perpbot-lighter-live-"));
    dirs.push(cwd);
    const ks = join(cwd, "data", "keystore.json");
    await createKeystore(ks, PW, FAST_KDF);
    const accounts: number[] = [];
    const apiKeys: string[] = [];
    const wallets: (Parameters<typeof addWallets>[2][number] & { l1: string })[] = [];
    for (const [i, id] of WALLETS.entries()) {
      const l1Key = Buffer.alloc(32, 0x61 + i);
      const l1 = privateKeyToAddress(l1Key, id).toLowerCase();
      const index = emu.driver.createAccount(l1, 10_000);
      const k = await generateApiKey();
      emu.driver.registerKey(index, 3, k.publicKeyHex);
      accounts.push(index);
      apiKeys.push(Buffer.from(k.privateKey).toString("hex"));
      wallets.push({
        id,
        key: l1Key,
        venues: {
          lighter: {
            identity: { account_index: String(index), api_key_index: "3" },
            secrets: { api_private_key: { bytes: Buffer.from(k.privateKey), encoding: "hex" as const } },
          },
        },
        l1,
      });
    }
    await addWallets(
      ks,
      PW,
      wallets.map(({ l1: _l1, ...w }) => w),
    );
    emu.driver.setBook({ symbol: "BTC", bidPx: 59_999, askPx: 60_000, size: 5, levels: 10, stepPx: 1 });
    writeFileSync(
      join(cwd, "perpbot.toml"),
      [
        'mode = "live"',
        "[venues.lighter]",
        'network = "testnet"',
        `rest_url = "${emu.url}"`,
        `ws_url = "${emu.wsUrl}"`,
        ...WALLETS.flatMap((id, i) => [
          `[venues.lighter.wallets.${id}]`,
          `account_index = ${accounts[i]}`,
          "api_key_index = 3",
          `l1_address = "${wallets[i].l1}"`,
        ]),
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
    const run = startRun(cwd, ["--flatten-on-exit"]);
    await run.until((out) => openCount(out) > 0, 60_000);
    const sizes = accounts.map((a) => Number(emu.driver.position(a, "BTC")));
    const holding = sizes.filter((s) => s !== 0);
    assert.ok(holding.length >= 3, `a group of 3-4 wallets holds positions: ${sizes}`);
    assert.ok(holding.some((s) => s > 0) && holding.some((s) => s < 0), `longs and shorts: ${sizes}`);
    for (const a of accounts) {
      const cois = emu.driver.orders(a).map((o) => o.clientOrderIndex);
      assert.equal(new Set(cois).size, cois.length, "one venue order per client order index");
    }
    run.child.kill("SIGINT");
    const code = await run.exited;
    assert.equal(code, 0, run.err());
    assert.deepEqual(
      accounts.map((a) => Number(emu.driver.position(a, "BTC"))),
      [0, 0, 0, 0],
      `--flatten-on-exit closed every leg on the venue\n${run.out().slice(-1500)}\n${run.err().slice(-1500)}`,
    );
    for (const k of apiKeys) assert.ok(!(run.out() + run.err()).includes(k), "no key in any output");
  } finally {
    await emu.close();
  }
});
