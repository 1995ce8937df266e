import type { Store } from "../../store/store.ts";
import { type VersionMetrics, versionMetrics } from "../../strategies/agent/metrics.ts";
import { type ExitWalk, readExitJournal, walkExits } from "./exit-walk.ts";
import { AgentJournal } from "./journal.ts";
import { buyAndHold } from "./leaderboard.ts";

/**
 * The agent backtest's report, from the records the run left in its store: the version's
 * figures (the leaderboard's, net of LLM cost), the two baselines over the same period, the
 * cycles by outcome, the LLM calls and their cost, the exits by reason, and the journal walk
 * (every open position held a stop and a take-profit at every instant).
 */
export interface AgentBacktestReport {
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly data: string;
  readonly model: string;
  readonly markets: readonly string[];
  readonly version: { readonly id: string; readonly tag: string } | null;
  readonly cycles: number;
  readonly outcomes: Record<string, number>;
  readonly llm: {
    readonly calls: number;
    readonly promptTokens: number;
    readonly completionTokens: number;
    readonly usd: number;
    readonly unpricedCalls: number;
  };
  readonly metrics: VersionMetrics;
  /** the account's equity change to the end (after the shutdown closes), before LLM cost */
  readonly equityStartUsd: number;
  readonly equityEndUsd: number;
  readonly returnAccount: number;
  readonly returnAccountNet: number;
  readonly buyAndHoldReturn: number | null;
  readonly flatReturn: 0;
  /** `manual`: a fill the agent did not order (the engine's kill switch flattening, an operator) */
  readonly exitsByReason: Record<string, number>;
  readonly alerts: Readonly<Record<string, { count: number; first: string; message: string }>>;
  readonly exitWalk: ExitWalk;
}

export async function agentBacktestReport(
  store: Store,
  o: {
    instance: string;
    venue: string;
    account: string;
    start: number;
    end: number;
    equity0: number;
    equityEnd: number;
    data: string;
    model: string;
    markets: readonly string[];
    alerts: Readonly<Record<string, { count: number; first: string; message: string }>>;
  },
): Promise<AgentBacktestReport> {
  const journal = new AgentJournal(store, o.instance);
  const version = (await journal.versions())[0] ?? null;
  const cycles = await journal.cycles();
  const trades = version === null ? [] : await journal.trades(version.id);
  const equity = version === null ? [] : await journal.equity(version.id);
  const outcomes: Record<string, number> = {};
  const llm = { calls: 0, promptTokens: 0, completionTokens: 0, usd: 0, unpricedCalls: 0 };
  for (const c of cycles) {
    const d = c.decision;
    const k = d?.outcome ?? c.phase;
    outcomes[k] = (outcomes[k] ?? 0) + 1;
    if (d === null) continue;
    llm.calls += d.cost.calls;
    llm.promptTokens += d.cost.promptTokens;
    llm.completionTokens += d.cost.completionTokens;
    llm.usd += d.cost.usd;
    llm.unpricedCalls += d.cost.unpriced;
  }
  const exitsByReason: Record<string, number> = {};
  for (const t of trades) exitsByReason[t.exitReason] = (exitsByReason[t.exitReason] ?? 0) + 1;
  const j = await readExitJournal(store, o);
  const returnAccount = (o.equityEnd - o.equity0) / o.equity0;
  return {
    from: new Date(o.start).toISOString(),
    to: new Date(o.end).toISOString(),
    days: (o.end - o.start) / 86_400_000,
    data: o.data,
    model: o.model,
    markets: o.markets,
    version: version === null ? null : { id: version.id, tag: version.tag },
    cycles: cycles.length,
    outcomes,
    llm,
    metrics: versionMetrics(equity, trades),
    equityStartUsd: o.equity0,
    equityEndUsd: o.equityEnd,
    returnAccount,
    returnAccountNet: (o.equityEnd - llm.usd - o.equity0) / o.equity0,
    buyAndHoldReturn: buyAndHold(
      cycles.map((c) =>
        Object.fromEntries(Object.entries(c.observation.markets).map(([k, m]) => [k, m.mid])),
      ),
    ),
    flatReturn: 0,
    exitsByReason,
    alerts: o.alerts,
    exitWalk: walkExits(j.fills, j.exits, o.end),
  };
}

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(2)} %`);
const num = (x: number | null, d = 2) => (x === null ? "n/a" : x.toFixed(d));
const kv = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${v}`)
    .join(", ") || "none";

export function formatAgentBacktestReport(r: AgentBacktestReport): string {
  const m = r.metrics;
  const w = r.exitWalk;
  return [
    `agent backtest: ${r.from} to ${r.to} (${r.days.toFixed(2)} days), markets ${r.markets.join(", ")}`,
    `data:  ${r.data}`,
    `model: ${r.model}`,
    `version: ${r.version === null ? "none" : `${r.version.tag} (${r.version.id})`}`,
    `cycles: ${r.cycles} (${kv(r.outcomes)})`,
    `LLM: ${r.llm.calls} calls, ${r.llm.promptTokens} prompt + ${r.llm.completionTokens} completion tokens, $${r.llm.usd.toFixed(4)}${r.llm.unpricedCalls > 0 ? ` (+${r.llm.unpricedCalls} unpriced calls: add the model to llm_prices)` : ""}`,
    "",
    `return (equity points, net of LLM)  ${pct(m.returnNet)}   gross ${pct(m.returnGross)}`,
    `return (account, after shutdown)    ${pct(r.returnAccountNet)}   gross ${pct(r.returnAccount)}   ($${r.equityStartUsd.toFixed(2)} -> $${r.equityEndUsd.toFixed(2)})`,
    `buy-and-hold ${pct(r.buyAndHoldReturn)}   flat ${pct(r.flatReturn)}`,
    `Sharpe (hourly, annualised) ${num(m.sharpe)}   max drawdown ${pct(m.maxDrawdownPct)}`,
    `trades ${m.trades}   win rate ${pct(m.winRate)}   profit factor ${num(m.profitFactor)}`,
    `exits: ${kv(r.exitsByReason)}`,
    `alerts: ${
      Object.entries(r.alerts)
        .map(([k, a]) => `${k} x${a.count} (first ${a.first}: ${a.message})`)
        .join("; ") || "none"
    }`,
    `exit walk: ${w.positionsOpened} positions over ${(w.openMs / 3_600_000).toFixed(1)} h, ${w.fills} fills, ${w.exitChanges} exit changes: ${w.violations.length === 0 ? "a stop and a take-profit held at every instant" : `${w.violations.length} gaps, first at ${new Date(w.violations[0].ts).toISOString()} on ${w.violations[0].symbol}: ${w.violations[0].problem}`}`,
    "",
  ].join("\n");
}
