import assert from "node:assert/strict";
import { test } from "node:test";
import { CountedSubscriptions } from "./counted-subscriptions.ts";

test("counted subscriptions: streams and wire channels are shared and released by the last subscriber", () => {
  const log: string[] = [];
  const subs = new CountedSubscriptions({
    health: { add: (s, ready) => log.push(`add ${s} ${ready}`), remove: (s) => log.push(`remove ${s}`) },
    isOpen: () => true,
    subscribeWire: (w) => log.push(`sub ${w}`),
    unsubscribeWire: (w) => log.push(`unsub ${w}`),
  });
  const a = subs.add("mark:BTC", "summary");
  const b = subs.add("mark:ETH", "summary");
  const c = subs.add("mark:BTC", "summary");
  assert.deepEqual([...subs.streams()], ["mark:BTC", "mark:ETH"]);
  a();
  a();
  assert.ok(subs.has("mark:BTC"), "one BTC subscriber is left");
  c();
  b();
  assert.deepEqual(log, [
    "add mark:BTC true",
    "sub summary",
    "add mark:ETH true",
    "add mark:BTC true",
    "remove mark:BTC",
    "remove mark:ETH",
    "unsub summary",
  ]);
});
