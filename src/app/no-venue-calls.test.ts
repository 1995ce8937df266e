import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Venue } from "../core/venue.ts";
import { FarmHarness } from "../testing/farm-harness.ts";

/**
 * The farm's monitoring cycle makes no venue call: every venue request in a 1,000-cycle run is
 * either one the engine makes carrying out an intent the farm issued (open, close: submits,
 * cancels, the close's position read, the risk gate's book), or the engine's own reconciliation
 * and portfolio refresh on their own timers, counted here separately and bounded.
 */

/** the Venue methods that are requests (or reads of venue state); metadata (id, instruments) is not */
const REQUESTS = [
  "book",
  "markPrice",
  "fundingRatePerHour",
  "submit",
  "cancel",
  "orderStatus",
  "openOrders",
  "positions",
  "accountState",
  "setLeverage",
  "fills",
] as const;
type Request = (typeof REQUESTS)[number];

interface Counts {
  /** while one of the farm's intents is being carried out by the engine */
  duringIntents: Record<string, number>;
  /** at any other time: the strategy's own cycle, or the engine's timers */
  outside: Record<string, number>;
}

const harnesses: FarmHarness[] = [];
after(() => {
  for (const h of harnesses) h.remove();
});

async function run(engine: { reconcileIntervalMs: number; portfolioRefreshMs: number }) {
  const counts: Counts = { duringIntents: {}, outside: {} };
  let intentsInFlight = 0;
  const wrap = (v: Venue): Venue =>
    new Proxy(v, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        if (!(REQUESTS as readonly string[]).includes(String(prop))) return value.bind(target);
        return (...args: unknown[]) => {
          const bucket = intentsInFlight > 0 ? counts.duringIntents : counts.outside;
          bucket[String(prop)] = (bucket[String(prop)] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const h = await FarmHarness.start({
    wrapVenue: wrap,
    engine,
    farm: {
      check_interval_seconds: 1,
      // groups close and reopen during the run, so the window holds opens and closes
      min_duration_hours: 0.05,
      max_duration_hours: 0.05,
      close_jitter_minutes: 0,
      min_cooldown_minutes: 0.5,
      max_cooldown_minutes: 0.5,
    },
  });
  harnesses.push(h);
  // the counts start now: the engine's start-up reads (reconcile, first account read, the market
  // cache's one look at each book) are behind us
  for (const k of Object.keys(counts.outside)) delete counts.outside[k];
  const { context, strategy } = h.runtime.instances.get("farm")!;
  let intents = 0;
  const intentsApi = context.intents as {
    -readonly [K in keyof typeof context.intents]: (typeof context.intents)[K];
  };
  for (const name of ["openGroup", "closeGroup"] as const) {
    const original = intentsApi[name] as (...a: unknown[]) => Promise<unknown>;
    (intentsApi as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      intents++;
      intentsInFlight++;
      try {
        return await original(...args);
      } finally {
        intentsInFlight--;
      }
    };
  }
  const farm = strategy as typeof h.runtime.farm;
  let cycles = 0;
  const tick = farm.tick.bind(farm);
  farm.tick = () => {
    cycles++;
    return tick();
  };
  while (cycles < 1_000) await h.advance(1_000);
  const report = {
    cycles,
    intents,
    counts,
    refresh: { ...h.runtime.engine.refreshStats },
    groups: (await h.groups()).length,
  };
  await h.stop();
  return report;
}

test("1,000 farm cycles on the SimClock: no venue request outside the farm's own intents", async () => {
  const r = await run({ reconcileIntervalMs: 0, portfolioRefreshMs: 0 });
  assert.ok(r.cycles >= 1_000);
  // the farm traded in the window: several groups opened and closed through the engine
  assert.ok(r.groups >= 3, `only ${r.groups} groups`);
  assert.ok(r.intents >= 2 * 3);
  assert.ok((r.counts.duringIntents.submit ?? 0) > 0, JSON.stringify(r.counts));
  // with the engine's timers off, nothing at all reached the venue outside an intent: the
  // monitoring of every group and the idle-wallet checks read only the portfolio and the market
  assert.deepEqual(r.counts.outside, {}, JSON.stringify(r.counts));
});

test("with reconciliation and the portfolio refresh on, the only other traffic is theirs, bounded by their timers", async () => {
  const reconcileMs = 15_000;
  const refreshMs = 5_000;
  const r = await run({ reconcileIntervalMs: reconcileMs, portfolioRefreshMs: refreshMs });
  const accounts = 4;
  const seconds = r.cycles; // one cycle per simulated second
  const reconcilePasses = Math.ceil((seconds * 1000) / reconcileMs) + 1;
  const refreshPasses = Math.ceil((seconds * 1000) / refreshMs) + 1;
  const outside = r.counts.outside as Partial<Record<Request, number>>;
  // no market reads, no orders: only the engine's account reads
  for (const k of Object.keys(outside)) assert.ok(["positions", "accountState", "openOrders"].includes(k), k);
  // the refresh reads an account only when an event touched it or it is a minute old
  assert.ok(r.refresh.accountsRead <= refreshPasses * accounts);
  assert.ok(r.refresh.accountsRead < r.cycles, `refresh read ${r.refresh.accountsRead} accounts`);
  // reconciliation: positions of due accounts and (kill switch) account state, per pass
  const bound = (reconcilePasses + refreshPasses) * accounts;
  assert.ok((outside.positions ?? 0) <= bound, `positions ${outside.positions} > ${bound}`);
  assert.ok((outside.accountState ?? 0) <= bound, `accountState ${outside.accountState} > ${bound}`);
  assert.ok((outside.positions ?? 0) + (outside.accountState ?? 0) < 2 * r.cycles);
  process.stdout.write(`# engine timers' venue reads over ${r.cycles} cycles: ${JSON.stringify(outside)}\n`);
});
