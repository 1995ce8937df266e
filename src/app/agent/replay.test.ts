import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { CycleRecord } from "../../strategies/agent/state.ts";
import { AgentHarness } from "../../testing/agent-harness.ts";
import { LlmTestServer } from "../../testing/llm-server.ts";
import { AgentJournal } from "./journal.ts";
import { agentLeaderboard, buyAndHold, formatLeaderboard } from "./leaderboard.ts";
import { replayAgent } from "./replay.ts";

let server: LlmTestServer;
before(async () => {
  server = await LlmTestServer.start();
});
after(() => server.close());

const eth = (signal: string, qty: number, sl: number, tp: number) =>
  JSON.stringify({
    positions: {
      ETH: {
        coin: "ETH",
        signal,
        quantity: qty,
        leverage: 2,
        exit_plan: { stop_loss: sl, take_profit: tp, invalidation: "" },
        justification: signal,
      },
    },
  });

test("replay of a recorded period from the stored replies is byte-identical to the decision log; the leaderboard reads the same records", async () => {
  const h = await AgentHarness.start({
    server,
    agent: { request_timeout_s: 0.5, llm_prices: { "test/model": { input_per_1m: 1, output_per_1m: 2 } } },
  });
  try {
    server.push(
      { content: `Sure!\n\`\`\`json\n${eth("buy", 1, 3400, 3700)}\n\`\`\`` },
      { content: eth("buy", 2, 3400, 3700).slice(0, 50) },
      { content: eth("buy", 2, 3420, 3700) },
      { status: 500 },
      { content: eth("hold", 0, 3450, 3700) },
      { stallMs: 2_000 },
      { content: "no json" },
      { content: "still none" },
      { content: eth("close", 0, 3400, 3700) },
    );
    const seqDone = async (n: number) =>
      (JSON.parse((await h.store.kv.get(`ag.cycle:${n}`)) ?? "{}") as CycleRecord).phase === "done";
    for (let i = 1; i <= 7; i++) {
      if (i === 3) h.price.eth = 3520;
      await h.until(() => seqDone(i), 180_000, `cycle ${i}`);
    }
    const journal = new AgentJournal(h.store, "ag");
    const cycles = await journal.cycles();
    assert.deepEqual(
      cycles.map((c) => c.decision?.outcome),
      ["decided", "decided", "model_error", "decided", "model_error", "parse_error", "decided"],
    );
    assert.equal(cycles[1].decision?.repairs, 1);
    const v = h.agent.version!;
    const r = await replayAgent(journal, { version: v.tag, from: cycles[0].ts, to: cycles[6].ts });
    assert.equal(r.cycles, 7);
    assert.deepEqual(r.mismatches, []);
    assert.equal(r.log.join("\n"), cycles.map((c) => c.logLine).join("\n"));
    const part = await replayAgent(journal, { version: v.id, from: cycles[2].ts, to: cycles[4].ts });
    assert.equal(part.cycles, 3);
    // a tampered stored reply is caught
    const tampered = structuredClone(cycles[0]);
    const replies = [...tampered.decision!.replies];
    replies[0] = { ...replies[0], content: eth("buy", 1.5, 3400, 3700) };
    tampered.decision = { ...tampered.decision!, replies };
    await h.store.kv.put("ag.cycle:1", JSON.stringify(tampered));
    const bad = await replayAgent(journal, { version: v.id });
    assert.deepEqual(
      bad.mismatches.map((m) => m.cycle),
      [1],
    );
    await assert.rejects(replayAgent(journal, { version: "v9" }), /no version "v9" \(known: v-test /);

    const rows = await agentLeaderboard(journal, { minHours: 24, minTrades: 20 });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].ranked, false);
    assert.match(rows[0].why ?? "", /h < 24 h/);
    assert.equal(rows[0].metrics.trades, 1);
    assert.ok(rows[0].metrics.llmCostUsd > 0, "priced calls count");
    // ETH 3500 → 3520, BTC flat, equal weight
    assert.ok(Math.abs(rows[0].buyAndHoldReturn! - (3520 / 3500 - 1) / 2) < 1e-4);
    assert.match(formatLeaderboard(rows), /v-test .* not ranked/s);
  } finally {
    await h.stop();
    h.remove();
  }
});

test("buy-and-hold: equal weight from the first full set of prices to the last", () => {
  assert.equal(
    buyAndHold([
      { A: null, B: 10 },
      { A: 100, B: 10 },
      { A: 110, B: 12 },
    ]),
    (0.1 + 0.2) / 2,
  );
  assert.equal(buyAndHold([]), null);
});
