import { startPoolRun } from "../../app/cluster/pool-run.ts";
import type { ConfigValues } from "../../config/registry.ts";
import type { Logging } from "../../log/logger.ts";

/**
 * `perpbot run --worker-id W`: join the pool, print its status every few seconds, and on Ctrl-C
 * (or SIGTERM, or `--duration`) stop every unit cleanly and give the leases back, so the other
 * workers take them over at once instead of after the TTL.
 */
export async function runPool(o: {
  config: ConfigValues;
  logging: Logging;
  workerId: string;
  clusterSchema?: string;
  walletIds?: readonly string[];
  statusEvery: number;
  duration?: number;
  ttlMs?: number;
  egress?: string;
  workersPerIp?: number;
}): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const run = await startPoolRun({
    config: o.config,
    logging: o.logging,
    say,
    workerId: o.workerId,
    clusterSchema: o.clusterSchema,
    walletIds: o.walletIds,
    ttlMs: o.ttlMs,
    egress: o.egress,
    workersPerIp: o.workersPerIp,
  });
  say(run.header);
  const print = () => say(run.statusLines().join("\n"));
  print();
  const timer = setInterval(print, o.statusEvery * 1000);
  const why = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
    if (o.duration !== undefined) setTimeout(() => resolve("duration"), o.duration * 1000).unref();
  });
  clearInterval(timer);
  say(`stopping (${why}): handing the units back...`);
  await run.stop();
  say(`worker ${o.workerId} stopped; its leases are released.`);
  await o.logging.close();
}
