import type { AlertSeverity } from "../engine/alerts.ts";
import { redactText } from "../log/redact.ts";
import type { Notice } from "./types.ts";

/**
 * What a person needs to act on an alert, independent of where it is shown: what happened, where
 * (group, wallet label, venue, market), the numbers (sizes, prices), and what perpbot is doing
 * about it (`context.action`). Each destination renders this view in its own markup.
 */

export interface NoticeView {
  readonly icon: string;
  /** e.g. "CRITICAL: Unhedged leg" */
  readonly headline: string;
  readonly body: string;
  /** label and value, in the order a reader scans them */
  readonly facts: readonly (readonly [string, string])[];
  /** what perpbot is doing about it, or null when the raiser did not say */
  readonly action: string | null;
  /** the dedupe key and the time, for finding the alert in the store and the logs */
  readonly footer: string;
}

export interface ViewLimits {
  /** characters of the message body */
  readonly body: number;
  /** characters of one fact's value */
  readonly value: number;
  /** number of facts */
  readonly facts: number;
  /** characters of the whole plain-text rendering; the body is shortened to fit */
  readonly total: number;
}

const ICONS: Record<AlertSeverity, string> = {
  info: "ℹ️",
  warning: "⚠️",
  critical: "🔴",
  emergency: "🚨",
};

/** Context keys shown first, with their label; any other key follows, sorted. */
const KNOWN_FACTS: readonly (readonly [string, string])[] = [
  ["group", "Group"],
  ["wallet", "Wallet"],
  ["venue", "Venue"],
  ["symbol", "Market"],
  ["side", "Side"],
  ["size", "Size"],
  ["price", "Price"],
];
const ACTION_KEY = "action";

/** `text` cut to `max` characters (code points, so an emoji is never split), with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

/** "2026-01-01 12:00:05 UTC" */
export function utcText(ts: number): string {
  return `${new Date(ts).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function valueText(v: string | number | boolean): string {
  return typeof v === "string" ? v : String(v);
}

/**
 * The view of a notice. Every piece of text passes the secret scrubber: a raiser that put a key
 * or a webhook URL into a message by mistake must not post it to a chat.
 */
export function viewOf(notice: Notice, limits: ViewLimits): NoticeView {
  const clean = (s: string, max: number) => truncate(redactText(s), max);
  const facts: [string, string][] = [];
  const ctx = notice.context;
  for (const [key, label] of KNOWN_FACTS) {
    const v = ctx[key];
    if (v !== undefined) facts.push([label, clean(valueText(v), limits.value)]);
  }
  const known = new Set<string>([...KNOWN_FACTS.map(([k]) => k), ACTION_KEY]);
  for (const key of Object.keys(ctx).sort()) {
    const v = ctx[key];
    if (known.has(key) || v === undefined) continue;
    facts.push([clean(key, 40), clean(valueText(v), limits.value)]);
  }
  const action = ctx[ACTION_KEY];
  const view: NoticeView = {
    icon: ICONS[notice.severity],
    headline: clean(`${notice.severity.toUpperCase()}: ${notice.title}`, 200),
    body: clean(notice.message, limits.body),
    facts: facts.slice(0, limits.facts),
    action: action === undefined ? null : clean(valueText(action), limits.value * 2),
    footer: clean(`${notice.key} · ${utcText(notice.ts)}`, 200),
  };
  // over the total: the least important facts (the unnamed ones, last) go first, then the body
  // is shortened; the headline, the action and the footer always stay
  const length = (v: NoticeView) => Array.from(plainText(v)).length;
  let fitted = view;
  while (fitted.facts.length > 0 && length({ ...fitted, body: "" }) + MIN_BODY > limits.total)
    fitted = { ...fitted, facts: fitted.facts.slice(0, -1) };
  const room = Math.max(MIN_BODY, limits.total - length({ ...fitted, body: "" }) - 1);
  return Array.from(fitted.body).length > room ? { ...fitted, body: truncate(fitted.body, room) } : fitted;
}

/** Characters of the message kept when a view has to shrink to its total. */
const MIN_BODY = 200;

/** The view as plain text lines (Lark text messages, the webhook's `text` field). */
export function plainText(view: NoticeView): string {
  const lines = [`${view.icon} ${view.headline}`];
  if (view.body !== "") lines.push(view.body);
  for (const [label, value] of view.facts) lines.push(`${label}: ${value}`);
  if (view.action !== null) lines.push(`Action: ${view.action}`);
  lines.push(view.footer);
  return lines.join("\n");
}
