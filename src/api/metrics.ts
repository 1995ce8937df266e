import { Gauge, Histogram, Registry } from "prom-client";
import { metricsFigures } from "../app/service/metrics.ts";
import type { ApiContext } from "./context.ts";

/** Round-trip buckets in seconds: 1 ms to 10 s. */
export const ROUND_TRIP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * /metrics in the Prometheus text format. Every figure is read from the store at scrape time
 * (through app/service/metrics.ts), so it is the same whether the API runs inside `perpbot run`
 * or beside it; counts of stored rows are gauges of totals (they only grow), named `_total`.
 * A registry per server: two servers in one process (tests) keep their own figures.
 */
export function createMetrics(ctx: ApiContext): { scrape(): Promise<string>; contentType: string } {
  const registry = new Registry();
  let figures: Awaited<ReturnType<typeof metricsFigures>> | undefined;
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        if (figures !== undefined) fill(this);
      },
    });
  const scrapeOk = new Gauge({
    name: "perpbot_scrape_ok",
    help: "1 when the store answered this scrape",
    registers: [registry],
  });
  const orderCount = (g: Gauge, match: (status: string) => boolean) => {
    const by = new Map<string, number>();
    for (const o of figures?.orders ?? []) if (match(o.status)) by.set(o.venue, (by.get(o.venue) ?? 0) + o.n);
    for (const [venue, n] of by) g.set({ venue }, n);
  };
  gauge("perpbot_orders_total", "Engine orders stored, by venue and status", ["venue", "status"], (g) => {
    for (const o of figures?.orders ?? []) g.set({ venue: o.venue, status: o.status }, o.n);
  });
  gauge("perpbot_fills_total", "Fills stored, by venue", ["venue"], (g) => {
    for (const f of figures?.fills ?? []) g.set({ venue: f.venue }, f.n);
  });
  gauge(
    "perpbot_order_rejects_total",
    "Engine orders the venue or the risk gate rejected, by venue",
    ["venue"],
    (g) => orderCount(g, (s) => s === "rejected"),
  );
  gauge("perpbot_order_unknowns", "Engine orders whose outcome is not known yet, by venue", ["venue"], (g) =>
    orderCount(g, (s) => s === "unknown"),
  );
  // rebuilt from the journal at every scrape (reset, then every stored round trip observed once)
  new Histogram({
    name: "perpbot_order_round_trip_seconds",
    help: "Engine order sends to the venue's ack or reject, by venue (from the journal)",
    labelNames: ["venue"],
    buckets: ROUND_TRIP_BUCKETS,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of figures?.roundTrips ?? [])
        for (const ms of r.ms) this.observe({ venue: r.venue }, ms / 1000);
    },
  });
  gauge("perpbot_open_groups", "Groups not closed or failed", [], (g) => g.set(figures?.openGroups ?? 0));
  gauge("perpbot_alerts_total", "Alerts stored, by severity", ["severity"], (g) => {
    for (const a of figures?.alerts ?? []) g.set({ severity: a.severity }, a.n);
  });
  gauge("perpbot_alerts_unacknowledged", "Alerts not acknowledged, by severity", ["severity"], (g) => {
    for (const a of figures?.alerts ?? []) g.set({ severity: a.severity }, a.unacknowledged);
  });
  gauge("perpbot_equity_usd", "Equity of every account, from the runner's last live snapshot", [], (g) => {
    if (figures?.equityUsd !== null && figures?.equityUsd !== undefined) g.set(figures.equityUsd);
  });
  gauge("perpbot_exposure_usd", "Position notional at the mark, by venue (live snapshot)", ["venue"], (g) => {
    for (const e of figures?.exposureUsd ?? []) g.set({ venue: e.venue }, e.usd);
  });
  gauge(
    "perpbot_stream_staleness_seconds",
    "Age of the oldest order book of each venue's instruments, as the runner last saw it (live snapshot)",
    ["venue"],
    (g) => {
      for (const s of figures?.streamStalenessSeconds ?? []) g.set({ venue: s.venue }, s.seconds);
    },
  );
  gauge(
    "perpbot_rate_limit_budget_used_ratio",
    "Share of each venue's rate-limit scope in use, its fullest bucket (live snapshot; above 1: requests wait)",
    ["venue", "scope"],
    (g) => {
      for (const r of figures?.rateBudgetUsed ?? []) g.set({ venue: r.venue, scope: r.scope }, r.used);
    },
  );
  gauge("perpbot_live_snapshot_age_seconds", "Age of the runner's live snapshot", [], (g) => {
    if (figures?.liveAgeSeconds !== null && figures?.liveAgeSeconds !== undefined)
      g.set(figures.liveAgeSeconds);
  });
  return {
    contentType: registry.contentType,
    // the store is read once per scrape, before the gauges are collected (prom-client collects them in parallel)
    async scrape() {
      try {
        figures = await metricsFigures(ctx.store, ctx.now());
        scrapeOk.set(1);
      } catch {
        figures = undefined;
        scrapeOk.set(0);
      }
      return registry.metrics();
    },
  };
}
