import type { Logger } from "pino";
import type { Scheduler } from "../scheduler.ts";
import type { CloseOutcome, CloseReason } from "./group-types.ts";

/** the persistent timer that closes a group at its `close_at` (survives restarts) */
export const CLOSE_TIMER_KIND = "engine.close_group";

/** Handle the close timers: each starts the close of its group. */
export function onCloseTimer(
  scheduler: Scheduler,
  closeGroup: (groupId: string, reason: CloseReason) => Promise<CloseOutcome>,
  logger: Logger | undefined,
): void {
  scheduler.on(CLOSE_TIMER_KIND, async (t) => {
    const p = t.payload as { groupId: string; reason: CloseReason };
    const out = await closeGroup(p.groupId, p.reason);
    // a close that is not flat yet stays with the reconciler; the timer's job (starting it) is done
    if (!out.ok) logger?.warn({ group: p.groupId }, out.detail);
  });
}

/** Schedule the close of a group at `atMs` (one timer per group: a new time replaces the old). */
export function scheduleGroupClose(
  scheduler: Scheduler,
  groupId: string,
  atMs: number,
  reason: CloseReason,
): Promise<void> {
  return scheduler.schedule({
    id: `close:${groupId}`,
    kind: CLOSE_TIMER_KIND,
    dueAt: atMs,
    payload: { groupId, reason },
  });
}
