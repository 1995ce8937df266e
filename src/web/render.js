// Formatting and DOM building for the dashboard. Everything is set as text (never as HTML), so
// nothing the store holds can inject markup.

/** "$1,234.56" / "-$0.12": money to the cent, from a number or the API's exact decimal text */
export function money(v) {
  if (v === null || v === undefined || v === "") return "–";
  const x = Number(v);
  const abs = Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${x < 0 && abs !== "0.00" ? "-" : ""}$${abs}`;
}

/** a fraction as a percentage with one decimal ("12.3%") */
export function pct(v) {
  return v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`;
}

export function price(p) {
  if (p === null || p === undefined || p === 0) return "–";
  if (p >= 1000) return p.toFixed(1);
  if (p >= 1) return p.toFixed(3);
  return p.toPrecision(4);
}

export function time(ms) {
  return ms ? new Date(ms).toISOString().slice(5, 19).replace("T", " ") : "–";
}

export function duration(ms) {
  if (ms === null || ms === undefined) return "–";
  const s = Math.round(ms / 1000);
  if (s <= 0) return "due";
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${m}m`;
}

/** el("td", { class: "num" }, "text", child...) */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const signClass = (x) => (Number(x) < 0 ? "num neg" : Number(x) > 0 ? "num pos" : "num");

/**
 * Fills a table: `cols` are [header, cell(row) -> string | {text, class}] pairs; `after(row)`
 * may return extra rows (a group's legs) to put under each row.
 */
export function fillTable(table, cols, rows, after) {
  const head = el("tr", {}, ...cols.map(([h]) => el("th", {}, h)));
  const body = [];
  for (const r of rows) {
    body.push(
      el(
        "tr",
        { "data-id": r.__id },
        ...cols.map(([, f]) => {
          const v = f(r);
          return typeof v === "object" && v !== null
            ? el("td", { class: v.class, "data-value": v.value }, v.text)
            : el("td", {}, v);
        }),
      ),
    );
    if (after) body.push(...after(r));
  }
  if (rows.length === 0) body.push(el("tr", {}, el("td", { colspan: cols.length, class: "muted" }, "none")));
  table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...body));
}

export const cell = {
  money: (v) => ({ text: money(v), class: signClass(v), value: v }),
  num: (text, value) => ({ text, class: "num", value }),
  liq: (d) => ({
    text: pct(d),
    class: d !== null && d !== undefined && d < 0.1 ? "num warn" : "num",
    value: d ?? "",
  }),
};
