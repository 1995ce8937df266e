import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The dashboard's files (src/web/, served as they are: ES modules, no build step) and the
 * chart library's standalone ES module from node_modules. Read once at start.
 */

const WEB_DIR = fileURLToPath(new URL("../web/", import.meta.url));

export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** url path -> file, for every file the page loads */
export function dashboardFiles(): ReadonlyMap<string, StaticFile> {
  const out = new Map<string, StaticFile>();
  const add = (url: string, file: string) => {
    const ext = file.slice(file.lastIndexOf(".") + 1);
    out.set(url, { type: TYPES[ext] ?? "application/octet-stream", body: readFileSync(file) });
  };
  add("/", join(WEB_DIR, "index.html"));
  for (const f of ["app.js", "render.js", "insight.js", "style.css"]) add(`/web/${f}`, join(WEB_DIR, f));
  const pkg = createRequire(import.meta.url).resolve("lightweight-charts/package.json");
  add(
    "/vendor/lightweight-charts.mjs",
    join(dirname(pkg), "dist", "lightweight-charts.standalone.production.mjs"),
  );
  return out;
}
