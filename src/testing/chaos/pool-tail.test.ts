import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReportedTakeover } from "./pool-report.ts";
import { type FaultWindow, tailReport, type WorkerFailedStart } from "./pool-tail.ts";

// a takeover of unit `key` by `worker`: the previous holder renewed at `renewedAt`, the lease
// expired a TTL (1,000) later, and the unit traded at `atMs`
const takeover = (
  key: string,
  worker: string,
  token: number,
  previousToken: number,
  renewedAt: number,
  atMs: number,
): ReportedTakeover => ({
  key,
  worker,
  token,
  sinceExpiryMs: atMs - renewedAt - 1_000,
  sinceRenewalMs: atMs - renewedAt,
  seenLateMs: 10,
  queuedMs: 0,
  acquireMs: 5,
  startMs: 100,
  previousToken,
  previousRenewedAt: renewedAt,
  atMs,
});

test("takeovers the chaos hit on the taker's side are counted apart, the slowest listed first", () => {
  const all = [
    // clean: 1.2 s and 1.3 s
    takeover("u0", "w1", 10, 1, 0, 1_200),
    takeover("u1", "w2", 11, 2, 0, 1_300),
    // w3 took u2 and was SIGSTOPped between the expiry (1,000) and trading (4,000)
    takeover("u2", "w3", 12, 3, 0, 4_000),
    // u3: w3's attempt (token 13) failed, w1 traded at 6,000: counted from the first holder (0)
    takeover("u3", "w1", 14, 13, 2_500, 6_000),
  ];
  const failed: WorkerFailedStart[] = [
    { key: "u3", token: 13, previousToken: 4, previousRenewedAt: 0, why: "lease lost", worker: "w3" },
  ];
  const faults: FaultWindow[] = [
    { worker: "w3", kind: "pause", fromMs: 1_500, toMs: 3_500 },
    // a pause of w2 long before its takeover's expiry does not count
    { worker: "w2", kind: "pause", fromMs: -5_000, toMs: -3_000 },
  ];
  const r = tailReport(all, failed, faults);
  assert.deepEqual(r.clean, { n: 2, p50: 1_200, p99: 1_300 });
  assert.deepEqual(r.faulted, { n: 2, p50: 4_000, p99: 6_000, takerPaused: 1, failedAttemptHit: 1 });
  assert.deepEqual(r.slowest1, { n: 1, faulted: 1 });
  assert.equal(r.lines.length, 4);
  assert.match(
    r.lines[0],
    /^6000 ms u3 by w1: .*after 1 failed attempt\(s\) of a SIGSTOPped\/SIGKILLed worker$/,
  );
  assert.match(r.lines[1], /^4000 ms u2 by w3: .*; taker SIGSTOPped$/);
  assert.doesNotMatch(r.lines[3], /SIGSTOP/);
});
