import type { Alert, AlertBus } from "../engine/alerts.ts";
import type { Logger } from "../log/logger.ts";

/**
 * Every alert as a log line too (issue 10, D7): the store and the destinations are not where an
 * operator watching `perpbot run` looks. An info alert is an info line, a warning a warn line, a
 * critical or emergency an error line; the line carries the alert's title and message (its
 * reason) and its context, in the console view and in the JSON log file alike.
 */
export function alertLogLevel(alert: Alert): "info" | "warn" | "error" {
  if (alert.severity === "info") return "info";
  if (alert.severity === "warning") return "warn";
  return "error";
}

/** One alert as a log record: the message first, then what it is about. */
export function alertLogRecord(alert: Alert): { fields: Record<string, unknown>; msg: string } {
  const fields: Record<string, unknown> = { severity: alert.severity, key: alert.key };
  for (const [k, v] of Object.entries(alert.context)) if (v !== undefined) fields[k] = v;
  return { fields, msg: `${alert.title}: ${alert.message}` };
}

/** Subscribes `logger` to the bus; returns the unsubscribe. */
export function logAlerts(bus: AlertBus, logger: Logger): () => void {
  return bus.subscribe((alert) => {
    const { fields, msg } = alertLogRecord(alert);
    logger[alertLogLevel(alert)](fields, msg);
  });
}
