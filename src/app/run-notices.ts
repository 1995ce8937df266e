import type { ControlRequest } from "./service/control.ts";

/**
 * `perpbot close` and `perpbot flatten` queue a request when no runner is there to take it; the
 * next `perpbot run` acts on it at once. That must not happen silently (issue 10, D16): the run
 * says how many, what, and since when.
 */
export function queuedRequestsNotice(queued: readonly ControlRequest[]): string {
  const since = Math.min(...queued.map((r) => r.createdAt));
  const what = queued
    .slice(0, 5)
    .map((r) => `#${r.id} ${r.action}${describeArgs(r)}`)
    .join(", ");
  const more = queued.length > 5 ? `, and ${queued.length - 5} more` : "";
  return `acting on ${queued.length} queued request(s) from ${new Date(since).toISOString()} on: ${what}${more} (perpbot close/flatten made while no runner was running)`;
}

function describeArgs(r: ControlRequest): string {
  if (r.action === "close") return ` ${String(r.args.group ?? "?")}`;
  const parts: string[] = [];
  if (typeof r.args.venue === "string") parts.push(`venue ${r.args.venue}`);
  if (typeof r.args.wallet === "string") parts.push(`wallet ${r.args.wallet}`);
  return parts.length > 0 ? ` ${parts.join(" ")}` : " all";
}
