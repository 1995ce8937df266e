import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createApiToken } from "../app/service/api-token.ts";
import { ConfigError } from "../config/errors.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { Store } from "../store/store.ts";
import { type ApiFixture, json, SECRETS, startApiFixture } from "../testing/api-fixture.ts";
import { BindRefused } from "./config.ts";
import { buildApi, startApiServer } from "./server.ts";

/**
 * The API's security and input rules (fixture: src/testing/api-fixture.ts): control needs the
 * right bearer token and then queues a request in the store; no secret of the config or the token
 * appears in any response; binding beyond loopback needs `allow_remote`; bad input is a 400
 * naming the field.
 */

let f: ApiFixture;
let store: Store;
let config: LoadedConfig;
let base: string;
const post = (path: string, body: unknown, token?: string, raw?: string) => f.post(path, body, token, raw);
const firstEvent = () => f.firstEvent();
const writeConfig = (extra = "") => f.writeConfig(extra);

before(async () => {
  f = await startApiFixture();
  store = f.store;
  config = f.config;
  base = f.base;
});
after(() => f.close());

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
    // every control route of the document, without a token and with a wrong one
    const doc = await json(fetch(`${base}/openapi.json`));
    const controls = Object.keys(doc.paths)
      .filter((p) => doc.paths[p].post)
      .map((p) => p.replace("{name}", "farm"));
    assert.ok(controls.length >= 8, controls.join(" "));
    assert.ok(controls.includes("/api/control/strategies/farm/pause"));
    for (const path of controls) {
      assert.equal((await post(path, {})).status, 401, `${path} without a token`);
      assert.equal((await post(path, {}, "pb_wrong")).status, 401, `${path} with a wrong token`);
    }
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
    const pause = await post("/api/control/strategies/farm/pause", {}, token);
    assert.equal(pause.status, 202);
    const paused = await store.controlRequests.get((await json(pause)).id);
    assert.deepEqual([paused?.action, paused?.args.strategy], ["pause_strategy", "farm"]);
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
    const badName = await post("/api/control/strategies/no%20such/pause", {}, token);
    assert.equal(badName.status, 400);
    assert.match((await json(badName)).message, /params\.name: an instance name/);
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
    for (const secret of [...SECRETS, token, hash ?? "no-hash"])
      assert.ok(!all.includes(secret), `a response holds ${secret.slice(0, 6)}…`);
    // the config is there, masked
    const cfg = await json(fetch(`${base}/api/config`));
    assert.equal(cfg.values.store.url, "postgres://perp:****@127.0.0.1:5432/test");
    assert.equal(cfg.values.alerts.telegram.bot_token, "********");
    assert.equal(cfg.values.telegram.bot_token, "********");
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
