import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import "../app/sections.ts";
import { roundTripsOf } from "../app/service/round-trips.ts";
import { loadConfig } from "../config/load.ts";
import type { OrderIntent } from "../engine/executor.ts";
import { makeWorld, type World } from "../testing/engine.ts";
import { startApiServer } from "./server.ts";

/**
 * perpbot_order_round_trip_seconds: an engine on two simulated venues with known latencies
 * (simA 40 ms, simB 120 ms) places orders; /metrics, served over the same store, shows one
 * observation per order sent on each venue, in the buckets and with the sum the latency implies.
 */

const LATENCY = { simA: 40, simB: 120 };

function intent(w: World, venue: "simA" | "simB", n: number): OrderIntent {
  const symbol = venue === "simA" ? "BTC" : "BTCUSDT";
  const bid = w[venue].book(symbol).bestBidTicks()!;
  return {
    strategy: "maker",
    intentId: `rt-${venue}-${n}`,
    venue,
    account: "w1",
    symbol,
    side: "buy",
    sizeLots: 1000,
    priceTicks: bid - 5 - n,
    type: "limit",
    tif: "gtc",
    reduceOnly: false,
  };
}

/** The value of one sample line of the exposition text, or a failure naming the line. */
function sample(text: string, line: string): number {
  const esc = line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^${esc} (\\S+)$`, "m").exec(text);
  assert.ok(m, `no sample ${line} in:\n${text}`);
  return Number(m[1]);
}

test("/metrics has a round-trip histogram per venue: a count per order sent, a sum from the latency", async () => {
  const w = await makeWorld({ latencyMs: LATENCY });
  try {
    const sent = { simA: 3, simB: 2 };
    for (const venue of ["simA", "simB"] as const)
      for (let i = 0; i < sent[venue]; i++) {
        const out = await w.drive(w.engine.placeOrder(intent(w, venue, i)));
        assert.equal(out.ok && out.status, "open", JSON.stringify(out));
      }
    await w.advance(1_000); // the journal's batches are committed
    writeFileSync(join(w.dir, "perpbot.toml"), `data_dir = "${w.dir}"\n`);
    const config = loadConfig({ file: join(w.dir, "perpbot.toml"), env: {}, cwd: w.dir });
    const api = await startApiServer({ store: w.store, config, version: "test", api: { port: 0 } });
    try {
      const scrape = async () => (await fetch(`${api.url}/metrics`)).text();
      const text = await scrape();
      assert.match(text, /^# TYPE perpbot_order_round_trip_seconds histogram$/m);
      for (const venue of ["simA", "simB"] as const) {
        const n = sent[venue];
        const name = "perpbot_order_round_trip_seconds";
        assert.equal(sample(text, `${name}_count{venue="${venue}"}`), n, `${venue} count`);
        assert.equal(sample(text, `${name}_bucket{le="+Inf",venue="${venue}"}`), n);
        // each send waits its latency; the stamp is taken before the write-ahead commit, so a
        // round trip may include up to one drive step (50 ms of simulated time) more, never less
        const sum = sample(text, `${name}_sum{venue="${venue}"}`);
        assert.ok(sum >= (n * LATENCY[venue]) / 1000 - 1e-9, `${venue} sum ${sum}`);
        assert.ok(sum <= (n * (LATENCY[venue] + 50)) / 1000 + 1e-9, `${venue} sum ${sum}`);
        // nothing is faster than the latency: the bucket below it is empty
        const below = venue === "simA" ? "0.025" : "0.1";
        const above = venue === "simA" ? "0.1" : "0.25";
        assert.equal(sample(text, `${name}_bucket{le="${below}",venue="${venue}"}`), 0);
        assert.equal(sample(text, `${name}_bucket{le="${above}",venue="${venue}"}`), n);
        assert.equal(sample(text, `${name}_bucket{le="0.001",venue="${venue}"}`), 0);
        assert.equal(sample(text, `${name}_bucket{le="10",venue="${venue}"}`), n);
        // beside the order counts by venue
        assert.equal(sample(text, `perpbot_orders_total{venue="${venue}",status="open"}`), n);
      }
      // a second scrape rebuilds the histogram from the store: the same counts, not twice them
      const again = await scrape();
      assert.equal(sample(again, `perpbot_order_round_trip_seconds_count{venue="simA"}`), sent.simA);
    } finally {
      await api.close();
    }
  } finally {
    await w.close();
  }
});

test("round trips pair each send with its first answer; refusals before sending and unanswered sends are none", () => {
  const ev = (clientOrderId: string, kind: string, ts: number, venue = "v") => ({
    venue,
    clientOrderId,
    kind,
    ts,
  });
  const out = roundTripsOf([
    ev("a", "submit_sent", 1_000),
    ev("b", "submit_sent", 1_000, "w"),
    ev("c", "reject", 1_005), // refused locally, never sent
    ev("d", "submit_sent", 1_010),
    ev("d", "timeout", 3_000), // no answer: no round trip (yet)
    ev("a", "ack", 1_030),
    ev("a", "reject", 1_090), // a second answer to the same send
    ev("b", "reject", 1_250, "w"),
    ev("e", "submit_sent", 2_000),
    ev("e", "ack", 1_990), // the venue's stamp, behind our clock: counted as 0
    ev("a", "submit_sent", 4_000), // a resend with the same id is a new round trip
    ev("a", "ack", 4_007),
  ]);
  assert.deepEqual(out, [
    { venue: "v", ms: [30, 0, 7] },
    { venue: "w", ms: [250] },
  ]);
});
