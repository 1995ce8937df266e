import { hostname } from "node:os";
import type { ControlRequestRecord, ControlRequestStatus } from "../../store/records.ts";
import type { Store } from "../../store/store.ts";

/**
 * Operator requests to the running process, the side every surface calls (the CLI today; the
 * HTTP API and Telegram later). `perpbot run` owns the venues, so a close or flatten is a row in
 * the store's control queue (pending) that the runner's ControlPoller (src/app/control.ts)
 * claims (running), acts on and finishes (done or failed, with a result). A request may carry
 * an `expiresAt` (wall-clock ms, in its args), past which the runner fails it ("expired")
 * instead of acting on a wish that may be hours old.
 */

/** stop: the running `perpbot run` stops cleanly (positions kept, state saved), as on Ctrl-C */
export type ControlAction = "close" | "flatten" | "stop" | TradingStateAction | StrategyPauseAction;

/** pause_strategy: one instance opens nothing new (closes and exits go on); resume_strategy undoes it */
export type StrategyPauseAction = "pause_strategy" | "resume_strategy";

/** kv key of the paused instances' names (JSON array), kept across restarts */
export const PAUSED_KV_KEY = "strategies.paused";

export interface StrategyArgs {
  readonly strategy: string;
}

/** The instances an operator paused (what the runner applies at start and on each request). */
export async function pausedStrategies(store: Pick<Store, "kv">): Promise<string[]> {
  const raw = await store.kv.get(PAUSED_KV_KEY);
  if (raw === null) return [];
  try {
    const v = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** Trading-state changes: halt (only cancels pass), reduce-only (only reducing orders), resume. */
export type TradingStateAction = "halt" | "reduce_only" | "resume";
export const TRADING_STATE_ACTIONS: readonly TradingStateAction[] = ["halt", "reduce_only", "resume"];
export type ControlStatus = ControlRequestStatus;

export interface CloseArgs {
  /** a group id, or "all" */
  readonly group: string;
}

export interface FlattenArgs {
  readonly venue?: string;
  readonly wallet?: string;
}

/** trading-state actions take no arguments */
export type ControlArgs = CloseArgs | FlattenArgs | StrategyArgs | Record<string, never>;

export interface ControlRequest extends ControlRequestRecord {
  readonly action: ControlAction;
}

/** kv key of the runner's heartbeat: JSON { pid, host, startedAt, ts } */
export const RUNNER_KV_KEY = "control.runner";
/** a heartbeat older than this means no runner is polling */
export const RUNNER_STALE_MS = 15_000;

export interface RunnerHeartbeat {
  readonly pid: number;
  /** os.hostname() of the runner (absent in a heartbeat written before it was recorded) */
  readonly host?: string;
  readonly startedAt: number;
  readonly ts: number;
}

/** The heartbeat a runner writes now (src/app/control.ts). */
export function runnerHeartbeat(startedAt: number, ts: number): RunnerHeartbeat {
  return { pid: process.pid, host: hostname(), startedAt, ts };
}

/**
 * Whether process `pid` exists on this host: signal 0 checks without sending anything. EPERM
 * means it exists but belongs to another user; only ESRCH says it is gone.
 */
function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function enqueueControlRequest(
  store: Pick<Store, "controlRequests">,
  action: ControlAction,
  args: ControlArgs,
  now: number,
  /** wall-clock ms after which the runner no longer acts on it (default: never) */
  expiresAt?: number,
): Promise<number> {
  return store.controlRequests.enqueue(
    action,
    expiresAt === undefined ? { ...args } : { ...args, expiresAt },
    now,
  );
}

export async function getControlRequest(
  store: Pick<Store, "controlRequests">,
  id: number,
): Promise<ControlRequest | undefined> {
  return (await store.controlRequests.get(id)) as ControlRequest | undefined;
}

export async function listControlRequests(
  store: Pick<Store, "controlRequests">,
  filter: { status?: ControlStatus; limit?: number } = {},
): Promise<ControlRequest[]> {
  return (await store.controlRequests.list(filter)) as ControlRequest[];
}

export async function readRunnerHeartbeat(store: Pick<Store, "kv">): Promise<RunnerHeartbeat | undefined> {
  const raw = await store.kv.get(RUNNER_KV_KEY);
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as RunnerHeartbeat;
    return typeof v.ts === "number" && typeof v.pid === "number" ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface RunnerState {
  /**
   * a heartbeat younger than RUNNER_STALE_MS, from a process still alive when it was written on
   * this host (a runner killed with -9 leaves a fresh heartbeat behind for up to 15 s)
   */
  readonly running: boolean;
  readonly pid: number | null;
  readonly lastSeen: number | null;
}

/** Whether a `perpbot run` is polling the queue, judged at wall time `now`. */
export async function runnerState(store: Pick<Store, "kv">, now: number): Promise<RunnerState> {
  const beat = await readRunnerHeartbeat(store);
  const fresh = beat !== undefined && now - beat.ts < RUNNER_STALE_MS;
  // another host's pid says nothing here: there the heartbeat's age is all there is to go on
  const sameHost = beat?.host !== undefined && beat.host === hostname();
  return {
    running: fresh && (!sameHost || pidAlive(beat.pid)),
    pid: beat?.pid ?? null,
    lastSeen: beat?.ts ?? null,
  };
}

export interface SubmittedRequest {
  readonly id: number;
  /** undefined: it never expires */
  readonly expiresAt: number | undefined;
  /** the runner as seen just before the request was queued */
  readonly runner: RunnerState;
}

/** Queues a close or flatten for the runner (expiring `expireAfterMs` after `now`, if given). */
export async function submitControlRequest(
  store: Pick<Store, "controlRequests" | "kv">,
  action: ControlAction,
  args: ControlArgs,
  options: { now: number; expireAfterMs?: number },
): Promise<SubmittedRequest> {
  const runner = await runnerState(store, options.now);
  const expiresAt = options.expireAfterMs === undefined ? undefined : options.now + options.expireAfterMs;
  const id = await enqueueControlRequest(store, action, args, options.now, expiresAt);
  return { id, expiresAt, runner };
}

/**
 * Polls a request until it is done or failed, or `timeoutMs` passed; returns it as last seen
 * (still pending or running when the time ran out). `onWaiting` is called between polls.
 */
export async function awaitControlRequest(
  store: Pick<Store, "controlRequests">,
  id: number,
  options: { timeoutMs: number; pollMs?: number; onWaiting?: (r: ControlRequest, elapsedMs: number) => void },
): Promise<ControlRequest | undefined> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  for (;;) {
    const r = await getControlRequest(store, id);
    if (r === undefined || r.status === "done" || r.status === "failed") return r;
    const now = Date.now();
    if (now >= deadline) return r;
    options.onWaiting?.(r, now - started);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(options.pollMs ?? 200, Math.max(1, deadline - now))),
    );
  }
}

/** A finished request's result in one line ("closed 1 group(s); closed: g-1"). */
export function controlOutcomeText(r: ControlRequest): string {
  const res = r.result ?? {};
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  if (r.action === "close") {
    const closed = list(res.closed);
    const notFlat = Array.isArray(res.notFlat) ? res.notFlat.length : 0;
    const parts = [];
    if (typeof res.detail === "string") parts.push(res.detail);
    if (closed.length > 0) parts.push(`closed: ${closed.join(", ")}`);
    if (notFlat > 0) parts.push(`${notFlat} not flat yet`);
    return parts.join("; ");
  }
  if (r.action === "stop") return "the runner is stopping (positions kept, state saved)";
  if (r.action === "pause_strategy" || r.action === "resume_strategy")
    return `strategy ${String(res.strategy ?? "")} ${res.paused === true ? "paused" : "trading"}`;
  if (r.action !== "flatten") {
    return typeof res.tradingState === "string" ? `trading state ${res.tradingState}` : "";
  }
  const closed = list(res.groupsClosed);
  const notFlat = list(res.groupsNotFlat);
  const parts = [`${closed.length} group(s) closed${closed.length > 0 ? ` (${closed.join(", ")})` : ""}`];
  if (notFlat.length > 0) parts.push(`${notFlat.length} group(s) not flat yet (${notFlat.join(", ")})`);
  parts.push(`${Number(res.positionsFlattened ?? 0)} other position(s) flattened`);
  if (Number(res.positionsNotFlat ?? 0) > 0)
    parts.push(`${Number(res.positionsNotFlat)} position(s) not flat yet`);
  return parts.join("; ");
}
