/**
 * The maker's seeded fault runs, the plain maker and the hedged variant (issue 16 acceptance:
 * lost events, duplicated events, restarts, manual trades), with the counts printed as JSON.
 *
 *   node src/testing/maker-faults/run.ts --runs 1000 [--seed 1] [--steps 120] [--only maker|hedged]
 *
 * Exits 1 when a run ends unrepaired, with a duplicate take-profit, or with a maker fill left
 * unhedged beyond its event.
 */
import { hedgedFaultRuns } from "./hedged.ts";
import { makerFaultRuns } from "./maker.ts";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? dflt : Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 1)
    throw new Error(`${name} must be a positive integer, got "${process.argv[i + 1]}"`);
  return v;
}

const runs = arg("--runs", 1000);
const seed = arg("--seed", 1);
const steps = arg("--steps", 120);
const oi = process.argv.indexOf("--only");
const only = oi < 0 ? undefined : process.argv[oi + 1];
if (only !== undefined && only !== "maker" && only !== "hedged")
  throw new Error(`--only must be maker or hedged, got "${only}"`);

const out: Record<string, unknown> = {};
let failed = false;
if (only !== "hedged") {
  const t0 = Date.now();
  const c = await makerFaultRuns(runs, seed, steps);
  out.maker = { ...c, seconds: (Date.now() - t0) / 1000 };
  failed ||= c.unrepaired > 0 || c.duplicateTps > 0 || c.duplicateTpSeconds > 0;
}
if (only !== "maker") {
  const t0 = Date.now();
  const c = await hedgedFaultRuns(runs, seed, steps);
  out.hedged = { ...c, seconds: (Date.now() - t0) / 1000 };
  failed ||= c.unhedgedBeyondOneEvent > 0 || c.unhedgedAtEnd > 0 || c.boundBreaches > 0;
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
if (failed) process.exitCode = 1;
