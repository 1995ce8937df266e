import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "../../store/store.ts";
import type { EquityPoint } from "../../strategies/agent/state.ts";
import type { ClosedTrade } from "../../strategies/agent/types.ts";
import { AgentJournal } from "./journal.ts";
import { agentLeaderboard, formatLeaderboard } from "./leaderboard.ts";

/**
 * The leaderboard read from a store holding fixed records (issue 17: figures against hand
 * computations on a fixed equity series): two ranked versions and one too short to rank.
 */
const H = 3_600_000;
const near = (a: number | null, b: number, what: string) =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

const trade = (version: string, netUsd: number): ClosedTrade => ({
  coin: "ETH",
  side: "long",
  qty: 1,
  entry: 100,
  exit: 100 + netUsd,
  netUsd,
  feesUsd: 0,
  openedAt: 0,
  closedAt: H,
  entryReason: "entry",
  exitReason: netUsd > 0 ? "take_profit" : "stop_loss",
  version,
});

test("leaderboard: return net of LLM cost, Sharpe, drawdown, win rate, profit factor and buy-and-hold, by hand", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-leaderboard-"));
  const store = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
  try {
    const put = (k: string, v: unknown) => store.kv.put(`ag.${k}`, JSON.stringify(v), 0);
    const version = (id: string, tag: string) => ({
      id,
      tag,
      description: `${tag} desc`,
      snapshot: {},
      createdAt: 0,
    });
    await put("versions", [version("aaa", "v1"), version("bbb", "v2"), version("ccc", "v3")]);
    // v1: 50 hourly points, returns alternate +1 % / -0.5 % from 10,000; LLM $1 an hour
    const v1: EquityPoint[] = [[0, 10_000, 0]];
    for (let i = 1; i < 50; i++) v1.push([i * H, v1[i - 1][1] * (i % 2 === 1 ? 1.01 : 0.995), i]);
    // v2: 50 hourly points rising $10 an hour but for one dip of $300 at hour 20; no LLM cost
    const v2: EquityPoint[] = Array.from({ length: 50 }, (_, i) => [
      i * H,
      10_000 + 10 * i - (i === 20 ? 300 : 0),
      0,
    ]);
    // v3: 3 hours only
    const v3: EquityPoint[] = [0, 1, 2, 3].map((i) => [i * H, 10_000 + i, 0]);
    await put("equity:aaa", v1);
    await put("equity:bbb", v2);
    await put("equity:ccc", v3);
    await put(
      "trades:aaa",
      [30, -10, 20, -20, 0].map((x) => trade("aaa", x)),
    );
    await put(
      "trades:bbb",
      [40, 40, -10].map((x) => trade("bbb", x)),
    );
    await put(
      "trades:ccc",
      [5].map((x) => trade("ccc", x)),
    );
    // cycles with the mids buy-and-hold reads: ETH 100 -> 110, BTC 1000 -> 950 (v1 and v2 alike)
    const cycles = [
      { seq: 1, version: "aaa", mids: { ETH: 100, BTC: 1000 } },
      { seq: 2, version: "aaa", mids: { ETH: 105, BTC: null } },
      { seq: 3, version: "aaa", mids: { ETH: 110, BTC: 950 } },
      { seq: 4, version: "bbb", mids: { ETH: 200, BTC: 2000 } },
      { seq: 5, version: "bbb", mids: { ETH: 220, BTC: 2200 } },
    ];
    for (const c of cycles)
      await put(`cycle:${c.seq}`, {
        seq: c.seq,
        ts: c.seq * H,
        version: c.version,
        phase: "done",
        observation: { markets: Object.fromEntries(Object.entries(c.mids).map(([k, mid]) => [k, { mid }])) },
      });
    await put("meta", { seq: cycles.length });
    const rows = await agentLeaderboard(new AgentJournal(store, "ag"), { minHours: 24, minTrades: 3 });
    assert.deepEqual(
      rows.map((r) => [r.tag, r.ranked, r.why]),
      [
        ["v1", true, null],
        ["v2", true, null],
        ["v3", false, "3.0 h < 24 h"],
      ],
    );
    const [r1, r2] = rows;
    // v1 by hand: 25 returns of +1 %, 24 of -0.5 % on the gross series; the net one subtracts $i
    const e49 = 10_000 * 1.01 ** 25 * 0.995 ** 24;
    near(r1.metrics.returnGross, e49 / 10_000 - 1, "v1 gross");
    near(r1.metrics.returnNet, (e49 - 49 - 10_000) / 10_000, "v1 net");
    const net = v1.map((p) => p[1] - p[2]);
    const rets = net.slice(1).map((x, i) => x / net[i] - 1);
    const mean = rets.reduce((s, x) => s + x, 0) / 49;
    const sd = Math.sqrt(rets.reduce((s, x) => s + (x - mean) ** 2, 0) / 48);
    near(r1.metrics.sharpe, (mean / sd) * Math.sqrt(8760), "v1 Sharpe");
    near(r1.metrics.winRate, 2 / 5, "v1 win rate");
    near(r1.metrics.profitFactor, 50 / 30, "v1 profit factor");
    near(r1.metrics.llmCostUsd, 49, "v1 LLM $");
    // v1's worst fall of the net series: from the peak before an odd-to-even step, by hand
    let peak = net[0];
    let dd = 0;
    for (const x of net) {
      peak = Math.max(peak, x);
      dd = Math.max(dd, (peak - x) / peak);
    }
    near(r1.metrics.maxDrawdownPct, dd, "v1 drawdown");
    // v2: +490 over 49 h, a dip from 10,190 to 9,900 at hour 20
    near(r2.metrics.returnNet, 490 / 10_000, "v2 return");
    near(r2.metrics.maxDrawdownPct, (10_190 - 9_900) / 10_190, "v2 drawdown");
    near(r2.metrics.winRate, 2 / 3, "v2 win rate");
    near(r2.metrics.profitFactor, 8, "v2 profit factor");
    assert.ok(r1.metrics.sharpe! > r2.metrics.sharpe!, "ranked by Sharpe");
    // buy-and-hold: equal weight from the first cycle with every price to the last
    near(r1.buyAndHoldReturn, (110 / 100 - 1 + 950 / 1000 - 1) / 2, "v1 buy-and-hold");
    near(r2.buyAndHoldReturn, 0.1, "v2 buy-and-hold");
    assert.equal(r1.flatReturn, 0);
    const table = formatLeaderboard(rows);
    assert.match(table, /^1\s+v1\s+aaa\s/m);
    assert.match(table, /^2\s+v2\s+bbb\s+4\.90 %/m);
    assert.match(table, /v3 not ranked: 3\.0 h < 24 h/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
