/**
 * The engine's own overhead for a 4-leg group open: two long and two short BTC legs on the
 * simulated venue at zero latency, in memory, against a deep book; the store is a SQLite FILE in
 * a temp directory (WAL, synchronous=NORMAL), so every open pays the journal's two commits: the
 * write-ahead (group + legs + 4 orders with submit_sent) before anything is sent, then the acks,
 * fills and the status change before the outcome is returned. Timed from openGroup() to its
 * resolved outcome (the close after each open is not timed). `engine_write_ahead_commit_p50_us`
 * is the first of those commits alone and `engine_journal_commit_p50_us` a one-row commit, to
 * show how much of the open the store takes.
 *
 * Run alone: `node bench/run.ts --only engine`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimClock } from "../src/core/clock.ts";
import { usd } from "../src/core/money.ts";
import type { Venue } from "../src/core/venue.ts";
import { AlertBus } from "../src/engine/alerts.ts";
import { Engine, type LegSpec } from "../src/engine/executor.ts";
import { Journal } from "../src/engine/journal.ts";
import { openStore } from "../src/store/store.ts";
import { catalogInstruments } from "../src/venues/sim/catalog.ts";
import { SimVenue } from "../src/venues/sim/sim-venue.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

function deepBook(venue: SimVenue, ts: number): void {
  const levels = (from: number, dir: number) =>
    Array.from({ length: 50 }, (_, i) => ({ price: from + dir * i, size: 100 }));
  venue.feed({
    type: "book",
    venue: "simA",
    symbol: "BTC",
    ts,
    snapshot: true,
    bids: levels(59_999, -1),
    asks: levels(60_001, 1),
  });
}

const suite: BenchSuite = async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-bench-engine-"));
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const sim = new SimVenue({ id: "simA", instruments: catalogInstruments("simA"), clock });
  const accounts = ["a0", "a1", "a2", "a3"];
  for (const a of accounts) sim.deposit(a, usd(1_000_000_000_000));
  const venues = new Map<string, Venue>([["simA", sim]]);
  const store = await openStore(`sqlite:${join(dir, "engine.db")}`);
  const engine = new Engine({
    store,
    venues,
    clock,
    alerts: new AlertBus(),
    settings: { reconcileIntervalMs: 0, killSwitch: undefined },
  });
  deepBook(sim, clock.now());
  await engine.start();
  const samples: number[] = [];
  let n = 0;
  // each group on fresh accounts would leak; alternate direction so positions stay bounded
  const open = async () => {
    const dir1 = n % 2 === 0 ? "buy" : "sell";
    const dir2 = dir1 === "buy" ? "sell" : "buy";
    const legs: LegSpec[] = accounts.map((account, i) => ({
      venue: "simA",
      account: `${account}-${n % 64}`,
      symbol: "BTC",
      side: i < 2 ? dir1 : dir2,
      sizeLots: 100,
    }));
    if (n < 64) for (const l of legs) sim.deposit(l.account, usd(1_000_000));
    const id = `b${n++}`;
    const t0 = process.hrtime.bigint();
    const out = await engine.openGroup(legs, {
      groupId: id,
      strategy: "bench",
      entry: { kind: "ioc", maxSlippageBps: 10 },
      fillTimeoutMs: 1_000,
    });
    const us = Number(process.hrtime.bigint() - t0) / 1_000;
    if (!out.ok) throw new Error(`bench: open failed: ${JSON.stringify(out)}`);
    // outside the timing: close so the next group on these accounts is allowed
    await engine.closeGroup(id, "manual");
    return us;
  };
  for (let i = 0; i < 200; i++) {
    deepBook(sim, clock.now());
    await open();
  }
  const start = process.hrtime.bigint();
  let total = 0;
  while (Number(process.hrtime.bigint() - start) < 2e9 && samples.length < 5_000) {
    deepBook(sim, clock.now());
    const us = await open();
    samples.push(us);
    total += us;
  }
  samples.sort((a, b) => a - b);
  // the open's two commits, alone: its write-ahead (group, 4 legs, 4 orders with submit_sent) and
  // a one-row status change (the smallest commit there is)
  const journal = new Journal(store, () => {});
  const writeAhead: number[] = [];
  for (let i = 0; i < 300; i++) {
    const id = `wa${i}`;
    const now = clock.now();
    journal.insertGroup(
      {
        groupId: id,
        strategy: "bench",
        status: "opening",
        entry: '{"kind":"ioc","maxSlippageBps":10}',
        fillTimeoutMs: 1_000,
        hedged: true,
        meta: null,
        closeReason: null,
        failureReason: null,
        detail: null,
        createdAt: now,
        updatedAt: now,
        closedAt: null,
      },
      accounts.map((account, leg) => ({
        groupId: id,
        legIndex: leg,
        venue: "simA",
        account: `${account}-wa`,
        symbol: "BTC",
        side: leg < 2 ? "buy" : "sell",
        targetLots: 100,
        externalLots: 0,
        externalReason: null,
      })),
    );
    for (const [leg, account] of accounts.entries()) {
      const row = {
        clientOrderId: `${id}-${leg}`,
        venue: "simA",
        account: `${account}-wa`,
        symbol: "BTC",
        side: leg < 2 ? "buy" : "sell",
        type: "limit",
        tif: "ioc",
        priceTicks: 60_060,
        sizeLots: 100,
        reduceOnly: false,
        priceText: "60060",
        sizeText: "0.01",
        filledText: "0",
        filledLots: 0,
        status: "in_flight",
        venueOrderId: null,
        groupId: id,
        intentId: `${id}:entry`,
        legIndex: leg,
        purpose: "entry",
        attempt: 0,
        reason: null,
        createdAt: now,
        updatedAt: now,
      } as const;
      journal.orderEvent(row, { kind: "submit_sent", ts: now });
    }
    const t0 = process.hrtime.bigint();
    await journal.sync();
    writeAhead.push(Number(process.hrtime.bigint() - t0) / 1_000);
  }
  writeAhead.sort((a, b) => a - b);
  const commits: number[] = [];
  for (let i = 0; i < 500; i++) {
    journal.updateGroup("b0", { updatedAt: clock.now() + i });
    const t0 = process.hrtime.bigint();
    await journal.sync();
    commits.push(Number(process.hrtime.bigint() - t0) / 1_000);
  }
  commits.sort((a, b) => a - b);
  await engine.stop();
  await store.close();
  sim.close();
  rmSync(dir, { recursive: true, force: true });
  const p99 = percentile(samples, 99);
  const figures: BenchFigure[] = [
    { key: "engine_group_opens_per_s", value: samples.length / (total / 1e6), unit: "opens/s" },
    { key: "engine_group_open_p50_us", value: percentile(samples, 50), unit: "us" },
    { key: "engine_group_open_p99_us", value: p99, unit: "us", target: "< 1000 us", ok: p99 < 1_000 },
    { key: "engine_write_ahead_commit_p50_us", value: percentile(writeAhead, 50), unit: "us" },
    { key: "engine_journal_commit_p50_us", value: percentile(commits, 50), unit: "us" },
  ];
  return figures;
};

export default suite;
