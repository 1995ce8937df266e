import type { Command } from "commander";
import { checkStore } from "../../app/service/open.ts";
import { PerpbotError } from "../../core/errors.ts";
import { loadCliConfig } from "../context.ts";

class StoreCheckFailed extends PerpbotError {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super("store_check_failed", message);
  }
}

/** `perpbot db check`: opens the store (creating and migrating it if needed) and checks it. */
export function registerDb(program: Command): void {
  const db = program.command("db").description("the store (SQLite or PostgreSQL)");
  db.command("check")
    .description("open the store, apply pending migrations, and run its integrity check")
    .action(async (_opts: unknown, command: Command) => {
      const config = loadCliConfig(command);
      const { displayUrl, dialect, problems } = await checkStore(config);
      if (problems.length > 0) {
        throw new StoreCheckFailed(
          `store ${displayUrl} has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`,
        );
      }
      process.stdout.write(`store ${displayUrl} (${dialect}): ok\n`);
    });
}
