import { countActiveGroups, listGroups } from "../../app/service/groups.ts";
import { readLiveSnapshot } from "../../app/service/live.ts";
import { agentInstanceNames, dailyPnl, pnlAttribution } from "../../app/service/pnl.ts";
import { loadStatusReport } from "../../app/service/status.ts";
import type { ApiContext } from "../context.ts";

/**
 * The read commands' answers (plain text, one message each), every figure from app/service:
 * the same the API's /api/status, /api/positions, /api/groups, /api/pnl and /api/pnl/daily show.
 * Money is shown as `usd()` formats it, so a test can format the service's numbers the same way.
 */

export const HELP = [
  "perpbot commands:",
  "/status – trading state, runner, open groups, equity, PnL",
  "/balance – equity per venue and wallet",
  "/positions – open positions with liquidation distance",
  "/groups – active hedge groups",
  "/pnl – PnL attribution: price, funding, fees, LLM cost",
  "/daily [days] – PnL per UTC day (default 7)",
  "/close <group|all> – close one group (id or prefix) or every group*",
  "/flatten – close every group and position*",
  "/halt – kill switch: refuse every new order*",
  "/resume – trade normally again*",
  "/stop – stop perpbot run cleanly (positions kept)*",
  "/help – this list",
  "* asks for confirmation first",
].join("\n");

/** "$1,234.56" / "-$0.10": two decimals, as the dashboard shows money. */
export function usd(v: string | number): string {
  const x = Number(v);
  const abs = Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${x < 0 && abs !== "0.00" ? "-" : ""}$${abs}`;
}

const pct = (d: number | null | undefined) =>
  d === null || d === undefined ? "–" : `${(d * 100).toFixed(1)}%`;

export async function statusText(ctx: ApiContext): Promise<string> {
  const now = ctx.now();
  const r = await loadStatusReport(ctx.store, { now, recent: 0 });
  const live = await readLiveSnapshot(ctx.store, now);
  const t = r.totals;
  return [
    `state: ${r.tradingState}`,
    `runner: ${r.runner.running ? `running (pid ${r.runner.pid})` : "not running"}`,
    `open groups: ${r.active.length}`,
    `equity: ${live === undefined ? "– (no live snapshot)" : `${usd(live.equityUsd)}${live.stale ? " (stale)" : ""}`}`,
    `net PnL: ${usd(t.netPnlUsd)} (realised ${usd(t.realisedPnlUsd)}, funding ${usd(t.fundingUsd)}, fees ${usd(t.feesUsd)})`,
    `volume: ${usd(t.volumeUsd)}, fills: ${t.fills}`,
    `open requests: ${r.openRequests}`,
  ].join("\n");
}

export async function balanceText(ctx: ApiContext): Promise<string> {
  const live = await readLiveSnapshot(ctx.store, ctx.now());
  if (live === undefined) return "no live snapshot yet: is perpbot run running?";
  const lines = live.accounts.map(
    (a) => `${a.venue}/${a.wallet}: equity ${usd(a.equityUsd)}, available ${usd(a.availableUsd)}`,
  );
  return [...lines, `total equity: ${usd(live.equityUsd)}${live.stale ? " (stale)" : ""}`].join("\n");
}

export async function positionsText(ctx: ApiContext): Promise<string> {
  const live = await readLiveSnapshot(ctx.store, ctx.now());
  if (live === undefined) return "no live snapshot yet: is perpbot run running?";
  if (live.positions.length === 0) return "no open positions";
  return live.positions
    .map(
      (p) =>
        `${p.venue}/${p.wallet} ${p.symbol} ${p.size >= 0 ? "long" : "short"} ${Math.abs(p.size)} @ ${p.entryPrice} mark ${p.markPrice} uPnL ${usd(p.unrealisedPnlUsd)} liq ${pct(p.liquidationDistance)}`,
    )
    .join("\n");
}

export async function groupsText(ctx: ApiContext): Promise<string> {
  const groups = await listGroups(ctx.store, { activeOnly: true });
  if (groups.length === 0) return "no active groups";
  const live = await readLiveSnapshot(ctx.store, ctx.now());
  const byId = new Map((live?.groups ?? []).map((g) => [g.id, g]));
  const lines = groups.map((g) => {
    const venues = [...new Set(g.legs.map((l) => l.venue))].join("/");
    const symbols = [...new Set(g.legs.map((l) => l.symbol))].join("/");
    return `${g.groupId} [${g.strategy}] ${g.status} ${venues} ${symbols} liq ${pct(byId.get(g.groupId)?.minLiquidationDistance)}`;
  });
  return [`${await countActiveGroups(ctx.store)} active group(s):`, ...lines].join("\n");
}

export async function pnlText(ctx: ApiContext): Promise<string> {
  const now = ctx.now();
  const a = await pnlAttribution(ctx.store, { now, agents: agentInstanceNames(ctx.config) });
  const r = await loadStatusReport(ctx.store, { now, recent: 0 });
  return [
    `net: ${usd(a.netUsd)}`,
    `price realised: ${usd(a.realisedPriceUsd)}`,
    `price unrealised: ${usd(a.unrealisedPriceUsd)}`,
    `funding: ${usd(a.fundingUsd)}`,
    `fees: ${usd(-Number(a.feesUsd))}`,
    `LLM cost: ${usd(-a.llmCostUsd)}`,
    ...r.instances.map((i) => `[${i.strategy}] ${i.totals.groups} group(s), net ${usd(i.totals.netPnlUsd)}`),
  ].join("\n");
}

export async function dailyText(ctx: ApiContext, days: number): Promise<string> {
  const rows = await dailyPnl(ctx.store, { now: ctx.now(), days });
  return [
    `PnL per UTC day (realised + funding - fees), last ${days}:`,
    ...rows.map((d) => `${d.day}: ${usd(d.netUsd)} (${d.fills} fills, fees ${usd(d.feesUsd)})`),
  ].join("\n");
}
