/**
 * The figures of the multi-worker chaos run (pool-run.ts) from what the workers left: their send
 * logs (double-driven units) and their takeover reports (percentiles and where the time goes).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FailedStart, Takeover } from "../../app/cluster/pool.ts";

/** A takeover as a worker reports it, with the phases of the unit's start (pool-worker.ts). */
export interface ReportedTakeover extends Takeover {
  /** the worker that took the unit over (added by pool-run.ts) */
  readonly worker?: string;
  readonly venuesMs?: number;
  readonly storeMs?: number;
  readonly engineMs?: number;
  /** ms of each stage of the engine's start (recovery, orders, groups, reconcile, portfolio) */
  readonly stages?: Readonly<Record<string, number>>;
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/**
 * Units where some send carried an older token than a send before it. Each is described in
 * `details`: which worker sent what when, and how long after the newer token's first send.
 */
export function doubleDriven(dir: string, details: string[]): number {
  const sends = new Map<string, { token: number; t: number; worker: string; op: string }[]>();
  for (const f of readdirSync(dir).filter((n) => n.startsWith("sends-"))) {
    const worker = f.slice("sends-".length).replace(/\.log$/, "");
    for (const line of readFileSync(join(dir, f), "utf8").split("\n")) {
      const [unit, token, t, op] = line.split(" ");
      if (t === undefined) continue;
      const list = sends.get(unit) ?? [];
      list.push({ token: Number(token), t: Number(t), worker, op: op ?? "?" });
      sends.set(unit, list);
    }
  }
  let n = 0;
  for (const [unit, list] of sends) {
    list.sort((a, b) => a.t - b.t);
    let newest: { token: number; t: number; worker: string } | undefined;
    const firstOf = new Map<number, number>();
    for (const s of list) {
      if (!firstOf.has(s.token)) firstOf.set(s.token, s.t);
      if (newest !== undefined && s.token < newest.token) {
        n++;
        const ms = (x: number) => (x / 1000).toFixed(1);
        const first = firstOf.get(newest.token) ?? newest.t;
        details.push(
          `unit ${unit}: a send with token ${s.token} after one with token ${newest.token}: ${s.worker} ${s.op} at ${ms(s.t - first)} ms after ${newest.worker}'s first send with ${newest.token}, ${ms(s.t - (firstOf.get(s.token) ?? s.t))} ms after its own first`,
        );
        break;
      }
      if (newest === undefined || s.token > newest.token) newest = s;
    }
  }
  return n;
}

/**
 * Whether a lease renewed last at `renewedAt` (epoch ms) and expiring at `expiresAt` ran out (its
 * holder died or was paused): it was renewed a whole TTL before its expiry. One handed back was
 * released sooner. 50 ms covers the database's clock moving between the two writes.
 */
export function leaseRanOut(renewedAt: number, expiresAt: number, ttlMs: number): boolean {
  return expiresAt - renewedAt >= ttlMs - 50;
}

/** The takeovers after another holder whose lease ran out (not handed back). */
function ranOutTakeovers(all: readonly ReportedTakeover[], ttlMs: number): ReportedTakeover[] {
  // (sinceRenewal - sinceExpiry is the lease's expiry minus its last renewal)
  return all.filter(
    (t) =>
      t.sinceRenewalMs !== undefined &&
      t.sinceExpiryMs !== undefined &&
      leaseRanOut(0, t.sinceRenewalMs - t.sinceExpiryMs, ttlMs),
  );
}

/** p50/p99 of each part of the takeovers (those after another holder), and the event-loop delay. */
export function breakdown(all: readonly ReportedTakeover[], lags: readonly number[], ttlMs: number): string {
  const taken = all.filter((t) => t.sinceRenewalMs !== undefined);
  const part = (name: string, f: (t: ReportedTakeover) => number | undefined) => {
    const xs = taken.map(f).filter((x): x is number => x !== undefined);
    return `${name} ${Math.round(percentile(xs, 50))}/${Math.round(percentile(xs, 99))}`;
  };
  const expired = ranOutTakeovers(taken, ttlMs);
  const handed = taken.filter((t) => !expired.includes(t));
  const of = (xs: ReportedTakeover[], f: (t: ReportedTakeover) => number) =>
    `${Math.round(percentile(xs.map(f), 50))}/${Math.round(percentile(xs.map(f), 99))}`;
  return [
    `after a lease ran out (${expired.length}, ${expired.filter((t) => t.standby === true).length} on a connection opened before): from its expiry ${of(expired, (t) => t.sinceExpiryMs as number)}`,
    `after a hand-back (${handed.length}): from the release ${of(handed, (t) => t.sinceExpiryMs as number)}`,
    part("until acquired", (t) => (t.sinceRenewalMs as number) - t.startMs),
    part("acquire", (t) => t.acquireMs),
    part("start", (t) => t.startMs),
    part("venues", (t) => t.venuesMs),
    part("store", (t) => t.storeMs),
    part("engine start", (t) => t.engineMs),
    `of it ${["recovery", "orders", "groups", "reconcile", "portfolio"].map((s) => part(s, (t) => (t.stages === undefined ? undefined : (t.stages[s] ?? 0)))).join(", ")}`,
    `workers' event-loop delay (p99 per second) ${Math.round(percentile([...lags], 50))}/${Math.round(percentile([...lags], 99))}`,
  ].join(", ");
}

/**
 * What each takeover of a lease that ran out spent beyond the TTL and its own start-up (the
 * venues, the store, the engine's recovery and reconcile), ms: from the lease's expiry to the
 * start-up's beginning, that is seeing the expiry and acquiring the lease. The takeover's overhead
 * on top of "TTL + one reconcile", unit by unit.
 */
export function beyondStartUp(all: readonly ReportedTakeover[], ttlMs: number): number[] {
  return ranOutTakeovers(all, ttlMs).map((t) => (t.sinceExpiryMs as number) - t.startMs);
}

/**
 * Each takeover's full time, ms: from the last renewal of the unit's last holder that traded to
 * this holder trading. A start-up that failed (its lease lost mid-way) renewed its lease before
 * failing; counting from those renewals would hide the time before the failed attempt, so the
 * chain of failed attempts (each one's previous token) is followed back to a holder that traded,
 * or to the first attempt. `lengthened`: takeovers with failed attempts before them.
 */
export function fullTakeoverTimes(
  all: readonly ReportedTakeover[],
  failed: readonly FailedStart[],
): { times: number[]; lengthened: number } {
  const chains = takeoverChains(all, failed);
  return {
    times: chains.map((c) => c.t.atMs - c.fromMs),
    lengthened: chains.filter((c) => c.failedBefore.length > 0).length,
  };
}

/**
 * The full times (`fullTakeoverTimes`) apart by how the chain began: the lease of the holder
 * that traded ran out (it died or was paused: a takeover, the figure the target is for), or that
 * holder handed the unit back to balance the pool (a hand-off between live workers). A lease
 * renewed a whole TTL before its expiry ran out; without the expiry on record it counts as one.
 */
export function takeoverTimesByKind(
  all: readonly ReportedTakeover[],
  failed: readonly FailedStart[],
  ttlMs: number,
): { ranOut: number[]; handedBack: number[] } {
  const out = { ranOut: [] as number[], handedBack: [] as number[] };
  for (const c of takeoverChains(all, failed)) {
    const ran = chainRanOut(c, ttlMs);
    (ran ? out.ranOut : out.handedBack).push(c.t.atMs - c.fromMs);
  }
  return out;
}

/**
 * The outage of each takeover of a lease that ran out, ms: from the fault (the SIGKILL or
 * SIGSTOP of the holder that traded) to the unit trading again. The takeover time counts from
 * that holder's last renewal instead, which came up to a renewal period before the fault; the
 * outage is what the unit's wallets lived through. The holder is the worker whose start-up got
 * the chain's first token; its fault is its last one before the lease's expiry. `unmatched`:
 * run-outs no fault of their holder's explains (none in a chaos run).
 */
export function outageTimes(
  all: readonly ReportedTakeover[],
  failed: readonly FailedStart[],
  faults: readonly { worker: string; fromMs: number }[],
  ttlMs: number,
): { times: number[]; unmatched: number } {
  const holderOf = new Map(all.map((t) => [t.token, t.worker]));
  const out = { times: [] as number[], unmatched: 0 };
  for (const c of takeoverChains(all, failed)) {
    if (!chainRanOut(c, ttlMs)) continue;
    const token = c.failedBefore.at(-1)?.previousToken ?? c.t.previousToken;
    const holder = token === undefined ? undefined : holderOf.get(token);
    const expiry = c.fromExpiresAt ?? c.fromMs + ttlMs;
    const fault = faults.filter((f) => f.worker === holder && f.fromMs <= expiry).at(-1);
    if (fault === undefined || fault.fromMs < c.fromMs - ttlMs) out.unmatched++;
    else out.times.push(c.t.atMs - fault.fromMs);
  }
  return out;
}

/** How chain `c` began: the lease it starts from ran out (`leaseRanOut`), or, unrecorded, counted so. */
export function chainRanOut(c: TakeoverChain, ttlMs: number): boolean {
  return c.fromExpiresAt === undefined || leaseRanOut(c.fromMs, c.fromExpiresAt, ttlMs);
}

/** A takeover with where its full time starts and the failed attempts it went through. */
export interface TakeoverChain<F extends FailedStart = FailedStart> {
  readonly t: ReportedTakeover;
  readonly fromMs: number;
  /** the expiry of the lease the chain starts from (that holder's), when recorded */
  readonly fromExpiresAt: number | undefined;
  readonly failedBefore: readonly F[];
}

/** The chains behind `fullTakeoverTimes` (first start-ups left out). */
export function takeoverChains<F extends FailedStart>(
  all: readonly ReportedTakeover[],
  failed: readonly F[],
): TakeoverChain<F>[] {
  const byToken = new Map(failed.map((f) => [f.token, f]));
  const out: TakeoverChain<F>[] = [];
  for (const t of all) {
    if (t.previousRenewedAt === undefined || t.previousToken === undefined) continue;
    let from = t.previousRenewedAt;
    let fromExpiresAt = t.previousExpiresAt;
    const failedBefore: F[] = [];
    let f = byToken.get(t.previousToken);
    for (const seen = new Set<number>(); f !== undefined && !seen.has(f.token); ) {
      seen.add(f.token);
      failedBefore.push(f);
      if (f.previousRenewedAt === undefined) break; // the unit's first attempt: it had no holder
      from = f.previousRenewedAt;
      fromExpiresAt = f.previousExpiresAt;
      f = f.previousToken === undefined ? undefined : byToken.get(f.previousToken);
    }
    out.push({ t, fromMs: from, fromExpiresAt, failedBefore });
  }
  return out;
}
