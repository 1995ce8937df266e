/**
 * One life of the chaos test's engine process: open the durable store and the durable simulated
 * venues, start the engine (recovery + reconcile), check the invariants, then drive a workload
 * of group opens and closes until the parent kills it with SIGKILL. `--final` checks and exits.
 *
 *   node src/testing/chaos/worker.ts --dir <dir> --life <n> [--final]
 */
import { join } from "node:path";
import { WallClock } from "../../core/clock.ts";
import { usd } from "../../core/money.ts";
import { Rng } from "../../core/random.ts";
import type { Venue } from "../../core/venue.ts";
import { AlertBus } from "../../engine/alerts.ts";
import { Engine, type LegSpec } from "../../engine/executor.ts";
import { openStore } from "../../store/store.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import { feedBtc } from "../engine.ts";
import { type ChaosCounts, checkGroups, checkOrdersAndIntegrity, checkPositions } from "./checks.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dir = arg("--dir") ?? ".";
const life = Number(arg("--life") ?? "0");
const final = process.argv.includes("--final");
const ACCOUNTS = ["w1", "w2", "w3", "w4", "w5", "w6"];

const clock = new WallClock();
const simDbPath = join(dir, "sim.db");
const faults = final ? undefined : { timeoutRate: 0.05, rejectRate: 0.03, partialFillRate: 0.15 };
const simA = new SimVenue({
  id: "simA",
  instruments: catalogInstruments("simA"),
  clock,
  dbPath: simDbPath,
  latencyMs: final ? 0 : 1,
  faults,
  seed: `A${life}`,
});
const simB = new SimVenue({
  id: "simB",
  instruments: catalogInstruments("simB"),
  clock,
  dbPath: simDbPath,
  latencyMs: final ? 0 : 1,
  faults,
  seed: `B${life}`,
});
for (const v of [simA, simB]) {
  const known = new Set(v.accountNames());
  for (const a of ACCOUNTS) if (!known.has(a)) v.deposit(a, usd(10_000_000));
}
const venues = new Map<string, Venue>([
  ["simA", simA],
  ["simB", simB],
]);
const refresh = () => {
  feedBtc(simA, simA.instrument("BTC"), 60_000, clock.now());
  feedBtc(simB, simB.instrument("BTCUSDT"), 60_000, clock.now());
};
refresh();
const feeder = setInterval(refresh, 100);

const store = await openStore(`sqlite:${join(dir, "engine.db")}`);
const makeEngine = () =>
  new Engine({
    store,
    venues,
    clock,
    alerts: new AlertBus(),
    accounts: ACCOUNTS.flatMap((account) => [
      { venue: "simA", account },
      { venue: "simB", account },
    ]),
    settings: {
      reconcileIntervalMs: 250,
      orphanGraceMs: 500,
      // the run lasts seconds, not minutes: orphan retries, the entry lock and the post-close quiet
      // scaled with the grace, so orphans are still handled within a run
      orphanRetryCooldownMs: 1_000,
      orphanEntryLockMs: 500,
      orphanCloseQuietMs: 500,
      sendExpiryMs: 300,
      unknownRetryMs: 25,
      closeRetryInitialMs: 25,
      closeRetryMaxMs: 200,
      closeMaxAttempts: 6,
      killSwitch: undefined,
    },
  });

const counts: ChaosCounts = { a: 0, b: 0, c: 0, d: 0, orphans: 0, groups: 0, details: [] };
// (b) on the state one reconcile pass leaves: start (recovery + the pass), then stop, so nothing
// moves while the venue and the store are compared
const first = makeEngine();
await first.start();
await first.stop();
await checkPositions(store, first, venues, ACCOUNTS, counts);

const engine = makeEngine();
await engine.start();
// quiet period: let the reconciler finish what the dead process left half-done
for (let i = 0; i < 60; i++) {
  const busy = await engine.groups({ status: ["opening", "unwinding", "closing"] });
  if (busy.length === 0) break;
  await engine.reconcileOnce();
  await clock.sleep(50);
}
await checkGroups(store, venues, counts);
await checkOrdersAndIntegrity(store, simDbPath, counts);
process.stdout.write(`CHECK ${JSON.stringify(counts)}\n`);
if (final) {
  clearInterval(feeder);
  await engine.stop();
  await store.close();
  simA.close();
  simB.close();
  process.exit(0);
}
process.stdout.write("READY\n");

// the workload: keep a few groups open, open new ones and close old ones, until killed
const rng = new Rng(`chaos-workload-${life}`);
let n = 0;
const shapes: ((acc: string[]) => LegSpec[])[] = [
  (a) => [
    { venue: "simA", account: a[0], symbol: "BTC", side: "buy", sizeLots: 10_000 },
    { venue: "simB", account: a[1], symbol: "BTCUSDT", side: "sell", sizeLots: 100 },
  ],
  (a) => [
    { venue: "simB", account: a[0], symbol: "BTCUSDT", side: "buy", sizeLots: 200 },
    { venue: "simA", account: a[1], symbol: "BTC", side: "sell", sizeLots: 10_000 },
    { venue: "simB", account: a[2], symbol: "BTCUSDT", side: "sell", sizeLots: 100 },
  ],
  (a) => [
    { venue: "simA", account: a[0], symbol: "BTC", side: "buy", sizeLots: 5_000 },
    { venue: "simA", account: a[1], symbol: "BTC", side: "buy", sizeLots: 5_000 },
    { venue: "simB", account: a[2], symbol: "BTCUSDT", side: "sell", sizeLots: 50 },
    { venue: "simA", account: a[3], symbol: "BTC", side: "sell", sizeLots: 5_000 },
  ],
];
for (;;) {
  const open = await engine.groups({ status: ["open"] });
  if (open.length >= 3 || (open.length > 0 && rng.chance(0.3))) {
    const g = open[Math.floor(rng.next() * open.length)];
    void engine.closeGroup(g.groupId, "time_limit");
  } else {
    // one active group per account and instrument (the engine refuses a second one)
    const active = await engine.groups({ activeOnly: true });
    const busy = new Set(active.flatMap((g) => g.legs.map((l) => l.account)));
    const acc = ACCOUNTS.filter((a) => !busy.has(a)).sort(() => rng.next() - 0.5);
    const shape = shapes[Math.floor(rng.next() * shapes.length)];
    if (acc.length < 4) {
      await clock.sleep(10);
      continue;
    }
    const legs = shape(acc);
    const entry = rng.chance(0.8)
      ? ({ kind: "ioc", maxSlippageBps: 30 } as const)
      : ({ kind: "maker_first", makerTimeoutMs: 30, maxSlippageBps: 30 } as const);
    const id = `L${life}-${n++}`;
    const opening = engine.openGroup(legs, { groupId: id, strategy: "chaos", entry, fillTimeoutMs: 400 });
    if (rng.chance(0.3))
      void opening.then((o) => (o.ok ? engine.scheduleClose(id, clock.now() + 200) : undefined));
    if (rng.chance(0.5)) await opening;
  }
  await clock.sleep(5 + Math.floor(rng.next() * 20));
}
