import type { Command } from "commander";
import { renderConfigJson, renderConfigText } from "../../config/show.ts";
import { loadCliConfig } from "../context.ts";
import { importSeed002Command } from "./config-seed002.ts";

/** `perpbot config show`: the effective config, secrets masked, with each value's origin. */
export function registerConfig(program: Command): void {
  const config = program.command("config").description("inspect the configuration");
  config
    .command("show")
    .description("print the effective configuration (secrets masked) and where each value came from")
    .option("--json", "print JSON instead of text")
    .action((opts: { json?: boolean }, command: Command) => {
      const loaded = loadCliConfig(command);
      process.stdout.write(opts.json ? renderConfigJson(loaded) : renderConfigText(loaded));
    });
  config
    .command("import-seed002")
    .description("convert seed 002's risk.yaml (carry, scalp, kill switch) into perpbot TOML")
    .argument("<risk.yaml>", "seed 002's config/risk.yaml")
    .option("--out <file>", "the TOML file to write", "perpbot.toml")
    .option("--force", "overwrite --out when it exists")
    .option("--carry-name <name>", "instance name of the carry strategy", "carry")
    .option("--scalp-name <name>", "instance name of the scalp strategy", "scalp")
    .option("--strict", "exit 3 when any key could not be mapped (the file is still written)")
    .option("--json", "print the mapping as JSON")
    .action(importSeed002Command);
}
