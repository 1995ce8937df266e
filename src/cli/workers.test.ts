import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { openStore } from "../store/store.ts";
import { BIN, cleanEnv, startCli } from "../testing/cli-run.ts";
import { dropCluster, freshSchema, PG_URL, pgUnavailable } from "../testing/cluster/pg.ts";

/**
 * `perpbot run --worker-id` and `perpbot workers`, as a user runs them: SQLite refuses a pool;
 * on PostgreSQL two workers share two farm instances one each, `perpbot workers` lists them with
 * their leases, and when one is killed the other takes its unit over after the lease TTL.
 */
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "perpbot-workers-"));
  dirs.push(d);
  return d;
};

test("run --worker-id on a SQLite store is refused with a clear error, exit 2, and nothing is created", () => {
  const cwd = tempDir();
  const r = spawnSync(process.execPath, [BIN, "run", "--worker-id", "w1"], {
    cwd,
    env: cleanEnv(),
    encoding: "utf8",
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /--worker-id w1: workers coordinate through leases in PostgreSQL, and store.url is sqlite:\.\/data\/perpbot\.db \(SQLite, one process only\)\. Set store.url = "postgres:\/\/…" to run a pool, or run without --worker-id\./,
  );
  assert.equal(existsSync(join(cwd, "data")), false, "no store was created");
  const w = spawnSync(process.execPath, [BIN, "workers"], { cwd, env: cleanEnv(), encoding: "utf8" });
  assert.equal(w.status, 2);
  assert.match(w.stderr, /perpbot workers: workers coordinate through leases in PostgreSQL/);
});

const CONFIG = (url: string) => `
[store]
url = "${url}"

[sim]
wallets = 6

[strategies.farm_a]
kind = "farm"
wallets = ["paper-01", "paper-02", "paper-03"]
venues = ["simA"]
mode = "same_venue"
markets = ["BTC"]
min_group_size = 3
max_group_size = 3
check_interval_seconds = 1

[strategies.farm_b]
kind = "farm"
wallets = ["paper-04", "paper-05", "paper-06"]
venues = ["simB"]
mode = "same_venue"
markets = ["ETH"]
min_group_size = 3
max_group_size = 3
check_interval_seconds = 1
`;

const down = await pgUnavailable();
describe("a pool of two workers on PostgreSQL", { skip: down ?? false }, () => {
  const cluster = freshSchema("cli");
  const children: { kill(s: NodeJS.Signals): unknown }[] = [];
  // a failed assertion must not leave a worker running
  after(async () => {
    for (const c of children) c.kill("SIGKILL");
    await dropCluster(cluster);
  });
  test("each drives one unit, perpbot workers lists them, a killed worker's unit is taken over", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "perpbot.toml"), CONFIG(PG_URL));
    const args = (id: string) => [
      "run",
      "--worker-id",
      id,
      "--cluster-schema",
      cluster,
      "--lease-ttl",
      "3",
      "--status-every",
      "1",
    ];
    const last = (out: string, id: string) =>
      [...out.matchAll(new RegExp(`worker ${id}: driving (\\d)/2`, "g"))].at(-1)?.[1];
    const a = startCli(cwd, args("a"), (o) => last(o, "a") === "2", { timeoutMs: 60_000 });
    children.push(a.child);
    await a.ready;
    const b = startCli(cwd, args("b"), (o) => last(o, "b") === "1", { timeoutMs: 60_000 });
    children.push(b.child);
    await b.ready;
    // a handed one back to balance the pool
    const deadline = Date.now() + 20_000;
    while (last(a.out(), "a") !== "1" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(last(a.out(), "a"), "1", a.out());

    const listed = spawnSync(process.execPath, [BIN, "workers", "--cluster-schema", cluster, "--json"], {
      cwd,
      env: cleanEnv(),
      encoding: "utf8",
    });
    assert.equal(listed.status, 0, listed.stderr);
    const view = JSON.parse(listed.stdout) as {
      workers: { workerId: string; state: string; leases: { key: string; token: number }[] }[];
    };
    assert.deepEqual(
      view.workers.map((w) => [w.workerId, w.state, w.leases.length]),
      [
        ["a", "live", 1],
        ["b", "live", 1],
      ],
    );
    assert.deepEqual(view.workers.flatMap((w) => w.leases.map((l) => l.key)).sort(), ["farm_a", "farm_b"]);
    const text = spawnSync(process.execPath, [BIN, "workers", "--cluster-schema", cluster], {
      cwd,
      env: cleanEnv(),
      encoding: "utf8",
    });
    assert.match(
      text.stdout,
      /^a {2}live {2}pid \d+ on .* {2}last renewal \d+\.\d s ago {2}1 lease\(s\) {2}egress default \(1\/3 of per-IP limits\)$/m,
    );
    assert.match(text.stdout, /^ {2}farm_[ab] {2}token \d+ {2}expires in \d+\.\d s$/m);

    // a dies: after the TTL, b takes its unit over (reconciling first) and drives both
    a.child.kill("SIGKILL");
    await a.exited;
    const until = Date.now() + 30_000;
    while (last(b.out(), "b") !== "2" && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.equal(last(b.out(), "b"), "2", b.out());
    // b trades both: each farm shows an open group in b's status after the takeover
    const mark = b.out().length;
    const trading = (name: string) =>
      new RegExp(`^\\[${name}\\] farm: [1-9]\\d* groups? open`, "m").test(b.out().slice(mark));
    const by = Date.now() + 40_000;
    while (!(trading("farm_a") && trading("farm_b")) && Date.now() < by)
      await new Promise((r) => setTimeout(r, 250));
    assert.ok(trading("farm_a") && trading("farm_b"), b.out().slice(mark));
    b.child.kill("SIGINT");
    const end = await b.exited;
    assert.equal(end.code, 0, b.err());
    assert.match(b.out(), /worker b stopped; its leases are released\./);
    const after = JSON.parse(
      spawnSync(process.execPath, [BIN, "workers", "--cluster-schema", cluster, "--json"], {
        cwd,
        env: cleanEnv(),
        encoding: "utf8",
      }).stdout,
    ) as { workers: { workerId: string; state: string }[]; expired: { key: string }[] };
    assert.deepEqual(
      after.workers.map((w) => [w.workerId, w.state]),
      [
        ["a", "silent"],
        ["b", "stopped"],
      ],
    );
    assert.equal(after.expired.length, 2, "b gave both leases back");
    // each unit traded in its own schema, under its instance name
    for (const unit of ["farm_a", "farm_b"]) {
      const store = await openStore(PG_URL, { pgSchema: `${cluster}_u_${unit}`, pgPoolSize: 1 });
      const groups = await store.groups.list({});
      await store.close();
      assert.ok(groups.length > 0, `${unit} opened groups`);
      assert.deepEqual([...new Set(groups.map((g) => g.strategy))], [unit]);
    }
  });
});
