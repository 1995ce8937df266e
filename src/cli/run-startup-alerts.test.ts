import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, test } from "node:test";
import { startTestServer } from "../alerts/test-server.ts";
import { openCounts, runCli, startCli } from "../testing/cli-run.ts";

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

// D1 (issue 10): an alert raised during start-up (here by the start-up reconcile) reaches the
// store, the configured destinations and the console like any other
test("a leg closed while the runner was down: the start-up closed_externally alert is stored, sent to the webhook and printed", async () => {
  const server = await startTestServer();
  cleanups.push(() => server.close());
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-startup-alerts-"));
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(
    join(cwd, "perpbot.toml"),
    `[alerts.webhook]\nenabled = true\nurl = "${server.url}/hook"\nmin_severity = "warning"\n`,
  );

  const first = startCli(cwd, ["run", "--status-every", "1"], (out) => openCounts(out).some((n) => n > 0));
  await first.ready;
  first.child.kill("SIGINT");
  assert.equal((await first.exited).code, 0, first.err());

  // one leg gone while the bot was down (closed or liquidated on the venue)
  const sim = new DatabaseSync(join(cwd, "data", "sim.db"));
  const row = sim
    .prepare("select venue, account, symbol from sim_positions where size_lots != 0 limit 1")
    .get() as { venue: string; account: string; symbol: string } | undefined;
  assert.ok(row, "the first run left positions on the venues");
  sim
    .prepare("delete from sim_positions where venue = ? and account = ? and symbol = ?")
    .run(row.venue, row.account, row.symbol);
  sim.close();
  const before = server.requests.length;

  const second = startCli(cwd, ["run", "--status-every", "1"], () =>
    server.requests.slice(before).some((r) => r.body.includes("closed_externally")),
  );
  await second.ready;
  second.child.kill("SIGINT");
  assert.equal((await second.exited).code, 0, second.err());

  const posted = server.requests.slice(before).find((r) => r.body.includes("closed_externally"));
  assert.ok(posted, "the webhook received the alert");
  const body = JSON.parse(posted.body) as { severity: string; context?: { wallet?: string } };
  assert.equal(body.severity, "critical");
  // printed where the operator watches (the console view of the log)
  assert.match(second.err(), /leg closed outside perpbot.*closed_externally/);

  const listed = runCli(cwd, ["alerts", "--json"]);
  assert.equal(listed.status, 0, listed.stderr);
  const stored = JSON.parse(listed.stdout) as { key: string; message: string; severity: string }[];
  const gone = stored.filter(
    (a) => a.key.startsWith("engine.leg_gone:") && a.message.includes("closed_externally"),
  );
  assert.ok(gone.length >= 1, `stored alerts: ${listed.stdout}`);
  assert.ok(gone.some((a) => a.message.includes(row.account)));
});
