import { PerpbotError } from "../../core/errors.ts";
import type { GroupStatus } from "./group-types.ts";

/**
 * The hedge group's lifecycle as one table, like the order state machine: every
 * `(status, event) → status` pair is listed in GROUP_TRANSITIONS, a missing pair throws, and
 * the odd arms carry a one-line reason. GroupOps.setStatus is the only place that changes a
 * group's status, and it asks this table.
 */
export type GroupEvent =
  /** every entry filled (trimmed to within one lot when hedged) */
  | "opened"
  /** the open failed with nothing held and nothing working: nothing to unwind */
  | "failed_flat"
  /** the open failed with something held or working: the filled legs are unwound */
  | "failed_exposed"
  | "close_requested"
  /** every leg is flat on the venue */
  | "flat";

export const GROUP_STATUSES: readonly GroupStatus[] = [
  "opening",
  "open",
  "unwinding",
  "closing",
  "closed",
  "failed",
];

export const GROUP_EVENTS: readonly GroupEvent[] = [
  "opened",
  "failed_flat",
  "failed_exposed",
  "close_requested",
  "flat",
];

type Row = Partial<Record<GroupEvent, GroupStatus | readonly [GroupStatus, string]>>;

const GROUP_TRANSITIONS: Readonly<Record<GroupStatus, Row>> = {
  opening: {
    opened: "open",
    failed_flat: "failed",
    failed_exposed: "unwinding",
    close_requested: [
      "closing",
      "a close reaches a group whose open a crash cut short: flattening it settles the open too",
    ],
  },
  open: {
    close_requested: "closing",
  },
  unwinding: {
    close_requested: [
      "unwinding",
      "a close of a group still unwinding finishes the unwind: it ends failed, not closed",
    ],
    flat: "failed",
  },
  closing: {
    close_requested: [
      "closing",
      "asked again (a timer and a manual close, or the reconciler after a restart): idempotent",
    ],
    flat: "closed",
  },
  // ended: the procedures answer a closed or failed group before asking the table anything
  closed: {},
  failed: {},
};

export interface GroupArm {
  readonly to: GroupStatus;
  readonly why?: string;
}

/** A (status, event) pair the group table does not allow: a bug in the caller. */
export class IllegalGroupTransitionError extends PerpbotError {
  readonly status: GroupStatus;
  readonly event: GroupEvent;
  constructor(status: GroupStatus, event: GroupEvent, groupId?: string) {
    const who = groupId === undefined ? "" : ` (group ${groupId})`;
    super("illegal_transition", `illegal group transition: event ${event} in status ${status}${who}`);
    this.status = status;
    this.event = event;
  }
}

/** Look up one arm of the group table; throws IllegalGroupTransitionError naming both when it has none. */
export function groupTransition(status: GroupStatus, event: GroupEvent, groupId?: string): GroupArm {
  const cell = GROUP_TRANSITIONS[status][event];
  if (cell === undefined) throw new IllegalGroupTransitionError(status, event, groupId);
  return typeof cell === "string" ? { to: cell } : { to: cell[0], why: cell[1] };
}
