import assert from "node:assert/strict";
import { test } from "node:test";
import {
  GROUP_EVENTS,
  GROUP_STATUSES,
  type GroupEvent,
  groupTransition,
  IllegalGroupTransitionError,
} from "./group-state.ts";
import type { GroupStatus } from "./group-types.ts";

/** The whole table, written out by hand: a change to the table must change this list on purpose. */
const EXPECTED: Readonly<Record<GroupStatus, Partial<Record<GroupEvent, GroupStatus>>>> = {
  opening: { opened: "open", failed_flat: "failed", failed_exposed: "unwinding", close_requested: "closing" },
  open: { close_requested: "closing" },
  unwinding: { close_requested: "unwinding", flat: "failed" },
  closing: { close_requested: "closing", flat: "closed" },
  closed: {},
  failed: {},
};

test("every (group status, event) pair has the expected arm or throws an error naming both", () => {
  let pairs = 0;
  for (const s of GROUP_STATUSES)
    for (const e of GROUP_EVENTS) {
      pairs++;
      const want = EXPECTED[s][e];
      if (want === undefined) {
        assert.throws(
          () => groupTransition(s, e, "g1"),
          (err) =>
            err instanceof IllegalGroupTransitionError &&
            err.message === `illegal group transition: event ${e} in status ${s} (group g1)` &&
            err.status === s &&
            err.event === e,
          `${s} + ${e} should be illegal`,
        );
      } else assert.equal(groupTransition(s, e).to, want, `${s} + ${e}`);
    }
  assert.equal(pairs, 6 * 5);
});

test("ended groups accept nothing; only a flat venue ends an active one, and opening decides first", () => {
  for (const e of GROUP_EVENTS) {
    assert.throws(() => groupTransition("closed", e), IllegalGroupTransitionError);
    assert.throws(() => groupTransition("failed", e), IllegalGroupTransitionError);
  }
  for (const s of ["open", "unwinding", "closing"] as const)
    for (const e of ["opened", "failed_flat", "failed_exposed"] as const)
      assert.throws(() => groupTransition(s, e), IllegalGroupTransitionError, `${s} + ${e}`);
  // flat never ends a group that has not reached a verdict on its open
  assert.throws(() => groupTransition("opening", "flat"), IllegalGroupTransitionError);
  assert.throws(() => groupTransition("open", "flat"), IllegalGroupTransitionError);
});

test("arms that keep or bend the obvious path carry a reason; the plain ones none", () => {
  for (const s of GROUP_STATUSES)
    for (const e of GROUP_EVENTS) {
      let arm: { to: GroupStatus; why?: string };
      try {
        arm = groupTransition(s, e);
      } catch {
        continue;
      }
      const odd = arm.to === s || (s === "opening" && e === "close_requested");
      if (odd) assert.ok(arm.why && arm.why.length > 10, `${s} + ${e} needs a reason`);
      else assert.equal(arm.why, undefined, `${s} + ${e}`);
    }
});
