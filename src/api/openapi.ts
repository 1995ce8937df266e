import { z } from "zod";
import type { RouteDef } from "./route.ts";

/**
 * The OpenAPI 3.1 document, built from the route table (each route's zod schemas become its
 * parameters and request body) plus the routes that are not JSON (events, metrics, health, the
 * dashboard). `npm run docs:api` renders it as docs/api.md.
 */

export interface ExtraRoute {
  readonly method: "GET";
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly contentType: string;
  readonly access: "public" | "read";
}

export const EXTRA_ROUTES: readonly ExtraRoute[] = [
  {
    method: "GET",
    path: "/api/events",
    tag: "read",
    access: "read",
    contentType: "text/event-stream",
    summary:
      "Server-Sent Events: `status` events carrying the body of GET /api/status, at once, on every change and at least every 5 s",
  },
  {
    method: "GET",
    path: "/metrics",
    tag: "ops",
    access: "read",
    contentType: "text/plain; version=0.0.4",
    summary:
      "Prometheus metrics: orders by venue and status, fills, rejects and unknowns by venue, order round trips by venue, open groups, alerts, equity, exposure per venue",
  },
  {
    method: "GET",
    path: "/health",
    tag: "ops",
    access: "public",
    contentType: "application/json",
    summary: "The process answers",
  },
  {
    method: "GET",
    path: "/ready",
    tag: "ops",
    access: "public",
    contentType: "application/json",
    summary: "The store answers (503 when it does not); says whether a runner is polling",
  },
  {
    method: "GET",
    path: "/openapi.json",
    tag: "ops",
    access: "public",
    contentType: "application/json",
    summary: "This document",
  },
  {
    method: "GET",
    path: "/",
    tag: "dashboard",
    access: "public",
    contentType: "text/html",
    summary: "The dashboard",
  },
];

const jsonSchema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;

function parametersOf(def: RouteDef): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const where of ["params", "query"] as const) {
    const schema = def[where];
    if (schema === undefined) continue;
    const js = jsonSchema(schema) as {
      properties?: Record<string, Record<string, unknown>>;
      required?: string[];
    };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      const { description, ...rest } = prop;
      out.push({
        name,
        in: where === "params" ? "path" : "query",
        required: where === "params" || (js.required ?? []).includes(name),
        ...(typeof description === "string" ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

const problem = { $ref: "#/components/schemas/Problem" };

export function openApiDocument(routes: readonly RouteDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const at = (path: string) => {
    const p = path.replace(/:([A-Za-z_]+)/g, "{$1}");
    paths[p] ??= {};
    return paths[p];
  };
  for (const def of routes) {
    const responses: Record<string, unknown> = {};
    for (const [code, description] of Object.entries(def.responses)) {
      responses[code] = {
        description,
        content: { "application/json": { schema: code.startsWith("2") ? (def.returns ?? {}) : problem } },
      };
    }
    if (def.query || def.params || def.body)
      responses["400"] ??= {
        description: "invalid input",
        content: { "application/json": { schema: problem } },
      };
    if (def.access === "control")
      responses["401"] ??= {
        description: "missing or wrong token",
        content: { "application/json": { schema: problem } },
      };
    at(def.path)[def.method.toLowerCase()] = {
      summary: def.summary,
      tags: [def.tag],
      ...(def.access === "control" ? { security: [{ bearer: [] }] } : {}),
      "x-perpbot-access": def.access,
      parameters: parametersOf(def),
      ...(def.body
        ? {
            requestBody: {
              required: false,
              content: { "application/json": { schema: jsonSchema(def.body) } },
            },
          }
        : {}),
      responses,
    };
  }
  for (const r of EXTRA_ROUTES) {
    at(r.path)[r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      "x-perpbot-access": r.access,
      parameters: [],
      responses: { "200": { description: "OK", content: { [r.contentType]: {} } } },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "perpbot HTTP API",
      version,
      description:
        "Read endpoints, control requests and live updates of a perpbot store. Bound to 127.0.0.1 unless `api.allow_remote = true`. Control endpoints need `Authorization: Bearer <token>` (`perpbot api token`); when bound beyond loopback every `read` endpoint needs it too. Money is exact decimal USD text; times are ms since the epoch.",
    },
    servers: [{ url: "http://127.0.0.1:8787" }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "the token of `perpbot api token`" },
      },
      schemas: {
        Problem: {
          type: "object",
          required: ["error", "message"],
          properties: {
            error: { type: "string" },
            message: { type: "string" },
            issues: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  field: { type: "string", description: 'e.g. "body.group"' },
                  message: { type: "string" },
                },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
