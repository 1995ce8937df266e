import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { EMULATED_VENUES } from "../../app/emulate.ts";
import {
  closeAllEmulators,
  emulatorLine,
  startAllEmulators,
  type WrittenConfig,
  writeEmulatorConfig,
} from "../../app/emulate-all.ts";
import { DEFAULT_KDF } from "../../wallets/payload.ts";
import { obtainPassword } from "../../wallets/prompt.ts";
import { UsageError } from "../errors.ts";
import { type KdfOptions, KEYSTORE_PASSWORD_ENV, kdfFrom, withKdfOptions } from "./keys.ts";

/**
 * `perpbot emulate <venue> [--port N]` (any of EMULATED_VENUES): a local venue (Hyperliquid: HTTP /info
 * and /exchange, the WebSocket at /ws; Backpack: its REST API and WebSocket; Aster: /fapi/v3 and
 * /fapi/v1, market streams at /stream, user streams at /ws/<listenKey>; Lighter: /api/v1 and the WebSocket at /stream; Hibachi and Paradex: their REST APIs, Paradex's WebSocket) on 127.0.0.1, backed by
 * the simulated exchange core, until Ctrl-C. `perpbot emulate all [--write-config FILE]`: every
 * one at once on free ports, and a config and keystore for a live run against them: all nine
 * venues, farm instances in a ring of cross-venue pairs (docs/running.md).
 */
export function registerEmulate(program: Command): void {
  const command = program
    .command("emulate")
    .description(
      "run a local venue emulator (Hyperliquid, Aster, Lighter, Backpack, Hibachi, Extended, EdgeX, GRVT, Paradex), or all nine, on 127.0.0.1 until Ctrl-C",
    )
    .argument("<venue>", `the venue to emulate: ${Object.keys(EMULATED_VENUES).join(", ")}, or all`)
    .option("--port <n>", "port to listen on (0: any free port)", "0")
    .option("--mainnet", "accept mainnet signatures instead of testnet ones")
    .option(
      "--fund <account=usdc...>",
      "fund accounts at start, e.g. 0xabc…=10000 (Backpack: <base64 API key>=10000; Aster: 0xuser:0xapiwallet=10000; Lighter: an L1 address, a new account; Hibachi: accountId:apiKey:pubkey=usdt; Paradex: 0xaccount:0xstarkkey=0 onboards)",
      collect,
      [],
    )
    .option(
      "--write-config <file>",
      "with all: write a perpbot.toml for a live run against the emulators (every venue, farm instances in a ring of cross-venue pairs) and a new keystore beside it",
    )
    .option(
      "--keystore <path>",
      "with --write-config: the keystore to create (default: data/keystore.json beside the config)",
    )
    .option("--usdc <n>", "with --write-config: what each emulated account is funded with", "10000")
    .option(
      "--password-file <file>",
      `with --write-config: file holding the new keystore's password (else $${KEYSTORE_PASSWORD_ENV}, else a prompt)`,
    );
  withKdfOptions(command).action(async (venue: string, opts: EmulateCliOptions) => {
    if (venue === "all") return emulateAll(opts);
    const spec = EMULATED_VENUES[venue];
    if (spec === undefined)
      throw new UsageError(
        `emulate: no emulator for venue "${venue}" (known: ${Object.keys(EMULATED_VENUES).join(", ")})`,
      );
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be an integer in [0, 65535], got "${opts.port}"`);
    const fund = opts.fund.map((f) => {
      const m = /^(.+)=(\d+(?:\.\d+)?)$/.exec(f);
      if (!m || !spec.account.test(m[1]))
        throw new UsageError(`--fund "${f}": expected <${spec.accountHint}>=<usdc>`);
      return { address: m[1], usdc: Number(m[2]) };
    });
    const emu = await spec.start({ port, mainnet: opts.mainnet, fund });
    process.stdout.write(`${emu.label} on ${emu.url}  ws ${emu.wsUrl}  markets ${emu.coins.join(", ")}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await emu.close();
  });
}

interface EmulateCliOptions extends KdfOptions {
  port: string;
  mainnet?: boolean;
  fund: string[];
  writeConfig?: string;
  keystore?: string;
  usdc: string;
  passwordFile?: string;
}

/** `perpbot emulate all`: every emulator, one line each, the config written on request, until Ctrl-C. */
async function emulateAll(opts: EmulateCliOptions): Promise<void> {
  if (opts.fund.length > 0 || opts.port !== "0")
    throw new UsageError(
      "emulate all: --fund and --port are for one venue; every emulator of all takes a free port",
    );
  const usdc = Number(opts.usdc);
  if (!(Number.isFinite(usdc) && usdc > 0))
    throw new UsageError(`--usdc "${opts.usdc}": give a positive amount`);
  const file = opts.writeConfig === undefined ? undefined : resolve(opts.writeConfig);
  const keystorePath =
    file === undefined ? undefined : resolve(opts.keystore ?? join(dirname(file), "data", "keystore.json"));
  for (const p of [file, keystorePath])
    if (p !== undefined && existsSync(p))
      throw new UsageError(`emulate all --write-config: ${p} exists; remove it or pick another path`);
  const password =
    opts.writeConfig === undefined
      ? undefined
      : await obtainPassword({
          what: "password of the new keystore",
          file: opts.passwordFile,
          envName: KEYSTORE_PASSWORD_ENV,
          fileOption: "--password-file",
          confirm: true,
        });
  const started = await startAllEmulators({ mainnet: opts.mainnet });
  let written: WrittenConfig | undefined;
  try {
    for (const s of started) process.stdout.write(`${emulatorLine(s)}\n`);
    if (file !== undefined && keystorePath !== undefined && password !== undefined) {
      written = await writeEmulatorConfig(started, {
        file,
        keystorePath,
        password,
        kdf: kdfFrom(opts, DEFAULT_KDF),
        usdc,
      });
      for (const s of written.skipped)
        process.stdout.write(`note: ${s.kind} left out of the config: ${s.why}\n`);
      process.stdout.write(
        `config written to ${file}: venues ${written.venues.join(", ")}; ${written.wallets.length} wallets funded with ${usdc} each; ${written.farms.length} farm instance(s) in cross-venue pairs\n`,
      );
    }
    process.stdout.write(`${started.length} emulators running; Ctrl-C stops them all\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    if (written !== undefined) {
      const open = written.openPositions();
      process.stdout.write(
        open.length === 0
          ? "stopping: every emulated account is flat\n"
          : `stopping: ${open.length} position(s) still open: ${open.map((p) => `${p.venue} ${p.wallet} ${p.symbol} ${p.size}`).join(", ")}\n`,
      );
    }
  } finally {
    await closeAllEmulators(started);
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
