import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { VENUE_POINTS_KV_KEY, writeVenuePoints } from "../app/service/venue-points.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { Store } from "../store/store.ts";
import { type ApiFixture, json, startApiFixture, T0 } from "../testing/api-fixture.ts";
import { startApiServer } from "./server.ts";

/** The read endpoints, SSE, metrics, health and CORS over the fixture's seeded store. */

let f: ApiFixture;
let store: Store;
let config: LoadedConfig;
let base: string;
const firstEvent = () => f.firstEvent();

before(async () => {
  f = await startApiFixture();
  store = f.store;
  config = f.config;
  base = f.base;
});
after(() => f.close());

describe("reads", () => {
  test("status with the live snapshot, groups with liquidation distance, equity curve, SSE, metrics, health", async () => {
    const s = await json(fetch(`${base}/api/status`));
    assert.deepEqual(
      s.active.map((g: { id: string }) => g.id),
      ["farm-g1"],
    );
    assert.equal(s.totals.feesUsd, "0.6");
    assert.equal(s.live.equityUsd, 1500.5);
    assert.equal(s.alerts.unacknowledged, 1);
    const groups = await json(fetch(`${base}/api/groups?active=true`));
    assert.deepEqual(
      groups.map((g: { groupId: string; live: { minLiquidationDistance: number } }) => [
        g.groupId,
        g.live.minLiquidationDistance,
      ]),
      [["farm-g1", 0.5]],
    );
    const eq = await json(fetch(`${base}/api/equity`));
    assert.deepEqual(eq, [{ ts: T0, equityUsd: 1500.5, accounts: 2 }]);
    const ev = await firstEvent();
    const data = JSON.parse(/data: (.*)\n/.exec(ev)![1]);
    assert.equal(data.active[0].id, "farm-g1");
    const m = await (await fetch(`${base}/metrics`)).text();
    assert.match(m, /^perpbot_open_groups 1$/m);
    assert.match(m, /^perpbot_orders_total\{venue="simA",status="filled"\} 2$/m);
    assert.match(m, /^perpbot_fills_total\{venue="simA"\} 2$/m);
    assert.match(m, /^perpbot_equity_usd 1500.5$/m);
    assert.match(m, /^perpbot_exposure_usd\{venue="simA"\} 610$/m);
    assert.match(m, /^perpbot_alerts_total\{severity="warning"\} 1$/m);
    assert.match(m, /^perpbot_scrape_ok 1$/m);
    assert.deepEqual(await json(fetch(`${base}/health`)), { ok: true });
    assert.equal((await json(fetch(`${base}/ready`))).ready, true);
    const page = await fetch(`${base}/`);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.match(await page.text(), /<script type="module" src="\/web\/app.js">/);
    const lib = await fetch(`${base}/vendor/lightweight-charts.mjs`);
    assert.match(await lib.text(), /export\s*\{[^}]*createChart/);
  });

  test("status serves the farm report's points: n/a on the simulated venue, a live run's stored readings per wallet", async () => {
    const s = await json(fetch(`${base}/api/status`));
    assert.ok(s.wallets.length > 0);
    for (const w of s.wallets) {
      assert.equal(w.pointsNote, "n/a (venue publishes no points)", JSON.stringify(w));
      assert.equal(typeof w.costPerMillionUsd, "number");
    }
    assert.deepEqual(s.points, { pointsNote: "n/a (venue publishes no points)" });
    const ts = T0 + 5_000;
    await writeVenuePoints(store, [{ venue: "lighter", account: "w9", total: 42.5, lastWeek: 2, ts }], ts, [
      "lighter",
    ]);
    try {
      const after = await json(fetch(`${base}/api/status`));
      const w9 = after.wallets.find((w: { wallet: string }) => w.wallet === "w9");
      assert.deepEqual([w9.venue, w9.points], ["lighter", { total: 42.5, lastWeek: 2, ts }]);
      assert.deepEqual(after.points.points, {
        total: 42.5,
        lastWeek: 2,
        wallets: 1,
        oldestTs: ts,
        newestTs: ts,
      });
    } finally {
      await store.kv.delete(VENUE_POINTS_KV_KEY);
    }
  });

  test("CORS is closed unless the origin is configured", async () => {
    const r = await fetch(`${base}/api/status`, { headers: { origin: "https://evil.example" } });
    assert.equal(r.headers.get("access-control-allow-origin"), null);
    const cors = await startApiServer({
      store,
      config,
      version: "test",
      api: { port: 0, cors_origins: ["https://ops.example"] },
    });
    try {
      const ok = await fetch(`${cors.url}/api/status`, { headers: { origin: "https://ops.example" } });
      assert.equal(ok.headers.get("access-control-allow-origin"), "https://ops.example");
      const pre = await fetch(`${cors.url}/api/control/halt`, {
        method: "OPTIONS",
        headers: { origin: "https://ops.example", "access-control-request-method": "POST" },
      });
      assert.equal(pre.status, 204);
      assert.match(pre.headers.get("access-control-allow-headers") ?? "", /authorization/);
      const other = await fetch(`${cors.url}/api/status`, { headers: { origin: "https://evil.example" } });
      assert.equal(other.headers.get("access-control-allow-origin"), null);
    } finally {
      await cors.close();
    }
  });
});
