import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import "../app/sections.ts";
import { createApiToken } from "../app/service/api-token.ts";
import { writeLiveSnapshot } from "../app/service/live.ts";
import { ConfigError } from "../config/errors.ts";
import { type LoadedConfig, loadConfig } from "../config/load.ts";
import { usd } from "../core/money.ts";
import { openStore, type Store } from "../store/store.ts";
import { BindRefused } from "./config.ts";
import { type ApiServer, buildApi, startApiServer } from "./server.ts";

/**
 * The API's security and input rules on a real fastify bound to 127.0.0.1 (port 0) over a real
 * SQLite store: control needs the right bearer token and then queues a request in the store; no
 * secret of the config (a PostgreSQL password, alert tokens, the keystore's contents) or the
 * token appears in any response; binding beyond loopback needs `allow_remote`; bad input is a 400
 * naming the field.
 */

const T0 = 1_760_000_000_000;
const PG_PASSWORD = "pgS3cr3t-Passw0rd";
const TG_TOKEN = "123456:TelegramBotTokenSecretXYZ";
const WEBHOOK_BEARER = "webhook-bearer-secret-abc123";
const KEYSTORE_MARK = "keystore-ciphertext-MARK-7f3e";

let dir: string;
let store: Store;
let config: LoadedConfig;
let server: ApiServer;
let base: string;

function writeConfig(extra = ""): LoadedConfig {
  const file = join(dir, "perpbot.toml");
  writeFileSync(
    file,
    `data_dir = "${dir}"
[store]
url = "postgres://perp:${PG_PASSWORD}@127.0.0.1:5432/test"
[keystore]
path = "${join(dir, "keystore.json")}"
[alerts.telegram]
enabled = true
bot_token = "${TG_TOKEN}"
chat_id = "-100123"
[alerts.webhook]
enabled = true
url = "https://hooks.example.org/in"
bearer_token = "${WEBHOOK_BEARER}"
${extra}`,
  );
  return loadConfig({ file, env: {}, cwd: dir });
}

async function seedGroup(id: string, status: "open" | "closed") {
  await store.groups.insert(
    {
      groupId: id,
      strategy: "farm",
      status,
      entry: '{"kind":"ioc","maxSlippageBps":20}',
      fillTimeoutMs: 5_000,
      hedged: true,
      meta: JSON.stringify({ label: "simA", base: "BTC", closeAt: T0 + 3_600_000 }),
      closeReason: status === "closed" ? "time_limit" : null,
      failureReason: null,
      detail: null,
      createdAt: T0,
      updatedAt: T0,
      closedAt: status === "closed" ? T0 + 2 : null,
    },
    [
      {
        groupId: id,
        legIndex: 0,
        venue: "simA",
        account: "w1",
        symbol: "BTC",
        side: "buy",
        targetLots: 100,
        externalLots: 0,
        externalReason: null,
      },
    ],
  );
  await store.orders.upsertEngine({
    clientOrderId: `${id}-e0`,
    venue: "simA",
    account: "w1",
    symbol: "BTC",
    side: "buy",
    type: "limit",
    tif: "ioc",
    priceTicks: 600_000,
    sizeLots: 100,
    reduceOnly: false,
    priceText: "60000",
    sizeText: "0.01",
    filledText: "0.01",
    filledLots: 100,
    status: "filled",
    venueOrderId: "v1",
    groupId: id,
    intentId: `${id}:entry`,
    legIndex: 0,
    purpose: "entry",
    attempt: 0,
    reason: null,
    createdAt: T0,
    updatedAt: T0 + 1,
  });
  await store.fills.insert({
    venue: "simA",
    account: "w1",
    symbol: "BTC",
    fillId: `${id}-f0`,
    clientOrderId: `${id}-e0`,
    venueOrderId: "v1",
    side: "buy",
    price: "60000",
    size: "0.01",
    fee: usd(0.3),
    realisedPnl: 0n,
    liquidity: "taker",
    ts: T0 + 1,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON bodies field by field
type Json = any;
const json = async (r: Response | Promise<Response>): Promise<Json> => (await r).json();

const post = (path: string, body: unknown, token?: string, raw?: string) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw ?? JSON.stringify(body),
  });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "perpbot-api-"));
  writeFileSync(join(dir, "keystore.json"), JSON.stringify({ version: 1, wallets: [{ ct: KEYSTORE_MARK }] }));
  config = writeConfig();
  store = await openStore(`sqlite:${join(dir, "api.db")}`);
  await seedGroup("farm-g1", "open");
  await seedGroup("farm-g2", "closed");
  await store.alerts.insert({ severity: "warning", kind: "test_alert", message: "a test alert", ts: T0 });
  await store.equity.record({
    venue: "simA",
    account: "w1",
    equity: usd(1000),
    cash: usd(1000),
    maintenanceMargin: 0n,
    ts: T0,
  });
  await store.equity.record({
    venue: "simB",
    account: "w1",
    equity: usd(500.5),
    cash: usd(500),
    maintenanceMargin: 0n,
    ts: T0,
  });
  await writeLiveSnapshot(store, {
    ts: Date.now(),
    pid: 1,
    tradingState: "ACTIVE",
    equityUsd: 1500.5,
    accounts: [],
    positions: [
      {
        venue: "simA",
        wallet: "w1",
        symbol: "BTC",
        size: 0.01,
        entryPrice: 60000,
        markPrice: 61000,
        notionalUsd: 610,
        unrealisedPnlUsd: 10,
        liquidationPrice: 30500,
        liquidationDistance: 0.5,
      },
    ],
    groups: [
      {
        id: "farm-g1",
        strategy: "farm",
        minLiquidationDistance: 0.5,
        notionalUsd: 610,
        unrealisedPnlUsd: 10,
        netDeltaUsd: 0,
      },
    ],
  });
  server = await startApiServer({ store, config, version: "test", api: { port: 0 }, eventsCheckMs: 100 });
  base = server.url;
});

after(async () => {
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("control needs the token", () => {
  test("no token set yet: 401 saying how to make one, nothing queued", async () => {
    const r = await post("/api/control/close-all", {}, "pb_guess");
    assert.equal(r.status, 401);
    assert.match((await json(r)).message, /perpbot api token/);
    assert.equal((await store.controlRequests.list()).length, 0);
  });

  test("without a token, and with a wrong one: 401; with the right one: 202 and the request is in the store", async () => {
    const token = await createApiToken(store, Date.now());
    const none = await post("/api/control/close-all", {});
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="perpbot"');
    assert.match((await json(none)).message, /Authorization: Bearer/);
    const wrong = await post("/api/control/close-all", {}, `${token}x`);
    assert.equal(wrong.status, 401);
    assert.equal((await json(wrong)).message, "wrong token");
    for (const path of [
      "/api/control/halt",
      "/api/control/resume",
      "/api/control/flatten",
      "/api/control/reduce-only",
    ])
      assert.equal((await post(path, {}, "pb_wrong")).status, 401, path);
    assert.equal((await store.controlRequests.list()).length, 0, "nothing queued by a refused request");

    const ok = await post("/api/control/close-all", {}, token);
    assert.equal(ok.status, 202);
    const body = await json(ok);
    const queued = await store.controlRequests.get(body.id);
    assert.equal(queued?.action, "close");
    assert.equal(queued?.status, "pending");
    assert.equal(queued?.args.group, "all");
    assert.ok(typeof queued?.args.expiresAt === "number" && queued.args.expiresAt > Date.now());
    assert.match(body.message, /no perpbot run is polling/);

    const halt = await json(post("/api/control/halt", { expire_after_s: 30 }, token));
    assert.equal((await store.controlRequests.get(halt.id))?.action, "halt");
    const flat = await json(post("/api/control/flatten", { venue: "simA" }, token));
    assert.deepEqual((await store.controlRequests.get(flat.id))?.args.venue, "simA");
    // a group by prefix resolves to its id; a closed one and an unknown one are refused
    const one = await json(post("/api/control/close", { group: "farm-g1" }, token));
    assert.equal((await store.controlRequests.get(one.id))?.args.group, "farm-g1");
    assert.equal((await post("/api/control/close", { group: "farm-g2" }, token)).status, 409);
    assert.equal((await post("/api/control/close", { group: "nope" }, token)).status, 404);
    const seen = await json(fetch(`${base}/api/control/requests/${one.id}`));
    assert.equal(seen.status, "pending");
  });
});

describe("bad input is a 400 naming the field", () => {
  test("bodies and queries", async () => {
    const token = await createApiToken(store, Date.now());
    const cases: [string, unknown, RegExp][] = [
      ["/api/control/close", { group: 5 }, /body\.group/],
      ["/api/control/close", {}, /body\.group/],
      ["/api/control/close-all", { grop: "x" }, /body\.grop/],
      ["/api/control/halt", { expire_after_s: -1 }, /body\.expire_after_s/],
      ["/api/control/flatten", { venue: "" }, /body\.venue/],
    ];
    for (const [path, body, field] of cases) {
      const r = await post(path, body, token);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}`);
      const j = await json(r);
      assert.equal(j.error, "invalid_request");
      assert.match(j.message, field);
      assert.ok(
        j.issues.some((i: { field: string }) => field.test(i.field)),
        JSON.stringify(j),
      );
    }
    const badJson = await post("/api/control/close", undefined, token, "{not json");
    assert.equal(badJson.status, 400);
    assert.match((await json(badJson)).message, /^body: /);
    const arr = await post("/api/control/close", [1], token);
    assert.equal(arr.status, 400);
    const q = await fetch(`${base}/api/trades?limit=abc`);
    assert.equal(q.status, 400);
    assert.match((await json(q)).message, /query\.limit: expected a whole number/);
    const unknownQ = await fetch(`${base}/api/groups?colour=red`);
    assert.equal(unknownQ.status, 400);
    assert.match((await json(unknownQ)).message, /query\.colour/);
    assert.equal((await fetch(`${base}/api/nothing`)).status, 404);
  });
});

describe("no secret in any response", () => {
  test("every GET route, the document, metrics and the page", async () => {
    const token = await createApiToken(store, Date.now());
    const hash = await store.kv.get("api.token_sha256");
    const doc = await json(fetch(`${base}/openapi.json`));
    const paths = Object.keys(doc.paths)
      .filter((p) => doc.paths[p].get && p !== "/api/events")
      .map((p) => p.replace("{id}", p.startsWith("/api/groups") ? "farm-g1" : "1"));
    assert.ok(paths.length >= 15, `${paths.length} paths`);
    const bodies: string[] = [];
    for (const p of [...paths, "/web/app.js", "/web/render.js"]) {
      const r = await fetch(`${base}${p}`);
      assert.ok(r.status === 200, `${p}: ${r.status}`);
      bodies.push(await r.text());
    }
    // the SSE stream's first event too
    bodies.push(await firstEvent());
    const all = bodies.join("\n");
    for (const secret of [PG_PASSWORD, TG_TOKEN, WEBHOOK_BEARER, KEYSTORE_MARK, token, hash ?? "no-hash"])
      assert.ok(!all.includes(secret), `a response holds ${secret.slice(0, 6)}…`);
    // the config is there, masked
    const cfg = await json(fetch(`${base}/api/config`));
    assert.equal(cfg.values.store.url, "postgres://perp:****@127.0.0.1:5432/test");
    assert.equal(cfg.values.alerts.telegram.bot_token, "********");
  });
});

async function firstEvent(): Promise<string> {
  const ac = new AbortController();
  const r = await fetch(`${base}/api/events`, { signal: ac.signal });
  assert.equal(r.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const reader = r.body!.getReader();
  let text = "";
  while (!/event: status\ndata: .*\n\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  ac.abort();
  return text;
}

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

describe("binding", () => {
  test("beyond loopback is refused without api.allow_remote, in the config and in the server", async () => {
    assert.throws(
      () => writeConfig('[api]\nhost = "0.0.0.0"\n'),
      (e: unknown) =>
        e instanceof ConfigError && /api\.host/.test(e.message) && /allow_remote/.test(e.message),
    );
    await assert.rejects(
      startApiServer({ store, config, version: "test", api: { host: "0.0.0.0", port: 0 } }),
      (e: unknown) => e instanceof BindRefused && /allow_remote/.test((e as Error).message),
    );
    await assert.rejects(
      startApiServer({ store, config, version: "test", api: { host: "192.168.1.10", port: 0 } }),
      BindRefused,
    );
    // the config accepts it with the key (nothing is bound here: no test listens beyond loopback)
    assert.equal(
      writeConfig('[api]\nhost = "0.0.0.0"\nallow_remote = true\n').values.api !== undefined,
      true,
    );
    config = writeConfig();
  });

  test("a server meant for remote use needs the token for reads too", async () => {
    const { app } = buildApi({ store, config, version: "test", remote: true, cors: [] });
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      assert.equal((await fetch(`${url}/api/status`)).status, 401);
      assert.equal((await fetch(`${url}/metrics`)).status, 401);
      assert.equal((await fetch(`${url}/api/events`)).status, 401);
      assert.equal((await fetch(`${url}/health`)).status, 200);
      const token = await createApiToken(store, Date.now());
      const r = await fetch(`${url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200);
    } finally {
      await app.close();
    }
  });
});
