/**
 * The fencing test's worker (src/app/cluster/fencing.test.ts): takes the lease of one unit,
 * runs an engine on the unit's fenced store and a simulated venue, and writes all the time
 * (groups opened and closed through the engine's journal, a counter through the store). When the
 * lease is lost it logs why, stops the engine, proves that every further write is refused, and
 * exits 0. Prints one JSON line per event on stdout.
 *
 *   node src/testing/cluster/fence-child.ts --url <pg> --cluster <schema> --key <unit> --worker <id>
 */

import { dataSchemaFor, fenceVenue, openFencedStore } from "../../app/cluster/fence.ts";
import { type HeldLease, LeaseManager } from "../../app/cluster/lease-manager.ts";
import { WallClock } from "../../core/clock.ts";
import { usd } from "../../core/money.ts";
import type { Venue } from "../../core/venue.ts";
import { AlertBus } from "../../engine/alerts.ts";
import { Engine } from "../../engine/executor.ts";
import { isFenceError, LeaseStore } from "../../store/cluster/lease-store.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import { feedBtc } from "../engine.ts";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  if (i < 0) throw new Error(`fence-child: ${name} is required`);
  return process.argv[i + 1];
};
const url = arg("--url");
const key = arg("--key");
const workerId = arg("--worker");
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

const leases = await LeaseStore.open(url, arg("--cluster"));
let lostWhy: string | undefined;
let onLost: () => void = () => {};
const lostOnce = new Promise<void>((r) => {
  onLost = r;
});
const manager = new LeaseManager({
  leases,
  workerId,
  ttlMs: 1_000,
  renewEveryMs: 250,
  marginMs: 200,
  onLost: (l, why) => {
    lostWhy = why;
    // the line an operator reads
    process.stderr.write(
      `worker ${workerId}: lease "${l.key}" (token ${l.token}) lost: ${why}; stopping its engine, no further writes or orders\n`,
    );
    onLost();
  },
});
await manager.start();
const lease = (await manager.acquire(key)) as HeldLease;
if (lease === undefined) throw new Error(`fence-child: lease ${key} is held by another worker`);

const clock = new WallClock();
const sim = new SimVenue({ id: "simA", instruments: catalogInstruments("simA"), clock, seed: 1 });
sim.deposit("w1", usd(1_000_000));
const venues = new Map<string, Venue>([["simA", fenceVenue(sim, manager, lease)]]);
const feeder = setInterval(() => feedBtc(sim, sim.instrument("BTC"), 60_000, clock.now()), 50);
feedBtc(sim, sim.instrument("BTC"), 60_000, clock.now());

const store = await openFencedStore(url, leases, lease, dataSchemaFor(arg("--cluster"), key), {
  pgPoolSize: 2,
});
const engine = new Engine({
  store,
  venues,
  clock,
  alerts: new AlertBus(),
  accounts: [{ venue: "simA", account: "w1" }],
  settings: { reconcileIntervalMs: 200, killSwitch: undefined },
});
engine.onJournalFailed((err) => {
  say({ journal: "failed", fence: isFenceError(err), msg: err.message });
  if (isFenceError(err)) manager.lose(lease, `a journal write was refused: ${err.message}`);
});
await engine.start();
say({ ready: true, token: lease.token });

// write all the time: a counter through the store, groups through the engine's journal
let n = 0;
let stopped = false;
const attempts = { ok: 0, refused: 0 };
const writeOnce = async (phase: string) => {
  const value = ++n;
  try {
    await store.kv.put("fence.counter", String(value), Date.now());
    attempts.ok++;
    say({ write: "ok", value, phase });
  } catch (e) {
    attempts.refused++;
    say({ write: "refused", value, phase, fence: isFenceError(e), msg: (e as Error).message });
    if (isFenceError(e)) manager.lose(lease, `a write was refused: ${(e as Error).message}`);
  }
};
const loop = (async () => {
  let g = 0;
  while (!stopped) {
    await writeOnce("running");
    if (g % 5 === 0 && manager.current(key) !== undefined) {
      const id = `G${g}`;
      void engine
        .openGroup(
          [
            {
              venue: "simA",
              account: "w1",
              symbol: "BTC",
              side: g % 10 === 0 ? "buy" : "sell",
              sizeLots: 100,
            },
          ],
          {
            groupId: id,
            strategy: "fence",
            entry: { kind: "ioc", maxSlippageBps: 50 },
            fillTimeoutMs: 500,
          },
        )
        .then((o) => say({ group: id, ok: o.ok }))
        .catch((e) => say({ group: id, error: (e as Error).message }));
    }
    g++;
    await clock.sleep(20);
  }
})();

await lostOnce;
stopped = true;
await loop;
await engine.stop().catch((e) => say({ stop: (e as Error).message }));
// after the loss: every write this process still tries is refused by the database
for (let i = 0; i < 5; i++) await writeOnce("after-loss");
say({ stopped: true, why: lostWhy, attempts });
clearInterval(feeder);
await manager.stop(false);
await store.close();
await leases.close();
sim.close();
process.exit(0);
