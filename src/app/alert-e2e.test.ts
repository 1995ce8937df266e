import assert from "node:assert/strict";
import { after, test } from "node:test";
import { alertsSection, createAlertService } from "../alerts/config.ts";
import { startTestServer } from "../alerts/test-server.ts";
import { FarmHarness } from "../testing/farm-harness.ts";

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test("a forced leg-close failure in the farm reaches the store and a webhook: engine event -> store -> sender", async () => {
  const server = await startTestServer();
  cleanups.push(() => server.close());
  const h = await FarmHarness.start({
    farm: { min_duration_hours: 1, max_duration_hours: 1, close_jitter_minutes: 0 },
  });
  cleanups.push(() => h.remove());
  const alerts = createAlertService(
    alertsSection.schema.parse({
      webhook: { enabled: true, url: `${server.url}/hooks/perpbot`, min_severity: "critical" },
    }),
    { store: h.store, clock: h.clock },
  );
  const detach = alerts.attach(h.runtime.alerts);
  await h.advance(60_000);
  const [g] = await h.groups();
  const closeAt = Number(g.meta?.closeAt);
  // the venue refuses every request from just before close_at: the legs cannot close
  await h.advance(closeAt - h.clock.now() - 1000);
  h.venue.goDown(h.clock.now() + 15 * 60_000);
  await h.advance(3 * 60_000);

  // the sender posts on real sockets: give it real time while simulated time stands still
  const deadline = Date.now() + 5000;
  while (!server.requests.some((r) => r.body.includes(g.groupId)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    await h.clock.advance(0);
  }
  const posted = server.requests.filter((r) => r.body.includes(g.groupId));
  assert.ok(
    posted.length >= 1,
    `no webhook request names ${g.groupId}: ${server.requests.map((r) => r.body).join("\n")}`,
  );
  const body = JSON.parse(posted[0].body) as { severity: string; context?: { group?: string } };
  assert.equal(posted[0].method, "POST");
  assert.equal(posted[0].path, "/hooks/perpbot");
  assert.ok(body.severity === "critical" || body.severity === "emergency", posted[0].body);
  assert.equal(body.context?.group, g.groupId);

  const stored = (await h.store.alerts.list()).filter((a) => a.context?.group === g.groupId);
  assert.ok(
    stored.some((a) => a.severity === "critical" || a.severity === "emergency"),
    "the alert is in the store",
  );
  const [during] = await h.groups();
  assert.notEqual(during.status, "closed");

  // once the venue is back the group closes flat
  await h.advance(30 * 60_000);
  const [done] = await h.groups();
  assert.equal(done.status, "closed");
  detach();
  await alerts.close({ drainMs: 100 });
  await h.stop();
});
