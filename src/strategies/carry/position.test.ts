import assert from "node:assert/strict";
import { test } from "node:test";
import { FundingLedger } from "./funding.ts";
import {
  type CarryPosition,
  type CarrySlice,
  deserialise,
  heldStamp,
  sameStamp,
  serialise,
  serialiseParts,
  withSlice,
} from "./position.ts";

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

function position(): CarryPosition {
  const leg = (venue: string, side: 1 | -1) => ({
    venue,
    account: "w",
    symbol: "BTC",
    side,
    lots: 5,
    qty: 0.005,
    multiplier: 1,
    entryPrice: 100_000,
    feesUsd: 0.25,
    intervalHours: 1,
  });
  const ledger = (venue: string, side: 1 | -1) =>
    new FundingLedger({ venue, symbol: "BTC", intervalHours: 1, side, qty: 0.005, openedAt: T0 });
  return {
    groupId: "g1",
    base: "BTC",
    long: leg("simB", 1),
    short: leg("simA", -1),
    openedAt: T0,
    entryYieldBps: 64,
    sizeUsd: 500,
    initialSizeUsd: 500,
    slices: [],
    sliceGroups: [],
    scaleUps: 0,
    lastScaleAt: 0,
    bankedUsd: 0,
    ledgers: { long: ledger("simB", 1), short: ledger("simA", -1) },
    peakBps: Number.NEGATIVE_INFINITY,
    samples: [{ ts: T0, bps: 1.5 }],
    missingBboChecks: 0,
    deferredSince: null,
    deferredChecks: 0,
    circuitWait: null,
    spikeUntil: 0,
    lastMtmUsd: 0,
    lastMtmBps: Number.NaN,
    lastCy: 64,
  };
}

/** the text serialise wrote before it kept the settled rows' JSON */
function plain(p: CarryPosition): string {
  const { ledgers, ...rest } = p;
  return JSON.stringify({ ...rest, ledgers: { long: ledgers.long.toJSON(), short: ledgers.short.toJSON() } });
}

test("serialise: the same text as JSON.stringify of the position, before and after each settlement and accrual", () => {
  const p = position();
  assert.equal(serialise(p), plain(p));
  for (let h = 1; h <= 5; h++) {
    p.ledgers.short.accrue(T0 + h * HOUR - 1_000, 0.001, 100_000);
    assert.equal(serialise(p), plain(p), `accrued, hour ${h}`);
    p.ledgers.short.settle(T0 + h * HOUR, 0.5 * h, 0.001, 100_000);
    p.ledgers.long.settle(T0 + h * HOUR, -0.1 * h, 0.0001, 100_000);
    p.samples.push({ ts: T0 + h * HOUR, bps: h });
    assert.equal(serialise(p), plain(p), `settled, hour ${h}`);
  }
  assert.match(serialise(p), /"peakBps":null/, "non-finite numbers as JSON.stringify writes them");
  // numbers written directly: negative zero, exponents, long fractions, as JSON.stringify writes them
  for (const x of [-0, 1e-7, 1.5e21, -123.456789012345, 2 ** 53 + 2, Number.POSITIVE_INFINITY]) {
    p.bankedUsd = x;
    assert.equal(serialise(p), plain(p), `bankedUsd ${x}`);
  }
  p.bankedUsd = 0;
  // a field's text is kept while its value stays: each change, and a change back, is written anew
  for (const [mtm, deferred] of [
    [1.25, null],
    [1.25, T0],
    [-0.5, T0],
    [1.25, null],
  ] as const) {
    p.lastMtmUsd = mtm;
    p.deferredSince = deferred;
    assert.equal(serialise(p), plain(p), `lastMtmUsd ${mtm}, deferredSince ${deferred}`);
  }
  const back = deserialise(serialise(p));
  assert.equal(serialise(back), plain(back), "a restored position too");
  assert.deepEqual(JSON.parse(serialise(back)), JSON.parse(serialise(p)), "the same fields back");
  assert.equal(back.ledgers.short.settledUsd, p.ledgers.short.settledUsd);
  // the running sum of settlements is the sum of the rows in their order
  const rows = p.ledgers.short.toJSON().settled;
  let s = 0;
  for (const r of rows) s += r.amountUsd;
  assert.equal(p.ledgers.short.settledUsd, s);
  assert.equal(rows.length, 5);
});

test("serialise: the same text as JSON.stringify while legs, slices and samples are replaced, added and dropped", () => {
  const p = position();
  const slice = (n: number): CarrySlice => ({
    groupId: `g1-s${n}`,
    at: T0 + n * HOUR,
    sizeUsd: 100 * n + 0.1,
    long: { lots: n, qty: 0.001 * n, entryPrice: 100_000 + n / 3, feesUsd: 0.05 * n },
    short: { lots: n, qty: 0.001 * n, entryPrice: 100_010 - n / 7, feesUsd: 0.04 * n },
  });
  assert.equal(serialise(p), plain(p));
  for (let n = 1; n <= 4; n++) {
    // a scale-up: new legs, a slice pushed onto the same array, a group id pushed
    const s = slice(n);
    p.long = withSlice(p.long, s.long, 1);
    p.short = withSlice(p.short, s.short, 1);
    p.slices.push(s);
    p.sliceGroups?.push(s.groupId);
    p.sizeUsd += s.sizeUsd;
    assert.equal(serialise(p), plain(p), `scale-up ${n}`);
    // a check: the samples array replaced, the older samples kept as they were
    p.samples = [...p.samples.filter((x) => x.ts >= T0 + (n - 1) * HOUR), { ts: T0 + n * HOUR, bps: n / 3 }];
    p.lastMtmUsd = n * 1.234567891;
    p.deferredSince = n % 2 === 0 ? null : T0 + n;
    assert.equal(serialise(p), plain(p), `check ${n}`);
  }
  // a scale-down: the newest slice out (a new array), the legs back
  const last = p.slices[p.slices.length - 1];
  p.long = withSlice(p.long, last.long, -1);
  p.short = withSlice(p.short, last.short, -1);
  p.slices = p.slices.filter((x) => x.groupId !== last.groupId);
  assert.equal(serialise(p), plain(p), "scale-down");
  // a restored position: its keys in another order, legs and samples made anew
  const back = deserialise(serialise(p));
  assert.equal(serialise(back), plain(back), "restored");
  // a field left undefined is left out, as JSON.stringify leaves it out
  const noGroups = { ...p, sliceGroups: undefined };
  assert.equal(serialise(noGroups), plain(noGroups));
  assert.doesNotMatch(serialise(noGroups), /sliceGroups/);
});

test("serialiseParts: held and watched texts give the position back; held moves only with settlements and slices, not with checks", () => {
  const p = position();
  const back = (q: CarryPosition) => {
    const { held, watched } = serialiseParts(q);
    return deserialise(held, watched);
  };
  assert.deepEqual(JSON.parse(serialise(back(p))), JSON.parse(serialise(p)));
  const held0 = serialiseParts(p).held;
  const stamp0 = heldStamp(p);
  // what a check changes: the estimate, the MTM, its samples and peak
  p.ledgers.short.accrue(T0 + HOUR / 2, 0.001, 100_000);
  p.lastMtmUsd = 2.5;
  p.peakBps = 40;
  p.samples = [...p.samples, { ts: T0 + HOUR / 2, bps: 40 }];
  p.deferredSince = T0;
  // and what held an exit back (carry.ts delayNote): deferred checks, the wait for a circuit
  p.deferredChecks = 3;
  p.circuitWait = { reason: "time_limit", since: T0, checks: 2, venues: ["simA"] };
  assert.equal(serialiseParts(p).held, held0, "a check leaves the held text as it was");
  assert.ok(sameStamp(heldStamp(p), stamp0), "and its stamp");
  const r = back(p);
  assert.deepEqual(JSON.parse(serialise(r)), JSON.parse(serialise(p)));
  assert.equal(r.ledgers.short.estimatedUsd, p.ledgers.short.estimatedUsd);
  assert.equal(r.peakBps, 40);
  assert.equal(r.deferredChecks, 3);
  assert.deepEqual(r.circuitWait, p.circuitWait, "a wait for a circuit survives a restart");
  // a position saved before the two were kept restores with none
  const { deferredChecks: _d, circuitWait: _w, ...older } = JSON.parse(serialiseParts(p).watched);
  const o = deserialise(serialiseParts(p).held, older);
  assert.equal(o.deferredChecks, 0);
  assert.equal(o.circuitWait, null);
  // a settlement and a scale-up change the held text
  p.ledgers.short.settle(T0 + HOUR, 0.5, 0.001, 100_000);
  const held1 = serialiseParts(p).held;
  assert.notEqual(held1, held0, "a settlement is held");
  assert.ok(!sameStamp(heldStamp(p), stamp0), "a settlement moves the stamp");
  const stamp1 = heldStamp(p);
  assert.equal(back(p).ledgers.short.settledUsd, 0.5);
  assert.equal(back(p).ledgers.short.estimatedUsd, 0, "the estimate it replaced is gone");
  p.sizeUsd = 800;
  assert.notEqual(serialiseParts(p).held, held1, "a size change is held");
  assert.ok(!sameStamp(heldStamp(p), stamp1), "and moves the stamp");
  const stamp2 = heldStamp(p);
  p.sliceGroups?.push("g1-s1");
  assert.ok(!sameStamp(heldStamp(p), stamp2), "an array grown in place moves the stamp");
  p.long = { ...p.long, lots: p.long.lots + 1 };
  assert.ok(!sameStamp(heldStamp(p), heldStamp({ ...p, long: { ...p.long } })), "a leg by identity");
  // a state saved in one text, before the two parts, still restores
  assert.deepEqual(JSON.parse(serialise(deserialise(serialise(p)))), JSON.parse(serialise(p)));
});
