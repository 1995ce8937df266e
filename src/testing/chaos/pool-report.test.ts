import assert from "node:assert/strict";
import { test } from "node:test";
import type { FailedStart } from "../../app/cluster/pool.ts";
import {
  beyondStartUp,
  fullTakeoverTimes,
  outageTimes,
  type ReportedTakeover,
  takeoverTimesByKind,
} from "./pool-report.ts";

const takeover = (
  token: number,
  previousToken: number | undefined,
  previousRenewedAt: number,
  atMs: number,
) =>
  ({
    key: "u0",
    token,
    sinceExpiryMs: 0,
    sinceRenewalMs: atMs - previousRenewedAt,
    seenLateMs: 0,
    queuedMs: 0,
    acquireMs: 1,
    startMs: 1,
    previousToken,
    previousRenewedAt,
    atMs,
  }) satisfies ReportedTakeover;

test("a takeover after failed start-ups counts from the last holder that traded", () => {
  // token 1 traded, last renewed at 1,000; token 2 took over and failed mid-start (it renewed at
  // 2,500 before losing its lease); token 3 failed too (renewed at 4,000); token 4 trades at 5,000
  const failed: FailedStart[] = [
    { key: "u0", token: 2, previousToken: 1, previousRenewedAt: 1_000, why: "lease lost" },
    { key: "u0", token: 3, previousToken: 2, previousRenewedAt: 2_500, why: "lease lost" },
  ];
  const r = fullTakeoverTimes([takeover(4, 3, 4_000, 5_000), takeover(5, 4, 6_000, 6_400)], failed);
  assert.deepEqual(r, { times: [4_000, 400], lengthened: 1 });
});

test("first start-ups are no takeovers; a failed first start-up ends the chain", () => {
  const first = { ...takeover(1, undefined, 0, 100), previousRenewedAt: undefined };
  const failed: FailedStart[] = [
    { key: "u0", token: 7, previousToken: undefined, previousRenewedAt: undefined, why: "open failed" },
  ];
  assert.deepEqual(fullTakeoverTimes([first, takeover(8, 7, 900, 1_000)], failed), {
    times: [100],
    lengthened: 1,
  });
});

test("takeovers are told apart by how their chain began: a lease that ran out, or one handed back", () => {
  const ttl = 1_500;
  // u0: the holder renewed at 1,000 and died (expiry 2,500); a taker failed, a second traded at 3,400
  // u1: the holder renewed at 1,000 and handed the unit back at 1,200; the next holder traded at 1,700
  const failed: FailedStart[] = [
    {
      key: "u0",
      token: 2,
      previousToken: 1,
      previousRenewedAt: 1_000,
      previousExpiresAt: 2_500,
      why: "lease lost",
    },
  ];
  const ranOutAfterFailure = { ...takeover(3, 2, 2_900, 3_400), previousExpiresAt: 2_950 };
  const handedBack = { ...takeover(12, 11, 1_000, 1_700), key: "u1", previousExpiresAt: 1_200 };
  const r = takeoverTimesByKind([ranOutAfterFailure, handedBack], failed, ttl);
  // the first counts from the dead holder's renewal, as a run-out, although its last link was a
  // released lease (the failed attempt gave it back)
  assert.deepEqual(r, { ranOut: [2_400], handedBack: [700] });
});

test("the outage of a takeover counts from its holder's fault, the takeover time from its last renewal", () => {
  const ttl = 1_500;
  // w1 started u0 (token 1); it renewed at 1,000 and was SIGKILLed at 1,300 (expiry 2,500); w2 took
  // over (token 2) and traded at 2,800. u1 was handed back by w1 (no fault): no outage counted
  const first = { ...takeover(1, undefined, 0, 100), previousRenewedAt: undefined, worker: "w1" };
  const taken = { ...takeover(2, 1, 1_000, 2_800), previousExpiresAt: 2_500, worker: "w2" };
  const handedFirst = { ...first, key: "u1", token: 5 };
  const handed = { ...takeover(6, 5, 1_000, 1_400), key: "u1", previousExpiresAt: 1_100, worker: "w2" };
  const all = [first, taken, handedFirst, handed];
  const faults = [
    { worker: "w2", fromMs: 900 },
    { worker: "w1", fromMs: 1_300 },
    { worker: "w1", fromMs: 9_000 },
  ];
  assert.deepEqual(takeoverTimesByKind(all, [], ttl), { ranOut: [1_800], handedBack: [400] });
  assert.deepEqual(outageTimes(all, [], faults, ttl), { times: [1_500], unmatched: 0 });
  // without a fault of its holder's, a run-out is counted apart
  assert.deepEqual(outageTimes(all, [], faults.slice(0, 1), ttl), { times: [], unmatched: 1 });
});

test("what a takeover spent beyond the TTL and its own start-up: only for leases that ran out", () => {
  const ttl = 1_500;
  // ran out: renewed last 1,500 ms before its expiry; seen and acquired 40 ms after the expiry,
  // then 700 ms of start-up
  const ranOut = { ...takeover(2, 1, 0, 2_240), sinceExpiryMs: 740, sinceRenewalMs: 2_240, startMs: 700 };
  // handed back: released 200 ms after its last renewal, taken 30 ms later, started in 100
  const handed = { ...takeover(3, 2, 0, 330), sinceExpiryMs: 130, sinceRenewalMs: 330, startMs: 100 };
  const first = { ...takeover(1, undefined, 0, 50), sinceRenewalMs: undefined, sinceExpiryMs: undefined };
  assert.deepEqual(beyondStartUp([ranOut, handed, first], ttl), [40]);
});
