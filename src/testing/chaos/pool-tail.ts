/**
 * What the slowest takeovers of the multi-worker chaos run waited on (pool-run.ts). Each
 * takeover's full time (pool-report.ts `takeoverChains`, the figure the target is checked on) is
 * split into its parts, and it is marked when the chaos hit the taker's side: the worker that
 * took the unit was itself SIGSTOPped between the lease's expiry (or release) and trading, or a
 * failed attempt before it belonged to a worker that was SIGSTOPped or SIGKILLed meanwhile (a
 * paused taker loses the lease it just took, and the unit waits a second TTL). Such takeovers are
 * counted apart so the rest can be judged on their own; the headline figure stays the full one.
 */
import type { FailedStart } from "../../app/cluster/pool.ts";
import {
  chainRanOut,
  percentile,
  type ReportedTakeover,
  type TakeoverChain,
  takeoverChains,
} from "./pool-report.ts";

/** A fault the run injected: a SIGKILL (from = to) or a SIGSTOP..SIGCONT, epoch ms. */
export interface FaultWindow {
  readonly worker: string;
  readonly kind: "kill" | "pause";
  readonly fromMs: number;
  readonly toMs: number;
}

/** A failed start-up with the worker that made it. */
export interface WorkerFailedStart extends FailedStart {
  readonly worker?: string;
}

export interface TailReport {
  /** takeovers whose taker side was not hit by a fault, and their p50/p99 */
  readonly clean: { n: number; p50: number; p99: number };
  readonly faulted: { n: number; p50: number; p99: number; takerPaused: number; failedAttemptHit: number };
  /** of the slowest 1 %: how many were faulted */
  readonly slowest1: { n: number; faulted: number };
  readonly lines: string[];
}

const hits = (faults: readonly FaultWindow[], worker: string | undefined, from: number, to: number) =>
  worker !== undefined && faults.some((f) => f.worker === worker && f.fromMs <= to && f.toMs >= from);

/** Whether the chaos hit the taker's side of takeover `c` (see the file's comment). */
export function classify(
  c: TakeoverChain<WorkerFailedStart>,
  faults: readonly FaultWindow[],
): { takerPaused: boolean; failedAttemptHit: boolean } {
  const t = c.t;
  const since = t.atMs - (t.sinceExpiryMs ?? t.atMs - c.fromMs);
  const takerPaused = hits(
    faults.filter((f) => f.kind === "pause"),
    t.worker,
    since,
    t.atMs,
  );
  const failedAttemptHit = c.failedBefore.some((f) => hits(faults, f.worker, c.fromMs, t.atMs));
  return { takerPaused, failedAttemptHit };
}

const r = (x: number | undefined) => (x === undefined ? "-" : String(Math.round(x)));

export function tailReport(
  all: readonly ReportedTakeover[],
  failed: readonly WorkerFailedStart[],
  faults: readonly FaultWindow[],
  /** the lease TTL, to tell the chains that began with a lease that ran out (`chainRanOut`) */
  ttlMs?: number,
): TailReport {
  const chains = takeoverChains(all, failed).map((c) => ({
    c,
    total: c.t.atMs - c.fromMs,
    ...classify(c, faults),
  }));
  const isFaulted = (x: { takerPaused: boolean; failedAttemptHit: boolean }) =>
    x.takerPaused || x.failedAttemptHit;
  const stats = (xs: typeof chains) => ({
    n: xs.length,
    p50: percentile(
      xs.map((x) => x.total),
      50,
    ),
    p99: percentile(
      xs.map((x) => x.total),
      99,
    ),
  });
  const faulted = chains.filter(isFaulted);
  const sorted = [...chains].sort((a, b) => b.total - a.total);
  const top1 = sorted.slice(0, Math.max(1, Math.ceil(chains.length / 100)));
  const lines = sorted.slice(0, Math.max(5, Math.ceil(chains.length / 50))).map(({ c, total, ...k }) => {
    const t = c.t;
    const why = [
      k.takerPaused ? "taker SIGSTOPped" : "",
      c.failedBefore.length > 0
        ? `after ${c.failedBefore.length} failed attempt(s)${k.failedAttemptHit ? " of a SIGSTOPped/SIGKILLed worker" : ""}`
        : "",
    ]
      .filter((s) => s !== "")
      .join(", ");
    // how the chain began, as the headline figures split them (pool-report.ts chainRanOut)
    const kind = ttlMs === undefined ? "" : chainRanOut(c, ttlMs) ? " (ran out)" : " (handed back)";
    return `${r(total)} ms ${t.key} by ${t.worker ?? "?"}${kind}: expiry/release->seen ${r(t.seenLateMs)}, queued ${r(t.queuedMs)}, acquire ${r(t.acquireMs)}, start ${r(t.startMs)} (venues ${r(t.venuesMs)}, store ${r(t.storeMs)} = open${t.standby === true ? " (standby)" : ""} ${r(t.storeOpenMs)} + fence ${r(t.fenceMs)}, engine ${r(t.engineMs)})${why ? `; ${why}` : ""}`;
  });
  return {
    clean: stats(chains.filter((x) => !isFaulted(x))),
    faulted: {
      ...stats(faulted),
      takerPaused: faulted.filter((x) => x.takerPaused).length,
      failedAttemptHit: faulted.filter((x) => x.failedAttemptHit).length,
    },
    slowest1: { n: top1.length, faulted: top1.filter(isFaulted).length },
    lines,
  };
}
