import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "../app/sections.ts";
import { type ApiServer, startApiServer } from "../api/server.ts";
import { writeLiveSnapshot } from "../app/service/live.ts";
import { type LoadedConfig, loadConfig } from "../config/load.ts";
import { usd } from "../core/money.ts";
import { openStore, type Store } from "../store/store.ts";

/**
 * The API tests' common ground (src/api/*.test.ts): a real fastify bound to 127.0.0.1 (port 0)
 * over a real SQLite store seeded with two groups (one open), their orders and fills, an alert,
 * equity rows and a live snapshot; a config holding secrets of every kind (a PostgreSQL password,
 * alert and control bot tokens, a webhook bearer, the keystore's contents) that no response may show.
 */

export const T0 = 1_760_000_000_000;
export const PG_PASSWORD = "pgS3cr3t-Passw0rd";
export const TG_TOKEN = "123456:TelegramBotTokenSecretXYZ";
export const TG_CONTROL_TOKEN = "654321:TelegramControlBotSecretQRS";
export const WEBHOOK_BEARER = "webhook-bearer-secret-abc123";
export const KEYSTORE_MARK = "keystore-ciphertext-MARK-7f3e";
export const SECRETS = [PG_PASSWORD, TG_TOKEN, TG_CONTROL_TOKEN, WEBHOOK_BEARER, KEYSTORE_MARK];

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON bodies field by field
export type Json = any;
export const json = async (r: Response | Promise<Response>): Promise<Json> => (await r).json();

export interface ApiFixture {
  readonly dir: string;
  readonly store: Store;
  config: LoadedConfig;
  readonly server: ApiServer;
  readonly base: string;
  writeConfig(extra?: string): LoadedConfig;
  post(path: string, body: unknown, token?: string, raw?: string): Promise<Response>;
  /** the SSE stream's first status event, as text */
  firstEvent(): Promise<string>;
  close(): Promise<void>;
}

export async function startApiFixture(): Promise<ApiFixture> {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-api-"));
  const writeConfig = (extra = ""): LoadedConfig => {
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
[telegram]
enabled = true
bot_token = "${TG_CONTROL_TOKEN}"
allowed_chat_ids = ["1"]
[alerts.webhook]
enabled = true
url = "https://hooks.example.org/in"
bearer_token = "${WEBHOOK_BEARER}"
${extra}`,
    );
    return loadConfig({ file, env: {}, cwd: dir });
  };
  writeFileSync(join(dir, "keystore.json"), JSON.stringify({ version: 1, wallets: [{ ct: KEYSTORE_MARK }] }));
  let config = writeConfig();
  const store = await openStore(`sqlite:${join(dir, "api.db")}`);
  const seedGroup = async (id: string, status: "open" | "closed") => {
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
  };
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
  const server = await startApiServer({
    store,
    config,
    version: "test",
    api: { port: 0 },
    eventsCheckMs: 100,
  });
  const base = server.url;
  const post = (path: string, body: unknown, token?: string, raw?: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: raw ?? JSON.stringify(body),
    });
  const firstEvent = async (): Promise<string> => {
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
  };
  return {
    dir,
    store,
    get config() {
      return config;
    },
    set config(c: LoadedConfig) {
      config = c;
    },
    server,
    base,
    writeConfig,
    post,
    firstEvent,
    async close() {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
