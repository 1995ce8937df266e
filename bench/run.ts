/**
 * `npm run bench`: runs every suite, prints a readable table, and as its last line one JSON
 * object with every figure by key (plus machine and date). `--only <suite,...>` runs a subset.
 */
import { cpus, totalmem } from "node:os";
import type { BenchFigure, BenchSuite } from "./harness.ts";

const SUITES: Record<string, () => Promise<{ default: BenchSuite }>> = {
  book: () => import("./book.ts"),
  replay: () => import("./replay.ts"),
  sim: () => import("./sim.ts"),
  engine: () => import("./engine.ts"),
  keystore: () => import("./keystore.ts"),
  backtest: () => import("./backtest.ts"),
  farm: () => import("./farm.ts"),
};

async function main(): Promise<void> {
  const onlyIdx = process.argv.indexOf("--only");
  const only = onlyIdx >= 0 ? new Set(process.argv[onlyIdx + 1]?.split(",")) : undefined;
  const figures: BenchFigure[] = [];
  for (const [name, load] of Object.entries(SUITES)) {
    if (only && !only.has(name)) continue;
    process.stderr.write(`bench: running ${name}...\n`);
    const suite = (await load()).default;
    figures.push(...(await suite()));
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
