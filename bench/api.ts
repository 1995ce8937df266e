/**
 * The HTTP API and the dashboard under a running paper farm (`perpbot run` with the API on, a
 * child process, as a user runs it):
 * - api_p99_ms: a loopback load generator (this process) sends 200 requests/s, open loop, for
 *   60 s over the dashboard's read endpoints; latency is counted from each request's scheduled
 *   time, so a stall delays every request behind it and shows (no coordinated omission).
 * - dashboard_first_render_ms: Chromium (Debian's, via playwright-core) opens the page in a fresh
 *   context until it has rendered the status (body[data-rendered]); median of 5.
 * - dashboard_js_kb: the size of our own JS the page loads (not the chart library).
 * Chromium absent: the dashboard figures are skipped with a message.
 *
 * Run alone: `node bench/api.ts [--seconds N]` (or PERPBOT_BENCH_API_SECONDS=N npm run bench -- --only api).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRunProcess } from "../src/testing/run-process.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

const RATE = 200;
const DEFAULT_SECONDS = 60;
const ENDPOINTS = [
  "/api/status",
  "/api/groups?active=true",
  "/api/positions",
  "/api/equity",
  "/api/orders?limit=50",
  "/api/trades?limit=50",
  "/api/alerts?limit=50",
  "/api/funding?limit=50",
  "/health",
];
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

function seconds(): number {
  const i = process.argv.indexOf("--seconds");
  const raw = i >= 0 ? process.argv[i + 1] : process.env.PERPBOT_BENCH_API_SECONDS;
  if (raw === undefined) return DEFAULT_SECONDS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 1 || n > 3600)
    throw new Error(`bench api: --seconds / PERPBOT_BENCH_API_SECONDS must be 1..3600, not "${raw}"`);
  return n;
}

/** Open-loop load: request i is due at start + i / RATE; latency is measured from that time. */
export async function load(base: string, durationS: number): Promise<{ lat: number[]; errors: number }> {
  const total = Math.round(RATE * durationS);
  const lat: number[] = [];
  const byPath = new Map<string, number[]>();
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const path = ENDPOINTS[i % ENDPOINTS.length];
    inflight.push(
      fetch(`${base}${path}`)
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) errors++;
          const ms = performance.now() - due;
          lat.push(ms);
          byPath.set(path, [...(byPath.get(path) ?? []), ms]);
        })
        .catch(() => {
          errors++;
        }),
    );
    if (inflight.length > 2000) await Promise.all(inflight.splice(0, 1000));
  }
  await Promise.all(inflight);
  for (const [path, xs] of byPath) {
    xs.sort((a, b) => a - b);
    process.stderr.write(
      `bench api: ${path} p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms\n`,
    );
  }
  return { lat: lat.sort((a, b) => a - b), errors };
}

async function firstRender(base: string): Promise<number[]> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
    ],
  });
  const out: number[] = [];
  try {
    for (let r = 0; r < 6; r++) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${base}/`);
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body
            .dataset.rendered !== undefined,
        null,
        { timeout: 20_000, polling: 5 },
      );
      // the first run warms the server's and the browser's caches of nothing we keep: dropped
      if (r > 0) out.push(performance.now() - t0);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return out.sort((a, b) => a - b);
}

const suite: BenchSuite = async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-bench-api-"));
  writeFileSync(join(cwd, "perpbot.toml"), "[api]\nenabled = true\nport = 0\n");
  const run = await startRunProcess(cwd, {
    wantApi: true,
    apiOnly: true,
    timeoutMs: 120_000,
    statusEvery: 5,
  });
  // give the farm time to open groups, so the endpoints carry data (a loaded machine may not)
  const until = Date.now() + 30_000;
  while (
    Date.now() < until &&
    ![...run.out().matchAll(/^farm: (\d+) groups? open/gm)].some((m) => Number(m[1]) > 0)
  )
    await new Promise((r) => setTimeout(r, 500));
  const figures: BenchFigure[] = [];
  try {
    const base = run.url as string;
    const durationS = seconds();
    process.stderr.write(`bench api: ${RATE} requests/s for ${durationS} s against ${base}\n`);
    const { lat, errors } = await load(base, durationS);
    const p99 = percentile(lat, 99);
    figures.push(
      { key: "api_p99_ms", value: p99, unit: "ms", target: "< 20", ok: p99 < 20 && errors === 0 },
      { key: "api_p50_ms", value: percentile(lat, 50), unit: "ms" },
      { key: "api_requests", value: lat.length, unit: `requests (${errors} errors)` },
    );
    if (CHROMIUM === undefined) {
      process.stderr.write("bench api: chromium not found at /usr/bin/chromium: dashboard figures skipped\n");
    } else {
      const times = await firstRender(base);
      const median = times[Math.floor(times.length / 2)];
      figures.push({
        key: "dashboard_first_render_ms",
        value: median,
        unit: "ms",
        target: "< 1000",
        ok: median < 1000,
      });
    }
    let bytes = 0;
    const html = await (await fetch(`${base}/`)).text();
    const scripts = new Set([
      "/web/app.js",
      ...[...html.matchAll(/src="(\/web\/[^"]+\.js)"/g)].map((m) => m[1]),
    ]);
    // the modules app.js imports, followed one level at a time
    const seen = new Set<string>();
    const queue = [...scripts];
    while (queue.length > 0) {
      const url = queue.shift() as string;
      if (seen.has(url)) continue;
      seen.add(url);
      const text = await (await fetch(`${base}${url}`)).text();
      bytes += Buffer.byteLength(text);
      for (const m of text.matchAll(/from\s+"(?:\/web\/|\.\/)([\w.-]+\.js)"/g)) queue.push(`/web/${m[1]}`);
    }
    const kb = bytes / 1024;
    figures.push({
      key: "dashboard_js_kb",
      value: kb,
      unit: `KB (${seen.size} files)`,
      target: "< 100",
      ok: kb < 100,
    });
  } finally {
    await run.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
  return figures;
};

export default suite;

if (import.meta.main) {
  for (const f of await suite())
    console.log(
      `${f.key}: ${f.value.toFixed(2)} ${f.unit}${f.target ? ` (target ${f.target}${f.ok ? ", ok" : ", MISS"})` : ""}`,
    );
}
