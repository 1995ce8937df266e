import assert from "node:assert/strict";
import { after, test } from "node:test";
import { SimClock } from "../core/clock.ts";
import { alertsSection, createAlertService } from "./config.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

test("every destination is off by default; enabling one without its credentials names each missing key", () => {
  const dflt = alertsSection.schema.parse(undefined);
  assert.equal(dflt.telegram.enabled, false);
  assert.equal(dflt.telegram.base_url, "https://api.telegram.org");
  assert.equal(dflt.lark.base_url, "https://open.larksuite.com");
  assert.equal(dflt.dedupe_window_s, 300);
  const bad = alertsSection.schema.safeParse({
    telegram: { enabled: true },
    discord: { enabled: true, webhook_url: "ftp://x" },
  });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error!.issues.map((i) => i.path.join(".")).sort(), [
    "discord.webhook_url",
    "telegram.bot_token",
    "telegram.chat_id",
  ]);
});

test("createAlertService: one alert reaches every enabled destination at its configured URL", async () => {
  const s = await startTestServer((r) =>
    r.path.startsWith("/open-apis")
      ? { status: 200, body: { code: 0 } }
      : { status: 200, body: { ok: true } },
  );
  servers.push(s);
  const config = alertsSection.schema.parse({
    telegram: { enabled: true, base_url: s.url, bot_token: "111:cfg-telegram-token", chat_id: "-1001" },
    lark: { enabled: true, base_url: s.url, token: "cfg-lark-token" },
    discord: {
      enabled: true,
      webhook_url: `${s.url}/api/webhooks/1/cfg-discord-token`,
      min_severity: "emergency",
    },
    webhook: { enabled: true, url: `${s.url}/mine` },
  });
  const clock = new SimClock();
  const stored: string[] = [];
  const service = createAlertService(config, {
    store: { alerts: { insert: async (a) => stored.push(a.kind) } },
    clock,
  });
  assert.deepEqual(
    service.destinations.map((d) => [d.sender.kind, d.policy.minSeverity, d.policy.ratePerMinute]),
    [
      ["telegram", "warning", 20],
      ["lark", "warning", 60],
      ["discord", "emergency", 25],
      ["webhook", "warning", 60],
    ],
  );
  service.handle({ severity: "critical", key: "k1", title: "t", message: "m", context: {}, ts: clock.now() });
  await s.waitForRequests(3);
  await service.close();
  assert.deepEqual(s.requests.map((r) => r.path).sort(), [
    "/bot111:cfg-telegram-token/sendMessage",
    "/mine",
    "/open-apis/bot/v2/hook/cfg-lark-token",
  ]);
  assert.deepEqual(stored, ["k1"]);
});

test("a destination URL with user:pass@ is refused at load, pointing to the bearer token, without echoing it", () => {
  const url = "http://user:S3cretPass@hooks.example/hook";
  const bad = alertsSection.schema.safeParse({ webhook: { enabled: true, url } });
  assert.equal(bad.success, false);
  const issue = bad.error!.issues.find((i) => i.path.join(".") === "webhook.url");
  assert.ok(issue, JSON.stringify(bad.error!.issues));
  assert.match(issue.message, /must not hold a user name or password.*alerts\.webhook\.bearer_token/);
  assert.ok(!issue.message.includes("S3cretPass"));
  const discord = alertsSection.schema.safeParse({
    discord: { enabled: true, webhook_url: "https://u:p@discord.com/api/webhooks/1/t" },
  });
  assert.equal(discord.success, false);
  // the same host with the credential as a bearer token loads
  const ok = alertsSection.schema.parse({
    webhook: { enabled: true, url: "http://hooks.example/hook", bearer_token: "S3cretPass" },
  });
  assert.equal(ok.webhook.url, "http://hooks.example/hook");
});
