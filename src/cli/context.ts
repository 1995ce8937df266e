import type { Command } from "commander";
import "../app/sections.ts";
import { type LoadedConfig, loadConfig } from "../config/load.ts";
import { logSection } from "../config/sections.ts";
import { secretValues } from "../config/show.ts";
import { createLogging, type Logging } from "../log/logger.ts";
import { registerSecret } from "../log/redact.ts";

/** The options every command accepts (declared on the root program). */
export interface GlobalOptions {
  readonly config?: string;
  readonly live?: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/**
 * Loads the config the way every command should: `--config` (or ./perpbot.toml), the PERPBOT__
 * env vars, every registered section; registers the config's secrets with the log scrubber.
 * `trading: true` (the run command) also enforces that live mode has both `mode = "live"` and
 * `--live`. Throws ConfigError (exit 2) before anything is written.
 */
export function loadCliConfig(command: Command, options: { trading?: boolean } = {}): LoadedConfig {
  const g = globalOptions(command);
  const config = loadConfig({
    file: g.config,
    env: process.env,
    live: options.trading ? g.live === true : undefined,
  });
  for (const s of secretValues(config)) registerSecret(s);
  return config;
}

/** The logging the config asks for (file under log.dir, console view, per-module levels). */
export function createCliLogging(config: LoadedConfig): Logging {
  const log = logSection.get(config.values);
  return createLogging({ level: log.level, modules: log.modules, dir: log.dir, console: log.console });
}
