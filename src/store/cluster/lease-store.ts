import { createHash } from "node:crypto";
import pg from "pg";
import { StoreError } from "../errors.ts";
import { allMigrationsApplied } from "../migrations.ts";
import { maskUrl } from "../store.ts";

/**
 * The tables many workers coordinate through (issue 19), in one PostgreSQL schema of their own:
 *
 * - `workers`: one row per worker id, its host/pid and its last renewal;
 * - `leases`: one row per leased unit (a strategy instance or wallet group): holder, fencing
 *   token and expiry. The token comes from the schema's sequence `fence_seq`, so it only grows:
 *   every acquisition (a takeover included) gets a larger one than any before it;
 * - `fence()`: the trigger function every table of a leased unit's data schema runs before each
 *   write statement. The connection names its lease and token in the session settings
 *   `perpbot.fence_key` / `perpbot.fence_token`; the trigger reads the lease row FOR KEY SHARE
 *   and refuses the statement (SQLSTATE PB409) unless that token still holds an unexpired lease.
 *   A takeover locks the row FOR UPDATE first, which waits for the writes in flight, so a write
 *   either commits before the takeover or is refused after it. Renewals and releases (plain
 *   UPDATEs of non-key columns: FOR NO KEY UPDATE) do not conflict with FOR KEY SHARE, so they
 *   never wait for a unit's open transaction. With FOR SHARE they did: one unit's transaction
 *   stalled on a busy event loop held up the renewal of every lease of its worker, whose leases
 *   then ran out mid-start (docs/deploy.md, takeover p99). A session without the settings (an
 *   operator's `perpbot close`) is not fenced.
 *
 * Times are the database's (clock_timestamp()), so workers' clocks never disagree about expiry.
 */

/** SQLSTATE of a write refused because the session's fencing token is stale. */
export const FENCE_SQLSTATE = "PB409";

/**
 * The application_name of a leased unit's store sessions: the cluster schema and key (hashed, so
 * any key fits PostgreSQL's 63 characters) and the token. A takeover finds the sessions of a
 * holder whose lease ran out by it in pg_stat_activity (other sessions' settings are not visible
 * there) and ends them: see `acquire`.
 */
export function fenceSessionName(schema: string, key: string, token: number): string {
  return `${fenceSessionPrefix(schema, key)}${token}`;
}

function fenceSessionPrefix(schema: string, key: string): string {
  const h = createHash("sha256").update(`${schema}\0${key}`).digest("hex").slice(0, 16);
  return `perpbot-fence ${h} `;
}

/** A pool or one of its connections. */
type Queryable = Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">;

export interface LeaseRow {
  readonly key: string;
  readonly holder: string;
  readonly token: number;
  /** epoch ms, database clock */
  readonly expiresAt: number;
  readonly acquiredAt: number;
  readonly renewedAt: number;
}

export interface WorkerRow {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly lastSeen: number;
  /** epoch ms the worker stopped cleanly, or null */
  readonly stoppedAt: number | null;
  /** the lease TTL the worker runs with: silent for longer, it is dead or paused */
  readonly ttlMs: number;
  /** the outbound address it sends from, and the number of workers that address is split for */
  readonly egress: string;
  readonly workersPerIp: number;
}

const NAME_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(what: string, name: string): void {
  if (!NAME_RE.test(name))
    throw new StoreError(`${what} "${name}": use lower-case letters, digits and "_" (at most 63)`);
}

/** SQL: table `c` (a pg_class row) carries the fence trigger (`installFence`) */
const HAS_FENCE = `exists (select 1 from pg_catalog.pg_trigger g
  where g.tgrelid = c.oid and g.tgname = 'perpbot_fence' and not g.tgisinternal)`;

const ms = (col: string) => `(extract(epoch from ${col}) * 1000)::bigint`;

const LEASE_COLS = `key, holder, token, ${ms("expires_at")} as expires_at, ${ms("acquired_at")} as acquired_at, ${ms("renewed_at")} as renewed_at`;

interface RawLease {
  key: string;
  holder: string;
  token: string;
  expires_at: string;
  acquired_at: string;
  renewed_at: string;
}

interface RawWorker {
  worker_id: string;
  host: string;
  pid: number;
  started_at: string;
  last_seen: string;
  stopped_at: string | null;
  ttl_ms: number;
  egress: string;
  workers_per_ip: number;
}

function worker(w: RawWorker): WorkerRow {
  return {
    workerId: w.worker_id,
    host: w.host,
    pid: w.pid,
    startedAt: Number(w.started_at),
    lastSeen: Number(w.last_seen),
    stoppedAt: w.stopped_at === null ? null : Number(w.stopped_at),
    ttlMs: w.ttl_ms,
    egress: w.egress,
    workersPerIp: w.workers_per_ip,
  };
}

function lease(r: RawLease): LeaseRow {
  return {
    key: r.key,
    holder: r.holder,
    token: Number(r.token),
    expiresAt: Number(r.expires_at),
    acquiredAt: Number(r.acquired_at),
    renewedAt: Number(r.renewed_at),
  };
}

/** The cluster schema's queries, on a small pool of its own. */
export class LeaseStore {
  readonly schema: string;
  private readonly pool: pg.Pool;
  /**
   * Renewals' own connection: behind the balancing reads, takeovers (an acquire waits for the
   * fenced writes in flight) and the start-ups' fence checks, a renewal queued for a connection
   * of the shared pool came late on a loaded machine, and the leases ran out mid-start.
   */
  private readonly renewPool: pg.Pool;
  /**
   * The balancing reads' own connection (`snapshot`): behind acquisitions that hold the shared
   * pool's connections while they wait for a row lock, a balancing step came late and saw
   * expired leases late (takeover p99, docs/deploy.md).
   */
  private readonly snapshotPool: pg.Pool;
  /** data schemas this process found fenced on every table (`installFence` skips them) */
  private readonly fenced = new Set<string>();

  private constructor(pool: pg.Pool, renewPool: pg.Pool, snapshotPool: pg.Pool, schema: string) {
    this.pool = pool;
    this.renewPool = renewPool;
    this.snapshotPool = snapshotPool;
    this.schema = schema;
  }

  /** Connects and creates the cluster schema, its tables, sequence and trigger function if missing. */
  static async open(url: string, schema: string, onPoolError?: (e: Error) => void): Promise<LeaseStore> {
    checkSchemaName("cluster schema", schema);
    if (!url.startsWith("postgres://") && !url.startsWith("postgresql://"))
      throw new StoreError(`leases need a PostgreSQL store, not ${maskUrl(url)}`);
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
    const renewPool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
    const snapshotPool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
    for (const p of [pool, renewPool, snapshotPool]) {
      p.on("error", onPoolError ?? (() => undefined));
      p.on("connect", (c) => c.on("error", onPoolError ?? (() => undefined)));
    }
    const s = new LeaseStore(pool, renewPool, snapshotPool, schema);
    try {
      await s.migrate();
    } catch (err) {
      await Promise.all([pool, renewPool, snapshotPool].map((p) => p.end().catch(() => undefined)));
      throw new StoreError(
        `cannot set up the cluster schema ${schema} at ${maskUrl(url)}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    return s;
  }

  private async migrate(): Promise<void> {
    const q = `"${this.schema}"`;
    const client = await this.pool.connect();
    try {
      // one migrator at a time: two workers starting together would race on CREATE
      await client.query("begin");
      await client.query("select pg_advisory_xact_lock(hashtext($1))", [`perpbot.cluster.${this.schema}`]);
      await client.query(`create schema if not exists ${q}`);
      await client.query(`create sequence if not exists ${q}.fence_seq`);
      await client.query(`create table if not exists ${q}.workers (
        worker_id text primary key, host text not null, pid integer not null,
        started_at timestamptz not null, last_seen timestamptz not null, stopped_at timestamptz,
        ttl_ms integer not null, egress text not null, workers_per_ip integer not null)`);
      await client.query(`create table if not exists ${q}.leases (
        key text primary key, holder text not null, token bigint not null,
        expires_at timestamptz not null, acquired_at timestamptz not null, renewed_at timestamptz not null)`);
      await client.query(`create or replace function ${q}.fence() returns trigger language plpgsql as $fn$
        declare
          k text := current_setting('perpbot.fence_key', true);
          t text := current_setting('perpbot.fence_token', true);
          l record;
        begin
          if k is null or k = '' then return null; end if;
          select holder, token, expires_at into l from ${q}.leases where key = k for key share;
          if not found or l.token <> t::bigint or l.expires_at <= clock_timestamp() then
            raise exception 'perpbot fence: write to % refused: lease "%" token % is stale (%)', tg_table_name, k, t,
              case when not found then 'no such lease'
                   when l.token <> t::bigint then format('now held by %s with token %s', l.holder, l.token)
                   else 'it expired' end
              using errcode = '${FENCE_SQLSTATE}';
          end if;
          return null;
        end $fn$`);
      // the whole of `acquire` in one round trip (see there); returns no row when refused
      await client.query(`create or replace function ${q}.acquire(k text, h text, ttl_ms integer, stale_prefix text)
        returns table (key text, holder text, token bigint, expires_at bigint, acquired_at bigint, renewed_at bigint)
        language plpgsql as $fn$
        declare
          cur record;
        begin
          select l.holder, l.token, l.expires_at <= clock_timestamp() as expired into cur
            from ${q}.leases l where l.key = k;
          if found and not cur.expired and cur.holder <> h then return; end if;
          if found and cur.expired then
            perform pg_terminate_backend(a.pid) from pg_stat_activity a
              where a.pid <> pg_backend_pid() and starts_with(a.application_name, stale_prefix)
                and a.state in ('idle in transaction', 'idle in transaction (aborted)')
                and (case when substr(a.application_name, length(stale_prefix) + 1) ~ '^[0-9]{1,18}$'
                          then substr(a.application_name, length(stale_prefix) + 1)::bigint end) <= cur.token;
          end if;
          perform 1 from ${q}.leases l where l.key = k for update;
          return query
            insert into ${q}.leases as l (key, holder, token, expires_at, acquired_at, renewed_at)
            values (k, h, nextval('${q}.fence_seq'), clock_timestamp() + ttl_ms * interval '1 millisecond',
                    clock_timestamp(), clock_timestamp())
            on conflict on constraint leases_pkey do update set holder = excluded.holder, token = excluded.token,
              expires_at = excluded.expires_at, acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at
            where l.expires_at <= clock_timestamp() or l.holder = excluded.holder
            returning l.key, l.holder, l.token, ${ms("l.expires_at")}, ${ms("l.acquired_at")}, ${ms("l.renewed_at")};
        end $fn$`);
      // several at once, one after the other in one statement (a balancing step's picks)
      await client.query(`create or replace function ${q}.acquire_many(ks text[], h text, ttl_ms integer, stale_prefixes text[])
        returns table (key text, holder text, token bigint, expires_at bigint, acquired_at bigint, renewed_at bigint)
        language plpgsql as $fn$
        begin
          for i in 1 .. coalesce(array_length(ks, 1), 0) loop
            return query select * from ${q}.acquire(ks[i], h, ttl_ms, stale_prefixes[i]);
          end loop;
        end $fn$`);
      await client.query("commit");
    } catch (err) {
      await client.query("rollback").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Installs the fence trigger on every table of `dataSchema` (the unit's store, migrated), so a
   * write there needs the session's lease to hold. Idempotent.
   */
  async installFence(dataSchema: string): Promise<number> {
    checkSchemaName("data schema", dataSchema);
    // a schema fenced once stays fenced while this process runs (its tables are those of this
    // perpbot's migrations): a takeover of a unit this worker held before reads no catalog
    if (this.fenced.has(dataSchema)) return 0;
    // the catalogs, not information_schema (a view that is slow on a busy server); only the
    // tables still without the trigger get the DDL, so a takeover of a fenced schema runs none
    // (CREATE TRIGGER waits for every write in flight on its table)
    const tables = await this.pool.query<{ t: string; fenced: boolean }>(
      `select c.relname as t,
              ${HAS_FENCE} as fenced
         from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relkind in ('r', 'p') and c.relname not like 'kysely_migration%'`,
      [dataSchema],
    );
    for (const { t } of tables.rows.filter((r) => !r.fenced)) {
      await this.pool.query(
        `create or replace trigger perpbot_fence before insert or update or delete on "${dataSchema}"."${t}"
           for each statement execute function "${this.schema}".fence()`,
      );
    }
    if (tables.rows.length > 0) this.fenced.add(dataSchema);
    return tables.rows.length;
  }

  /**
   * Of the data schemas `schemas`, those already migrated to every migration this perpbot knows
   * and fenced on every table, in two round trips for all of them; the fenced ones are
   * remembered (`installFence` skips them). A worker checks its pool's units once, in the
   * background, so a takeover later opens their stores with no check at all.
   */
  async currentSchemas(schemas: readonly string[]): Promise<string[]> {
    for (const s of schemas) checkSchemaName("data schema", s);
    if (schemas.length === 0) return [];
    const tables = await this.pool.query<{ s: string; tables: string; fenced: string; migrations: boolean }>(
      `select n.nspname as s,
              count(*) filter (where c.relname not like 'kysely_migration%') as tables,
              count(*) filter (where c.relname not like 'kysely_migration%' and ${HAS_FENCE}) as fenced,
              bool_or(c.relname = 'kysely_migration') as migrations
         from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('r', 'p')
        group by n.nspname`,
      [schemas],
    );
    const candidates = tables.rows.filter(
      (r) => r.migrations && Number(r.tables) > 0 && r.tables === r.fenced,
    );
    if (candidates.length === 0) return [];
    const names = await this.pool.query<{ s: string; name: string }>(
      candidates.map((r) => `select '${r.s}' as s, name from "${r.s}".kysely_migration`).join(" union all "),
    );
    const bySchema = new Map<string, Set<string>>();
    for (const r of names.rows) {
      const set = bySchema.get(r.s) ?? new Set<string>();
      set.add(r.name);
      bySchema.set(r.s, set);
    }
    const current = candidates
      .map((r) => r.s)
      .filter((s) => allMigrationsApplied(bySchema.get(s) ?? new Set()));
    for (const s of current) this.fenced.add(s);
    return current;
  }

  /**
   * Registers (or re-registers) a worker. With `egress`: refused (StoreError) when that egress
   * already has `workersPerIp` other live workers, since each takes a 1/workersPerIp share of the
   * venues' per-IP budgets (app/cluster/ip-budget.ts). One registration at a time.
   */
  async registerWorker(w: {
    workerId: string;
    host: string;
    pid: number;
    ttlMs: number;
    egress: string;
    workersPerIp: number;
  }): Promise<void> {
    await this.withClient(async (c) => {
      await c.query("begin");
      try {
        await c.query("select pg_advisory_xact_lock(hashtext($1))", [`perpbot.workers.${this.schema}`]);
        const others = await c.query<{ worker_id: string }>(
          `select worker_id from "${this.schema}".workers
            where egress = $1 and worker_id <> $2 and stopped_at is null
              and last_seen > clock_timestamp() - ttl_ms * interval '1 millisecond'`,
          [w.egress, w.workerId],
        );
        if (others.rows.length >= w.workersPerIp)
          throw new StoreError(
            `worker ${w.workerId}: egress "${w.egress}" already has ${others.rows.length} live worker(s) (${others.rows.map((r) => r.worker_id).join(", ")}) and each takes 1/${w.workersPerIp} of the venues' per-IP rate limits; one more would exceed them. Raise --workers-per-ip on every worker of this egress, or give this one its own --egress.`,
          );
        await c.query(
          `insert into "${this.schema}".workers (worker_id, host, pid, started_at, last_seen, stopped_at, ttl_ms, egress, workers_per_ip)
           values ($1, $2, $3, clock_timestamp(), clock_timestamp(), null, $4, $5, $6)
           on conflict (worker_id) do update set host = excluded.host, pid = excluded.pid,
             started_at = excluded.started_at, last_seen = excluded.last_seen, stopped_at = null,
             ttl_ms = excluded.ttl_ms, egress = excluded.egress, workers_per_ip = excluded.workers_per_ip`,
          [w.workerId, w.host, w.pid, w.ttlMs, w.egress, w.workersPerIp],
        );
        await c.query("commit");
      } catch (e) {
        await c.query("rollback").catch(() => undefined);
        throw e;
      }
    });
  }

  async workerStopped(workerId: string): Promise<void> {
    await this.pool.query(
      `update "${this.schema}".workers set stopped_at = clock_timestamp() where worker_id = $1`,
      [workerId],
    );
  }

  /**
   * Takes `key` for `holder` when it is free, expired, or already the holder's: a new token from
   * the sequence and an expiry `ttlMs` from now. Undefined when another holder's lease is live
   * (seen without waiting for its row lock).
   *
   * A lease that ran out can never be renewed (renew only extends unexpired ones), so its
   * holder's writes can only be refused from now on. Its sessions left idle inside a transaction
   * (a paused process's, found by `fenceSessionName`, for that token and any older one) are
   * ended first: they would hold the row's lock until idle_in_transaction_session_timeout ended
   * them, and the row is then locked FOR UPDATE, which conflicts with the fence's FOR KEY SHARE:
   * it waits for the previous holder's writes in flight (an upsert alone would lock FOR NO KEY
   * UPDATE, which does not). Their uncommitted writes roll back either
   * way, and a commit that got in first is read by the new holder's reconcile. Sessions outside a
   * transaction hold no lock and are left alone: a resumed holder's next write there is refused
   * by the fence, which says why.
   */
  async acquire(key: string, holder: string, ttlMs: number): Promise<LeaseRow | undefined> {
    // one statement, one round trip (the function `acquire` of migrate): on a loaded event loop
    // each round trip of the five it took costs a turn, and a mass takeover queued behind them
    const r = await this.pool.query<RawLease>(`select * from "${this.schema}".acquire($1, $2, $3, $4)`, [
      key,
      holder,
      ttlMs,
      fenceSessionPrefix(this.schema, key),
    ]);
    return r.rows[0] === undefined ? undefined : lease(r.rows[0]);
  }

  /**
   * `acquire` for each of `keys`, in order, in one round trip (a mass takeover's acquisitions
   * no longer queue for the pool's connections one by one): the leases taken, by key.
   */
  async acquireMany(keys: readonly string[], holder: string, ttlMs: number): Promise<Map<string, LeaseRow>> {
    const r = await this.pool.query<RawLease>(`select * from "${this.schema}".acquire_many($1, $2, $3, $4)`, [
      keys,
      holder,
      ttlMs,
      keys.map((k) => fenceSessionPrefix(this.schema, k)),
    ]);
    return new Map(r.rows.map((x) => [x.key, lease(x)]));
  }

  /**
   * Extends every lease of `holder` whose token is in `tokens` and that has not expired, and
   * records the worker's renewal, in one statement: a process stopped between two statements
   * looked alive (its worker row renewed) for a renewal period after its leases ran out, and
   * its units were not orphans until then (takeover p99, docs/deploy.md). Returns the leases
   * still held; a token not in the answer was lost (expired or taken over).
   */
  async renew(holder: string, tokens: readonly number[], ttlMs: number): Promise<LeaseRow[]> {
    const r = await this.renewPool.query<RawLease>(
      `with seen as (update "${this.schema}".workers set last_seen = clock_timestamp() where worker_id = $1)
       update "${this.schema}".leases set expires_at = clock_timestamp() + $3 * interval '1 millisecond',
         renewed_at = clock_timestamp()
       where holder = $1 and token = any($2::bigint[]) and expires_at > clock_timestamp()
       returning ${LEASE_COLS}`,
      [holder, tokens.map(String), ttlMs],
    );
    return r.rows.map(lease);
  }

  /** Gives a lease up (a clean stop): it expires now, so another worker may take it at once. */
  async release(key: string, token: number): Promise<void> {
    await this.pool.query(
      `update "${this.schema}".leases set expires_at = clock_timestamp() where key = $1 and token = $2`,
      [key, token],
    );
  }

  async leases(q: Queryable = this.pool): Promise<LeaseRow[]> {
    const r = await q.query<RawLease>(this.leasesSql());
    return r.rows.map(lease);
  }

  async workers(q: Queryable = this.pool): Promise<WorkerRow[]> {
    const r = await q.query<RawWorker>(this.workersSql());
    return r.rows.map(worker);
  }

  private leasesSql(): string {
    return `select ${LEASE_COLS} from "${this.schema}".leases order by key`;
  }

  private workersSql(): string {
    return `select worker_id, host, pid, ttl_ms, egress, workers_per_ip, ${ms("started_at")} as started_at, ${ms("last_seen")} as last_seen,
              ${ms("stopped_at")} as stopped_at from "${this.schema}".workers order by worker_id`;
  }

  /**
   * The database's clock, the leases and the workers, on the balancing connection in one round
   * trip (three statements in one simple query; on a loaded event loop each round trip costs a
   * turn, and a balancing step that reads late sees expired leases late). The clock is read
   * last: what the caller measures from is the moment closest to the answer.
   */
  async snapshot(): Promise<{ now: number; leases: LeaseRow[]; workers: WorkerRow[] }> {
    const results = (await this.snapshotPool.query(
      `${this.leasesSql()}; ${this.workersSql()}; select ${ms("clock_timestamp()")} as now`,
    )) as unknown as [pg.QueryResult<RawLease>, pg.QueryResult<RawWorker>, pg.QueryResult<{ now: string }>];
    const [l, w, n] = results;
    return { now: Number(n.rows[0].now), leases: l.rows.map(lease), workers: w.rows.map(worker) };
  }

  /** The database's clock, epoch ms (what expiries are compared with). */
  async now(q: Queryable = this.pool): Promise<number> {
    const r = await q.query<{ now: string }>(`select ${ms("clock_timestamp()")} as now`);
    return Number(r.rows[0].now);
  }

  /** Runs `fn` on one pooled connection (the shared rate budget: budget.ts). */
  async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      return await fn(c);
    } finally {
      c.release();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.renewPool.end(), this.snapshotPool.end()]);
  }
}

/** Whether `err` (or its cause chain) is a write refused by the fence trigger. */
export function isFenceError(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 8;
    e = e.cause as never, i++
  ) {
    if (e.code === FENCE_SQLSTATE) return true;
    if (e instanceof Error && e.message.includes("perpbot fence:")) return true;
  }
  return false;
}
