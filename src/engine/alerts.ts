import { InvalidValueError } from "../core/errors.ts";

/**
 * Alerts are engine events: the engine raises them where something happens (an unhedged leg,
 * a tripped kill switch, an order stuck in unknown), and every surface that tells a human
 * (log, store, dashboard, Telegram) subscribes. The bus itself does no I/O.
 */

/** info: worth a line; warning: look soon; critical: act now; emergency: money is at risk right now */
export type AlertSeverity = "info" | "warning" | "critical" | "emergency";

export const ALERT_SEVERITIES: readonly AlertSeverity[] = ["info", "warning", "critical", "emergency"];

/** Order of severities, for "notify me from warning up" filters. */
export function severityRank(s: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(s);
}

export interface AlertContext {
  readonly group?: string;
  readonly wallet?: string;
  readonly venue?: string;
  readonly symbol?: string;
  readonly [key: string]: string | number | boolean | undefined;
}

export interface Alert {
  readonly severity: AlertSeverity;
  /** dedupe key: the same condition raises the same key, so a notifier can collapse repeats */
  readonly key: string;
  readonly title: string;
  readonly message: string;
  readonly context: AlertContext;
  /** epoch ms, from the engine's clock */
  readonly ts: number;
}

export type AlertListener = (alert: Alert) => void;

export interface AlertBusOptions {
  /** where a subscriber's exception goes; by default a process warning (printed, never thrown) */
  readonly onListenerError?: (error: unknown, alert: Alert) => void;
}

/**
 * Synchronous fan-out: raise() returns after every subscriber has seen the alert. A subscriber
 * that throws is reported and skipped; it never breaks the raiser (who is usually in the middle
 * of handling something worse) nor the subscribers after it.
 */
export class AlertBus {
  private readonly listeners = new Set<AlertListener>();
  private readonly onListenerError: (error: unknown, alert: Alert) => void;

  constructor(options: AlertBusOptions = {}) {
    this.onListenerError = options.onListenerError ?? warnListenerError;
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: AlertListener): () => void {
    // a wrapper per subscription, so subscribing the same function twice gives two deliveries
    const entry: AlertListener = (a) => listener(a);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Deliver to every subscriber present when raise() was called; returns the frozen alert. */
  raise(alert: Alert): Alert {
    if (!ALERT_SEVERITIES.includes(alert.severity))
      throw new InvalidValueError(`alert ${alert.key}: unknown severity ${String(alert.severity)}`);
    if (alert.key.length === 0) throw new InvalidValueError(`alert "${alert.title}": empty dedupe key`);
    if (!Number.isFinite(alert.ts))
      throw new InvalidValueError(`alert ${alert.key}: ts ${alert.ts} is not a time`);
    // one subscriber must not change what the next one sees
    const frozen: Alert = Object.freeze({ ...alert, context: Object.freeze({ ...alert.context }) });
    for (const listener of [...this.listeners]) {
      try {
        listener(frozen);
      } catch (error) {
        try {
          this.onListenerError(error, frozen);
        } catch {
          // the error reporter itself failed: there is nowhere left to report to
        }
      }
    }
    return frozen;
  }
}

function warnListenerError(error: unknown, alert: Alert): void {
  const why = error instanceof Error ? error.message : String(error);
  process.emitWarning(`alert subscriber failed on ${alert.key}: ${why}`, {
    code: "PERPBOT_ALERT_SUBSCRIBER",
  });
}
