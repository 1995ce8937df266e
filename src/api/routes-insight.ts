import { z } from "zod";
import { AgentJournal } from "../app/agent/journal.ts";
import { agentLeaderboard } from "../app/agent/leaderboard.ts";
import { agentInstance } from "../app/agent/service.ts";
import { equityBreakdown } from "../app/service/equity.ts";
import { readLiveSnapshot } from "../app/service/live.ts";
import { agentInstanceNames, dailyPnl, pnlAttribution } from "../app/service/pnl.ts";
import type { ApiContext } from "./context.ts";
import { q, type RouteDef } from "./route.ts";

/**
 * Where the money came from and what the strategies see: PnL attribution and per day, the equity
 * curve split into realised, unrealised and funding, the carry and scalp scanners' opportunities
 * (from the runner's live snapshot), and the agent's leaderboard and decisions (its journal).
 */

const agentQuery = z.strictObject({
  instance: q.text().optional().describe("agent instance (default: the only one configured)"),
});

/** The agent instance a query names, or a 404 body naming the configured ones. */
function agentOf(ctx: ApiContext, name: string | undefined) {
  try {
    return { ok: true as const, inst: agentInstance(ctx.config, name) };
  } catch (e) {
    return {
      ok: false as const,
      reply: { status: 404, body: { error: "not_found", message: (e as Error).message } },
    };
  }
}

export function insightRoutes(ctx: ApiContext): RouteDef[] {
  return [
    {
      method: "GET",
      path: "/api/pnl",
      tag: "read",
      access: "read",
      summary:
        "PnL attribution: realised and unrealised price PnL, funding, fees and the agents' LLM cost, with the net",
      responses: { "200": "the attribution" },
      handler: async () => ({
        body: await pnlAttribution(ctx.store, { now: ctx.now(), agents: agentInstanceNames(ctx.config) }),
      }),
    },
    {
      method: "GET",
      path: "/api/pnl/daily",
      tag: "read",
      access: "read",
      summary: "Realised PnL, funding and fees per UTC day, oldest first",
      query: z.strictObject({ days: q.int(1, 366).optional().describe("the last N days (default 7)") }),
      responses: { "200": "one entry per day" },
      handler: async ({ query }) => ({
        body: await dailyPnl(ctx.store, { now: ctx.now(), days: (query.days as number | undefined) ?? 7 }),
      }),
    },
    {
      method: "GET",
      path: "/api/equity/breakdown",
      tag: "read",
      access: "read",
      summary:
        "The equity curve with, at each point, the unrealised part (equity - cash) and the cumulative realised PnL net of fees and funding",
      query: z.strictObject({
        since: q.int(0, 8_640_000_000_000_000).optional().describe("ms since the epoch"),
        limit: q.int(1, 10_000).optional().describe("newest N points (default 2000)"),
      }),
      responses: { "200": "points { ts, equityUsd, unrealisedUsd, realisedUsd, fundingUsd, accounts }" },
      handler: async ({ query }) => ({
        body: await equityBreakdown(ctx.store, {
          sinceTs: query.since as number | undefined,
          limit: query.limit as number | undefined,
        }),
      }),
    },
    {
      method: "GET",
      path: "/api/opportunities",
      tag: "read",
      access: "read",
      summary:
        "The carry and scalp scanners as the runner last saw them: carry's evaluated pairs (best net first, with the gates they fail), scalp's edge per venue pair",
      responses: { "200": "{ ts, stale, scanners }; `ts: null` when no runner ever wrote a snapshot" },
      handler: async () => {
        const live = await readLiveSnapshot(ctx.store, ctx.now());
        return {
          body: { ts: live?.ts ?? null, stale: live?.stale ?? true, scanners: live?.scanners ?? [] },
        };
      },
    },
    {
      method: "GET",
      path: "/api/markets",
      tag: "read",
      access: "read",
      summary:
        "Every instrument of every venue as the runner's streams hold it: mark, funding rate per hour, book age",
      responses: { "200": "{ ts, stale, markets }; `ts: null` when no runner ever wrote a snapshot" },
      handler: async () => {
        const live = await readLiveSnapshot(ctx.store, ctx.now());
        return { body: { ts: live?.ts ?? null, stale: live?.stale ?? true, markets: live?.markets ?? [] } };
      },
    },
    {
      method: "GET",
      path: "/api/agent/leaderboard",
      tag: "read",
      access: "read",
      summary:
        "The agent's versions ranked by Sharpe then net return (net of LLM cost), beside flat and buy-and-hold",
      query: agentQuery,
      responses: { "200": "rows, best first", "404": "no such agent instance" },
      handler: async ({ query }) => {
        const a = agentOf(ctx, query.instance as string | undefined);
        if (!a.ok) return a.reply;
        return { body: await agentLeaderboard(new AgentJournal(ctx.store, a.inst.name), a.inst) };
      },
    },
    {
      method: "GET",
      path: "/api/agent/decisions",
      tag: "read",
      access: "read",
      summary: "The agent's cycles, newest first: its decision, the decision log line, the orders sent",
      query: agentQuery.extend({
        version: q.text().optional(),
        limit: q.int(1, 1_000).optional().describe("newest N (default 50)"),
      }),
      responses: { "200": "cycles, newest first", "404": "no such agent instance" },
      handler: async ({ query }) => {
        const a = agentOf(ctx, query.instance as string | undefined);
        if (!a.ok) return a.reply;
        const cycles = await new AgentJournal(ctx.store, a.inst.name).cycles({
          version: query.version as string | undefined,
        });
        return {
          body: cycles
            .slice(-((query.limit as number | undefined) ?? 50))
            .reverse()
            .map((c) => ({
              seq: c.seq,
              ts: c.ts,
              version: c.version,
              phase: c.phase,
              decision: c.decision,
              logLine: c.logLine,
              sent: c.sent,
              equityUsd: c.equityUsd,
            })),
        };
      },
    },
  ];
}
