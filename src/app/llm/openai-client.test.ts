import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { callCostUsd } from "../../strategies/agent/cost.ts";
import type { ChatSettings } from "../../strategies/contract.ts";
import { LlmTestServer } from "../../testing/llm-server.ts";
import { OpenAiChatClient } from "./openai-client.ts";

let server: LlmTestServer;
before(async () => {
  server = await LlmTestServer.start();
});
after(() => server.close());

const settings = (o: Partial<ChatSettings> = {}): ChatSettings => ({
  baseUrl: server.baseUrl,
  model: "test/model",
  temperature: 0.2,
  topP: 0.9,
  maxTokens: 500,
  timeoutMs: 300,
  maxRetries: 2,
  retryBackoffMs: 1,
  responseFormat: "json_object",
  apiKeyEnv: "TEST_LLM_KEY",
  ...o,
});
const sleeps: number[] = [];
const client = (o: Partial<ChatSettings> = {}) =>
  new OpenAiChatClient({
    ...settings(o),
    env: { TEST_LLM_KEY: "sk-secret-123" },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
const ask = { messages: [{ role: "user" as const, content: "hi" }] };

test("a completion: content, model, tokens, the request's parameters and the key in the header only", async () => {
  server.push({ content: '{"positions":{}}', promptTokens: 1200, completionTokens: 80, cost: 0.0004 });
  const n = server.requests.length;
  const r = await client().complete(ask);
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.content, '{"positions":{}}');
  assert.deepEqual(r.usage, {
    promptTokens: 1200,
    completionTokens: 80,
    cachedTokens: 0,
    providerCostUsd: 0.0004,
  });
  assert.equal(r.attempts, 1);
  const req = server.requests[n];
  assert.equal(req.path, "/v1/chat/completions");
  assert.equal(req.authorization, "Bearer sk-secret-123");
  assert.equal(req.body.model, "test/model");
  assert.equal(req.body.temperature, 0.2);
  assert.equal(req.body.top_p, 0.9);
  assert.equal(req.body.max_tokens, 500);
  assert.deepEqual(req.body.response_format, { type: "json_object" });
  assert.ok(!JSON.stringify(r).includes("sk-secret"));
});

test("429 and 500 are retried with backoff (Retry-After wins), then succeed", async () => {
  sleeps.length = 0;
  server.push({ status: 429, retryAfterS: 2 }, { status: 500 }, { content: "{}" });
  const r = await client().complete(ask);
  assert.equal(r.ok, true);
  assert.equal(r.attempts, 3);
  assert.deepEqual(sleeps, [2000, 2]);
});

test("retries exhausted: the last failure, named; a 401 is not retried; no key in any detail", async () => {
  server.push({ status: 503 }, { status: 502 }, { status: 500, body: "overloaded" });
  const r = await client().complete(ask);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.failure, "server_error");
  assert.equal(r.attempts, 3);
  assert.match(r.detail, /500 overloaded/);
  server.push({ status: 401, body: '{"error":"bad key"}' });
  const r2 = await client().complete(ask);
  assert.equal(r2.ok, false);
  if (!r2.ok) {
    assert.equal(r2.failure, "http_error");
    assert.equal(r2.attempts, 1);
    assert.ok(!r2.detail.includes("sk-secret"));
  }
});

test("a stalled answer is a timeout, retried; a body that is not a completion is bad_body", async () => {
  server.push({ stallMs: 2000 }, { content: "ok" });
  const r = await client().complete(ask);
  assert.equal(r.ok, true);
  assert.equal(r.attempts, 2);
  server.push({ stallMs: 2000 }, { stallMs: 2000 }, { stallMs: 2000 });
  const t = await client().complete(ask);
  assert.equal(t.ok, false);
  if (!t.ok) assert.equal(t.failure, "timeout");
  server.push({ rawBody: "<html>gateway</html>" });
  const b = await client().complete(ask);
  assert.equal(b.ok, false);
  if (!b.ok) assert.equal(b.failure, "bad_body");
});

test("json_schema is sent where configured; an endpoint refusing response_format gets plain requests", async () => {
  const n = server.requests.length;
  server.push(
    { status: 400, body: '{"error":{"message":"response_format is not supported"}}' },
    { content: "{}" },
  );
  const c = client({ responseFormat: "json_schema" });
  const r = await c.complete({ ...ask, jsonSchema: { name: "decision", schema: { type: "object" } } });
  assert.equal(r.ok, true);
  assert.deepEqual(server.requests[n].body.response_format, {
    type: "json_schema",
    json_schema: { name: "decision", schema: { type: "object" } },
  });
  assert.equal(server.requests[n + 1].body.response_format, undefined);
});

test("cost: the provider's figure, else the price table per 1M tokens, else unpriced (null, not 0)", () => {
  const usage = {
    promptTokens: 2_000_000,
    completionTokens: 500_000,
    cachedTokens: 1_000_000,
    providerCostUsd: null,
  };
  const prices = { m: { input_per_1m: 0.27, output_per_1m: 1.1, cached_input_per_1m: 0.07 } };
  // 1M fresh x 0.27 + 1M cached x 0.07 + 0.5M out x 1.1 = 0.27 + 0.07 + 0.55
  assert.equal(Math.round(callCostUsd("m", usage, prices)! * 1e9) / 1e9, 0.89);
  assert.equal(callCostUsd("other", usage, prices), null);
  assert.equal(callCostUsd("other", { ...usage, providerCostUsd: 0.5 }, prices), 0.5);
});

test("an endpoint echoing the key in its error body: the stored detail has it redacted", async () => {
  server.push({ status: 401, body: '{"error":{"message":"Incorrect API key provided: sk-secret-123"}}' });
  const r = await client().complete(ask);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.match(r.detail, /Incorrect API key provided: \[redacted\]/);
  assert.ok(!r.detail.includes("sk-secret-123"));
});

test("a key the config says is in the keystore, with no keystore unlocked: a clear error, never the env key", () => {
  assert.throws(
    () =>
      new OpenAiChatClient({ ...settings({ apiKeyKeystore: "openrouter" }), env: { TEST_LLM_KEY: "sk-x" } }),
    /api_key_keystore "openrouter": the key is in the keystore, which this process did not unlock/,
  );
});
