import { existsSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { exampleToml } from "../../config/docs.ts";
import { DEFAULT_CONFIG_FILE } from "../../config/load.ts";
import { globalOptions } from "../context.ts";
import { UsageError } from "../errors.ts";

/** `perpbot init`: writes the commented example config, generated from the schemas. */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description(`write a commented example config (${DEFAULT_CONFIG_FILE}, or the --config path)`)
    .option("--force", "overwrite an existing file")
    .action((opts: { force?: boolean }, command: Command) => {
      const target = resolve(globalOptions(command).config ?? DEFAULT_CONFIG_FILE);
      if (!existsSync(dirname(target))) throw new UsageError(`directory ${dirname(target)} does not exist`);
      const text = exampleToml();
      if (opts.force) {
        // write beside it and rename, so an interrupted overwrite never leaves half a config
        const tmp = `${target}.tmp-${process.pid}`;
        writeFileSync(tmp, text);
        renameSync(tmp, target);
      } else {
        try {
          // "wx" fails if the file exists, even if it appeared after any check we could make
          writeFileSync(target, text, { flag: "wx" });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "EEXIST") {
            throw new UsageError(`${target} already exists; use --force to overwrite it`);
          }
          throw err;
        }
      }
      process.stdout.write(`wrote ${target}\n`);
    });
}
