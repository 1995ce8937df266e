// The dashboard's analysis panels: PnL attribution, strategies (with pause / resume), funding
// rates across venues, the opportunity scanners and the agent leaderboard. Each reads one API
// endpoint; app.js calls render() on every refresh and passes its confirmation step.
import { cell, el, fillTable, time } from "/web/render.js";

const $ = (id) => document.getElementById(id);

function renderPnl(a) {
  fillTable(
    $("pnl"),
    [
      ["part", (r) => r.part],
      ["USD", (r) => cell.money(r.usd)],
    ],
    [
      { part: "price, realised", usd: a.realisedPriceUsd, __id: "realised" },
      { part: "price, unrealised", usd: a.unrealisedPriceUsd, __id: "unrealised" },
      { part: "funding", usd: a.fundingUsd, __id: "funding" },
      { part: "fees", usd: -Number(a.feesUsd), __id: "fees" },
      { part: "LLM cost", usd: -a.llmCostUsd, __id: "llm" },
      { part: "net", usd: a.netUsd, __id: "net" },
    ],
  );
}

function renderStrategies(instances, ask) {
  fillTable(
    $("strategies"),
    [
      ["instance", (i) => i.strategy],
      ["active", (i) => cell.num(String(i.active.length), i.active.length)],
      ["groups", (i) => cell.num(String(i.totals.groups), i.totals.groups)],
      ["net PnL", (i) => cell.money(i.totals.netPnlUsd)],
      ["state", (i) => (i.paused ? { text: "paused", class: "warn" } : "trading")],
      ["", () => ({ text: "", class: "act" })],
    ],
    instances.map((i) => ({ ...i, __id: i.strategy })),
  );
  for (const tr of $("strategies").querySelectorAll("tbody tr[data-id]")) {
    const i = instances.find((x) => x.strategy === tr.dataset.id);
    const verb = i?.paused ? "resume" : "pause";
    tr.querySelector("td.act")?.append(
      el(
        "button",
        {
          type: "button",
          "data-strategy-action": verb,
          onclick: () =>
            ask(
              `${verb} strategy ${i.strategy}`,
              `/api/control/strategies/${encodeURIComponent(i.strategy)}/${verb}`,
            ),
        },
        verb,
      ),
    );
  }
}

/** every instrument's funding rate (bps per hour), mark and book age, as the runner's streams hold them */
function renderRates(m) {
  fillTable(
    $("rates"),
    [
      ["venue", (r) => r.venue],
      ["symbol", (r) => r.symbol],
      ["mark", (r) => cell.num(r.markPrice === null ? "–" : String(r.markPrice), r.markPrice ?? "")],
      ["funding bps/h", (r) => cell.num((r.fundingRatePerHour * 1e4).toFixed(3), r.fundingRatePerHour)],
      [
        "book age",
        (r) =>
          cell.num(r.bookAgeMs === null ? "–" : `${(r.bookAgeMs / 1000).toFixed(1)}s`, r.bookAgeMs ?? ""),
      ],
    ],
    [...m.markets]
      .sort((x, y) => (x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : x.venue < y.venue ? -1 : 1))
      .map((r) => ({ ...r, __id: `${r.venue}:${r.symbol}` })),
  );
}

function renderOpportunities(o) {
  const rows = [];
  for (const s of o.scanners) {
    if (s.kind === "carry")
      for (const x of s.opportunities?.list ?? [])
        rows.push({
          __id: `${s.instance}/${x.base}/${x.long}>${x.short}`,
          instance: s.instance,
          what: `${x.base} long ${x.long} short ${x.short}`,
          netBps: x.netBps,
          why: x.rejections.length === 0 ? "passes" : x.rejections.join(", "),
        });
    else
      for (const [pair, edge] of Object.entries(s.edgeBps ?? {}))
        rows.push({
          __id: `${s.instance}/${pair}`,
          instance: s.instance,
          what: pair,
          netBps: edge,
          why: `best ${(s.bestEdgeBps?.[pair] ?? Number.NaN).toFixed(1)}`,
        });
  }
  rows.sort((a, b) => b.netBps - a.netBps);
  $("opps-age").textContent = o.ts ? `as of ${time(o.ts)}${o.stale ? " (stale)" : ""}` : "";
  fillTable(
    $("opportunities"),
    [
      ["instance", (r) => r.instance],
      ["opportunity", (r) => r.what],
      ["net bps", (r) => cell.num(r.netBps.toFixed(1), r.netBps)],
      ["gates", (r) => r.why],
    ],
    rows.slice(0, 30),
  );
}

function renderLeaderboard(rows) {
  fillTable(
    $("leaderboard"),
    [
      ["version", (r) => r.tag],
      ["ranked", (r) => (r.ranked ? "yes" : r.why)],
      ["return (net)", (r) => cell.num(pctOf(r.metrics.returnNet), r.metrics.returnNet)],
      ["Sharpe", (r) => cell.num(r.metrics.sharpe?.toFixed(2) ?? "–", r.metrics.sharpe)],
      ["buy & hold", (r) => cell.num(pctOf(r.buyAndHoldReturn), r.buyAndHoldReturn)],
    ],
    rows.map((r) => ({ ...r, __id: r.version })),
  );
}

const pctOf = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(2)}%`);

/** Reads and renders every panel; `get` is app.js's authorised fetch, `ask` its confirmation. */
export async function renderInsight(get, ask) {
  const [pnl, strategies, markets, opps, board] = await Promise.all([
    get("/api/pnl"),
    get("/api/strategies"),
    get("/api/markets"),
    get("/api/opportunities"),
    get("/api/agent/leaderboard").catch(() => []),
  ]);
  renderPnl(pnl);
  renderStrategies(strategies, ask);
  renderRates(markets);
  renderOpportunities(opps);
  renderLeaderboard(board);
}
