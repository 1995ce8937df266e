import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import pg from "pg";
import { SimClock, WallClock } from "../core/clock.ts";
import { type Alert, AlertBus } from "../engine/alerts.ts";
import { createLogging } from "../log/logger.ts";
import { openStore, type Store } from "../store/store.ts";
import { AlertDestination } from "./destination.ts";
import { AlertService } from "./service.ts";
import { TelegramSender } from "./telegram.ts";
import { eventually, startTestServer, type TestServer } from "./test-server.ts";
import { WebhookSender } from "./webhook.ts";

/**
 * Engine AlertBus → AlertService → store + destinations, on a real SQLite file and the local
 * PostgreSQL, with real HTTP servers that fail in the ways real ones do.
 */

const PG_URL = process.env.PERPBOT_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PG_SKIP = process.env.PERPBOT_TEST_PG === "skip";

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function server(script: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const s = await startTestServer(script);
  cleanups.push(() => s.close());
  return s;
}

async function sqliteStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-alerts-"));
  const store = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  return store;
}

async function pgStore(): Promise<Store> {
  const schema = `perpbot_alerts_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const store = await openStore(PG_URL, { pgSchema: schema, pgPoolSize: 2 });
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });
  cleanups.push(() => store.close());
  return store;
}

const unhedged = (ts: number, over: Partial<Alert> = {}): Alert => ({
  severity: "emergency",
  key: "unhedged:g7",
  title: "Unhedged leg",
  message: "leg 2 failed; leg 1 is being unwound",
  context: {
    group: "g7",
    wallet: "farm-03",
    venue: "simA",
    symbol: "BTC-PERP",
    size: "0.5",
    action: "unwinding",
  },
  ts,
  ...over,
});

for (const backend of [
  { name: "sqlite", open: sqliteStore },
  { name: "postgres", open: pgStore },
]) {
  describe(`AlertService on ${backend.name}`, { skip: backend.name === "postgres" && PG_SKIP }, () => {
    test("a destination that never answers is retried; the raise returns at once; the alert is stored", async () => {
      const store = await backend.open();
      const s = await server(() => "hang");
      const clock = new WallClock();
      const destination = new AlertDestination({
        sender: new WebhookSender({ url: `${s.url}/hook`, bearerToken: null, timeoutMs: 150 }),
        clock,
        policy: { minSeverity: "info", maxAttempts: 3, backoffBaseMs: 10 },
      });
      const service = new AlertService({ store, destinations: [destination], clock });
      const bus = new AlertBus();
      service.attach(bus);

      const started = performance.now();
      bus.raise(unhedged(Date.UTC(2026, 0, 5)));
      const raiseMs = performance.now() - started;
      // the raise is back before the network work has even started
      assert.equal(s.requests.length, 0);
      assert.ok(raiseMs < 50, `raise took ${raiseMs} ms`);

      await eventually(() => destination.stats().failed === 1, "the destination to give up");
      assert.equal(s.requests.length, 3);
      await service.stored();
      const [row] = await store.alerts.list();
      assert.deepEqual(
        { ...row, id: 0 },
        {
          id: 0,
          severity: "emergency",
          kind: "unhedged:g7",
          title: "Unhedged leg",
          message: "leg 2 failed; leg 1 is being unwound",
          context: {
            group: "g7",
            wallet: "farm-03",
            venue: "simA",
            symbol: "BTC-PERP",
            size: "0.5",
            action: "unwinding",
          },
          ts: Date.UTC(2026, 0, 5),
          acknowledgedAt: null,
        },
      );
      await service.close({ drainMs: 0 });
      assert.equal(clock.pending, 0);
    });

    test("a storm of 1,000 identical alerts: all stored, one message and one summary", async () => {
      const store = await backend.open();
      const s = await server(() => ({ status: 200 }));
      const clock = new SimClock(Date.UTC(2026, 0, 5));
      const destination = new AlertDestination({
        sender: new WebhookSender({ url: `${s.url}/hook`, bearerToken: null, timeoutMs: 2000 }),
        clock,
        policy: { minSeverity: "warning", dedupeWindowMs: 5 * 60_000 },
      });
      const service = new AlertService({ store, destinations: [destination], clock });
      const bus = new AlertBus();
      service.attach(bus);
      for (let i = 0; i < 1000; i++) {
        bus.raise(unhedged(clock.now(), { message: `residual ${i}` }));
        await clock.advance(60);
      }
      await service.stored();
      assert.equal((await store.alerts.list()).length, 1000);
      await s.waitForRequests(1);
      // shutting down closes the open window: its summary still goes out
      await service.close({ drainMs: 5000 });
      assert.equal(s.requests.length, 2);
      assert.equal(JSON.parse(s.requests[1].body).title, "999 more of unhedged:g7 suppressed");
    });
  });
}

describe("AlertService failures", () => {
  test("connection refused: retried, logged without the bot token, and the alert still stored", async () => {
    const store = await sqliteStore();
    const dead = await startTestServer();
    const deadUrl = dead.url;
    await dead.close();
    const token = "987654:refused-token-never-in-logs";
    const dir = mkdtempSync(join(tmpdir(), "perpbot-alert-log-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const lines: string[] = [];
    const logging = createLogging({ dir, console: { write: (s: string) => void lines.push(s) } });
    const clock = new WallClock();
    const destination = new AlertDestination({
      sender: new TelegramSender({ baseUrl: deadUrl, botToken: token, chatId: "-100200300", timeoutMs: 500 }),
      clock,
      logger: logging.forModule("alerts"),
      policy: { maxAttempts: 2, backoffBaseMs: 10 },
    });
    const service = new AlertService({
      store,
      destinations: [destination],
      clock,
      logger: logging.forModule("alerts"),
    });
    service.handle(unhedged(Date.UTC(2026, 0, 5)));
    await eventually(() => destination.stats().failed === 1, "the destination to give up");
    await service.close({ drainMs: 0 });
    logging.close();
    const text = lines.join("");
    assert.match(text, /alert send failed, retrying: telegram: connection failed \(ECONNREFUSED\)/);
    assert.match(text, /alert not delivered/);
    assert.ok(!text.includes(token) && !text.includes("refused-token"), "token leaked into the log");
    assert.equal((await store.alerts.list()).length, 1);
  });

  test("a store that fails does not stop delivery, and the alert is logged instead", async () => {
    const s = await server(() => ({ status: 200 }));
    const clock = new WallClock();
    const lines: string[] = [];
    const logging = createLogging({ dir: null, console: { write: (t: string) => void lines.push(t) } });
    const destination = new AlertDestination({
      sender: new WebhookSender({ url: `${s.url}/hook`, bearerToken: null, timeoutMs: 2000 }),
      clock,
    });
    const service = new AlertService({
      store: { alerts: { insert: () => Promise.reject(new Error("database is locked")) } },
      destinations: [destination],
      clock,
      logger: logging.forModule("alerts"),
    });
    service.handle(unhedged(Date.UTC(2026, 0, 5)));
    await s.waitForRequests(1);
    await service.close();
    assert.equal(service.stats().storeFailures, 1);
    assert.match(lines.join(""), /alert could not be stored/);
    assert.match(lines.join(""), /unhedged:g7/);
  });
});
