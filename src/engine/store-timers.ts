import type { Clock } from "../core/clock.ts";
import type { TimersRepo } from "../store/repos/timers.ts";
import type { Store } from "../store/store.ts";
import type { AlertBus } from "./alerts.ts";
import type { EngineSettings } from "./config.ts";
import { type JsonValue, Scheduler, type TimerRecord, type TimerStore } from "./scheduler.ts";

/** The engine's scheduler: timers in the store, a failed handler retried and alerted. */
export function engineScheduler(
  clock: Clock,
  store: Store,
  settings: EngineSettings,
  alerts: AlertBus,
): Scheduler {
  return new Scheduler(clock, new StoreTimerStore(store.timers), {
    retryDelayMs: settings.closeRetryMaxMs,
    onError: (timer, error) =>
      alerts.raise({
        severity: "warning",
        key: `engine.timer_failed:${timer.id}`,
        title: "timer handler failed",
        message: `${timer.id} (${timer.kind}): ${(error as Error)?.message ?? String(error)}`,
        context: {},
        ts: clock.now(),
      }),
  });
}

/**
 * The scheduler's timers in the store (`engine_timers`), on SQLite or PostgreSQL alike: a group's
 * `close_at` survives a restart, and one that came due while the process was down fires once the
 * scheduler starts.
 */
export class StoreTimerStore implements TimerStore {
  private readonly timers: TimersRepo;

  constructor(timers: TimersRepo) {
    this.timers = timers;
  }

  async load(): Promise<TimerRecord[]> {
    return (await this.timers.load()).map((t) => ({
      id: t.id,
      kind: t.kind,
      dueAt: t.dueAt,
      payload: JSON.parse(t.payload) as JsonValue,
    }));
  }

  async save(rec: TimerRecord): Promise<void> {
    await this.timers.save({
      id: rec.id,
      kind: rec.kind,
      dueAt: rec.dueAt,
      payload: JSON.stringify(rec.payload),
    });
  }

  async remove(id: string): Promise<void> {
    await this.timers.remove(id);
  }
}
