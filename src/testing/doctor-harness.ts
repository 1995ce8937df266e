import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";
import { signerAddressOf } from "../venues/hyperliquid/exchange.ts";
import { addWallets, createKeystore } from "../wallets/edit.ts";
import type { KdfParams } from "../wallets/payload.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

/**
 * The set-up of the `perpbot doctor` tests (src/app/doctor/*.test.ts): a keystore with two
 * wallets (master and agent keys), `[venues.hyperliquid]` pointing at an emulator the test
 * starts, the CLI run as a child process, and the table's rows picked out by wallet and check.
 */
const BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));
const FAST_KDF: KdfParams = {
  algorithm: "argon2id",
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
  keyLength: 32,
};
export const PW = "doctor test password";
export const WALLETS = ["w01", "w02"];
export const masterKey = (i: number) => Buffer.alloc(32, 0x41 + i);
export const agentKey = (i: number) => Buffer.alloc(32, 0x61 + i);
export const signerOf = (key: Buffer) => signerFromKeyBytes("secp256k1", key, "test");
export const MASTERS = WALLETS.map((_, i) => signerAddressOf(signerOf(masterKey(i))));
export const AGENTS = WALLETS.map((_, i) => signerAddressOf(signerOf(agentKey(i))));

/** temporary directories made here; the test files remove them after their tests */
export const dirs: string[] = [];

export function removeDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function setUp(url: string, extra: readonly string[] = []): Promise<string> {
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
export function perpbot(cwd: string, args: string[], password = PW): Promise<Result> {
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
export function row(out: string, wallet: string, check: string): string {
  const line = out.split("\n").find((l) => new RegExp(`^hyperliquid\\s+${wallet}\\s+${check}\\s`).test(l));
  assert.ok(line, `no row for ${wallet} ${check} in:\n${out}`);
  return line;
}

export interface JsonReport {
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

export async function ready(): Promise<{ emu: HyperliquidEmulator; cwd: string }> {
  const emu = await startHyperliquidEmulator({ hourlyFunding: false });
  for (const [i, m] of MASTERS.entries()) {
    emu.driver.fund(m, 10_000);
    emu.driver.approveAgent(m, AGENTS[i], "perpbot");
  }
  emu.driver.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 5, levels: 5, stepPx: 1 });
  return { emu, cwd: await setUp(emu.url) };
}
