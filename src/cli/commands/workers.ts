import type { Command } from "commander";
import { DEFAULT_CLUSTER_SCHEMA, poolStoreUrl } from "../../app/cluster/pool-run.ts";
import { poolLines, poolView } from "../../app/cluster/workers-view.ts";
import { loadCliConfig } from "../context.ts";

/** `perpbot workers`: the pool on the store's PostgreSQL: workers, their leases, their last renewal. */
export function registerWorkers(program: Command): void {
  program
    .command("workers")
    .description("the workers of a pool (perpbot run --worker-id): their leases and last renewal")
    .option("--cluster-schema <name>", "the pool's PostgreSQL schema", DEFAULT_CLUSTER_SCHEMA)
    .option("--json", "print one JSON object")
    .action(async (opts: { clusterSchema: string; json?: boolean }, command: Command) => {
      const config = loadCliConfig(command);
      const url = poolStoreUrl(config.values, "perpbot workers");
      const view = await poolView(url, opts.clusterSchema);
      process.stdout.write(
        opts.json ? `${JSON.stringify(view, null, 2)}\n` : `${poolLines(view).join("\n")}\n`,
      );
    });
}
