import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { redactText } from "../log/redact.ts";
import { DiscordSender } from "./discord.ts";
import { LarkSender } from "./lark.ts";
import { TelegramSender } from "./telegram.ts";
import { startTestServer, type TestServer } from "./test-server.ts";
import { type Notice, SendFailure } from "./types.ts";
import { WebhookSender } from "./webhook.ts";

/** Each sender against a local server standing in for the real API: the exact request it makes. */

const servers: TestServer[] = [];
async function server(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const s = await startTestServer(...args);
  servers.push(s);
  return s;
}
after(async () => {
  for (const s of servers) await s.close();
});

const alert: Notice = {
  severity: "critical",
  key: "unhedged:g7",
  title: "Unhedged leg <BTC> & co",
  message: "leg 2 of group g7 failed: size 0.5 > 0.4 & margin *low*",
  context: {
    group: "g7",
    wallet: "farm_03",
    venue: "simA",
    symbol: "BTC-PERP",
    side: "sell",
    size: "0.5",
    price: "62739.5",
    action: "unwinding leg 1 with a reduce-only IOC",
    lots: 12,
  },
  ts: Date.UTC(2026, 0, 5, 8, 30, 0),
};

const TOKEN = "123456:ABC-def_ghi-telegram-test-token";

describe("TelegramSender", () => {
  test("POSTs sendMessage under /bot<token>/ with HTML escaped per the Bot API rules", async () => {
    const s = await server(() => ({ status: 200, body: { ok: true, result: { message_id: 1 } } }));
    const sender = new TelegramSender({
      baseUrl: s.url,
      botToken: TOKEN,
      chatId: "-1001234567890",
      timeoutMs: 2000,
    });
    await sender.send(alert);
    assert.equal(s.requests.length, 1);
    const r = s.requests[0];
    assert.equal(r.method, "POST");
    assert.equal(r.path, `/bot${TOKEN}/sendMessage`);
    assert.equal(r.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(r.body), {
      chat_id: "-1001234567890",
      text: [
        "🔴 <b>CRITICAL: Unhedged leg &lt;BTC&gt; &amp; co</b>",
        "leg 2 of group g7 failed: size 0.5 &gt; 0.4 &amp; margin *low*",
        "<b>Group:</b> g7",
        "<b>Wallet:</b> farm_03",
        "<b>Venue:</b> simA",
        "<b>Market:</b> BTC-PERP",
        "<b>Side:</b> sell",
        "<b>Size:</b> 0.5",
        "<b>Price:</b> 62739.5",
        "<b>lots:</b> 12",
        "<b>Action:</b> unwinding leg 1 with a reduce-only IOC",
        "<i>unhedged:g7 · 2026-01-05 08:30:00 UTC</i>",
      ].join("\n"),
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    });
  });

  test("a 429 carries retry_after; a 400 is final; neither message holds the token", async () => {
    const s = await server((_r, i) =>
      i === 0
        ? {
            status: 429,
            body: {
              ok: false,
              error_code: 429,
              description: "Too Many Requests: retry after 7",
              parameters: { retry_after: 7 },
            },
          }
        : { status: 400, body: { ok: false, error_code: 400, description: "Bad Request: chat not found" } },
    );
    const sender = new TelegramSender({ baseUrl: s.url, botToken: TOKEN, chatId: "42", timeoutMs: 2000 });
    const first = await sender.send(alert).then(
      () => assert.fail("429 accepted"),
      (e: unknown) => e,
    );
    assert.ok(first instanceof SendFailure);
    assert.equal(first.retryable, true);
    assert.equal(first.retryAfterMs, 7000);
    const second = await sender.send(alert).then(
      () => assert.fail("400 accepted"),
      (e: unknown) => e,
    );
    assert.ok(second instanceof SendFailure);
    assert.equal(second.retryable, false);
    assert.match(second.message, /HTTP 400: Bad Request: chat not found/);
    for (const e of [first, second]) assert.ok(!e.message.includes(TOKEN));
    // the constructor registered the token with the scrubber
    assert.equal(redactText(`x${TOKEN}y`), "x[REDACTED]y");
  });
});

describe("LarkSender", () => {
  test("POSTs the text message to /open-apis/bot/v2/hook/<token>, signed as the Lark docs say", async () => {
    const s = await server(() => ({ status: 200, body: { code: 0, msg: "success", data: {} } }));
    const now = Date.UTC(2026, 0, 5, 8, 30, 1, 999);
    const sender = new LarkSender({
      baseUrl: s.url,
      token: "lark-hook-token-0001",
      signingSecret: "lark-signing-secret",
      timeoutMs: 2000,
      now: () => now,
    });
    await sender.send(alert);
    const r = s.requests[0];
    assert.equal(r.method, "POST");
    assert.equal(r.path, "/open-apis/bot/v2/hook/lark-hook-token-0001");
    assert.equal(r.headers["content-type"], "application/json");
    const body = JSON.parse(r.body);
    const timestamp = String(Math.floor(now / 1000));
    // the signature recomputed with WebCrypto: key = timestamp + "\n" + secret, message empty
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(`${timestamp}\nlark-signing-secret`),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const sign = Buffer.from(await crypto.subtle.sign("HMAC", key, new Uint8Array(0))).toString("base64");
    assert.deepEqual(body, {
      msg_type: "text",
      content: {
        text: [
          "🔴 CRITICAL: Unhedged leg <BTC> & co",
          "leg 2 of group g7 failed: size 0.5 > 0.4 & margin *low*",
          "Group: g7",
          "Wallet: farm_03",
          "Venue: simA",
          "Market: BTC-PERP",
          "Side: sell",
          "Size: 0.5",
          "Price: 62739.5",
          "lots: 12",
          "Action: unwinding leg 1 with a reduce-only IOC",
          "unhedged:g7 · 2026-01-05 08:30:00 UTC",
        ].join("\n"),
      },
      timestamp,
      sign,
    });
  });

  test("a non-zero code is a failure: retryable for a rate limit, final for a bad signature", async () => {
    const s = await server((_r, i) =>
      i === 0
        ? { status: 200, body: { code: 11232, msg: "frequency limited" } }
        : { status: 200, body: { code: 19021, msg: "sign match fail" } },
    );
    const sender = new LarkSender({
      baseUrl: s.url,
      token: "lark-hook-token-0002",
      signingSecret: null,
      timeoutMs: 2000,
    });
    await assert.rejects(sender.send(alert), (e: SendFailure) => e.retryable && /code 11232/.test(e.message));
    await assert.rejects(
      sender.send(alert),
      (e: SendFailure) => !e.retryable && /sign match fail/.test(e.message),
    );
    // without a signing secret the body has no timestamp/sign
    assert.deepEqual(Object.keys(JSON.parse(s.requests[0].body)).sort(), ["content", "msg_type"]);
  });
});

describe("DiscordSender", () => {
  test("POSTs {content} with markdown escaped, mentions disabled, and the 2000-char limit kept", async () => {
    const s = await server(() => ({ status: 204 }));
    const webhookUrl = `${s.url}/api/webhooks/1234567890/discord-webhook-token-abcdef`;
    const sender = new DiscordSender({ webhookUrl, timeoutMs: 2000 });
    await sender.send(alert);
    const r = s.requests[0];
    assert.equal(r.method, "POST");
    assert.equal(r.path, "/api/webhooks/1234567890/discord-webhook-token-abcdef");
    assert.equal(r.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(r.body), {
      content: [
        "🔴 **CRITICAL: Unhedged leg <BTC> & co**",
        "leg 2 of group g7 failed: size 0.5 > 0.4 & margin \\*low\\*",
        "**Group:** g7",
        "**Wallet:** farm\\_03",
        "**Venue:** simA",
        "**Market:** BTC-PERP",
        "**Side:** sell",
        "**Size:** 0.5",
        "**Price:** 62739.5",
        "**lots:** 12",
        "**Action:** unwinding leg 1 with a reduce-only IOC",
        "*unhedged:g7 · 2026-01-05 08:30:00 UTC*",
      ].join("\n"),
      allowed_mentions: { parse: [] },
    });

    await sender.send({ ...alert, message: "x".repeat(5000), context: { note: "y".repeat(5000) } });
    const long = JSON.parse(s.requests[1].body).content as string;
    assert.ok(long.length <= 2000, `content of ${long.length} chars`);
    assert.match(long, /^🔴 \*\*CRITICAL/);
  });

  test("a 429 waits retry_after seconds (fractional)", async () => {
    const s = await server(() => ({
      status: 429,
      body: { message: "You are being rate limited.", retry_after: 0.42, global: false },
    }));
    const sender = new DiscordSender({
      webhookUrl: `${s.url}/api/webhooks/1/discord-token-429-abcdefgh`,
      timeoutMs: 2000,
    });
    await assert.rejects(sender.send(alert), (e: SendFailure) => e.retryable && e.retryAfterMs === 420);
  });
});

describe("WebhookSender", () => {
  test("POSTs the alert as JSON with a bearer token", async () => {
    const s = await server(() => ({ status: 202 }));
    const sender = new WebhookSender({
      url: `${s.url}/hooks/perpbot?x=1`,
      bearerToken: "hook-bearer-token-1",
      timeoutMs: 2000,
    });
    await sender.send(alert);
    const r = s.requests[0];
    assert.equal(r.method, "POST");
    assert.equal(r.path, "/hooks/perpbot?x=1");
    assert.equal(r.headers["content-type"], "application/json");
    assert.equal(r.headers.authorization, "Bearer hook-bearer-token-1");
    const body = JSON.parse(r.body);
    assert.deepEqual(
      { ...body, text: undefined },
      {
        source: "perpbot",
        severity: "critical",
        key: "unhedged:g7",
        title: alert.title,
        message: alert.message,
        context: alert.context,
        ts: alert.ts,
        time: "2026-01-05T08:30:00.000Z",
        suppressed: null,
        text: undefined,
      },
    );
    assert.match(body.text, /^🔴 CRITICAL: Unhedged leg <BTC> & co\n/);
  });

  test("connection refused and 5xx are retryable failures", async () => {
    const s = await server(() => ({ status: 503, body: { message: "down" } }));
    await assert.rejects(
      new WebhookSender({ url: `${s.url}/h`, bearerToken: null, timeoutMs: 2000 }).send(alert),
      (e: SendFailure) => e.retryable && e.status === 503 && /HTTP 503: down/.test(e.message),
    );
    const closed = await startTestServer();
    const deadUrl = `${closed.url}/h`;
    await closed.close();
    await assert.rejects(
      new WebhookSender({ url: deadUrl, bearerToken: null, timeoutMs: 2000 }).send(alert),
      (e: SendFailure) => e.retryable && /connection failed \(ECONNREFUSED\)/.test(e.message),
    );
  });
});
