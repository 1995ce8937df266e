import { resolve } from "node:path";
import type { Command } from "commander";
import { approveHyperliquidAgent } from "../../app/hyperliquid.ts";
import { keystoreSection } from "../../config/sections.ts";
import { obtainPassword } from "../../wallets/prompt.ts";
import { loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";
import { KEYSTORE_PASSWORD_ENV } from "./keys.ts";

/** `perpbot hyperliquid …`: account set-up on Hyperliquid (docs/venues/hyperliquid.md). */
export function registerHyperliquid(program: Command): void {
  const hl = program
    .command("hyperliquid")
    .description("Hyperliquid account set-up (docs/venues/hyperliquid.md)");
  hl.command("approve-agent")
    .description("sign approveAgent with the wallet's own (master) key so its agent key may trade for it")
    .requiredOption("--wallet <id>", "the perpbot wallet (as in [venues.hyperliquid.wallets.<id>])")
    .option("--name <name>", "agent name on the venue (a named agent replaces the earlier one of that name)")
    .option("--keystore <path>", "keystore file (default: keystore.path from the config)")
    .option(
      "--password-file <file>",
      `file holding the keystore password (else $${KEYSTORE_PASSWORD_ENV}, else a prompt)`,
    )
    .action(
      async (
        opts: { wallet: string; name?: string; keystore?: string; passwordFile?: string },
        command: Command,
      ) => {
        if (opts.wallet.trim() === "") throw new UsageError("--wallet: give a wallet id");
        const config = loadCliConfig(command);
        const password = await obtainPassword({
          what: "keystore password",
          file: opts.passwordFile,
          envName: KEYSTORE_PASSWORD_ENV,
          fileOption: "--password-file",
        });
        const r = await approveHyperliquidAgent({
          values: config.values,
          keystorePath: resolve(opts.keystore ?? keystoreSection.get(config.values).path),
          password,
          wallet: opts.wallet,
          name: opts.name,
        });
        process.stdout.write(
          `approved agent ${r.agent}${r.name ? ` ("${r.name}")` : ""} for wallet ${r.wallet} (master ${r.master}) on ${r.network} (${r.url})\n`,
        );
      },
    );
}
