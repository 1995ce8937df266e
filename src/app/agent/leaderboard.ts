import { type VersionMetrics, versionMetrics } from "../../strategies/agent/metrics.ts";
import type { AgentJournal } from "./journal.ts";

/**
 * The leaderboard (STRATEGIES.md 4.3, 4.6): each version's figures net of LLM cost, beside two
 * baselines over the same period: flat (cash) and buy-and-hold (equal weight, 1x, from the
 * version's first cycle, on the mids its observations recorded). Ranked: versions with at least
 * `minHours` and `minTrades`, by Sharpe then net return; the rest are listed with why not.
 */
export interface LeaderboardRow {
  readonly version: string;
  readonly tag: string;
  readonly description: string;
  readonly metrics: VersionMetrics;
  readonly buyAndHoldReturn: number | null;
  readonly flatReturn: 0;
  readonly ranked: boolean;
  readonly why: string | null;
}

export async function agentLeaderboard(
  journal: AgentJournal,
  o: { minHours: number; minTrades: number },
): Promise<LeaderboardRow[]> {
  const rows: LeaderboardRow[] = [];
  for (const v of await journal.versions()) {
    const metrics = versionMetrics(await journal.equity(v.id), await journal.trades(v.id));
    const cycles = await journal.cycles({ version: v.id });
    const why =
      metrics.hours < o.minHours
        ? `${metrics.hours.toFixed(1)} h < ${o.minHours} h`
        : metrics.trades < o.minTrades
          ? `${metrics.trades} trades < ${o.minTrades}`
          : null;
    rows.push({
      version: v.id,
      tag: v.tag,
      description: v.description,
      metrics,
      buyAndHoldReturn: buyAndHold(
        cycles.map((c) =>
          Object.fromEntries(Object.entries(c.observation.markets).map(([k, m]) => [k, m.mid])),
        ),
      ),
      flatReturn: 0,
      ranked: why === null,
      why,
    });
  }
  const key = (r: LeaderboardRow) => [
    r.ranked ? 0 : 1,
    -(r.metrics.sharpe ?? -Infinity),
    -(r.metrics.returnNet ?? -Infinity),
  ];
  return rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return a.tag < b.tag ? -1 : 1;
  });
}

/** Equal-weight 1x buy-and-hold from the first cycle with every price to the last. */
export function buyAndHold(mids: readonly Record<string, number | null>[]): number | null {
  const first = mids.find((m) => Object.values(m).every((x) => x !== null && x > 0));
  const last = [...mids].reverse().find((m) => Object.values(m).every((x) => x !== null && x > 0));
  if (first === undefined || last === undefined) return null;
  const coins = Object.keys(first);
  if (coins.length === 0) return null;
  return coins.reduce((s, c) => s + (last[c] ?? 0) / first[c]! - 1, 0) / coins.length;
}

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(2)} %`);
const num = (x: number | null) => (x === null ? "n/a" : x.toFixed(2));

export function formatLeaderboard(rows: readonly LeaderboardRow[]): string {
  if (rows.length === 0) return "no agent versions recorded\n";
  const head = [
    "#",
    "version",
    "id",
    "return net",
    "gross",
    "Sharpe",
    "max DD",
    "win",
    "PF",
    "trades",
    "hours",
    "LLM $",
    "buy&hold",
    "flat",
  ];
  const lines = rows.map((r, i) => [
    r.ranked ? String(i + 1) : "-",
    r.tag,
    r.version,
    pct(r.metrics.returnNet),
    pct(r.metrics.returnGross),
    num(r.metrics.sharpe),
    pct(r.metrics.maxDrawdownPct),
    pct(r.metrics.winRate),
    num(r.metrics.profitFactor),
    String(r.metrics.trades),
    r.metrics.hours.toFixed(1),
    r.metrics.llmCostUsd.toFixed(4),
    pct(r.buyAndHoldReturn),
    pct(r.flatReturn),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const fmt = (l: string[]) =>
    l
      .map((x, c) => x.padEnd(widths[c]))
      .join("  ")
      .trimEnd();
  const notes = rows.filter((r) => !r.ranked).map((r) => `  ${r.tag} not ranked: ${r.why}`);
  return `${[fmt(head), ...lines.map(fmt), ...notes].join("\n")}\n`;
}
