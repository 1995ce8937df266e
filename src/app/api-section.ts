import { z } from "zod";
import { defineSection } from "../config/registry.ts";

/**
 * The `[api]` config section (HTTP API and dashboard, src/api/). Its schema lives in app/ so that
 * app/sections.ts, below api/ in the layer table, can register it; src/api/config.ts re-exports it
 * with the server's own checks.
 */

export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "::1"];

/** 127.0.0.0/8, localhost and ::1: addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.includes(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const ORIGIN_RE = /^https?:\/\/[^/\s]+$/;

export const apiSection = defineSection(
  "api",
  z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          "Start the HTTP API and dashboard with `perpbot run` (`perpbot api` serves it without this).",
        ),
      host: z
        .string()
        .min(1)
        .default("127.0.0.1")
        .describe("Address to bind. Anything but loopback also needs `allow_remote = true`."),
      port: z
        .number()
        .int()
        .min(0)
        .max(65_535)
        .default(8787)
        .describe("TCP port (0: any free port, printed at start)."),
      allow_remote: z
        .boolean()
        .default(false)
        .describe(
          "Allow binding beyond loopback. Then every endpoint, reads included, needs the bearer token.",
        ),
      cors_origins: z
        .array(z.string().regex(ORIGIN_RE, 'an origin such as "https://example.org" (no path)'))
        .default([])
        .describe("Origins allowed to call the API from a browser (CORS). Empty: none."),
    })
    .prefault({})
    .superRefine((v, ctx) => {
      if (!isLoopbackHost(v.host) && !v.allow_remote) {
        ctx.addIssue({
          code: "custom",
          path: ["host"],
          message: `"${v.host}" is not a loopback address: set api.allow_remote = true to bind it (control then still needs the token)`,
        });
      }
    }),
  {
    doc: "HTTP API, dashboard, metrics (docs/api.md, docs/dashboard.md). Bound to loopback unless `allow_remote`; control endpoints need the token of `perpbot api token`.",
  },
);

export type ApiConfig = z.output<typeof apiSection.schema>;
