import type { Command } from "commander";
import { renderConfigJson, renderConfigText } from "../../config/show.ts";
import { loadCliConfig } from "../context.ts";

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
}
