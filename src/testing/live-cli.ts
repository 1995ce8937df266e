/**
 * `perpbot run --live` and `perpbot doctor` as a user starts them (real child processes) in a
 * fresh directory with a real keystore (the cheapest KDF) and a perpbot.toml, against venue
 * emulators the test starts. Wallet set-ups per venue: Backpack API keys (ed25519 seeds stored as
 * the base64 text Backpack shows) and Hyperliquid master + agent keys. Test support only.
 */
import { spawn, spawnSync } from "node:child_process";
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

/** The nine venues of issue 14 (sim excluded): `perpbot emulate all` must start and configure each. */
export const NINE_VENUES: readonly string[] = [
  "hyperliquid",
  "lighter",
  "aster",
  "backpack",
  "paradex",
  "edgex",
  "hibachi",
  "extended",
  "grvt",
];

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
/** Paradex: a Stark private key (below the curve order) and its account address per wallet */
export const pdxKeyOf = (i: number) => Buffer.alloc(32, 0x01 + i);
export const pdxAccountOf = (i: number) => `0x${(0x5a00 + i).toString(16)}`;
export const pdxPublicKeyOf = (i: number) =>
  `0x${signerFromKeyBytes("stark", pdxKeyOf(i), "test").publicKey}`;

export const hlMasterKeyOf = (i: number) => Buffer.alloc(32, 0x11 + i);
/** an Extended Stark private key (the leading 0x01 keeps it below the curve order) and its public key */
export const xtStarkKeyOf = (i: number) => Buffer.concat([Buffer.from([0x01]), Buffer.alloc(31, 0x31 + i)]);
export const xtStarkPubOf = (i: number) =>
  `0x${signerFromKeyBytes("stark", xtStarkKeyOf(i), "test").publicKey.replace(/^0+/, "")}`;
export const xtApiKeyOf = (i: number) => `extended-api-key-${i}`;
export const hlAgentKeyOf = (i: number) => Buffer.alloc(32, 0x91 + i);
const addr = (k: Buffer) => signerAddressOf(signerFromKeyBytes("secp256k1", k, "test")).toLowerCase();
export const hlMasterOf = (i: number) => addr(hlMasterKeyOf(i));
export const hlAgentOf = (i: number) => addr(hlAgentKeyOf(i));

/** Wallet i's EdgeX trading key, API secret text and passphrase, account id, API key and trading address. */
export const exTradingKeyOf = (i: number) => Buffer.alloc(32, 0x51 + i);
export const exSecretOf = (i: number) => `ZWRnZXgtdGVzdC1zZWNyZXQt${i}`;
export const exPassphraseOf = (i: number) => `edgex-pass-phrase-${i}`;
export const exAccountOf = (i: number) => String(543_429_922_866_069_700n + BigInt(i));
export const exApiKeyOf = (i: number) => `edgex-key-${i}`;
export const exAddressOf = (i: number) => addr(exTradingKeyOf(i));
/** Wallet i's Hibachi trustless account: its secp256k1 trading key, account id and API key. */
export const hbKeyOf = (i: number) => Buffer.alloc(32, 0x31 + i);
export const hbAccountIdOf = (i: number) => 100 + i;
export const hbApiKeyOf = (i: number) => `hibachi-test-api-key-${i}`;
export const hbPublicKeyOf = (i: number) => signerFromKeyBytes("secp256k1", hbKeyOf(i), "test").publicKey;
/** Wallet i's API secret when its Hibachi account is exchange-managed (HMAC-signed). */
export const hbSecretOf = (i: number) => `aGliYWNoaS1tYW5hZ2VkLXNlY3JldC0${i}`;

export interface WalletPlan {
  readonly id: string;
  /** index of its keys above */
  readonly i: number;
  readonly backpack?: { readonly storedSeed?: Buffer };
  /**
   * an EdgeX entry: trading key, API secret (storedSecret: a wrong one) and passphrase (unless
   * noPassphrase: the test adds it with `perpbot keys add`)
   */
  readonly edgex?: { readonly storedSecret?: string; readonly noPassphrase?: true };
  readonly paradex?: { readonly storedKey?: Buffer };
  readonly hyperliquid?: true;
  /** a Hibachi trustless account (its secp256k1 key in the keystore), or a managed one (its API secret) */
  readonly hibachi?: true | { readonly managed: true };
  readonly extended?: { readonly storedKey?: Buffer };
  /** a GRVT trading wallet (its secp256k1 key in the keystore) and sub-account */
  readonly grvt?: true;
}

/** Wallet i's GRVT trading key, its address and its sub-account id. */
export const grvtKeyOf = (i: number) => Buffer.alloc(32, 0x51 + i);
export const grvtWalletOf = (i: number) => addr(grvtKeyOf(i));
export const grvtSubOf = (i: number) => String(2_147_050_003_876_484 + i);

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
      if (w.paradex)
        venues.paradex = {
          identity: {},
          secrets: { stark_private_key: { bytes: w.paradex.storedKey ?? pdxKeyOf(w.i), encoding: "hex" } },
        };
      if (w.extended)
        venues.extended = {
          identity: {},
          secrets: {
            stark_private_key: { bytes: w.extended.storedKey ?? xtStarkKeyOf(w.i), encoding: "hex" },
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
            ...(w.edgex.noPassphrase
              ? {}
              : { api_passphrase: { bytes: Buffer.from(exPassphraseOf(w.i), "utf8"), encoding: "utf8" } }),
          },
        };
      if (w.hibachi)
        venues.hibachi = {
          identity: {},
          secrets:
            w.hibachi === true
              ? { private_key: { bytes: hbKeyOf(w.i), encoding: "hex" } }
              : { api_secret: { bytes: Buffer.from(hbSecretOf(w.i), "utf8"), encoding: "utf8" } },
        };
      if (w.hyperliquid)
        venues.hyperliquid = {
          identity: {},
          secrets: { agent_private_key: { bytes: hlAgentKeyOf(w.i), encoding: "hex" } },
        };
      if (w.grvt)
        venues.grvt = { identity: {}, secrets: { private_key: { bytes: grvtKeyOf(w.i), encoding: "hex" } } };
      return { id: w.id, ...(w.hyperliquid ? { key: hlMasterKeyOf(w.i) } : {}), venues };
    }),
  );
  writeFileSync(join(cwd, "perpbot.toml"), toml.join("\n"));
  return cwd;
}

/** `[venues.paradex]` on an emulator with these wallets. */
export function paradexToml(url: string, wallets: readonly WalletPlan[]): string[] {
  return [
    "[venues.paradex]",
    `rest_url = "${url}"`,
    ...wallets
      .filter((w) => w.paradex)
      .flatMap((w) => [`[venues.paradex.wallets.${w.id}]`, `account = "${pdxAccountOf(w.i)}"`]),
  ];
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

/** `[venues.extended]` on an emulator with these wallets (vault 10000 + i). */
export function extendedToml(url: string, wallets: readonly WalletPlan[]): string[] {
  return [
    "[venues.extended]",
    `rest_url = "${url}"`,
    "request_timeout_ms = 3000",
    ...wallets
      .filter((w) => w.extended)
      .flatMap((w) => [
        `[venues.extended.wallets.${w.id}]`,
        `api_key = "${xtApiKeyOf(w.i)}"`,
        `vault = ${10_000 + w.i}`,
        `stark_key = "${xtStarkPubOf(w.i)}"`,
      ]),
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
      ]),
  ];
}

/** `[venues.hibachi]` on an emulator with these wallets. */
export function hibachiToml(url: string, wallets: readonly WalletPlan[]): string[] {
  return [
    "[venues.hibachi]",
    `trade_url = "${url}"`,
    "request_timeout_ms = 3000",
    "poll_ms = 500",
    ...wallets
      .filter((w) => w.hibachi)
      .flatMap((w) => [
        `[venues.hibachi.wallets.${w.id}]`,
        `account_id = ${hbAccountIdOf(w.i)}`,
        `api_key = "${hbApiKeyOf(w.i)}"`,
        ...(w.hibachi === true ? [] : ['kind = "managed"']),
      ]),
  ];
}

/** `[venues.grvt]` on an emulator (one base URL for its three hosts) with these wallets. */
export function grvtToml(url: string, wallets: readonly WalletPlan[]): string[] {
  return [
    "[venues.grvt]",
    `rest_url = "${url}"`,
    "request_timeout_ms = 3000",
    "order_expiry_ms = 5000",
    ...wallets
      .filter((w) => w.grvt)
      .flatMap((w) => [`[venues.grvt.wallets.${w.id}]`, `sub_account_id = "${grvtSubOf(w.i)}"`]),
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

/** `perpbot <args>` in cwd, with the keystore password (and `env`) in the environment. */
export function perpbotCli(
  cwd: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): CliRun {
  const child = spawn(process.execPath, [PERPBOT_BIN, ...args], {
    cwd,
    env: cleanEnv({ ...env, PERPBOT_KEYSTORE_PASSWORD: LIVE_PW }),
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

/** `perpbot keys <args>` in cwd with `input` on stdin (secrets, one a line); its exit code and output. */
export function perpbotKeys(cwd: string, args: readonly string[], input: string) {
  const r = spawnSync(process.execPath, [PERPBOT_BIN, "keys", ...args], {
    cwd,
    env: cleanEnv({ PERPBOT_KEYSTORE_PASSWORD: LIVE_PW }),
    input,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** The number of farm groups open in the latest status lines seen. */
export const openGroups = (out: string) =>
  Math.max(0, ...[...out.matchAll(/^farm: (\d+) groups? open/gm)].map((m) => Number(m[1])));
