import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OpenAiChatClient } from "../../app/llm/openai-client.ts";
import { LlmTestServer, type ScriptedReply } from "../../testing/llm-server.ts";
import { type CycleDecision, decideCycle } from "./decide.ts";
import { buildObservation, type MarketInput } from "./observation.ts";
import { DEFAULT_SYSTEM_PROMPT } from "./prompt.ts";

/**
 * Replies as models really send them, served by a local OpenAI-compatible server through the real
 * HTTP client: each case ends in a validated decision or a safe hold of every market, never
 * anything in between (the acceptance list of issue 17).
 */
let server: LlmTestServer;
before(async () => {
  server = await LlmTestServer.start();
});
after(() => server.close());

const market = (coin: string, bid: number, lot: number): MarketInput => ({
  coin,
  symbol: coin,
  bid,
  ask: bid + 10,
  bidSize: 5,
  askSize: 5,
  mark: bid + 5,
  fundingPerHour: 0.00001,
  fundingIntervalHours: 1,
  lotSize: lot,
  tickSize: 1,
  minNotionalUsd: 10,
  maxLeverage: 40,
  candles1m: [],
  candles6h: [],
});
const obs = buildObservation({
  ts: 1_700_000_000_000,
  cycle: 1,
  version: "test",
  markets: [market("BTC", 100_000, 0.001), market("ETH", 3_000, 0.01)],
  account: { equity: 10_000, available: 10_000, initialMargin: 0, maintenanceMargin: 0 },
  positions: [],
  exits: {},
  trades: [],
  performance: null,
  dayStartEquity: 10_000,
  llmCostTodayUsd: 0,
  lastError: null,
  limits: {
    max_leverage: 5,
    max_risk_per_trade_pct: 0.02,
    max_gross_leverage: 3,
    min_notional_usd: 5,
    daily_loss_halt_pct: 0.05,
    require_stop_loss: true,
    max_slippage_bps: 10,
  },
  candles1m: 60,
  candles6h: 60,
});

const btc = (o: Record<string, unknown> = {}, plan: Record<string, unknown> = {}) => ({
  coin: "BTC",
  signal: "buy",
  quantity: 0.01,
  leverage: 3,
  confidence: 0.6,
  risk_usd: 20,
  exit_plan: { stop_loss: 98_000, take_profit: 105_000, invalidation: "price < 97000", ...plan },
  justification: "breakout above EMA20",
  ...o,
});
const valid = JSON.stringify({ positions: { BTC: btc() }, notes: "long BTC" });
const c = (content: string): ScriptedReply => ({ content });
const VALID = c(valid);
const BAD = c("still not json, sorry");

/** the last message of the last request the server got: the repair request quotes the error */
const lastPrompt = () => {
  const msgs = server.requests[server.requests.length - 1].body.messages as { content: string }[];
  return msgs[msgs.length - 1].content;
};

type Expect = "decided" | "parse_error" | "model_error";
interface Case {
  name: string;
  replies: ScriptedReply[];
  expect: Expect;
  check?: (d: CycleDecision) => void;
}
const opensBtc = (d: CycleDecision) => {
  const a = d.actions.find((x) => x.coin === "BTC");
  assert.equal(a?.kind, "open");
};
const holdsBtc = (re: RegExp) => (d: CycleDecision) => {
  const a = d.actions.find((x) => x.coin === "BTC");
  assert.equal(a?.kind, "hold");
  assert.match(a && a.kind === "hold" ? (a.note ?? "") : "", re);
};
const withBtc = (o: Record<string, unknown>, plan: Record<string, unknown> = {}) =>
  c(JSON.stringify({ positions: { BTC: btc(o, plan) } }));
const schemaBroken = (
  name: string,
  o: Record<string, unknown>,
  plan: Record<string, unknown> = {},
): Case[] => [
  { name: `${name}, repair fails`, replies: [withBtc(o, plan), BAD], expect: "parse_error" },
  { name: `${name}, repaired`, replies: [withBtc(o, plan), VALID], expect: "decided", check: opensBtc },
];

const cases: Case[] = [
  { name: "plain valid JSON", replies: [VALID], expect: "decided", check: opensBtc },
  { name: "```json fence", replies: [c(`\`\`\`json\n${valid}\n\`\`\``)], expect: "decided", check: opensBtc },
  { name: "bare ``` fence", replies: [c(`\`\`\`\n${valid}\n\`\`\``)], expect: "decided", check: opensBtc },
  {
    name: "prose before and after",
    replies: [c(`Here is my decision:\n${valid}\nGood luck!`)],
    expect: "decided",
    check: opensBtc,
  },
  {
    name: "<think> block first",
    replies: [c(`<think>maybe {"positions": 1}</think>${valid}`)],
    expect: "decided",
    check: opensBtc,
  },
  {
    name: "trailing commas",
    replies: [c(valid.replace(/}$/, ",}").replace('"price < 97000"', '"price < 97000",'))],
    expect: "decided",
    check: opensBtc,
  },
  {
    name: "duplicated key, same value",
    replies: [c(valid.replace('"notes":"long BTC"', '"notes":"long BTC","notes":"long BTC"'))],
    expect: "decided",
  },
  {
    name: "duplicated coin, different values, repaired",
    replies: [
      c(`{"positions":{"BTC":${JSON.stringify(btc())},"BTC":${JSON.stringify(btc({ signal: "sell" }))}}}`),
      VALID,
    ],
    expect: "decided",
    check: (d) => assert.equal(d.repairs, 1),
  },
  {
    name: "duplicated coin, different values, repair fails",
    replies: [
      c(`{"positions":{"BTC":${JSON.stringify(btc())},"BTC":${JSON.stringify(btc({ quantity: 5 }))}}}`),
      BAD,
    ],
    expect: "parse_error",
    check: () => assert.match(lastPrompt(), /key "positions.BTC" is given twice with different values/),
  },
  {
    name: "an object without positions before the decision",
    replies: [c(`{"thinking":"x"} then ${valid}`)],
    expect: "decided",
    check: opensBtc,
  },
  {
    name: "truncated JSON, repair truncated",
    replies: [c(valid.slice(0, 60)), c(valid.slice(0, 90))],
    expect: "parse_error",
    check: (d) => assert.match(d.error ?? "", /never closed|end/),
  },
  {
    name: "truncated JSON, repaired",
    replies: [c(valid.slice(0, 60)), VALID],
    expect: "decided",
    check: opensBtc,
  },
  {
    name: "empty reply twice",
    replies: [c(""), c("")],
    expect: "parse_error",
    check: (d) => {
      assert.match(d.error ?? "", /empty/);
      assert.match(lastPrompt(), /^Your reply could not be used: the reply is empty/);
      assert.equal(d.replies.length, 2);
    },
  },
  { name: "whitespace only, repaired", replies: [c("   \n  "), VALID], expect: "decided" },
  { name: "prose without JSON", replies: [c("I would buy BTC now."), BAD], expect: "parse_error" },
  ...schemaBroken("quantity as a string", { quantity: "0.01" }),
  ...schemaBroken("signal outside the enum", { signal: "long" }),
  ...schemaBroken("negative size", { quantity: -1 }),
  ...schemaBroken("leverage 500 beyond the schema", { leverage: 500 }),
  ...schemaBroken("confidence above 1", { confidence: 1.5 }),
  ...schemaBroken("stop_loss as a string", {}, { stop_loss: "98000" }),
  ...schemaBroken("justification over 500 chars", { justification: "x".repeat(501) }),
  ...schemaBroken("invalidation over 300 chars", {}, { invalidation: "y".repeat(301) }),
  {
    name: "leverage over the limit is clipped",
    replies: [withBtc({ leverage: 20 })],
    expect: "decided",
    check: (d) => {
      const a = d.actions.find((x) => x.coin === "BTC");
      assert.ok(a && a.kind === "open" && a.leverage === 5);
      assert.ok(d.problems.some((p) => /leverage 20 clipped to 5/.test(p)));
    },
  },
  {
    name: "missing exit plan on a buy",
    replies: [withBtc({ exit_plan: null })],
    expect: "decided",
    check: holdsBtc(/without a stop_loss/),
  },
  {
    name: "exit plan without stop_loss",
    replies: [withBtc({}, { stop_loss: null })],
    expect: "decided",
    check: holdsBtc(/without a stop_loss/),
  },
  {
    name: "stop on the wrong side",
    replies: [withBtc({}, { stop_loss: 101_000 })],
    expect: "decided",
    check: holdsBtc(/wrong side/),
  },
  {
    name: "take-profit on the wrong side",
    replies: [withBtc({}, { take_profit: 99_000 })],
    expect: "decided",
    check: holdsBtc(/take_profit .* wrong side/),
  },
  {
    name: "no take-profit: the engine holds one at twice the stop distance",
    replies: [withBtc({}, { take_profit: null })],
    expect: "decided",
    check: (d) => {
      const a = d.actions.find((x) => x.coin === "BTC");
      assert.ok(a !== undefined && a.kind === "open", "opens");
      // entry at the ask (bid 100000 + 10): 100010 + 2 x (100010 - 98000)
      assert.equal(a.exit.takeProfit, 104_030);
      assert.match(a.note ?? "", /no take_profit/);
    },
  },
  {
    name: "stop beyond the liquidation distance",
    replies: [withBtc({ leverage: 5 }, { stop_loss: 80_000 })],
    expect: "decided",
    check: holdsBtc(/liquidation distance/),
  },
  {
    name: "absurd size clipped by risk",
    replies: [withBtc({ quantity: 1000 })],
    expect: "decided",
    check: (d) => {
      const a = d.actions.find((x) => x.coin === "BTC");
      assert.ok(a && a.kind === "open");
      // 2 % of 10 000 over a 2 010 stop distance: 0.0995 BTC, lot-rounded down
      assert.equal(a.qty, 0.099);
    },
  },
  {
    name: "buy with quantity 0",
    replies: [withBtc({ quantity: 0 })],
    expect: "decided",
    check: holdsBtc(/quantity > 0/),
  },
  {
    name: "size below the minimum notional",
    replies: [withBtc({ quantity: 0.0001 })],
    expect: "decided",
    check: holdsBtc(/minimum notional/),
  },
  {
    name: "unknown symbol only",
    replies: [c(JSON.stringify({ positions: { DOGE: { ...btc(), coin: "DOGE" } } }))],
    expect: "decided",
    check: (d) => {
      assert.ok(d.actions.every((a) => a.kind === "hold" || a.coin !== "DOGE"));
      assert.ok(d.problems.some((p) => /DOGE: not one of the markets/.test(p)));
    },
  },
  {
    name: "unknown symbol beside a valid coin",
    replies: [c(JSON.stringify({ positions: { DOGE: { ...btc(), coin: "DOGE" }, BTC: btc() } }))],
    expect: "decided",
    check: opensBtc,
  },
  {
    name: "coin differs from its key",
    replies: [c(JSON.stringify({ positions: { BTC: btc({ coin: "ETH" }) } }))],
    expect: "decided",
    check: holdsBtc(/under key/),
  },
  {
    name: "seed aliases",
    replies: [
      c(
        JSON.stringify({
          positions: {
            BTC: {
              ...btc(),
              exit_plan: {
                stop_loss: 98_000,
                profit_target: 105_000,
                invalidation_condition: "price < 97000",
              },
            },
          },
          notes_for_audience: "hi",
        }),
      ),
    ],
    expect: "decided",
    check: (d) => {
      const a = d.actions.find((x) => x.coin === "BTC");
      assert.ok(a && a.kind === "open" && a.exit.takeProfit === 105_000 && a.exit.trigger?.price === 97_000);
      assert.equal(d.decision?.notes, "hi");
    },
  },
  {
    name: "close without a position",
    replies: [withBtc({ signal: "close" })],
    expect: "decided",
    check: holdsBtc(/^$/),
  },
  { name: "hold without a position", replies: [withBtc({ signal: "hold" })], expect: "decided" },
  { name: "positions as an array", replies: [c('{"positions": []}'), BAD], expect: "parse_error" },
  {
    name: "root is an array holding the decision",
    replies: [c(`[${valid}]`)],
    expect: "decided",
    check: opensBtc,
  },
  { name: "root is a JSON string", replies: [c('"hold everything"'), BAD], expect: "parse_error" },
  { name: "null", replies: [c("null"), c("null")], expect: "parse_error" },
  { name: "python dict quotes", replies: [c("{'positions': {}}"), BAD], expect: "parse_error" },
  { name: "NaN inside", replies: [c(valid.replace("0.01", "NaN")), BAD], expect: "parse_error" },
  { name: "1e999 (infinite) size", replies: [c(valid.replace("0.01", "1e999")), BAD], expect: "parse_error" },
  { name: "comments inside", replies: [c(valid.replace("{", "{ // my plan\n")), BAD], expect: "parse_error" },
  {
    name: "wrapped in another object, repaired",
    replies: [c(`{"decision": ${valid}}`), VALID],
    expect: "decided",
  },
  {
    name: "extra fields are ignored",
    replies: [withBtc({ mood: "bullish", extra: [1, 2] })],
    expect: "decided",
    check: opensBtc,
  },
  {
    name: "a non-JSON fence then the JSON fence",
    replies: [c(`\`\`\`text\nBUY\n\`\`\`\n\`\`\`json\n${valid}\n\`\`\``)],
    expect: "decided",
    check: opensBtc,
  },
  {
    name: "empty positions: hold everything",
    replies: [c('{"positions": {}}')],
    expect: "decided",
    check: (d) => assert.equal(d.actions.length, 0),
  },
  {
    name: "timeout on every attempt",
    replies: [{ stallMs: 1500 }, { stallMs: 1500 }],
    expect: "model_error",
    check: (d) => assert.match(d.error ?? "", /^timeout/),
  },
  {
    name: "timeout, then an answer",
    replies: [{ stallMs: 1500 }, VALID],
    expect: "decided",
    check: opensBtc,
  },
  { name: "429, then an answer", replies: [{ status: 429 }, VALID], expect: "decided", check: opensBtc },
  {
    name: "429 on every attempt",
    replies: [{ status: 429 }, { status: 429 }],
    expect: "model_error",
    check: (d) => assert.match(d.error ?? "", /^rate_limited/),
  },
  { name: "500, then an answer", replies: [{ status: 500 }, VALID], expect: "decided", check: opensBtc },
  {
    name: "500 on every attempt",
    replies: [{ status: 500 }, { status: 500 }],
    expect: "model_error",
    check: (d) => assert.match(d.error ?? "", /^server_error/),
  },
  {
    name: "401: not retried",
    replies: [{ status: 401 }],
    expect: "model_error",
    check: (d) => assert.match(d.error ?? "", /^http_error/),
  },
  {
    name: "a 200 that is not a completion",
    replies: [{ rawBody: "<html>upstream</html>" }],
    expect: "model_error",
    check: (d) => assert.match(d.error ?? "", /^bad_body/),
  },
  {
    name: "malformed, then the repair call times out",
    replies: [c("{"), { stallMs: 1500 }, { stallMs: 1500 }],
    expect: "model_error",
  },
];

const clientFor = (baseUrl: string) =>
  new OpenAiChatClient({
    baseUrl,
    model: "test/model",
    temperature: 0,
    topP: 1,
    maxTokens: 1000,
    timeoutMs: 250,
    maxRetries: 1,
    retryBackoffMs: 1,
    responseFormat: "json_object",
    apiKeyEnv: "NO_SUCH_KEY_VAR",
    sleep: async () => {},
  });

const LIMITS = obs.limits;
function assertWhole(d: CycleDecision): void {
  if (d.outcome !== "decided") {
    assert.deepEqual(
      d.actions.map((a) => [a.coin, a.kind]),
      [
        ["BTC", "hold"],
        ["ETH", "hold"],
      ],
    );
    return;
  }
  for (const a of d.actions) {
    assert.ok(Object.hasOwn(obs.markets, a.coin), `action on unknown coin ${a.coin}`);
    if (a.kind === "hold" || a.kind === "close") continue;
    const m = obs.markets[a.coin];
    assert.ok(a.leverage <= LIMITS.max_leverage && a.leverage >= 1);
    assert.ok(a.qty > 0 && Number.isFinite(a.qty));
    assert.ok(
      Math.abs(a.qty / m.rules.lot_size - Math.round(a.qty / m.rules.lot_size)) < 1e-6,
      "off the lot grid",
    );
    assert.ok(a.qty * (m.ask ?? 0) >= LIMITS.min_notional_usd);
    const dir = a.side === "buy" ? 1 : -1;
    assert.ok(dir * ((m.mark ?? 0) - a.exit.stopLoss) > 0, "stop on the wrong side");
    assert.ok(
      a.exit.takeProfit !== null && dir * (a.exit.takeProfit - (m.mark ?? 0)) > 0,
      "no take-profit beyond",
    );
  }
}

test(`${cases.length} recorded replies end in a validated decision or a safe hold, never half of one`, async () => {
  assert.ok(cases.length >= 50, `only ${cases.length} cases`);
  const model = clientFor(server.baseUrl);
  for (const k of cases) {
    server.push(...k.replies);
    const d = await decideCycle(obs, model, {
      systemPrompt: DEFAULT_SYSTEM_PROMPT,
      model: "test/model",
      repairRetries: 1,
      prices: {},
    });
    assert.equal(d.outcome, k.expect, `${k.name}: ${d.outcome} (${d.error})`);
    assertWhole(d);
    k.check?.(d);
    assert.equal(server.pending, 0, `${k.name}: replies left unserved`);
  }
});
