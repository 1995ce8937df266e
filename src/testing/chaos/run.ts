/**
 * The chaos test: the engine runs as a child process (worker.ts) on a durable store and durable
 * simulated venues with faults, and is killed with SIGKILL at random instants, again and again.
 * After each restart the worker checks the four invariants (checks.ts); this runner adds them
 * up and prints the four counts. Some kills land during recovery itself, before the check.
 *
 * With `--venue hyperliquid` the worker is worker-hl.ts: the farm in live mode through the
 * Hyperliquid connector against the emulator this runner keeps alive across lives (hl-world.ts),
 * with faults; the runner checks (a) and the nonces against the emulator after each life.
 * `--venue lighter` is the same on the Lighter emulator (lt-world.ts, worker-lt.ts), which checks
 * every transaction's and auth token's signature; refusals for a nonce or a signature must be 0.
 *
 *   npm run test:chaos                  # 200 kills, simulated venues
 *   npm run test:chaos:hl               # 200 kills, the farm on the Hyperliquid emulator
 *   npm run test:chaos:lighter          # 200 kills, the farm on the Lighter emulator
 *   node src/testing/chaos/run.ts --kills 20 --seed 7 [--venue sim|hyperliquid|lighter] [--keep]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "../../core/random.ts";
import type { ChaosCounts } from "./checks.ts";
import { type HlChaosWorld, startHlChaosWorld } from "./hl-world.ts";
import { startLtChaosWorld } from "./lt-world.ts";

export type ChaosVenue = "sim" | "hyperliquid" | "lighter";
const VENUES: readonly ChaosVenue[] = ["sim", "hyperliquid", "lighter"];

export interface ChaosResult {
  readonly kills: number;
  readonly checks: number;
  readonly killedDuringRecovery: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly orphansSeen: number;
  readonly groups: number;
  /** emulators: exchange requests / txs the emulator refused for their nonce (must be 0) */
  readonly nonceRefusals: number;
  /** Lighter: txs the emulator refused for their signature (must be 0) */
  readonly signatureRefusals: number;
  /** emulators: the faults the emulator applied, by kind */
  readonly faults: Readonly<Record<string, number>>;
  readonly details: string[];
}

const WORKERS: Record<ChaosVenue, string> = {
  sim: fileURLToPath(new URL("./worker.ts", import.meta.url)),
  hyperliquid: fileURLToPath(new URL("./worker-hl.ts", import.meta.url)),
  lighter: fileURLToPath(new URL("./worker-lt.ts", import.meta.url)),
};

interface Life {
  check?: ChaosCounts;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Run one worker life; kill it `killAfterMs` after READY (or after spawn when `early`). */
function life(
  worker: readonly string[],
  dir: string,
  n: number,
  killAfterMs: number | undefined,
  early: boolean,
): Promise<Life> {
  return new Promise((resolve) => {
    const args = [...worker, "--dir", dir, "--life", String(n)];
    if (killAfterMs === undefined) args.push("--final");
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Life = { exitCode: null, signal: null, stderr: "" };
    let buf = "";
    const kill = () => child.kill("SIGKILL");
    if (killAfterMs !== undefined && early) setTimeout(kill, killAfterMs);
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let i = buf.indexOf("\n");
      while (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith("CHECK ")) out.check = JSON.parse(line.slice(6)) as ChaosCounts;
        if (line === "READY" && killAfterMs !== undefined && !early) setTimeout(kill, killAfterMs);
        i = buf.indexOf("\n");
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      out.stderr += d.toString();
    });
    // a worker that hangs is a failure too: never wait forever
    const guard = setTimeout(kill, 60_000);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      out.exitCode = code;
      out.signal = signal;
      resolve(out);
    });
  });
}

export async function runChaos(opts: {
  kills: number;
  seed?: number;
  dir?: string;
  venue?: ChaosVenue;
  log?: (s: string) => void;
}): Promise<ChaosResult> {
  const venue = opts.venue ?? "sim";
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "perpbot-chaos-"));
  const rng = new Rng(`chaos-${opts.seed ?? 1}`);
  const world =
    venue === "hyperliquid"
      ? await startHlChaosWorld(opts.seed ?? 1)
      : venue === "lighter"
        ? await startLtChaosWorld(opts.seed ?? 1, dir)
        : undefined;
  try {
    return await lives(opts, venue, dir, rng, world);
  } finally {
    await world?.close();
    if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

async function lives(
  opts: { kills: number; log?: (s: string) => void },
  venue: ChaosVenue,
  dir: string,
  rng: Rng,
  world: (HlChaosWorld & { signatureRefusals?: () => number }) | undefined,
): Promise<ChaosResult> {
  const worker = venue === "hyperliquid" && world ? [WORKERS[venue], "--url", world.url] : [WORKERS[venue]];
  const total: ChaosResult = {
    kills: 0,
    checks: 0,
    killedDuringRecovery: 0,
    a: 0,
    b: 0,
    c: 0,
    d: 0,
    orphansSeen: 0,
    groups: 0,
    nonceRefusals: 0,
    signatureRefusals: 0,
    faults: {},
    details: [],
  };
  const r = total as { -readonly [K in keyof ChaosResult]: ChaosResult[K] };
  const add = (c: ChaosCounts | undefined) => {
    if (c === undefined) return;
    r.checks++;
    r.a += c.a;
    r.b += c.b;
    r.c += c.c;
    r.d += c.d;
    r.orphansSeen += c.orphans;
    r.groups = c.groups;
    r.details.push(...c.details.slice(0, 5));
  };
  // (a) on an emulator is read from the emulator after each life: a problem is counted once
  const venueA = new Set<string>();
  const afterLife = async () => {
    if (!world) return;
    const c: ChaosCounts = { a: 0, b: 0, c: 0, d: 0, orphans: 0, groups: 0, details: [] };
    await world.endLife(dir, c);
    for (const x of c.details)
      if (!venueA.has(x)) {
        venueA.add(x);
        r.details.push(x);
      }
    r.a = venueA.size;
    r.nonceRefusals = world.nonceRefusals();
    r.signatureRefusals = world.signatureRefusals?.() ?? 0;
    r.faults = world.faultsApplied();
  };
  // the live connector starts slower (meta, sockets, eight accounts) and the farm needs a while
  const [earlyMs, earlySpread, lateSpread] = world ? [100, 3_000, 3_000] : [50, 600, 400];
  for (let i = 0; i < opts.kills; i++) {
    // a quarter of the kills land during start-up and recovery, the rest in the workload
    const early = rng.chance(0.25);
    const delay = early
      ? earlyMs + Math.floor(rng.next() * earlySpread)
      : Math.floor(rng.next() * lateSpread);
    world?.beginLife(i, false);
    const l = await life(worker, dir, i, delay, early);
    if (l.signal !== "SIGKILL")
      throw new Error(`chaos life ${i} ended by itself (code ${l.exitCode}): ${l.stderr.slice(-2000)}`);
    r.kills++;
    if (l.check === undefined) r.killedDuringRecovery++;
    add(l.check);
    await afterLife();
    opts.log?.(
      `kill ${i + 1}/${opts.kills}: ${l.check ? `a=${l.check.a} b=${l.check.b} c=${l.check.c} d=${l.check.d}` : "during recovery"}`,
    );
  }
  world?.beginLife(opts.kills, true);
  const last = await life(worker, dir, opts.kills, undefined, false);
  if (last.exitCode !== 0)
    throw new Error(`final check failed (code ${last.exitCode}): ${last.stderr.slice(-2000)}`);
  add(last.check);
  await afterLife();
  return total;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const kills = Number(arg("--kills") ?? "200");
  const seed = Number(arg("--seed") ?? "1");
  const venue = arg("--venue") ?? "sim";
  if (!(VENUES as readonly string[]).includes(venue))
    throw new Error(`--venue ${venue}: expected ${VENUES.join(", ")}`);
  const keep = process.argv.includes("--keep");
  const dir = keep ? mkdtempSync(join(tmpdir(), "perpbot-chaos-")) : undefined;
  const started = Date.now();
  const res = await runChaos({
    kills,
    seed,
    dir,
    venue: venue as ChaosVenue,
    log: (s) => process.stderr.write(`${s}\n`),
  });
  console.log(
    `chaos (${venue}): ${res.kills} SIGKILLs (${res.killedDuringRecovery} during recovery), ${res.checks} checks, ${res.groups} groups, ${((Date.now() - started) / 1000).toFixed(1)} s${dir ? `, files in ${dir}` : ""}`,
  );
  console.log(`(a) intents with two orders / unjournaled venue orders: ${res.a}`);
  console.log(`(b) venue positions no group owns and not handled as orphans: ${res.b}`);
  console.log(`(c) groups neither flat nor hedged within one lot: ${res.c}`);
  console.log(`(d) store integrity problems: ${res.d}`);
  console.log(`orphans seen (handled): ${res.orphansSeen}`);
  if (venue !== "sim") {
    console.log(`requests refused for a reused or stale nonce: ${res.nonceRefusals}`);
    if (venue === "lighter") console.log(`txs refused for a bad signature: ${res.signatureRefusals}`);
    console.log(`faults applied: ${JSON.stringify(res.faults)}`);
  }
  for (const d of res.details.slice(0, 20)) console.log(`  ${d}`);
  process.exit(res.a + res.b + res.c + res.d + res.nonceRefusals + res.signatureRefusals === 0 ? 0 : 1);
}
