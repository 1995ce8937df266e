import type { Command } from "commander";
import { storeSection } from "../../config/sections.ts";
import { PerpbotError } from "../../core/errors.ts";
import { openStore } from "../../store/store.ts";
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
      const store = await openStore(storeSection.get(config.values).url);
      try {
        const problems = await store.integrityCheck();
        if (problems.length > 0) {
          throw new StoreCheckFailed(
            `store ${store.displayUrl} has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`,
          );
        }
        process.stdout.write(`store ${store.displayUrl} (${store.dialect}): ok\n`);
      } finally {
        await store.close();
      }
    });
}
