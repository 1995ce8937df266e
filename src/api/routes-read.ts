import { z } from "zod";
import { listAlerts } from "../app/service/alerts.ts";
import { pausedStrategies } from "../app/service/control.ts";
import { equityCurve } from "../app/service/equity.ts";
import { listFunding } from "../app/service/funding.ts";
import { listGroups } from "../app/service/groups.ts";
import { type LiveView, readLiveSnapshot } from "../app/service/live.ts";
import { listOrders } from "../app/service/orders.ts";
import { loadStatusReport } from "../app/service/status.ts";
import { listTrades } from "../app/service/trades.ts";
import { renderConfigJson } from "../config/show.ts";
import type { ApiContext } from "./context.ts";
import { q, type RouteDef } from "./route.ts";

/** The read endpoints: everything from the store through app/service, nothing from a venue. */

const accountQuery = z.strictObject({
  venue: q.text().optional(),
  wallet: q.text().optional(),
  symbol: q.text().optional(),
  since: q.int(0, 8_640_000_000_000_000).optional().describe("ms since the epoch"),
  limit: q.int(1, 10_000).optional().describe("newest N (default 200)"),
});

const accountFilter = (x: Record<string, unknown>) => ({
  venue: x.venue as string | undefined,
  account: x.wallet as string | undefined,
  symbol: x.symbol as string | undefined,
  sinceTs: x.since as number | undefined,
  limit: (x.limit as number | undefined) ?? 200,
  latest: true,
});

/** The status report with the runner's live snapshot: what GET /api/status and SSE send. */
export async function statusBody(ctx: ApiContext, recent = 10) {
  const now = ctx.now();
  const report = await loadStatusReport(ctx.store, { now, recent });
  const live: LiveView | null = (await readLiveSnapshot(ctx.store, now)) ?? null;
  const unacknowledged = (await listAlerts(ctx.store, { unacknowledgedOnly: true, limit: 10_000 })).length;
  return { ...report, live, alerts: { unacknowledged }, paused: await pausedStrategies(ctx.store) };
}

export function readRoutes(ctx: ApiContext): RouteDef[] {
  return [
    {
      method: "GET",
      path: "/api/status",
      tag: "read",
      access: "read",
      summary:
        "Trading state, runner, active and recently closed groups, accounting in total and per strategy instance, and the runner's live snapshot (equity, positions, liquidation distances)",
      query: z.strictObject({
        recent: q.int(0, 1_000).optional().describe("recently closed groups shown (default 10)"),
      }),
      responses: { "200": "the status report" },
      handler: async ({ query }) => ({
        body: await statusBody(ctx, (query.recent as number | undefined) ?? 10),
      }),
    },
    {
      method: "GET",
      path: "/api/strategies",
      tag: "read",
      access: "read",
      summary:
        "Per strategy instance: its active groups, recently closed groups, totals, and whether the operator paused it",
      responses: { "200": "one entry per instance" },
      handler: async () => {
        const paused = new Set(await pausedStrategies(ctx.store));
        const instances = (await loadStatusReport(ctx.store, { now: ctx.now(), recent: 10 })).instances;
        return { body: instances.map((i) => ({ ...i, paused: paused.has(i.strategy) })) };
      },
    },
    {
      method: "GET",
      path: "/api/groups",
      tag: "read",
      access: "read",
      summary:
        "Hedge groups with their legs, entry fills, fees and realised PnL (newest first), with each active group's live liquidation distance",
      query: z.strictObject({
        active: q.bool().optional().describe("only groups not closed or failed"),
        strategy: q.text().optional(),
        limit: q.int(1, 10_000).optional().describe("newest N (default 200)"),
      }),
      responses: { "200": "groups, newest first" },
      handler: async ({ query }) => {
        const groups = await listGroups(ctx.store, {
          activeOnly: query.active === true ? true : undefined,
          strategy: query.strategy as string | undefined,
        });
        const live = await readLiveSnapshot(ctx.store, ctx.now());
        const byId = new Map((live?.groups ?? []).map((g) => [g.id, g]));
        const limit = (query.limit as number | undefined) ?? 200;
        return {
          body: groups
            .slice(-limit)
            .reverse()
            .map((g) => ({ ...g, live: byId.get(g.groupId) ?? null })),
        };
      },
    },
    {
      method: "GET",
      path: "/api/groups/:id",
      tag: "read",
      access: "read",
      summary: "One group by its exact id, with its legs and orders",
      params: z.strictObject({ id: z.string().min(1).max(200) }),
      responses: { "200": "the group", "404": "no such group" },
      handler: async ({ params }) => {
        const id = params.id as string;
        const [g] = await listGroups(ctx.store, { groupIds: [id] });
        if (g === undefined)
          return { status: 404, body: { error: "not_found", message: `no group "${id}"` } };
        const live = await readLiveSnapshot(ctx.store, ctx.now());
        return {
          body: {
            ...g,
            live: live?.groups.find((x) => x.id === id) ?? null,
            orders: await listOrders(ctx.store, { groupIds: [id] }),
          },
        };
      },
    },
    {
      method: "GET",
      path: "/api/positions",
      tag: "read",
      access: "read",
      summary:
        "Positions as the running engine holds them (size, entry, mark, liquidation price and distance) and account equity, from the runner's live snapshot",
      responses: { "200": "the snapshot; `live: null` when no runner ever wrote one" },
      handler: async () => {
        const live = await readLiveSnapshot(ctx.store, ctx.now());
        return {
          body:
            live === undefined
              ? { live: null, positions: [], accounts: [] }
              : {
                  live: { ts: live.ts, stale: live.stale },
                  positions: live.positions,
                  accounts: live.accounts,
                },
        };
      },
    },
    {
      method: "GET",
      path: "/api/orders",
      tag: "read",
      access: "read",
      summary: "The engine's orders as journaled (intent, leg, purpose, state, fills), newest first",
      query: z.strictObject({
        group: q.text().optional(),
        open: q.bool().optional().describe("only orders not finished"),
        limit: q.int(1, 10_000).optional().describe("newest N (default 200)"),
      }),
      responses: { "200": "orders, newest first" },
      handler: async ({ query }) => {
        const group = query.group as string | undefined;
        const orders = await listOrders(ctx.store, {
          groupIds: group === undefined ? undefined : [group],
          unfinishedOnly: query.open === true,
        });
        return { body: orders.slice(-((query.limit as number | undefined) ?? 200)).reverse() };
      },
    },
    {
      method: "GET",
      path: "/api/trades",
      tag: "read",
      access: "read",
      summary: "Fills, newest first",
      query: accountQuery,
      responses: { "200": "fills, newest first" },
      handler: async ({ query }) => ({ body: (await listTrades(ctx.store, accountFilter(query))).reverse() }),
    },
    {
      method: "GET",
      path: "/api/funding",
      tag: "read",
      access: "read",
      summary: "Funding payments (positive: received), newest first",
      query: accountQuery,
      responses: { "200": "payments, newest first" },
      handler: async ({ query }) => ({
        body: (await listFunding(ctx.store, accountFilter(query))).reverse(),
      }),
    },
    {
      method: "GET",
      path: "/api/equity",
      tag: "read",
      access: "read",
      summary: "The equity curve: the sum of every account's equity at each recorded time, oldest first",
      query: z.strictObject({
        since: q.int(0, 8_640_000_000_000_000).optional().describe("ms since the epoch"),
        limit: q.int(1, 10_000).optional().describe("newest N points (default 2000)"),
      }),
      responses: { "200": "points { ts, equityUsd, accounts }" },
      handler: async ({ query }) => ({
        body: await equityCurve(ctx.store, {
          sinceTs: query.since as number | undefined,
          limit: query.limit as number | undefined,
        }),
      }),
    },
    {
      method: "GET",
      path: "/api/alerts",
      tag: "read",
      access: "read",
      summary: "Stored alerts, newest first",
      query: z.strictObject({
        unacknowledged: q.bool().optional(),
        limit: q.int(1, 10_000).optional().describe("newest N (default 100)"),
      }),
      responses: { "200": "alerts, newest first" },
      handler: async ({ query }) => ({
        body: (
          await listAlerts(ctx.store, {
            unacknowledgedOnly: query.unacknowledged === true ? true : undefined,
            limit: (query.limit as number | undefined) ?? 100,
            latest: true,
          })
        ).reverse(),
      }),
    },
    {
      method: "GET",
      path: "/api/config",
      tag: "read",
      access: "read",
      summary:
        "The effective configuration with each value's origin, secrets masked (as `perpbot config show --json`)",
      responses: { "200": "{ file, values, origins }" },
      handler: async () => ({ body: JSON.parse(renderConfigJson(ctx.config)) }),
    },
  ];
}
