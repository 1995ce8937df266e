import type { Clock, TimerHandle } from "../core/clock.ts";
import type {
  CloseOutcome,
  CloseReason,
  FlattenResult,
  GroupFilter,
  GroupRecord,
} from "../engine/groups/group-types.ts";
import type { Store } from "../store/store.ts";
import type { FarmCloseReason } from "../strategies/farm/engine-port.ts";
import {
  type ControlRequest,
  type ControlStatus,
  type FlattenArgs,
  listControlRequests,
  RUNNER_KV_KEY,
  type RunnerHeartbeat,
  runnerHeartbeat,
} from "./service/control.ts";

/**
 * The runner's side of operator requests: `perpbot close` and `perpbot flatten` (and the HTTP
 * API's close, flatten, halt, reduce-only and resume) queue a request
 * (src/app/service/control.ts); the running process's ControlPoller claims it, acts through the
 * farm and the engine, and finishes it with a JSON result. A request nobody picks up stays
 * pending and is acted on when `perpbot run` next runs, unless it expired first.
 */

const HEARTBEAT_EVERY_MS = 5_000;

/** the engine's trading state each trading-state request sets (risk.ts TradingState) */
const STATE_OF: Readonly<Record<string, "ACTIVE" | "REDUCING" | "HALTED">> = {
  halt: "HALTED",
  reduce_only: "REDUCING",
  resume: "ACTIVE",
};

/** What the poller needs of the engine (src/engine/executor.ts Engine). */
export interface ControlEngine {
  closeGroup(groupId: string, reason: CloseReason): Promise<CloseOutcome>;
  groups(filter?: GroupFilter): Promise<GroupRecord[]>;
  flatten(filter: { venue?: string; account?: string }, reason: CloseReason): Promise<FlattenResult>;
  /** ACTIVE, REDUCING (only reducing orders) or HALTED (only cancels); persisted */
  setTradingState(state: "ACTIVE" | "REDUCING" | "HALTED"): Promise<void>;
}

/** What the poller needs of the farm (FarmStrategy). */
export interface ControlFarm {
  close(groupId: string | "all", reason?: FarmCloseReason): Promise<void>;
  groups(): readonly { readonly id: string }[];
  /** pause or resume one instance's entries (persisted); throws naming the instances when unknown */
  setPaused?(strategy: string, paused: boolean): Promise<void>;
}

export interface ControlPollerOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly engine: ControlEngine;
  /** the farm, when it runs: closes go through it so its bookkeeping (timers, cooldowns) follows */
  readonly farm?: ControlFarm;
  /** venue ids this runner trades (a flatten naming another venue fails) */
  readonly venues: readonly string[];
  /** wallets this runner manages (a flatten naming another wallet fails); undefined: any */
  readonly wallets?: readonly string[];
  /** a "stop" request calls it after the request is finished (absent: stop requests fail) */
  readonly onStop?: (why: string) => void;
  /** default 1000 ms */
  readonly intervalMs?: number;
  /** how long stop() waits for a request being acted on (default 5000 ms) */
  readonly stopTimeoutMs?: number;
  readonly log?: (level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>) => void;
  /**
   * Wall time for the heartbeat (default Date.now): liveness is judged by another process
   * against its own wall clock, whatever clock this runner trades on.
   */
  readonly wallNow?: () => number;
}

class RequestFailed extends Error {
  readonly result: Record<string, unknown>;
  constructor(message: string, result: Record<string, unknown> = {}) {
    super(message);
    this.result = result;
  }
}

/** Polls `control_requests` on the injected clock and carries out close and flatten requests, one at a time. */
export class ControlPoller {
  private readonly o: ControlPollerOptions;
  private readonly intervalMs: number;
  private timer: TimerHandle | undefined;
  private running = false;
  private current: Promise<void> | undefined;
  private lastBeat = Number.NEGATIVE_INFINITY;
  private startedAt = 0;

  constructor(options: ControlPollerOptions) {
    this.o = options;
    this.intervalMs = options.intervalMs ?? 1000;
  }

  /**
   * Requests a previous process left running are pending again (close and flatten are
   * idempotent); then poll. Returns the requests queued before this start (those not expired),
   * which the first poll acts on: `perpbot run` says so (issue 10, D16).
   */
  async start(): Promise<ControlRequest[]> {
    if (this.running) return [];
    const now = this.o.clock.now();
    await this.o.store.controlRequests.requeueRunning(now);
    const wall = (this.o.wallNow ?? Date.now)();
    const queued = (await listControlRequests(this.o.store, { status: "pending", limit: 50 })).filter(
      (r) => !(typeof r.args.expiresAt === "number" && wall > r.args.expiresAt),
    );
    this.running = true;
    this.startedAt = wall;
    this.arm(0);
    return queued;
  }

  /** Stop polling; wait (up to stopTimeoutMs) for the request being acted on; drop the heartbeat. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.o.clock.cancel(this.timer);
    this.timer = undefined;
    const current = this.current;
    if (current) {
      let handle: TimerHandle | undefined;
      const timeout = new Promise<void>((resolve) => {
        handle = this.o.clock.after(this.o.stopTimeoutMs ?? 5_000, resolve);
      });
      await Promise.race([current, timeout]);
      if (handle) this.o.clock.cancel(handle);
    }
    await this.o.store.kv.delete(RUNNER_KV_KEY).catch(() => undefined);
  }

  /** One poll: act on every pending request, oldest first. Returns how many were handled. */
  pollOnce(): Promise<number> {
    const run = this.poll();
    this.current = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private arm(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.o.clock.after(delayMs, () => {
      this.timer = undefined;
      this.pollOnce()
        .catch((e) => this.log("error", `control poll failed: ${(e as Error).message}`))
        .finally(() => this.arm(this.intervalMs));
    });
  }

  private async poll(): Promise<number> {
    const wall = (this.o.wallNow ?? Date.now)();
    if (this.running && wall - this.lastBeat >= HEARTBEAT_EVERY_MS) {
      this.lastBeat = wall;
      const beat: RunnerHeartbeat = runnerHeartbeat(this.startedAt, wall);
      await this.o.store.kv.put(RUNNER_KV_KEY, JSON.stringify(beat), wall);
    }
    const pending = await listControlRequests(this.o.store, { status: "pending", limit: 50 });
    let handled = 0;
    for (const req of pending) {
      const expiresAt = req.args.expiresAt;
      if (typeof expiresAt === "number" && wall > expiresAt) {
        await this.expire(req, expiresAt);
        continue;
      }
      if (!(await this.claim(req.id))) continue;
      handled++;
      this.log("info", `control request #${req.id}: ${req.action} ${JSON.stringify(req.args)}`);
      let status: Exclude<ControlStatus, "pending" | "running">;
      let result: Record<string, unknown>;
      try {
        result = await this.execute(req);
        status = "done";
      } catch (e) {
        status = "failed";
        result = { error: (e as Error).message, ...(e instanceof RequestFailed ? e.result : {}) };
      }
      this.log(status === "done" ? "info" : "warn", `control request #${req.id} ${status}`, result);
      await this.o.store.controlRequests.finish(req.id, status, result, this.o.clock.now());
      // the stop itself comes after the request is finished, so nobody waits on it in vain
      if (req.action === "stop" && status === "done") this.o.onStop?.(`control request #${req.id}`);
    }
    return handled;
  }

  /** A pending request past its expiry: failed, not acted on. */
  private async expire(req: ControlRequest, expiresAt: number): Promise<void> {
    const result = {
      error: `expired at ${new Date(expiresAt).toISOString()} before a runner acted on it (queued ${new Date(req.createdAt).toISOString()}); nothing was done, request it again if it still applies`,
    };
    if (await this.o.store.controlRequests.expire(req.id, result, this.o.clock.now()))
      this.log("warn", `control request #${req.id} expired`, result);
  }

  private async claim(id: number): Promise<boolean> {
    return this.o.store.controlRequests.claim(id, this.o.clock.now());
  }

  private execute(req: ControlRequest): Promise<Record<string, unknown>> {
    if (req.action === "close") return this.close(String(req.args.group ?? ""));
    if (req.action === "flatten") {
      const venue = req.args.venue;
      const wallet = req.args.wallet;
      return this.flatten({
        venue: typeof venue === "string" ? venue : undefined,
        wallet: typeof wallet === "string" ? wallet : undefined,
      });
    }
    if (req.action === "pause_strategy" || req.action === "resume_strategy") {
      const name = String(req.args.strategy ?? "");
      const paused = req.action === "pause_strategy";
      const set = this.o.farm?.setPaused;
      if (set === undefined) return Promise.reject(new RequestFailed("this runner cannot pause strategies"));
      return set(name, paused).then(
        () => ({ strategy: name, paused }),
        (e: Error) => Promise.reject(new RequestFailed(e.message)),
      );
    }
    if (req.action === "stop") {
      if (this.o.onStop === undefined)
        return Promise.reject(new RequestFailed("this runner cannot be stopped by a request"));
      return Promise.resolve({ stopping: true });
    }
    const state = STATE_OF[req.action];
    if (state !== undefined) {
      return this.o.engine.setTradingState(state).then(() => ({ tradingState: state }));
    }
    return Promise.reject(new RequestFailed(`unknown action "${req.action}"`));
  }

  private async close(group: string): Promise<Record<string, unknown>> {
    const { engine, farm } = this.o;
    let ids: string[];
    if (group === "all") {
      // the farm first (its timers and wallet cooldowns follow), then every group still active
      const farmIds = farm ? farm.groups().map((g) => g.id) : [];
      if (farm) await farm.close("all", "manual");
      const rest = (await engine.groups({ activeOnly: true })).map((g) => g.groupId);
      ids = [...new Set([...farmIds, ...rest])];
    } else {
      if (group === "") throw new RequestFailed("close: no group id given");
      const rec = (await engine.groups({ groupIds: [group] }))[0];
      if (rec === undefined)
        throw new RequestFailed(`no group "${group}": see perpbot status for the group ids`);
      if (rec.status === "closed" || rec.status === "failed") {
        return {
          closed: [group],
          notFlat: [],
          detail: `group ${group} was already ${rec.status} (${rec.closeReason ?? rec.failureReason ?? "no reason"})`,
        };
      }
      if (farm?.groups().some((g) => g.id === group)) await farm.close(group, "manual");
      ids = [group];
    }
    // the engine's close is idempotent: for a group the farm closed it answers at once; for one
    // the farm does not hold (still opening, another strategy) it closes it
    const outcomes = await Promise.all(ids.map((id) => engine.closeGroup(id, "manual")));
    const closed = outcomes.filter((o) => o.ok).map((o) => o.groupId);
    const notFlat = outcomes.flatMap((o) => (o.ok ? [] : [{ group: o.groupId, detail: o.detail }]));
    const result = { closed, notFlat };
    if (notFlat.length > 0) {
      throw new RequestFailed(
        `${notFlat.length} group(s) not flat yet (the engine keeps retrying and alerting): ${notFlat
          .map((n) => `${n.group}: ${n.detail}`)
          .join("; ")}`,
        result,
      );
    }
    return {
      ...result,
      detail: closed.length === 0 ? "no active groups" : `closed ${closed.length} group(s)`,
    };
  }

  private async flatten(f: FlattenArgs): Promise<Record<string, unknown>> {
    if (f.venue !== undefined && !this.o.venues.includes(f.venue)) {
      throw new RequestFailed(`unknown venue "${f.venue}": this runner trades ${this.o.venues.join(", ")}`);
    }
    if (f.wallet !== undefined && this.o.wallets !== undefined && !this.o.wallets.includes(f.wallet)) {
      throw new RequestFailed(`wallet "${f.wallet}" is not one this runner manages`);
    }
    const out = await this.o.engine.flatten({ venue: f.venue, account: f.wallet }, "manual");
    // the farm forgets the groups the engine closed (its close answers at once for a closed group)
    if (this.o.farm) {
      const mine = new Set(this.o.farm.groups().map((g) => g.id));
      await Promise.all(
        out.groupsClosed.filter((id) => mine.has(id)).map((id) => this.o.farm!.close(id, "manual")),
      );
    }
    const result = {
      groupsClosed: [...out.groupsClosed],
      groupsNotFlat: [...out.groupsNotFlat],
      positionsFlattened: out.positionsFlattened,
      positionsNotFlat: out.positionsNotFlat,
    };
    if (out.groupsNotFlat.length > 0 || out.positionsNotFlat > 0) {
      throw new RequestFailed(
        `not flat yet: ${out.groupsNotFlat.length} group(s), ${out.positionsNotFlat} position(s) (the engine keeps retrying and alerting)`,
        result,
      );
    }
    return result;
  }

  private log(level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>): void {
    this.o.log?.(level, msg, ctx);
  }
}
