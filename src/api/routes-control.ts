import { z } from "zod";
import {
  type ControlAction,
  type ControlArgs,
  getControlRequest,
  listControlRequests,
  submitControlRequest,
} from "../app/service/control.ts";
import { findGroup } from "../app/service/groups.ts";
import type { ApiContext } from "./context.ts";
import { type ApiReply, q, type RouteDef } from "./route.ts";

/**
 * The control endpoints. `perpbot run` owns the venues, so each is a request queued in the store
 * (app/service/control.ts) that the runner's ControlPoller acts on within a second or so: the
 * same whether this API runs inside `perpbot run` or as `perpbot api` beside it. They answer 202
 * with the request's id; GET /api/control/requests/{id} shows its outcome.
 */

/** a request no runner acted on within this long is failed as expired (a stale click does nothing) */
const DEFAULT_EXPIRE_S = 600;

const expiry = {
  expire_after_s: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .optional()
    .describe(`seconds after which a request no runner acted on expires (default ${DEFAULT_EXPIRE_S})`),
};

async function submit(
  ctx: ApiContext,
  action: ControlAction,
  args: ControlArgs,
  body: Record<string, unknown>,
): Promise<ApiReply> {
  const expireAfterS = (body.expire_after_s as number | undefined) ?? DEFAULT_EXPIRE_S;
  const r = await submitControlRequest(ctx.store, action, args, {
    now: ctx.now(),
    expireAfterMs: expireAfterS * 1000,
  });
  return {
    status: 202,
    body: {
      id: r.id,
      action,
      args,
      status: "pending",
      expiresAt: r.expiresAt ?? null,
      runner: r.runner,
      message: r.runner.running
        ? `queued as request #${r.id}; the running perpbot acts on it shortly`
        : `queued as request #${r.id}; no perpbot run is polling: it acts when one starts, unless it expires first`,
    },
  };
}

const stateRoute = (ctx: ApiContext, path: string, action: ControlAction, summary: string): RouteDef => ({
  method: "POST",
  path,
  tag: "control",
  access: "control",
  summary,
  body: z.strictObject(expiry),
  responses: { "202": "queued", "400": "invalid body", "401": "missing or wrong token" },
  handler: ({ body }) => submit(ctx, action, {}, body),
});

const pauseRoute = (ctx: ApiContext, verb: "pause" | "resume"): RouteDef => ({
  method: "POST",
  path: `/api/control/strategies/:name/${verb}`,
  tag: "control",
  access: "control",
  summary:
    verb === "pause"
      ? "Pause one strategy instance: it opens nothing new (groups and orders that are not reduce-only are refused); its closes and exits go on; kept across restarts"
      : "Resume a paused strategy instance",
  params: z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "an instance name") }),
  body: z.strictObject(expiry),
  responses: { "202": "queued", "400": "invalid name or body", "401": "missing or wrong token" },
  handler: ({ params, body }) =>
    submit(
      ctx,
      verb === "pause" ? "pause_strategy" : "resume_strategy",
      { strategy: params.name as string },
      body,
    ),
});

export function controlRoutes(ctx: ApiContext): RouteDef[] {
  return [
    {
      method: "POST",
      path: "/api/control/close",
      tag: "control",
      access: "control",
      summary: 'Close one group (exact id or unique prefix), or every group with "all"',
      body: z.strictObject({
        group: z.string().min(1).max(200).describe('group id, unique prefix, or "all"'),
        ...expiry,
      }),
      responses: {
        "202": "queued",
        "400": "invalid body",
        "401": "missing or wrong token",
        "404": "no such group",
        "409": "the group is already closed, or the prefix is ambiguous",
      },
      handler: async ({ body }) => {
        const text = body.group as string;
        if (text === "all") return submit(ctx, "close", { group: "all" }, body);
        const found = await findGroup(ctx.store, text);
        if (found.kind === "none")
          return { status: 404, body: { error: "not_found", message: `no group "${text}"` } };
        if (found.kind === "ambiguous")
          return {
            status: 409,
            body: { error: "ambiguous", message: `group "${text}" is ambiguous`, ids: found.ids },
          };
        const g = found.group;
        if (g.status === "closed" || g.status === "failed")
          return {
            status: 409,
            body: {
              error: "already_finished",
              message: `group ${g.id} is already ${g.status} (${g.reason ?? "no reason"})`,
            },
          };
        return submit(ctx, "close", { group: g.id }, body);
      },
    },
    {
      method: "POST",
      path: "/api/control/close-all",
      tag: "control",
      access: "control",
      summary: "Close every group",
      body: z.strictObject(expiry),
      responses: { "202": "queued", "400": "invalid body", "401": "missing or wrong token" },
      handler: ({ body }) => submit(ctx, "close", { group: "all" }, body),
    },
    {
      method: "POST",
      path: "/api/control/flatten",
      tag: "control",
      access: "control",
      summary: "Close every group and position (of one venue and/or wallet when given)",
      body: z.strictObject({
        venue: z.string().min(1).max(64).optional(),
        wallet: z.string().min(1).max(200).optional(),
        ...expiry,
      }),
      responses: { "202": "queued", "400": "invalid body", "401": "missing or wrong token" },
      handler: ({ body }) => {
        const args: { venue?: string; wallet?: string } = {};
        if (body.venue !== undefined) args.venue = body.venue as string;
        if (body.wallet !== undefined) args.wallet = body.wallet as string;
        return submit(ctx, "flatten", args, body);
      },
    },
    stateRoute(ctx, "/api/control/halt", "halt", "Halt: the engine refuses every order but cancels"),
    stateRoute(
      ctx,
      "/api/control/reduce-only",
      "reduce_only",
      "Reduce-only: the engine takes only orders that reduce exposure",
    ),
    stateRoute(ctx, "/api/control/resume", "resume", "Resume normal trading (re-arms the kill switch)"),
    pauseRoute(ctx, "pause"),
    pauseRoute(ctx, "resume"),
    {
      method: "GET",
      path: "/api/control/requests",
      tag: "control",
      access: "read",
      summary: "Control requests, newest first",
      query: z.strictObject({
        status: z.enum(["pending", "running", "done", "failed"]).optional(),
        limit: q.int(1, 1_000).optional().describe("default 100"),
      }),
      responses: { "200": "requests, newest first" },
      handler: async ({ query }) => {
        const all = await listControlRequests(ctx.store, {
          status: query.status as "pending" | undefined,
          limit: 100_000,
        });
        return { body: all.slice(-((query.limit as number | undefined) ?? 100)).reverse() };
      },
    },
    {
      method: "GET",
      path: "/api/control/requests/:id",
      tag: "control",
      access: "read",
      summary: "One control request: pending, running, done or failed, with its result",
      params: z.strictObject({ id: q.int(1, Number.MAX_SAFE_INTEGER) }),
      responses: { "200": "the request", "404": "no such request" },
      handler: async ({ params }) => {
        const r = await getControlRequest(ctx.store, params.id as number);
        return r === undefined
          ? { status: 404, body: { error: "not_found", message: `no control request #${params.id}` } }
          : { body: r };
      },
    },
  ];
}
