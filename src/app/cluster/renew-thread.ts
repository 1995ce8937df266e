/**
 * The lease renewal of a worker, on a thread of its own (lease-manager.ts, `renewIn: "thread"`).
 * A worker's event loop can stall for seconds (a unit's start-up reconciling many wallets, the
 * synchronous SQLite commits of many simulated venues, GC, a loaded machine); renewals queued
 * behind that work let the leases run out although the process is alive. This thread does
 * nothing but renew: every `renewEveryMs`, one statement for every held token on its own
 * connection. It writes each renewed lease's local deadline straight into the shared array the
 * main thread reads (`HeldLease.validUntil`), in the main thread's `performance.now()` domain,
 * and reports the tokens the database did not extend (their deadline is zeroed at once, so a
 * send on the main thread stops even before it reads the message).
 *
 * Messages in: {add, token, slot} | {remove, token, slot} | {renew, id} | {stop}.
 * Messages out: {removed, slot} | {renewed, ids, lost, ms} | {error, message} | {ready} | {stopped}.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type LeaseRow, LeaseStore } from "../../store/cluster/lease-store.ts";
import { deadlineArrays } from "./deadlines.ts";

export interface RenewThreadData {
  readonly url: string;
  readonly schema: string;
  readonly workerId: string;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  readonly marginMs: number;
  /** the local deadlines, one slot per held lease: monotonic, then wall-clock (`deadlineArrays`) */
  readonly deadlines: SharedArrayBuffer;
  /** the main thread's hrtime (ms) at its performance.now() = 0 */
  readonly originHrMs: number;
}

export type RenewIn =
  | { type: "add"; token: number; slot: number }
  | { type: "remove"; token: number; slot: number }
  | { type: "renew"; id: number }
  | { type: "stop" };

export type RenewOut =
  | { type: "ready" }
  | { type: "removed"; slot: number }
  | { type: "renewed"; ids: number[]; lost: number[]; ms: number }
  | { type: "error"; message: string }
  | { type: "stopped" };

const port = parentPort;
if (port === null) throw new Error("renew-thread.ts runs as a worker thread of lease-manager.ts");
const d = workerData as RenewThreadData;
const { mono: deadlines, wall: wallDeadlines } = deadlineArrays(d.deadlines);
const slots = new Map<number, number>();
/** the main thread's performance.now() */
const now = () => Number(process.hrtime.bigint()) / 1e6 - d.originHrMs;
const post = (m: RenewOut) => port.postMessage(m);

const store = await LeaseStore.open(d.url, d.schema, (e) => post({ type: "error", message: e.message }));
let renewing: Promise<void> | undefined;
const waiting: number[] = [];

async function renewOnce(): Promise<void> {
  const tokens = [...slots.keys()];
  const sent = now();
  const sentWall = Date.now();
  let rows: LeaseRow[];
  try {
    rows = await store.renew(d.workerId, tokens, d.ttlMs);
  } catch (e) {
    post({ type: "error", message: (e as Error).message });
    post({ type: "renewed", ids: waiting.splice(0), lost: [], ms: now() - sent });
    return;
  }
  const ms = now() - sent;
  const kept = new Set(rows.map((r) => r.token));
  const lost: number[] = [];
  for (const t of tokens) {
    // a lease removed while the statement ran is the main thread's again (its slot may be reused)
    const slot = slots.get(t);
    if (slot === undefined) continue;
    if (kept.has(t)) {
      deadlines[slot] = Math.max(deadlines[slot], sent + d.ttlMs - d.marginMs);
      wallDeadlines[slot] = Math.max(wallDeadlines[slot], sentWall + d.ttlMs - d.marginMs);
    } else {
      deadlines[slot] = 0;
      wallDeadlines[slot] = 0;
      slots.delete(t);
      lost.push(t);
    }
  }
  // one message: a caller of renewNow() hears of the leases lost in this renewal before it resumes
  post({ type: "renewed", ids: waiting.splice(0), lost, ms });
}

function renewNow(): Promise<void> {
  renewing ??= renewOnce().finally(() => {
    renewing = undefined;
  });
  return renewing;
}

const timer = setInterval(() => void renewNow(), d.renewEveryMs);
port.on("message", (m: RenewIn) => {
  if (m.type === "add") slots.set(m.token, m.slot);
  else if (m.type === "remove") {
    slots.delete(m.token);
    // answered after any renewal in flight: it cannot write this slot any more
    void (renewing ?? Promise.resolve()).then(() => post({ type: "removed", slot: m.slot }));
  } else if (m.type === "renew") {
    // a renewal that started before the request may miss leases added since: run a fresh one
    void (renewing ?? Promise.resolve()).then(() => {
      waiting.push(m.id);
      return renewNow();
    });
  } else if (m.type === "stop") {
    clearInterval(timer);
    void (renewing ?? Promise.resolve())
      .then(() => store.close())
      .catch(() => undefined)
      .then(() => {
        post({ type: "stopped" });
        port.close();
      });
  }
});
post({ type: "ready" });
