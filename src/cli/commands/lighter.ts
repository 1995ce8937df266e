import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_API_KEY_INDEX, registerLighterKey } from "../../app/lighter.ts";
import { keystoreSection } from "../../config/sections.ts";
import { obtainPassword } from "../../wallets/prompt.ts";
import { loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";
import { KEYSTORE_PASSWORD_ENV } from "./keys.ts";

function index(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new UsageError(`${name} must be an integer in [${min}, ${max}], got "${text}"`);
  return n;
}

/** `perpbot lighter …`: account set-up on Lighter (docs/venues/lighter.md). */
export function registerLighter(program: Command): void {
  const lt = program.command("lighter").description("Lighter account set-up (docs/venues/lighter.md)");
  lt.command("register-key")
    .description(
      "create an API key for the wallet's Lighter account, authorised by the wallet's L1 (Ethereum) key, and keep it in the keystore",
    )
    .requiredOption("--wallet <id>", "the perpbot wallet (its L1 key is in the keystore)")
    .option(
      "--api-key-index <n>",
      `the API key slot, 1 … 254 (default ${DEFAULT_API_KEY_INDEX}, or the config's). Never 0: Lighter's own web and mobile apps register their key at index 0, and a key registered there replaces theirs and logs the account's owner out`,
    )
    .option(
      "--account-index <n>",
      "the Lighter account (default: the config's, else the main account of the wallet's address)",
    )
    .option("--keystore <path>", "keystore file (default: keystore.path from the config)")
    .option(
      "--password-file <file>",
      `file holding the keystore password (else $${KEYSTORE_PASSWORD_ENV}, else a prompt)`,
    )
    .action(
      async (
        opts: {
          wallet: string;
          apiKeyIndex?: string;
          accountIndex?: string;
          keystore?: string;
          passwordFile?: string;
        },
        command: Command,
      ) => {
        if (opts.wallet.trim() === "") throw new UsageError("--wallet: give a wallet id");
        const apiKeyIndex = index("--api-key-index", opts.apiKeyIndex, 1, 254);
        const accountIndex = index("--account-index", opts.accountIndex, 0, 2 ** 48 - 1);
        const config = loadCliConfig(command);
        const password = await obtainPassword({
          what: "keystore password",
          file: opts.passwordFile,
          envName: KEYSTORE_PASSWORD_ENV,
          fileOption: "--password-file",
        });
        const r = await registerLighterKey({
          values: config.values,
          keystorePath: resolve(opts.keystore ?? keystoreSection.get(config.values).path),
          password,
          wallet: opts.wallet,
          apiKeyIndex,
          accountIndex,
        });
        process.stdout.write(
          `registered API key ${r.apiKeyIndex} (public key ${r.publicKey.slice(0, 16)}…) for wallet ${r.wallet}, Lighter account ${r.accountIndex} (${r.url}, tx ${r.txHash.slice(0, 16)}…); the key is in the keystore as lighter.api_private_key\n`,
        );
      },
    );
}
