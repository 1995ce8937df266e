import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SimClock } from "../../core/clock.ts";
import { PICO_PER_USD } from "../../core/money.ts";
import type { StreamStatusChange } from "../../core/venue-streams.ts";
import { isLoopback } from "./loopback.ts";
import { moneyOf } from "./money-text.ts";
import { OrderTracker } from "./order-tracker.ts";
import { StreamHealth } from "./stream-health.ts";
import { transportError } from "./transport.ts";

// The pieces moved here from backpack/ (streams.ts, parse.ts, account-stream.ts, http.ts,
// config.ts): the venue folders that import them rely on exactly this behaviour.

describe("kit StreamHealth", () => {
  it("reports each change of (ready, stale) once, stale from a drop until the next message", () => {
    const clock = new SimClock(1_000);
    const h = new StreamHealth(clock, "v", 60_000);
    const seen: StreamStatusChange[] = [];
    h.onChange((c) => seen.push(c));
    h.add("book:X", false);
    h.up("book:X");
    h.up("book:X");
    h.down("book:X");
    h.up("book:X"); // reconnected but no message yet: still stale
    h.message("book:X", 1_500);
    assert.deepEqual(
      seen.map((c) => [c.ready, c.stale, c.venue]),
      [
        [true, false, "v"],
        [false, true, "v"],
        [true, true, "v"],
        [true, false, "v"],
      ],
    );
    assert.deepEqual(h.list(), [{ stream: "book:X", ready: true, lastMessageTs: 1_500, stale: false }]);
    h.remove("book:X");
    assert.deepEqual(h.list(), []);
  });

  it("marks a quiet market stream stale after staleAfterMs, never the account stream", async () => {
    const clock = new SimClock(0);
    const h = new StreamHealth(clock, "v", 10);
    h.add("book:X", true);
    h.add("account", true);
    h.message("book:X", 0);
    h.message("account", 0);
    await clock.advance(50);
    h.start();
    try {
      await sleep(40);
    } finally {
      h.stop();
    }
    const byName = new Map(h.list().map((s) => [s.stream, s.stale]));
    assert.equal(byName.get("book:X"), true);
    assert.equal(byName.get("account"), false);
  });
});

describe("kit OrderTracker", () => {
  it("gives one ack and one end per order, whichever source reports first", () => {
    const t = new OrderTracker();
    assert.equal(t.get("a", "c1"), undefined);
    assert.equal(t.ack("a", "c1", "BTC", "v1", 5).length, 1);
    assert.deepEqual(t.ack("a", "c1", "BTC", "v1", 6), []);
    assert.deepEqual(t.end("a", "c1", "BTC", "v1", "user", 7), [
      { type: "canceled", ts: 7, account: "a", clientOrderId: "c1", venueOrderId: "v1", reason: "user" },
    ]);
    assert.deepEqual(t.end("a", "c1", "BTC", "v1", "user", 8), []);
    // the same client id on another account is another order
    assert.deepEqual(t.ack("b", "c1", "BTC", "v9", 9), [
      { type: "ack", ts: 9, account: "b", clientOrderId: "c1", venueOrderId: "v9" },
    ]);
    assert.equal(t.get("a", "c1")?.venueOrderId, "v1");
  });
});

describe("kit moneyOf", () => {
  it("reads exact pico-dollars and refuses what it cannot represent", () => {
    assert.equal(moneyOf("12.5", "w"), 12n * PICO_PER_USD + 500_000_000_000n);
    assert.equal(moneyOf("-0.000000000001", "w"), -1n);
    assert.equal(moneyOf("3.100000000000000", "w"), 3n * PICO_PER_USD + 100_000_000_000n);
    assert.throws(() => moneyOf("1e3", "fee of x"), /fee of x: "1e3" is not a decimal amount/);
    assert.throws(() => moneyOf("0.0000000000001", "w"), /more than 12 decimals/);
  });
});

describe("kit transportError", () => {
  it("tells a request never sent from one whose answer was lost", () => {
    const refused = transportError(
      Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
      "GET /x",
    );
    assert.equal(refused.kind, "unavailable");
    assert.match(refused.message, /GET \/x: not sent \(ECONNREFUSED\)/);
    const reset = transportError(
      Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } }),
      "POST /o",
    );
    assert.equal(reset.kind, "timeout");
    assert.match(reset.message, /connection lost before the answer \(ECONNRESET\)/);
    const timedOut = transportError(new DOMException("late", "TimeoutError"), "POST /o");
    assert.equal(timedOut.kind, "timeout");
    assert.match(timedOut.message, /timed out/);
  });
});

describe("kit isLoopback", () => {
  it("takes only this machine's hosts as the emulator", () => {
    for (const u of ["http://127.0.0.1:8080", "http://localhost", "http://[::1]:1", "http://127.4.5.6"])
      assert.equal(isLoopback(u), true, u);
    for (const u of ["https://api.backpack.exchange", "http://10.0.0.1", "http://128.0.0.1"])
      assert.equal(isLoopback(u), false, u);
  });
});
