import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ConfigValues } from "../../config/registry.ts";
import { dataDirSection, storeSection } from "../../config/sections.ts";
import { PerpbotError } from "../../core/errors.ts";
import { maskUrl } from "../../store/store.ts";
import { strategiesSection } from "../../strategies/instances.ts";
import { startPaperRun } from "../paper-run.ts";
import type { RunSurfaceOptions } from "../run-core.ts";
import { WorkerPool } from "./pool.ts";

/**
 * `perpbot run --worker-id W` (issue 19): the process joins the pool of workers on the store's
 * PostgreSQL. The units are the configured strategy instances (the legacy `[farm]`: one unit
 * named farm); each is leased, and while this worker holds a unit's lease it runs that instance
 * alone, on the unit's own fenced store schema `<cluster>_u_<instance>` and, in paper mode, the
 * simulated venues' state under `<data_dir>/units/<instance>/` (workers of one paper pool share
 * the data dir: one host, or a shared volume).
 */

export const DEFAULT_CLUSTER_SCHEMA = "perpbot";
const WORKER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export class PoolConfigError extends PerpbotError {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super("pool_config", message);
  }
}

/** The store's PostgreSQL URL, or a PoolConfigError saying why `what` needs one. */
export function poolStoreUrl(config: ConfigValues, what: string): string {
  const url = storeSection.get(config).url;
  if (url.startsWith("sqlite:"))
    throw new PoolConfigError(
      `${what}: workers coordinate through leases in PostgreSQL, and store.url is ${maskUrl(url)} (SQLite, one process only). Set store.url = "postgres://…" to run a pool, or run without --worker-id.`,
    );
  return url;
}

/** Refuses what pool mode cannot run, before anything starts: SQLite, a bad worker id. */
export function checkPoolConfig(config: ConfigValues, workerId: string): string {
  const url = poolStoreUrl(config, `--worker-id ${workerId}`);
  if (!WORKER_ID_RE.test(workerId))
    throw new PoolConfigError(
      `--worker-id "${workerId}": use letters, digits and "_.-" (at most 63, starting with a letter or digit)`,
    );
  return url;
}

/** The units (lease keys) of a config: its enabled strategy instances, or `farm`. */
export function poolUnits(config: ConfigValues): string[] {
  const tables = strategiesSection.get(config);
  const names = Object.keys(tables).filter((n) => tables[n].enabled);
  return Object.keys(tables).length === 0 ? ["farm"] : names.sort();
}

/** The config one unit runs with: only its instance, and a data dir of its own. */
export function unitConfig(config: ConfigValues, unit: string): ConfigValues {
  const tables = strategiesSection.get(config);
  const dataDir = join(dataDirSection.get(config), "units", unit);
  if (Object.keys(tables).length === 0) return { ...config, data_dir: dataDir };
  return { ...config, strategies: { [unit]: tables[unit] }, data_dir: dataDir };
}

export interface PoolRunOptions extends RunSurfaceOptions {
  readonly config: ConfigValues;
  readonly workerId: string;
  readonly clusterSchema?: string;
  readonly walletIds?: readonly string[];
  readonly ttlMs?: number;
  readonly egress?: string;
  readonly workersPerIp?: number;
}

export interface PoolRun {
  readonly header: string;
  readonly pool: WorkerPool;
  statusLines(): string[];
  stop(): Promise<void>;
}

export async function startPoolRun(o: PoolRunOptions): Promise<PoolRun> {
  const url = checkPoolConfig(o.config, o.workerId);
  const units = poolUnits(o.config);
  const log = o.logging.forModule("pool");
  const cluster = o.clusterSchema ?? DEFAULT_CLUSTER_SCHEMA;
  const pool = await WorkerPool.start({
    url,
    clusterSchema: cluster,
    workerId: o.workerId,
    units,
    ttlMs: o.ttlMs,
    egress: o.egress,
    workersPerIp: o.workersPerIp,
    log: (level, msg, ctx) => log[level](ctx ?? {}, msg),
    startUnit: async (ctx) => {
      const config = unitConfig(o.config, ctx.key);
      mkdirSync(dataDirSection.get(config), { recursive: true });
      const run = await startPaperRun({
        logging: o.logging,
        say: o.say,
        config,
        walletIds: o.walletIds,
        unit: ctx,
      });
      return {
        failure: run.failure,
        statusLines: () => run.statusLines(),
        stop: () => run.stop({ flatten: false }),
      };
    },
  });
  return {
    header: `perpbot worker ${o.workerId} in the pool on ${maskUrl(url)} (schema ${cluster}): ${units.length} unit(s) ${units.join(", ")}. Ctrl-C to stop.`,
    pool,
    statusLines: () => {
      const mine = pool.units();
      const head = `worker ${o.workerId}: driving ${mine.length}/${units.length} unit(s)${mine.length ? `: ${mine.join(", ")}` : ""}`;
      return [head, ...pool.unitLines()];
    },
    stop: () => pool.stop(),
  };
}
