import { pino } from "pino";
import type { Clock } from "../core/clock.ts";
import type { Alert, AlertBus } from "../engine/alerts.ts";
import type { Logger } from "../log/logger.ts";
import type { AlertInput } from "../store/records.ts";
import type { AlertDestination, DestinationStats } from "./destination.ts";
import type { Notice } from "./types.ts";

/**
 * Engine alert → store → destinations. Subscribed to the engine's AlertBus, it does nothing on
 * the raising path but hand work off: the store write is chained (alerts keep their order) and
 * each destination queues the alert for its own worker. Whatever a destination does, the alert
 * is stored; a store failure is logged with the whole alert so it is still on record.
 */

/** What the service needs of the store (a Store is one): its alerts repository's insert. */
export interface AlertStoreWriter {
  readonly alerts: { insert(a: AlertInput): Promise<number> };
}

export interface AlertServiceOptions {
  readonly store: AlertStoreWriter;
  readonly destinations: readonly AlertDestination[];
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** The row an engine alert becomes: its dedupe key is the stored kind, its context kept whole. */
export function alertRecord(alert: Alert): AlertInput {
  const context: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(alert.context)) if (v !== undefined) context[k] = v;
  return {
    severity: alert.severity,
    kind: alert.key,
    title: alert.title,
    message: alert.message,
    context: Object.keys(context).length > 0 ? context : null,
    ts: alert.ts,
  };
}

export class AlertService {
  readonly destinations: readonly AlertDestination[];
  private readonly store: AlertStoreWriter;
  private readonly clock: Clock;
  private readonly log: Logger;
  private storing: Promise<void> = Promise.resolve();
  private pendingStores = 0;
  private storeFailures = 0;
  private closed = false;

  constructor(options: AlertServiceOptions) {
    this.store = options.store;
    this.destinations = options.destinations;
    this.clock = options.clock;
    this.log = options.logger ?? pino({ enabled: false });
  }

  /** Subscribes to the bus; returns the unsubscribe function. */
  attach(bus: AlertBus): () => void {
    return bus.subscribe((alert) => this.handle(alert));
  }

  /** The bus listener: synchronous, never throws, never waits on I/O. */
  handle(alert: Alert): void {
    if (this.closed) {
      this.log.warn({ key: alert.key, severity: alert.severity }, `alert after shutdown: ${alert.title}`);
      return;
    }
    const record = alertRecord(alert);
    this.pendingStores++;
    this.storing = this.storing
      .then(() => this.store.alerts.insert(record))
      .then(
        () => undefined,
        (err: unknown) => {
          this.storeFailures++;
          // the log file is the record of last resort. A database error (a full disk, a damaged
          // file) is the store's, reported on its own: its message says it all, a stack does not
          const sqlite = typeof (err as { errcode?: unknown } | null)?.errcode === "number";
          this.log.error(
            { err: sqlite ? (err as Error).message : err, alert: record },
            "alert could not be stored",
          );
        },
      )
      .finally(() => {
        this.pendingStores--;
      });
    const notice: Notice = alert;
    for (const d of this.destinations) {
      try {
        d.offer(notice);
      } catch (err) {
        this.log.error({ err, destination: d.sender.name }, "alert destination refused a notice");
      }
    }
  }

  /** Resolves once every alert handled so far is stored (or its failure logged). */
  stored(): Promise<void> {
    return this.storing;
  }

  /** Resolves once everything is stored and every destination's queue is empty. */
  async idle(): Promise<void> {
    await this.storing;
    await Promise.all(this.destinations.map((d) => d.idle()));
  }

  stats(): { pendingStores: number; storeFailures: number; destinations: DestinationStats[] } {
    return {
      pendingStores: this.pendingStores,
      storeFailures: this.storeFailures,
      destinations: this.destinations.map((d) => d.stats()),
    };
  }

  /**
   * Shutdown: sends the summaries of open dedupe windows, gives the destinations up to
   * `drainMs` of this clock's time to empty their queues, then stops them. The store writes are
   * always awaited.
   */
  async close(options: { drainMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const d of this.destinations) d.flushWindows();
    const drainMs = options.drainMs ?? 5000;
    let timer: ReturnType<Clock["after"]> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = this.clock.after(drainMs, resolve);
    });
    await Promise.race([Promise.all(this.destinations.map((d) => d.idle())), deadline]);
    if (timer) this.clock.cancel(timer);
    for (const d of this.destinations) d.close();
    await this.storing;
  }
}
