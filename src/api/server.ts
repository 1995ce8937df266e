import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { checkApiToken } from "../app/service/api-token.ts";
import { runnerState } from "../app/service/control.ts";
import type { Store } from "../app/service/open.ts";
import type { LoadedConfig } from "../config/load.ts";
import { secretValues } from "../config/show.ts";
import { registerSecret } from "../log/redact.ts";
import { type ApiConfig, apiSection, BindRefused, checkBind, isLoopbackHost } from "./config.ts";
import type { ApiContext } from "./context.ts";
import { dashboardFiles } from "./dashboard.ts";
import { StatusEvents } from "./events.ts";
import { createMetrics } from "./metrics.ts";
import { openApiDocument } from "./openapi.ts";
import { type Access, type Problem, type RouteDef, registerRoute, sendJson } from "./route.ts";
import { controlRoutes } from "./routes-control.ts";
import { insightRoutes } from "./routes-insight.ts";
import { readRoutes } from "./routes-read.ts";

/**
 * The HTTP API and dashboard on fastify. Every figure comes from the store through app/service;
 * control goes through the store's request queue, so the server is the same inside `perpbot run`
 * and as `perpbot api` beside it. Loopback only unless `allow_remote`; control needs the bearer
 * token whose hash `perpbot api token` stored; CORS answers only the configured origins.
 */

export interface ApiServerOptions {
  readonly store: Store;
  readonly config: LoadedConfig;
  /** default: the config's [api] section */
  readonly api?: Partial<ApiConfig>;
  readonly version: string;
  readonly onError?: (msg: string, e: Error) => void;
  /** SSE check interval (default 1000 ms) */
  readonly eventsCheckMs?: number;
}

export interface ApiServer {
  readonly app: FastifyInstance;
  /** http://host:port, the port as bound (port 0 picks a free one) */
  readonly url: string;
  close(): Promise<void>;
}

export function routeTable(ctx: ApiContext): RouteDef[] {
  return [...readRoutes(ctx), ...insightRoutes(ctx), ...controlRoutes(ctx)];
}

const bearerOf = (req: FastifyRequest): string | undefined => {
  const h = req.headers.authorization;
  if (typeof h !== "string") return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
};

export function buildApi(o: ApiServerOptions & { remote: boolean; cors: readonly string[] }): {
  app: FastifyInstance;
  events: StatusEvents;
} {
  const ctx: ApiContext = { store: o.store, config: o.config, now: Date.now, remote: o.remote };
  // whatever the config holds as a secret is scrubbed from every body (toJson), besides masking
  for (const s of secretValues(o.config)) registerSecret(s);
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });
  const routes = routeTable(ctx);
  const doc = openApiDocument(routes, o.version);
  const events = new StatusEvents(ctx, {
    checkMs: o.eventsCheckMs,
    onError: (e) => o.onError?.("status events", e),
  });
  const metrics = createMetrics(ctx);
  const files = dashboardFiles();

  const authorize = async (req: FastifyRequest, access: Access): Promise<Problem | undefined> => {
    if (access === "public" || (access === "read" && !o.remote)) return undefined;
    const token = bearerOf(req);
    if (token === undefined)
      return {
        error: "unauthorized",
        message: `${access === "control" ? "control" : "this API (bound beyond loopback)"} needs "Authorization: Bearer <token>" (make one with perpbot api token)`,
      };
    const check = await checkApiToken(o.store, token);
    if (check === "ok") return undefined;
    return check === "none_set"
      ? { error: "unauthorized", message: "no API token is set: run perpbot api token" }
      : { error: "unauthorized", message: "wrong token" };
  };

  app.addHook("onRequest", async (req, reply) => {
    const origin = req.headers.origin;
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    if (typeof origin === "string" && o.cors.includes(origin)) {
      reply.header("access-control-allow-origin", origin);
      reply.header("vary", "Origin");
      if (req.method === "OPTIONS") {
        reply.header("access-control-allow-methods", "GET, POST");
        reply.header("access-control-allow-headers", "authorization, content-type");
        reply.header("access-control-max-age", "600");
        return reply.code(204).send();
      }
    }
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) o.onError?.("request failed", err);
    return sendJson(reply, status, {
      error: status === 500 ? "internal" : "invalid_request",
      // fastify's own 4xx (bad JSON, wrong content type, body too large) say what was wrong
      message: status === 500 ? "internal error (see the log)" : `body: ${err.message}`,
    });
  });
  app.setNotFoundHandler((req, reply) =>
    sendJson(reply, 404, { error: "not_found", message: `no route ${req.method} ${req.url.split("?")[0]}` }),
  );

  for (const def of routes) registerRoute(app, def, authorize);

  app.get("/api/events", async (req, reply) => {
    const denied = await authorize(req, "read");
    if (denied) return sendJson(reply, 401, denied);
    reply.hijack();
    events.add(reply.raw);
  });
  app.get("/metrics", async (req, reply) => {
    const denied = await authorize(req, "read");
    if (denied) return sendJson(reply, 401, denied);
    return reply.type(metrics.contentType).send(await metrics.scrape());
  });
  app.get("/health", async (_req, reply) => sendJson(reply, 200, { ok: true }));
  app.get("/ready", async (_req, reply) => {
    try {
      const runner = await runnerState(o.store, Date.now());
      return sendJson(reply, 200, { ready: true, store: "ok", runner });
    } catch (e) {
      o.onError?.("ready check", e as Error);
      return sendJson(reply, 503, { ready: false, store: "unreachable" });
    }
  });
  // browsers ask for it; the page has none
  app.get("/favicon.ico", async (_req, reply) => reply.code(204).send());
  app.get("/openapi.json", async (_req, reply) => sendJson(reply, 200, doc));
  for (const [url, f] of files) {
    app.get(url, async (_req, reply) =>
      reply
        .type(f.type)
        .header("cache-control", "no-cache")
        .header(
          "content-security-policy",
          "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
        )
        .send(f.body),
    );
  }
  app.addHook("preClose", async () => events.close());
  return { app, events };
}

/** Builds and binds the server; refuses a non-loopback host without allow_remote. */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const cfg: ApiConfig = { ...apiSection.get(o.config.values), ...o.api };
  checkBind(cfg.host, cfg.allow_remote);
  const remote = !isLoopbackHost(cfg.host);
  const { app } = buildApi({ ...o, remote, cors: cfg.cors_origins });
  try {
    await app.listen({ host: cfg.host, port: cfg.port });
  } catch (e) {
    await app.close();
    const code = (e as { code?: string }).code;
    throw new BindRefused(
      `api: cannot listen on ${cfg.host}:${cfg.port}${code === "EADDRINUSE" ? " (the port is in use: set api.port)" : `: ${(e as Error).message}`}`,
    );
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    app,
    url: `http://${host}:${addr.port}`,
    close: () => app.close(),
  };
}
