/**
 * `perpbot run --live` in-process on the Hyperliquid emulator, for tests that need the running
 * node (its engine, farm and alerts): a real keystore (the cheapest KDF), a real config file with
 * `mode = "live"` and `[venues.hyperliquid]` pointing at the emulator, startLiveRun as the CLI
 * calls it. Wallet i's master and agent keys are fixed test keys; what the keystore holds as the
 * agent key, whether the agent is approved and what the config adds are the test's choice.
 * Test support only (imported by *.test.ts files).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "../app/sections.ts";
import { checkLiveConfig, type LiveRun, startLiveRun } from "../app/live-run.ts";
import { loadConfig } from "../config/load.ts";
import { createLogging } from "../log/logger.ts";
import type { HyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";
import { signerAddressOf } from "../venues/hyperliquid/exchange.ts";
import { addWallets, createKeystore } from "../wallets/edit.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";
import { FAST_KDF } from "./keystore.ts";

const PW = "hl live harness password";
export const masterKeyOf = (i: number) => Buffer.alloc(32, 0x21 + i);
export const agentKeyOf = (i: number) => Buffer.alloc(32, 0x41 + i);
const addressOf = (key: Buffer) =>
  signerAddressOf(signerFromKeyBytes("secp256k1", key, "test")).toLowerCase();
export const masterOf = (i: number) => addressOf(masterKeyOf(i));
export const agentOf = (i: number) => addressOf(agentKeyOf(i));
export const walletIdOf = (i: number) => `w${String(i + 1).padStart(2, "0")}`;

export interface HlLiveOptions {
  readonly emu: HyperliquidEmulator;
  readonly wallets: number;
  /** USDC credited to each master (default 10 000) */
  readonly fundUsdc?: number;
  /** the key the keystore holds as wallet i's agent key (default its own agent key) */
  readonly storedAgentKey?: (i: number) => Buffer;
  /** whether wallet i's agent is approved on the emulator (default true) */
  readonly approved?: (i: number) => boolean;
  /**
   * more config lines (e.g. a [farm] table); default: a farm that never opens (every wallet is
   * below its minimum balance), so the run has a node whose engine the test drives
   */
  readonly toml?: readonly string[];
}

export interface HlLive {
  readonly dir: string;
  readonly wallets: readonly string[];
  readonly masters: readonly string[];
  /** start the live run; rejects as the CLI's start would */
  start(): Promise<LiveRun>;
  /** what the run said to the operator */
  readonly said: string[];
  /** the run's log, as the console shows it */
  readonly log: string[];
  cleanup(): void;
}

export async function hlLive(o: HlLiveOptions): Promise<HlLive> {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-hl-live-"));
  const idx = Array.from({ length: o.wallets }, (_, i) => i);
  const wallets = idx.map(walletIdOf);
  const masters = idx.map(masterOf);
  for (const i of idx) {
    o.emu.driver.fund(masters[i], o.fundUsdc ?? 10_000);
    if (o.approved?.(i) ?? true) o.emu.driver.approveAgent(masters[i], agentOf(i), "perpbot");
  }
  const ks = join(dir, "keystore.json");
  await createKeystore(ks, PW, FAST_KDF);
  await addWallets(
    ks,
    PW,
    idx.map((i) => ({
      id: wallets[i],
      key: masterKeyOf(i),
      venues: {
        hyperliquid: {
          identity: {},
          secrets: {
            agent_private_key: { bytes: o.storedAgentKey?.(i) ?? agentKeyOf(i), encoding: "hex" as const },
          },
        },
      },
    })),
  );
  const file = join(dir, "perpbot.toml");
  writeFileSync(
    file,
    [
      'mode = "live"',
      `data_dir = "${join(dir, "data")}"`,
      "[store]",
      `url = "sqlite:${join(dir, "perpbot.db")}"`,
      "[keystore]",
      `path = "${ks}"`,
      "[venues.hyperliquid]",
      `url = "${o.emu.url}"`,
      "testnet = true",
      "timeout_ms = 2000",
      "order_expiry_ms = 5000",
      ...idx.flatMap((i) => [`[venues.hyperliquid.wallets.${wallets[i]}]`, `address = "${masters[i]}"`]),
      ...(o.toml ?? ["[farm]", "min_balance_usd = 1000000000"]),
    ].join("\n"),
  );
  const said: string[] = [];
  const log: string[] = [];
  return {
    dir,
    wallets,
    masters,
    said,
    log,
    start() {
      const config = loadConfig({ file, env: {}, live: true });
      return startLiveRun({
        config,
        plan: checkLiveConfig(config),
        keystorePath: ks,
        password: PW,
        logging: createLogging({ dir: null, level: "debug", console: { write: (l: string) => log.push(l) } }),
        say: (line) => said.push(line),
      });
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
