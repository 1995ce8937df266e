import pg from "pg";

/**
 * PostgreSQL for the cluster tests: the local server (PERPBOT_TEST_PG_URL), a fresh `workers_`
 * schema per test file (so parallel test files never share leases), dropped with every data
 * schema under it afterwards.
 */

export const PG_URL = process.env.PERPBOT_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Why PostgreSQL cannot be used here, or undefined when it can (tests then skip, saying so). */
export async function pgUnavailable(): Promise<string | undefined> {
  if (process.env.PERPBOT_TEST_PG === "skip") return "PERPBOT_TEST_PG=skip";
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 15_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (e) {
    return `PostgreSQL at ${PG_URL} is unreachable (${(e as Error).message}): start it or set PERPBOT_TEST_PG_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name no other test run uses. */
export function freshSchema(tag: string): string {
  return `workers_${tag}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
}

/** Drops `cluster` and every schema whose name starts with `${cluster}_` (the units' data). */
export async function dropCluster(cluster: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(
      "select nspname as n from pg_namespace where nspname = $1 or nspname like $2",
      [cluster, `${cluster}\\_%`],
    );
    for (const { n } of r.rows) await client.query(`drop schema if exists "${n}" cascade`);
  } finally {
    await client.end();
  }
}
