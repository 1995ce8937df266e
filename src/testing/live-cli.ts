/**
 * `perpbot run --live` and `perpbot doctor` as a user starts them (real child processes) in a
 * fresh directory with a real keystore (the cheapest KDF) and a perpbot.toml, against venue
 * emulators the test starts. Wallet set-ups per venue: Backpack API keys (ed25519 seeds stored as
 * the base64 text Backpack shows) and Hyperliquid master + agent keys. Test support only.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiKeyOf } from "../venues/backpack/signing.ts";
import { signerAddressOf } from "../venues/hyperliquid/exchange.ts";
import { addWallets, createKeystore, type NewWallet } from "../wallets/edit.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";
import { FAST_KDF } from "./keystore.ts";
import { cleanEnv, PERPBOT_BIN } from "./run-process.ts";

export const LIVE_PW = "live cli test password";

/** A live farm of one same-venue group of 3-4 wallets on BTC, checked every second. */
export const SAME_VENUE_FARM: readonly string[] = [
  'mode = "live"',
  "[farm]",
  'mode = "same_venue"',
  'markets = ["BTC"]',
  "min_group_size = 3",
  "max_group_size = 4",
  "check_interval_seconds = 1",
  "min_cooldown_minutes = 60",
  "max_cooldown_minutes = 60",
];

/** Wallet i's Backpack API secret (a 32-byte ed25519 seed) and its API key. */
export const bpSeedOf = (i: number) => Buffer.alloc(32, 0x71 + i);
export const bpApiKeyOf = (i: number) => apiKeyOf(signerFromKeyBytes("ed25519", bpSeedOf(i), "test"));
/** Wallet i's Hyperliquid master and agent keys and their addresses. */
export const hlMasterKeyOf = (i: number) => Buffer.alloc(32, 0x11 + i);
export const hlAgentKeyOf = (i: number) => Buffer.alloc(32, 0x91 + i);
const addr = (k: Buffer) => signerAddressOf(signerFromKeyBytes("secp256k1", k, "test")).toLowerCase();
export const hlMasterOf = (i: number) => addr(hlMasterKeyOf(i));
export const hlAgentOf = (i: number) => addr(hlAgentKeyOf(i));

/** Wallet i's EdgeX trading key, API secret text, account id, API key and trading address. */
export const exTradingKeyOf = (i: number) => Buffer.alloc(32, 0x51 + i);
export const exSecretOf = (i: number) => `ZWRnZXgtdGVzdC1zZWNyZXQt${i}`;
export const exAccountOf = (i: number) => String(543_429_922_866_069_700n + BigInt(i));
export const exApiKeyOf = (i: number) => `edgex-key-${i}`;
export const exAddressOf = (i: number) => addr(exTradingKeyOf(i));

export interface WalletPlan {
  readonly id: string;
  /** index of its keys above */
  readonly i: number;
  readonly backpack?: { readonly storedSeed?: Buffer };
  /** an EdgeX entry: trading key and API secret (storedSecret: a wrong one) */
  readonly edgex?: { readonly storedSecret?: string };
  readonly hyperliquid?: true;
}

const dirs: string[] = [];
export function removeLiveDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A directory with the keystore of `wallets` and perpbot.toml = `toml` lines. */
export async function liveDir(wallets: readonly WalletPlan[], toml: readonly string[]): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-live-cli-"));
  dirs.push(cwd);
  const ks = join(cwd, "data", "keystore.json");
  await createKeystore(ks, LIVE_PW, FAST_KDF);
  await addWallets(
    ks,
    LIVE_PW,
    wallets.map((w): NewWallet => {
      const venues: Record<string, NonNullable<NewWallet["venues"]>[string]> = {};
      if (w.backpack)
        venues.backpack = {
          identity: {},
          secrets: {
            api_secret: {
              bytes: Buffer.from((w.backpack.storedSeed ?? bpSeedOf(w.i)).toString("base64"), "utf8"),
              encoding: "utf8",
            },
          },
        };
      if (w.edgex)
        venues.edgex = {
          identity: {},
          secrets: {
            trading_private_key: { bytes: exTradingKeyOf(w.i), encoding: "hex" },
            api_secret: {
              bytes: Buffer.from(w.edgex.storedSecret ?? exSecretOf(w.i), "utf8"),
              encoding: "utf8",
            },
          },
        };
      if (w.hyperliquid)
        venues.hyperliquid = {
          identity: {},
          secrets: { agent_private_key: { bytes: hlAgentKeyOf(w.i), encoding: "hex" } },
        };
      return { id: w.id, ...(w.hyperliquid ? { key: hlMasterKeyOf(w.i) } : {}), venues };
    }),
  );
  writeFileSync(join(cwd, "perpbot.toml"), toml.join("\n"));
  return cwd;
}

/** `[venues.backpack]` on an emulator with these wallets. */
export function backpackToml(url: string, wallets: readonly WalletPlan[]): string[] {
  return [
    "[venues.backpack]",
    `rest_url = "${url}"`,
    "request_timeout_ms = 3000",
    ...wallets
      .filter((w) => w.backpack)
      .flatMap((w) => [`[venues.backpack.wallets.${w.id}]`, `api_key = "${bpApiKeyOf(w.i)}"`]),
  ];
}

/** `[venues.edgex]` on an emulator with these wallets. */
export function edgexToml(url: string, wallets: readonly WalletPlan[]): string[] {
  return [
    "[venues.edgex]",
    `rest_url = "${url}"`,
    "request_timeout_ms = 3000",
    ...wallets
      .filter((w) => w.edgex)
      .flatMap((w) => [
        `[venues.edgex.wallets.${w.id}]`,
        `account_id = "${exAccountOf(w.i)}"`,
        `api_key = "${exApiKeyOf(w.i)}"`,
        `passphrase = "pp-${w.i}"`,
      ]),
  ];
}

/** `[venues.hyperliquid]` (testnet) on an emulator with these wallets. */
export function hyperliquidToml(url: string, wallets: readonly WalletPlan[]): string[] {
  return [
    "[venues.hyperliquid]",
    `url = "${url}"`,
    "testnet = true",
    ...wallets
      .filter((w) => w.hyperliquid)
      .flatMap((w) => [`[venues.hyperliquid.wallets.${w.id}]`, `address = "${hlMasterOf(w.i)}"`]),
  ];
}

export interface CliRun {
  readonly exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** wait until the output satisfies cond; SIGKILL and throw with both outputs after ms */
  until(cond: (out: string) => boolean, ms: number): Promise<void>;
  interrupt(): void;
}

/** `perpbot <args>` in cwd, with the keystore password in the environment. */
export function perpbotCli(cwd: string, args: readonly string[]): CliRun {
  const child = spawn(process.execPath, [PERPBOT_BIN, ...args], {
    cwd,
    env: cleanEnv({ PERPBOT_KEYSTORE_PASSWORD: LIVE_PW }),
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
  return {
    exited,
    out: () => stdout,
    err: () => stderr,
    interrupt: () => child.kill("SIGINT"),
    async until(cond, ms) {
      const end = Date.now() + ms;
      while (!cond(stdout) && Date.now() < end && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      if (!cond(stdout)) {
        child.kill("SIGKILL");
        throw new Error(`not seen within ${ms} ms\nstdout: ${stdout}\nstderr: ${stderr}`);
      }
    },
  };
}

/** The number of farm groups open in the latest status lines seen. */
export const openGroups = (out: string) =>
  Math.max(0, ...[...out.matchAll(/^farm: (\d+) groups? open/gm)].map((m) => Number(m[1])));
