// The dashboard: reads the API (GET /api/...), follows GET /api/events for live status, and sends
// control requests with the token kept in this browser's localStorage. No build step.
import { createChart, LineSeries } from "/vendor/lightweight-charts.mjs";
import { renderInsight } from "/web/insight.js";
import { cell, duration, el, fillTable, money, price, time } from "/web/render.js";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "perpbot.token";

async function get(path) {
  const r = await fetch(path, { headers: authHeaders() });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function authHeaders() {
  const t = localStorage.getItem(TOKEN_KEY);
  return t ? { authorization: `Bearer ${t}` } : {};
}

// ---- status (cards, header) -------------------------------------------------------------------

function renderStatus(s) {
  $("state").textContent = s.tradingState;
  $("state").className = `badge ${s.tradingState}`;
  $("runner").textContent = s.runner.running ? `runner pid ${s.runner.pid}` : "no runner";
  const live = s.live;
  setCard("equity", live ? money(live.equityUsd) : "–", live?.equityUsd);
  setCard("net-pnl", money(s.totals.netPnlUsd), s.totals.netPnlUsd);
  setCard("realised", money(s.totals.realisedPnlUsd), s.totals.realisedPnlUsd);
  setCard("funding", money(s.totals.fundingUsd), s.totals.fundingUsd);
  setCard("fees", money(s.totals.feesUsd), s.totals.feesUsd);
  setCard("volume", money(s.totals.volumeUsd), s.totals.volumeUsd);
  setCard("open-groups", String(s.active.length), s.active.length);
  setCard("alerts-open", String(s.alerts.unacknowledged), s.alerts.unacknowledged);
  $("positions-age").textContent = live
    ? `as of ${time(live.ts)}${live.stale ? " (stale: runner not writing)" : ""}`
    : "no runner has written positions yet";
}

function setCard(id, text, value) {
  $(id).textContent = text;
  $(id).dataset.value = value === undefined || value === null ? "" : String(value);
}

// ---- tables -----------------------------------------------------------------------------------

function renderGroups(groups, now) {
  const active = groups.filter((g) => g.status !== "closed" && g.status !== "failed");
  $("groups-count").textContent = `${active.length} active, ${groups.length} shown`;
  const rows = groups.map((g) => ({ ...g, __id: g.groupId }));
  fillTable(
    $("groups"),
    [
      ["group", (g) => g.groupId],
      ["strategy", (g) => g.strategy],
      ["status", (g) => g.status],
      ["legs", (g) => cell.num(String(g.legs.length), g.legs.length)],
      ["liq dist", (g) => cell.liq(g.live?.minLiquidationDistance)],
      ["notional", (g) => cell.money(g.live?.notionalUsd ?? null)],
      ["uPnL", (g) => cell.money(g.live?.unrealisedPnlUsd ?? null)],
      ["realised", (g) => cell.money(g.realisedPnlUsd)],
      ["fees", (g) => cell.money(g.feesUsd)],
      [
        "closes in",
        (g) =>
          g.closedAt
            ? `closed ${time(g.closedAt)}`
            : duration(typeof g.meta?.closeAt === "number" ? g.meta.closeAt - now : null),
      ],
      ["", (g) => (g.closedAt || g.status === "failed" ? "" : { text: "", class: "act" })],
    ],
    rows,
    (g) =>
      g.legs.map((l) =>
        el(
          "tr",
          { class: "leg" },
          el("td", {}, `  ${l.venue}`),
          el("td", {}, l.account),
          el("td", {}, `${l.symbol} ${l.side}`),
          el("td", { class: "num" }, String(l.netLots)),
          el("td", { colspan: 7 }, `entry ${price(l.avgPrice)}`),
        ),
      ),
  );
  // a close button per active group, with the same confirmation as the others
  for (const tr of $("groups").querySelectorAll("tbody tr[data-id]")) {
    const g = groups.find((x) => x.groupId === tr.dataset.id);
    const td = tr.querySelector("td.act");
    if (g && td)
      td.append(
        el(
          "button",
          {
            type: "button",
            onclick: () => ask(`close ${g.groupId}`, "/api/control/close", { group: g.groupId }),
          },
          "close",
        ),
      );
  }
}

function renderPositions(p) {
  fillTable(
    $("positions"),
    [
      ["venue", (x) => x.venue],
      ["wallet", (x) => x.wallet],
      ["symbol", (x) => x.symbol],
      ["size", (x) => cell.num(String(x.size), x.size)],
      ["entry", (x) => cell.num(price(x.entryPrice), x.entryPrice)],
      ["mark", (x) => cell.num(price(x.markPrice), x.markPrice)],
      ["liq price", (x) => cell.num(price(x.liquidationPrice), x.liquidationPrice ?? "")],
      ["liq dist", (x) => cell.liq(x.liquidationDistance)],
      ["uPnL", (x) => cell.money(x.unrealisedPnlUsd)],
    ],
    p.positions.map((x) => ({ ...x, __id: `${x.venue}/${x.wallet}/${x.symbol}` })),
  );
}

function renderOrders(orders) {
  fillTable(
    $("orders"),
    [
      ["time", (o) => time(o.createdAt)],
      ["venue", (o) => o.venue],
      ["wallet", (o) => o.account],
      ["symbol", (o) => o.symbol],
      ["side", (o) => o.side],
      ["purpose", (o) => o.purpose],
      ["price", (o) => cell.num(o.priceText, o.priceText)],
      ["size", (o) => cell.num(`${o.filledText}/${o.sizeText}`, o.sizeText)],
      ["status", (o) => o.status],
    ],
    orders.map((o) => ({ ...o, __id: o.clientOrderId })),
  );
}

function renderTrades(fills) {
  fillTable(
    $("trades"),
    [
      ["time", (f) => time(f.ts)],
      ["venue", (f) => f.venue],
      ["wallet", (f) => f.account],
      ["symbol", (f) => f.symbol],
      ["side", (f) => f.side],
      ["price", (f) => cell.num(f.price, f.price)],
      ["size", (f) => cell.num(f.size, f.size)],
      ["fee", (f) => cell.money(f.fee)],
      ["realised", (f) => cell.money(f.realisedPnl)],
    ],
    fills.map((f) => ({ ...f, __id: `${f.venue}/${f.fillId}` })),
  );
}

function renderAlerts(alerts) {
  fillTable(
    $("alerts"),
    [
      ["time", (a) => time(a.ts)],
      ["severity", (a) => ({ text: a.severity, class: a.severity === "info" ? "" : "warn" })],
      ["kind", (a) => a.kind],
      ["message", (a) => a.message],
    ],
    alerts.map((a) => ({ ...a, __id: String(a.id) })),
  );
}

// ---- equity chart -----------------------------------------------------------------------------

let series;
// equity, and the parts it is made of: unrealised (equity - cash), realised net of fees, funding
const PARTS = [
  ["equityUsd", "#3fb950", 2, "equity"],
  ["unrealisedUsd", "#d29922", 1, "unrealised"],
  ["realisedUsd", "#58a6ff", 1, "realised − fees"],
  ["fundingUsd", "#bc8cff", 1, "funding"],
];
function renderEquity(points) {
  if (!series) {
    const chart = createChart($("chart"), {
      autoSize: true,
      layout: { background: { color: "transparent" }, textColor: "#8a96a3" },
      grid: { vertLines: { color: "#26303b" }, horzLines: { color: "#26303b" } },
      timeScale: { timeVisible: true, secondsVisible: true },
      leftPriceScale: { visible: true },
    });
    series = PARTS.map(([key, color, lineWidth, title], i) => [
      key,
      chart.addSeries(LineSeries, {
        color,
        lineWidth,
        priceScaleId: i === 0 ? "right" : "left",
        title,
      }),
    ]);
  }
  // the chart's time is whole seconds: keep the last point of each second
  const bySecond = new Map(points.map((p) => [Math.floor(p.ts / 1000), p]));
  for (const [key, s] of series) s.setData([...bySecond].map(([time, p]) => ({ time, value: p[key] })));
  const last = points[points.length - 1];
  $("equity-points").textContent = last
    ? `${points.length} points, last ${money(last.equityUsd)} (unrealised ${money(last.unrealisedUsd)}, realised − fees ${money(last.realisedUsd)}, funding ${money(last.fundingUsd)})`
    : "no equity recorded yet";
}

// ---- refresh ----------------------------------------------------------------------------------

let refreshing = false;
async function refresh(status) {
  if (refreshing) return;
  refreshing = true;
  try {
    const s = status ?? (await get("/api/status"));
    renderStatus(s);
    const [groups, positions, orders, trades, alerts, equity] = await Promise.all([
      get("/api/groups?limit=100"),
      get("/api/positions"),
      get("/api/orders?limit=50"),
      get("/api/trades?limit=50"),
      get("/api/alerts?limit=50"),
      get("/api/equity/breakdown?limit=2000"),
      renderInsight(get, ask),
    ]);
    renderGroups(groups, s.now);
    renderPositions(positions);
    renderOrders(orders);
    renderTrades(trades);
    renderAlerts(alerts);
    renderEquity(equity);
    document.body.dataset.rendered = String(s.now);
  } catch (e) {
    $("conn").textContent = `error: ${e.message}`;
  } finally {
    refreshing = false;
  }
}

function follow() {
  const es = new EventSource("/api/events");
  es.addEventListener("status", (ev) => {
    $("conn").textContent = "live";
    refresh(JSON.parse(ev.data));
  });
  es.onerror = () => {
    $("conn").textContent = "reconnecting…";
  };
}

// ---- controls: every action asks for a confirmation first -----------------------------------

const ACTIONS = {
  "close-all": ["close every group", "/api/control/close-all"],
  flatten: ["close every group and position", "/api/control/flatten"],
  halt: ["halt trading (only cancels pass)", "/api/control/halt"],
  "reduce-only": ["allow only reducing orders", "/api/control/reduce-only"],
  resume: ["resume normal trading", "/api/control/resume"],
};

let pending;
function ask(what, path, body = {}) {
  pending = { what, path, body };
  $("confirm-text").textContent = `Really ${what}?`;
  $("confirm").hidden = false;
  $("confirm-yes").focus();
}

async function confirmed() {
  const p = pending;
  pending = undefined;
  $("confirm").hidden = true;
  if (!p) return;
  const msg = $("control-msg");
  msg.textContent = `sending: ${p.what}…`;
  const r = await fetch(p.path, {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders() },
    body: JSON.stringify(p.body),
  });
  const out = await r.json();
  if (!r.ok) {
    msg.textContent = `refused (${r.status}): ${out.message}`;
    return;
  }
  msg.textContent = out.message;
  // follow the request until the runner finished it
  for (let i = 0; i < 60; i++) {
    await new Promise((res) => setTimeout(res, 1000));
    const req = await get(`/api/control/requests/${out.id}`);
    if (req.status === "done" || req.status === "failed") {
      msg.textContent = `request #${req.id} ${req.status}: ${JSON.stringify(req.result)}`;
      refresh();
      return;
    }
  }
}

function wire() {
  const token = $("token");
  token.value = localStorage.getItem(TOKEN_KEY) ?? "";
  token.addEventListener("change", () => localStorage.setItem(TOKEN_KEY, token.value.trim()));
  for (const b of document.querySelectorAll("button[data-action]")) {
    const [what, path] = ACTIONS[b.dataset.action];
    b.addEventListener("click", () => ask(what, path));
  }
  $("confirm-yes").addEventListener("click", () => void confirmed());
  $("confirm-no").addEventListener("click", () => {
    pending = undefined;
    $("confirm").hidden = true;
  });
}

wire();
refresh();
follow();
