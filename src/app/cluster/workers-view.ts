import { LeaseStore } from "../../store/cluster/lease-store.ts";

/**
 * `perpbot workers`: the pool's workers, their leases and their last renewal, as the database
 * sees them (its clock decides what is expired).
 */

export interface WorkerView {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  /** "live" (renewed within a TTL), "silent" (no renewal for longer: dead or paused), "stopped" */
  readonly state: "live" | "silent" | "stopped";
  readonly lastRenewalAgoMs: number;
  readonly egress: string;
  readonly workersPerIp: number;
  readonly leases: readonly { key: string; token: number; expiresInMs: number }[];
}

export interface PoolView {
  readonly now: number;
  readonly workers: readonly WorkerView[];
  /** leases whose holder is not a known worker or that expired: free for the next taker */
  readonly expired: readonly { key: string; holder: string; token: number; expiredAgoMs: number }[];
}

export async function poolView(url: string, clusterSchema: string): Promise<PoolView> {
  const leases = await LeaseStore.open(url, clusterSchema);
  try {
    const [now, ws, ls] = await Promise.all([leases.now(), leases.workers(), leases.leases()]);
    const workers = ws.map(
      (w): WorkerView => ({
        workerId: w.workerId,
        host: w.host,
        pid: w.pid,
        state: w.stoppedAt !== null ? "stopped" : now - w.lastSeen <= w.ttlMs ? "live" : "silent",
        lastRenewalAgoMs: now - w.lastSeen,
        egress: w.egress,
        workersPerIp: w.workersPerIp,
        leases: ls
          .filter((l) => l.holder === w.workerId && l.expiresAt > now)
          .map((l) => ({ key: l.key, token: l.token, expiresInMs: l.expiresAt - now })),
      }),
    );
    const expired = ls
      .filter((l) => l.expiresAt <= now)
      .map((l) => ({ key: l.key, holder: l.holder, token: l.token, expiredAgoMs: now - l.expiresAt }));
    return { now, workers, expired };
  } finally {
    await leases.close();
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The view as the terminal prints it. */
export function poolLines(v: PoolView): string[] {
  if (v.workers.length === 0 && v.expired.length === 0) return ["no workers have joined this pool yet"];
  const lines: string[] = [];
  for (const w of v.workers) {
    lines.push(
      `${w.workerId}  ${w.state}  pid ${w.pid} on ${w.host}  last renewal ${secs(w.lastRenewalAgoMs)} ago  ${w.leases.length} lease(s)  egress ${w.egress} (1/${w.workersPerIp} of per-IP limits)`,
    );
    for (const l of w.leases) lines.push(`  ${l.key}  token ${l.token}  expires in ${secs(l.expiresInMs)}`);
  }
  if (v.expired.length > 0) {
    lines.push("expired leases (free for the next worker):");
    for (const l of v.expired)
      lines.push(
        `  ${l.key}  last held by ${l.holder} (token ${l.token})  expired ${secs(l.expiredAgoMs)} ago`,
      );
  }
  return lines;
}
