import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { agentConfig } from "../../strategies/agent/config.ts";
import { LlmTestServer } from "../../testing/llm-server.ts";
import { runAgentBacktest } from "./backtest.ts";
import { formatAgentBacktestReport } from "./backtest-report.ts";

/** `perpbot backtest agent` (issue 17, 6): synthetic and recorded data, served replies and an endpoint. */
let server: LlmTestServer;
before(async () => {
  server = await LlmTestServer.start();
});
after(() => server.close());

const priced = { "test/model": { input_per_1m: 1, output_per_1m: 2 } };

test("7-day paper backtest: the journal walk finds a stop and a take-profit held for every open position at every instant", async () => {
  const r = await runAgentBacktest({
    agent: agentConfig({ model: "test/model", cycle_interval_s: 600, llm_prices: priced }),
    data: { kind: "synthetic", days: 7, seed: 7, stepMs: 15_000 },
    // every 9th reply is cut in half: the repair request gets a whole one
    replies: { kind: "scripted", options: { everyNthMalformed: 9 } },
  });
  assert.equal(r.cycles, 7 * 24 * 6);
  assert.equal(r.outcomes.decided, r.cycles, "each broken reply was repaired");
  assert.ok(r.llm.calls > r.cycles, "repair requests were made");
  const w = r.exitWalk;
  assert.ok(w.positionsOpened >= 200, `${w.positionsOpened} positions`);
  assert.ok(w.openMs > 24 * 3_600_000, `${w.openMs} ms with a position open`);
  assert.equal(w.fills, 2 * w.positionsOpened, "each position opened and closed in one fill each");
  assert.deepEqual(w.violations, []);
  assert.ok((r.exitsByReason.stop_loss ?? 0) > 50 && (r.exitsByReason.take_profit ?? 0) > 50);
  assert.equal(r.metrics.trades, w.positionsOpened);
  assert.ok(
    r.metrics.sharpe !== null && r.metrics.maxDrawdownPct !== null && r.metrics.profitFactor !== null,
  );
  assert.ok(r.llm.usd > 0 && r.llm.unpricedCalls === 0);
  // the price table by hand: $1 per 1M prompt tokens, $2 per 1M completion tokens
  assert.ok(Math.abs(r.llm.usd - (r.llm.promptTokens + 2 * r.llm.completionTokens) / 1e6) < 1e-9);
  assert.ok(Math.abs(r.returnAccountNet - (r.equityEndUsd - r.llm.usd - 10_000) / 10_000) < 1e-12);
  assert.match(formatAgentBacktestReport(r), /held at every instant/);
});

test("synthetic backtests are deterministic per seed and differ across seeds", async () => {
  const run = (seed: number) =>
    runAgentBacktest({
      agent: agentConfig({ model: "test/model", cycle_interval_s: 120, llm_prices: priced }),
      data: { kind: "synthetic", days: 0.15, seed },
      replies: { kind: "scripted" },
    });
  const a = await run(3);
  const b = await run(3);
  const c = await run(4);
  assert.ok(a.metrics.trades > 0);
  // the version id hashes the config, whose base_url is the loopback server's port of each run
  const same = (r: typeof a) => ({ ...r, version: r.version?.tag });
  assert.deepEqual(same(a), same(b));
  assert.notDeepEqual(a.equityEndUsd, c.equityEndUsd);
});

test("a replies file is served in order (errors and garbage included), then holds", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-agent-replies-"));
  try {
    const path = join(dir, "replies.jsonl");
    const buy = JSON.stringify({
      positions: {
        ETH: {
          coin: "ETH",
          signal: "buy",
          quantity: 0.5,
          leverage: 2,
          exit_plan: { stop_loss: 3300, take_profit: 3800, invalidation: "" },
          justification: "file",
        },
      },
    });
    writeFileSync(
      path,
      [
        "# one reply a line",
        JSON.stringify(buy),
        '{"status": 400}',
        '{"content": "no json here"}',
        "",
        JSON.stringify(`\`\`\`json\n{"positions": {}}\n\`\`\``),
      ].join("\n"),
    );
    const r = await runAgentBacktest({
      agent: agentConfig({ model: "test/model", markets: ["ETH"], cycle_interval_s: 600, repair_retries: 0 }),
      data: { kind: "synthetic", days: 0.05, seed: 1 },
      replies: { kind: "file", path },
    });
    // 72 min of 10-min cycles: 7 cycles; buy, a 400 (model_error), prose (parse_error), hold, then holds
    assert.equal(r.cycles, 7);
    assert.deepEqual(r.outcomes, { decided: 5, model_error: 1, parse_error: 1 });
    assert.equal(r.exitWalk.positionsOpened, 1);
    assert.deepEqual(r.exitWalk.violations, []);
    writeFileSync(path, "not json\n");
    await assert.rejects(
      runAgentBacktest({
        agent: agentConfig({ markets: ["ETH"] }),
        data: { kind: "synthetic", days: 0.01, seed: 1 },
        replies: { kind: "file", path },
      }),
      /replies\.jsonl, line 1: not JSON/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ../shared/data beside the checkout, or PERPBOT_SHARED_DATA (a worktree has none beside it)
const data =
  process.env.PERPBOT_SHARED_DATA ?? join(import.meta.dirname, "..", "..", "..", "..", "shared", "data");
const recorded = existsSync(join(data, "usdm-btcusdt_20240808.gz"));
test("recorded Binance USD-M books with a live endpoint (the local server): the agent trades the recording's markets", {
  skip: recorded ? false : `no usdm-* recordings in ${data} (set PERPBOT_SHARED_DATA): skipped`,
}, async () => {
  const buy = JSON.stringify({
    positions: {
      BTC: {
        coin: "BTC",
        signal: "buy",
        quantity: 0.01,
        leverage: 2,
        exit_plan: { stop_loss: 55_000, take_profit: 70_000, invalidation: "" },
        justification: "recorded",
      },
    },
  });
  server.push({ content: buy, promptTokens: 5_000, completionTokens: 50, cost: 0.001 });
  server.fallback = { content: '{"positions": {}}', cost: 0.001 };
  const asked = server.requests.length;
  try {
    const r = await runAgentBacktest({
      agent: agentConfig({ model: "test/model", cycle_interval_s: 60, request_timeout_s: 5 }),
      data: { kind: "recorded", dir: data! },
      replies: { kind: "endpoint", baseUrl: server.baseUrl },
      apiKey: "sk-recorded-test",
    });
    assert.deepEqual(r.markets, ["BTC", "ETH"]);
    assert.ok(r.cycles >= 4 && r.cycles <= 6, `${r.cycles} cycles over the 6-minute recording`);
    assert.equal(server.requests.length - asked, r.cycles);
    assert.equal(server.requests[asked].authorization, "Bearer sk-recorded-test");
    assert.ok(Math.abs(r.llm.usd - 0.001 * r.cycles) < 1e-12, "the provider's cost per call");
    assert.equal(r.exitWalk.positionsOpened, 1);
    assert.deepEqual(r.exitWalk.violations, []);
    assert.equal(r.exitsByReason.shutdown, 1);
    assert.ok(r.buyAndHoldReturn !== null);
  } finally {
    server.fallback = undefined;
  }
});
