import { PerpbotError } from "../core/errors.ts";
import type { AlertContext, AlertSeverity } from "../engine/alerts.ts";

/** The kinds of destination perpbot can notify. */
export type DestinationKind = "telegram" | "lark" | "discord" | "webhook";

export const DESTINATION_KINDS: readonly DestinationKind[] = ["telegram", "lark", "discord", "webhook"];

/**
 * What a destination is asked to deliver: an engine alert, or the summary of the repeats of one
 * that the dedupe window held back.
 */
export interface Notice {
  readonly severity: AlertSeverity;
  readonly key: string;
  readonly title: string;
  readonly message: string;
  readonly context: AlertContext;
  /** epoch ms of the alert (of the window's end for a summary) */
  readonly ts: number;
  /** set on a summary: how many repeats of `key` were suppressed, and since when */
  readonly suppressed?: { readonly count: number; readonly sinceTs: number };
}

/** One destination's delivery of one notice: resolves when the far end accepted it. */
export interface AlertSender {
  readonly kind: DestinationKind;
  /** a name for logs and stats, never a URL or a token */
  readonly name: string;
  send(notice: Notice): Promise<void>;
}

/**
 * A delivery that did not go through. `retryable` says whether trying again can help (timeouts,
 * connection errors, 5xx, 429); `retryAfterMs` is the wait the far end asked for. The message
 * names the destination and the status, never the URL (a Telegram URL holds the bot token).
 */
export class SendFailure extends PerpbotError {
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly status: number | null;
  constructor(
    message: string,
    details: { retryable: boolean; retryAfterMs?: number | null; status?: number | null; cause?: unknown },
  ) {
    super("alert_send_failed", message, { cause: details.cause });
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs ?? null;
    this.status = details.status ?? null;
  }
}
