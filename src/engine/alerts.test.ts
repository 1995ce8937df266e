import assert from "node:assert/strict";
import { once } from "node:events";
import { test } from "node:test";
import { type Alert, AlertBus, severityRank } from "./alerts.ts";

const unhedged: Alert = {
  severity: "critical",
  key: "unhedged:g7",
  title: "Unhedged leg",
  message: "leg 2 of group g7 failed; leg 1 is being unwound",
  context: { group: "g7", wallet: "0xabc", venue: "hyperliquid", symbol: "BTC", lots: 12 },
  ts: 1_700_000_000_000,
};

test("every subscriber receives the alert, in subscription order, synchronously", () => {
  const bus = new AlertBus();
  const seen: string[] = [];
  bus.subscribe((a) => seen.push(`log:${a.key}`));
  bus.subscribe((a) => seen.push(`telegram:${a.severity}:${a.context.group}`));
  bus.raise(unhedged);
  assert.deepEqual(seen, ["log:unhedged:g7", "telegram:critical:g7"]);
});

test("a throwing subscriber breaks neither the raiser nor the others, and is reported", () => {
  const reported: string[] = [];
  const bus = new AlertBus({ onListenerError: (e, a) => reported.push(`${a.key}: ${(e as Error).message}`) });
  const seen: string[] = [];
  bus.subscribe(() => {
    throw new Error("telegram down");
  });
  bus.subscribe((a) => seen.push(a.key));
  assert.doesNotThrow(() => bus.raise(unhedged));
  assert.deepEqual(seen, ["unhedged:g7"]);
  assert.deepEqual(reported, ["unhedged:g7: telegram down"]);
});

test("even a failing error reporter does not break the raiser", () => {
  const bus = new AlertBus({
    onListenerError: () => {
      throw new Error("reporter broken");
    },
  });
  const seen: string[] = [];
  bus.subscribe(() => {
    throw new Error("x");
  });
  bus.subscribe((a) => seen.push(a.key));
  assert.doesNotThrow(() => bus.raise(unhedged));
  assert.deepEqual(seen, ["unhedged:g7"]);
});

test("by default a subscriber's failure becomes a process warning", async () => {
  const bus = new AlertBus();
  bus.subscribe(() => {
    throw new Error("disk full");
  });
  const warned = once(process, "warning");
  bus.raise(unhedged);
  const [w] = (await warned) as [Error & { code?: string }];
  assert.match(w.message, /alert subscriber failed on unhedged:g7: disk full/);
  assert.equal(w.code, "PERPBOT_ALERT_SUBSCRIBER");
});

test("unsubscribe stops delivery; a subscriber added during a raise waits for the next one", () => {
  const bus = new AlertBus();
  const seen: string[] = [];
  const off = bus.subscribe((a) => {
    seen.push(`a:${a.key}`);
    bus.subscribe((b) => seen.push(`late:${b.key}`));
  });
  bus.raise(unhedged);
  assert.deepEqual(seen, ["a:unhedged:g7"]);
  off();
  bus.raise({ ...unhedged, key: "second" });
  assert.deepEqual(seen, ["a:unhedged:g7", "late:second"]);
  assert.equal(bus.subscriberCount, 1);
});

test("subscribers see a frozen copy: one cannot change what the next sees", () => {
  const bus = new AlertBus({ onListenerError: () => {} });
  bus.subscribe((a) => {
    (a as { title: string }).title = "tampered";
    (a.context as { group?: string }).group = "other";
  });
  let seenBySecond: Alert | undefined;
  bus.subscribe((a) => {
    seenBySecond = a;
  });
  bus.raise(unhedged);
  assert.equal(seenBySecond?.title, "Unhedged leg");
  assert.equal(seenBySecond?.context.group, "g7");
  assert.equal(unhedged.context.group, "g7", "the raiser's object is untouched");
});

test("malformed alerts are refused at the raiser", () => {
  const bus = new AlertBus();
  assert.throws(() => bus.raise({ ...unhedged, key: "" }), /empty dedupe key/);
  assert.throws(
    () => bus.raise({ ...unhedged, severity: "fatal" as Alert["severity"] }),
    /unknown severity fatal/,
  );
  assert.throws(() => bus.raise({ ...unhedged, ts: Number.NaN }), /ts NaN/);
});

test("severities are ordered from info to emergency", () => {
  assert.ok(severityRank("info") < severityRank("warning"));
  assert.ok(severityRank("warning") < severityRank("critical"));
  assert.ok(severityRank("critical") < severityRank("emergency"));
});
