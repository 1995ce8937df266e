/**
 * `npm run bench`: runs every suite, prints a readable table, and as its last line one JSON
 * object with every figure by key (plus machine and date). `--only <suite,...>` runs a subset.
 * Each suite runs in a child process of its own, so one suite's heap, JIT state and open files
 * never weigh on another's figures (the fleet's RSS is the fleet's alone).
 */
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import type { BenchFigure, BenchSuite } from "./harness.ts";

const SUITES: Record<string, () => Promise<{ default: BenchSuite }>> = {
  book: () => import("./book.ts"),
  replay: () => import("./replay.ts"),
  sim: () => import("./sim.ts"),
  engine: () => import("./engine.ts"),
  keystore: () => import("./keystore.ts"),
  backtest: () => import("./backtest.ts"),
  farm: () => import("./farm.ts"),
  hyperliquid: () => import("./hyperliquid.ts"),
  hlemu: () => import("./hlemu.ts"),
  hll2book: () => import("./hl-l2book.ts"),
  aster: () => import("./aster.ts"),
  backpack: () => import("./backpack.ts"),
  extended: () => import("./extended.ts"),
  edgex: () => import("./edgex.ts"),
  hibachi: () => import("./hibachi.ts"),
  grvt: () => import("./grvt.ts"),
  lighter: () => import("./lighter.ts"),
  paradex: () => import("./paradex.ts"),
  scalp: () => import("./scalp.ts"),
  carry: () => import("./carry.ts"),
  maker: () => import("./maker.ts"),
  record: () => import("./record.ts"),
  agent: () => import("./agent.ts"),
  api: () => import("./api.ts"),
  cluster: () => import("./cluster.ts"),
  lightersig: () => import("./lighter-sig.ts"),
};

const CHILD_FLAG = "--suite";

/** In a child: run one suite and print its figures as JSON on the last line. */
async function runChild(name: string): Promise<void> {
  const load = SUITES[name];
  if (!load) throw new Error(`bench: no suite "${name}" (suites: ${Object.keys(SUITES).join(", ")})`);
  const figures = await (await load()).default();
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function runInChild(name: string): BenchFigure[] {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), CHILD_FLAG, name], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.status !== 0 || !last.startsWith("[")) {
    throw new Error(`bench: suite ${name} failed (exit ${r.status})\n${r.stdout}`);
  }
  return JSON.parse(last) as BenchFigure[];
}

async function main(): Promise<void> {
  const childIdx = process.argv.indexOf(CHILD_FLAG);
  if (childIdx >= 0) return runChild(process.argv[childIdx + 1] ?? "");
  const onlyIdx = process.argv.indexOf("--only");
  const only = onlyIdx >= 0 ? new Set(process.argv[onlyIdx + 1]?.split(",")) : undefined;
  const figures: BenchFigure[] = [];
  const unknown = [...(only ?? [])].filter((n) => !(n in SUITES));
  if (unknown.length > 0)
    throw new Error(
      `bench: unknown suite(s) ${unknown.join(", ")}; suites: ${Object.keys(SUITES).join(", ")}`,
    );
  const suiteOf = new Map<string, string>();
  for (const name of Object.keys(SUITES)) {
    if (only && !only.has(name)) continue;
    process.stderr.write(`bench: running ${name}...\n`);
    for (const f of runInChild(name)) {
      // one JSON key per figure: a second suite with the same key would overwrite the first
      const other = suiteOf.get(f.key);
      if (other !== undefined)
        throw new Error(`bench: figure "${f.key}" comes from both suite ${other} and suite ${name}`);
      suiteOf.set(f.key, name);
      figures.push(f);
    }
  }
  const rows = figures.map((f) => [
    f.key,
    formatValue(f.value),
    f.unit,
    f.target ?? "",
    f.ok === undefined ? "" : f.ok ? "ok" : "MISS",
  ]);
  const header = ["figure", "value", "unit", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
  const json: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  };
  for (const f of figures) json[f.key] = Number(f.value.toPrecision(6));
  console.log(JSON.stringify(json));
}

function formatValue(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(Math.abs(v) < 10 ? 3 : 1);
}

await main();
