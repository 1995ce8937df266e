/**
 * The engine's own overhead for a 4-leg group open: two long and two short BTC legs on the
 * simulated venue at zero latency, against a deep book, with the journal in a real SQLite FILE
 * (WAL, synchronous=NORMAL) and its checkpoint worker. Timed from openGroup() to its resolved
 * outcome; every open is followed by an untimed close of the same group.
 *
 * What an open waits for: its write-ahead commit (group, 4 legs, 4 orders and their submit_sent)
 * before anything is sent, the sends, and the fills. The acks, fills and the "open" status are
 * queued and committed at the end of the event-loop turn, or with what the caller queues next
 * (here the close's own write-ahead), never after a later send (docs/engine.md).
 *
 * The headline figures put the database file on tmpfs (/dev/shm when there is one): every SQLite
 * statement and WAL commit runs, the storage device does not, which is what "the engine's own
 * overhead" means. The `_disk` figures run the same loop with the file in the OS temp directory,
 * on this machine's disk; on a VM disk the WAL appends add a long tail of their own.
 * `engine_group_opens_per_s` counts open+close cycles per second of the whole tmpfs loop.
 * `engine_write_ahead_commit_p50_us` is an open's write-ahead commit alone and
 * `engine_journal_commit_p50_us` a one-row commit (the smallest there is).
 *
 * Run alone: `node bench/run.ts --only engine`.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimClock } from "../src/core/clock.ts";
import { usd } from "../src/core/money.ts";
import type { Venue } from "../src/core/venue.ts";
import { AlertBus } from "../src/engine/alerts.ts";
import { Engine, type LegSpec } from "../src/engine/executor.ts";
import { Journal } from "../src/engine/journal/journal.ts";
import { openStore, type Store } from "../src/store/store.ts";
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

interface World {
  readonly dir: string;
  readonly clock: SimClock;
  readonly sim: SimVenue;
  readonly store: Store;
  readonly engine: Engine;
}

const ACCOUNTS = ["a0", "a1", "a2", "a3"];

async function world(parent: string): Promise<World> {
  const dir = mkdtempSync(join(parent, "perpbot-bench-engine-"));
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const sim = new SimVenue({ id: "simA", instruments: catalogInstruments("simA"), clock });
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
  return { dir, clock, sim, store, engine };
}

/** Opens (timed) and closes (untimed) groups for about 2 s after a warm-up. */
async function openLoop(w: World): Promise<{ samples: number[]; cyclesPerS: number }> {
  const { sim, engine, clock } = w;
  let n = 0;
  // 64 sets of 4 accounts, reused in turn; the direction alternates so positions stay bounded
  const open = async () => {
    const dir1 = n % 2 === 0 ? "buy" : "sell";
    const dir2 = dir1 === "buy" ? "sell" : "buy";
    const legs: LegSpec[] = ACCOUNTS.map((account, i) => ({
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
    const closed = await engine.closeGroup(id, "manual");
    if (!closed.ok) throw new Error(`bench: close failed: ${JSON.stringify(closed)}`);
    return us;
  };
  for (let i = 0; i < 200; i++) {
    deepBook(sim, clock.now());
    await open();
  }
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 2e9 && samples.length < 5_000) {
    deepBook(sim, clock.now());
    samples.push(await open());
    elapsed = Number(process.hrtime.bigint() - start);
  }
  return { samples: samples.sort((a, b) => a - b), cyclesPerS: samples.length / (elapsed / 1e9) };
}

async function dispose(w: World): Promise<void> {
  await w.engine.stop();
  await w.store.close();
  w.sim.close();
  rmSync(w.dir, { recursive: true, force: true });
}

const suite: BenchSuite = async () => {
  const disk = await world(tmpdir());
  const onDisk = await openLoop(disk);
  await dispose(disk);
  const tmpfs = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const w = await world(tmpfs);
  const { samples, cyclesPerS } = await openLoop(w);
  const { clock, store } = w;
  const accounts = ACCOUNTS;
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
      journal.order(row);
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
  await dispose(w);
  const p99 = percentile(samples, 99);
  const figures: BenchFigure[] = [
    { key: "engine_group_opens_per_s", value: cyclesPerS, unit: "cycles/s" },
    { key: "engine_group_open_p50_us", value: percentile(samples, 50), unit: "us" },
    { key: "engine_group_open_p99_us", value: p99, unit: "us", target: "< 1000 us", ok: p99 < 1_000 },
    { key: "engine_group_open_disk_p50_us", value: percentile(onDisk.samples, 50), unit: "us" },
    { key: "engine_group_open_disk_p99_us", value: percentile(onDisk.samples, 99), unit: "us" },
    { key: "engine_write_ahead_commit_p50_us", value: percentile(writeAhead, 50), unit: "us" },
    { key: "engine_journal_commit_p50_us", value: percentile(commits, 50), unit: "us" },
  ];
  return figures;
};

export default suite;
