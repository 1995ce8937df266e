import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { moneyText } from "../core/money.ts";
import { redactText } from "../log/redact.ts";

/**
 * One API route as data: method, path, zod schemas of its query, path parameters and body, and
 * its handler. The server registers it with fastify (validating every input with zod and
 * answering a clear 400 naming the field), and the OpenAPI document is built from the same table,
 * so the document cannot drift from what the server checks.
 */

export interface ApiReply {
  readonly status?: number;
  readonly body: unknown;
}

export type Access = "read" | "control" | "public";

export interface RouteDef {
  readonly method: "GET" | "POST";
  /** fastify form: /api/groups/:id */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** public: no token ever; read: token only when the API is bound beyond loopback; control: always */
  readonly access: Access;
  readonly query?: z.ZodObject;
  readonly params?: z.ZodObject;
  readonly body?: z.ZodObject;
  /** status code -> description, for the document */
  readonly responses: Readonly<Record<string, string>>;
  /** the JSON shape of the 2xx body, for the document (a JSON Schema fragment) */
  readonly returns?: Record<string, unknown>;
  readonly handler: (input: {
    query: Record<string, unknown>;
    params: Record<string, unknown>;
    body: Record<string, unknown>;
  }) => Promise<ApiReply>;
}

/** JSON text of an API body: money (bigint pico-USD) as exact decimal text, secrets scrubbed. */
export function toJson(body: unknown): string {
  return redactText(JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? moneyText(v) : v)));
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(toJson(body));
}

export interface Problem {
  readonly error: string;
  readonly message: string;
  readonly issues?: readonly { readonly field: string; readonly message: string }[];
}

/** The 400 of an input that fails its schema: every issue with its field, e.g. `body.group`. */
export function invalid(where: "query" | "params" | "body", err: z.ZodError): Problem {
  const issues = err.issues.map((i) => {
    const path = i.path.map(String);
    // an unknown key is reported on its parent; name the key itself
    const keys = i.code === "unrecognized_keys" ? i.keys : [];
    const field = [where, ...path, ...(keys.length === 1 ? keys : [])].join(".");
    return { field, message: i.message };
  });
  return {
    error: "invalid_request",
    message: issues.map((i) => `${i.field}: ${i.message}`).join("; "),
    issues,
  };
}

export function registerRoute(
  app: FastifyInstance,
  def: RouteDef,
  authorize: (req: FastifyRequest, access: Access) => Promise<Problem | undefined>,
): void {
  app.route({
    method: def.method,
    url: def.path,
    handler: async (req, reply) => {
      const denied = await authorize(req, def.access);
      if (denied !== undefined) {
        reply.header("www-authenticate", 'Bearer realm="perpbot"');
        return sendJson(reply, 401, denied);
      }
      const parts = { query: {}, params: {}, body: {} } as Record<
        "query" | "params" | "body",
        Record<string, unknown>
      >;
      for (const where of ["query", "params", "body"] as const) {
        const schema = def[where];
        const raw = where === "body" ? (req.body ?? {}) : (req[where] ?? {});
        if (schema === undefined) {
          if (where === "body" && Object.keys(raw as object).length > 0)
            return sendJson(reply, 400, {
              error: "invalid_request",
              message: "body: this endpoint takes no body fields",
              issues: [{ field: "body", message: "takes no fields" }],
            });
          continue;
        }
        if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
          return sendJson(reply, 400, {
            error: "invalid_request",
            message: `${where}: expected a JSON object`,
            issues: [{ field: where, message: "expected a JSON object" }],
          });
        }
        const parsed = schema.safeParse(raw);
        if (!parsed.success) return sendJson(reply, 400, invalid(where, parsed.error));
        parts[where] = parsed.data as Record<string, unknown>;
      }
      const out = await def.handler(parts);
      return sendJson(reply, out.status ?? 200, out.body);
    },
  });
}

/** Query helpers: query strings are text; these parse them with clear messages. */
export const q = {
  int: (min: number, max: number) =>
    z
      .string()
      .regex(/^\d+$/, "expected a whole number")
      .transform(Number)
      .pipe(z.number().int().min(min).max(max)),
  bool: () => z.enum(["true", "false"], "expected true or false").transform((v) => v === "true"),
  text: () => z.string().min(1).max(200),
};
