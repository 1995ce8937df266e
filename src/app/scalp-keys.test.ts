import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "./sections.ts";
import { loadConfig } from "../config/load.ts";
import { ForwardingVenue } from "../core/forwarding-venue.ts";
import type { MarginMode, OrderRequest } from "../core/types.ts";
import { type Venue, VenueRejectError } from "../core/venue.ts";
import { resolveInstances } from "../strategies/instances.ts";
import { ScalpHarness, type ScalpHarnessOptions, type V } from "../testing/scalp-harness.ts";
import type { SimVenue } from "../venues/sim/sim-venue.ts";

/**
 * The scalp keys the running strategy (or the run around it) reads, on the simulated clock: each
 * changes what happens when it changes. The keys pure decisions read are in
 * src/strategies/scalp/keys.test.ts, which also checks that every key is covered by one of the
 * two. Venues as in scalp-scenarios.test.ts: simA BTC (taker 4.5 bps, lot 0.00001), simB BTCUSDT
 * (taker 4 bps, lot 0.001), $2,200 on each, entries of 0.001 BTC.
 */

const harnesses: ScalpHarness[] = [];
const dirs: string[] = [];
after(() => {
  for (const h of harnesses) h.remove();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function start(o: ScalpHarnessOptions = {}): Promise<ScalpHarness> {
  const h = await ScalpHarness.start(o);
  harnesses.push(h);
  return h;
}
/** simB 60 bps above simA: about 49 bps of edge net of the taker fees and the buffer */
const DISLOCATED: ScalpHarnessOptions["books"] = { simB: { mid: 100_600 } };
const PAIR = "BTC:simA:simB";
/** the parts of scalp's status view these tests read */
const view = (h: ScalpHarness) =>
  h.scalp.view() as unknown as {
    pairs: string[];
    droppedPairs: Record<string, string>;
    blocked: { cooldown: string[] };
  };

async function openOne(h: ScalpHarness) {
  await h.advance(1000);
  const gs = await h.groups();
  assert.equal(gs.length, 1, `one scalp group (rejections ${JSON.stringify(h.scalp.rejections)})`);
  assert.equal(gs[0].status, "open", `${gs[0].status} ${gs[0].failureReason} ${gs[0].detail}`);
  return gs[0];
}

// ---- instance keys ---------------------------------------------------------------------------

function resolved(table: string) {
  const d = mkdtempSync(join(tmpdir(), "perpbot-scalp-keys-"));
  dirs.push(d);
  writeFileSync(join(d, "perpbot.toml"), `[strategies.scalp_a]\nkind = "scalp"\n${table}\n`);
  const values = loadConfig({ cwd: d, env: {} }).values;
  return resolveInstances(values, { wallets: ["w1", "w2"], venues: ["simA", "simB"], fallbackSeed: 1 });
}

test("enabled, wallets, venues, seed, max_exposure_usd: what a scalp table resolves to", () => {
  assert.deepEqual(resolved(""), [], "enabled defaults to false: no instance");
  assert.deepEqual(resolved("enabled = false"), []);
  const [d] = resolved("enabled = true");
  assert.deepEqual(
    [d.spec.wallets, d.spec.venues, d.spec.seed, d.maxExposureUsd],
    [["w1", "w2"], ["simA", "simB"], "1:scalp_a", undefined],
    "the defaults: every wallet and venue, a seed from the run's, no exposure cap",
  );
  const [k] = resolved(
    'enabled = true\nwallets = ["w2"]\nvenues = ["simB", "simA"]\nseed = 7\nmax_exposure_usd = 300',
  );
  assert.deepEqual(
    [k.spec.wallets, k.spec.venues, k.spec.seed, k.maxExposureUsd],
    [["w2"], ["simB", "simA"], 7, 300],
  );
});

test("venues and max_exposure_usd on the clock: one venue makes no pair; an exposure cap under the notional refuses the entry", async () => {
  const one = await start({ books: DISLOCATED, scalp: { venues: ["simA"] } });
  await one.advance(2000);
  assert.deepEqual(view(one).pairs, [], "a base on one venue is no venue pair");
  assert.equal((await one.groups()).length, 0);
  await one.stop();

  // $110 per leg, $220 gross: over a $150 cap the engine's risk gate refuses the group
  const capped = await start({ books: DISLOCATED, scalp: { max_exposure_usd: 150 } });
  await capped.advance(1000);
  assert.ok(capped.scalp.entries > 0, "the strategy decided to enter");
  assert.deepEqual(await capped.positions(), {}, "nothing reached the venues");
  assert.ok((capped.scalp.entryFailures.risk_refused ?? 0) > 0, JSON.stringify(capped.scalp.entryFailures));
  await capped.stop();

  const open = await start({ books: DISLOCATED, scalp: { max_exposure_usd: 1000 } });
  await openOne(open);
  assert.deepEqual(view(open).pairs, [PAIR]);
  await open.stop();
});

test("dry_run: the same decisions, every entry logged as would place, nothing sent to a venue", async () => {
  const lines: string[] = [];
  const h = await start({
    books: DISLOCATED,
    scalp: { dry_run: true },
    log: (i, level, msg) => lines.push(`${i} ${level} ${msg}`),
  });
  await h.advance(1000);
  const would = lines.filter((l) => l.includes("would place group"));
  assert.ok(would.length >= 1, lines.join("\n"));
  assert.match(
    would[0],
    /^scalp_a info dry run: would place group \S+: buy 100 lots simA:BTC \(s1\) \+ sell 1 lots simB:BTCUSDT \(s1\)$/,
  );
  assert.ok(
    lines.some((l) => /dry run: would set simA:BTC \(s1\) to 3x isolated/.test(l)),
    "the leverage setting is logged, not sent",
  );
  assert.ok(h.scalp.entries > 0, `decided to enter (rejections ${JSON.stringify(h.scalp.rejections)})`);
  assert.ok((h.scalp.entryFailures.dry_run ?? 0) > 0, JSON.stringify(h.scalp.entryFailures));
  assert.deepEqual(await h.groups(), [], "no group recorded");
  assert.deepEqual(await h.positions(), {}, "no position on either venue");
  assert.deepEqual(h.scalp.positions.size, 0);
  await h.stop();
  // the same books without dry_run: an open group (the entry test of scalp-scenarios.test.ts)
  const live = await start({ books: DISLOCATED });
  await openOne(live);
  assert.equal(Object.keys(await live.positions()).length, 2);
  await live.stop();
});

// ---- blocks ------------------------------------------------------------------------------------

test("symbol_cooldown_s: how long a base waits after a close before the next entry", async () => {
  const run = async (symbol_cooldown_s?: number) => {
    const h = await start({ books: DISLOCATED, scalp: symbol_cooldown_s ? { symbol_cooldown_s } : {} });
    await openOne(h);
    h.books.simB.mid = 100_000;
    await h.advance(1000);
    assert.equal((await h.groups())[0].closeReason, "take_profit");
    h.books.simB.mid = 100_600;
    await h.advance(12_000);
    const n = (await h.groups()).length;
    const cooled = h.scalp.rejections.cooldown ?? 0;
    await h.stop();
    return { groups: n, cooldownRejections: cooled > 0 };
  };
  assert.deepEqual(await run(), { groups: 2, cooldownRejections: true }, "10 s: re-entered within 12 s");
  assert.deepEqual(await run(30), { groups: 1, cooldownRejections: true }, "30 s: still cooling down");
});

test("bad_symbol_s: how long a base is bad-listed after a stop-loss", async () => {
  const run = async (bad_symbol_s?: number) => {
    const h = await start({ books: DISLOCATED, scalp: bad_symbol_s ? { bad_symbol_s } : {} });
    await openOne(h);
    h.books.simB.mid = 101_200; // 120 bps: a loss past stop_loss_bps, and still an edge under max_edge_bps
    await h.advance(1000);
    assert.equal((await h.groups())[0].closeReason, "stop_loss");
    await h.advance(20_000);
    const out = { groups: (await h.groups()).length, badSymbol: (h.scalp.rejections.bad_symbol ?? 0) > 0 };
    await h.stop();
    return out;
  };
  assert.deepEqual(await run(), { groups: 1, badSymbol: true }, "1800 s: no entry 20 s later");
  assert.deepEqual(await run(15), { groups: 2, badSymbol: true }, "15 s: re-entered once it ran out");
});

// ---- pricing -----------------------------------------------------------------------------------

test("min_slippage_bps: the IOC allowance the entry group carries", async () => {
  const allowance = async (min_slippage_bps?: number) => {
    const h = await start({ books: DISLOCATED, scalp: min_slippage_bps ? { min_slippage_bps } : {} });
    const g = await openOne(h);
    await h.stop();
    return g.entry;
  };
  // 1 bps touch spreads and a 49 bps edge: max(min_slippage_bps, min(1.2, 19.6))
  assert.deepEqual(await allowance(), { kind: "ioc", maxSlippageBps: 5, iocEmulationMs: 500 });
  assert.deepEqual(await allowance(8), { kind: "ioc", maxSlippageBps: 8, iocEmulationMs: 500 });
});

test("exit_slippage_bps, flatten_timeout_s, max_slippage_bps: the close's IOC prices and when they widen", async () => {
  /** a time-limit close that simA cannot fill for 20 s: each reduce-only IOC's distance from the touch */
  const closePrices = async (keys: ScalpHarnessOptions["scalp"]) => {
    const sent: { at: number; bps: number }[] = [];
    let refuseUntil = Number.POSITIVE_INFINITY;
    let now = () => 0;
    const wrap = (id: V, v: SimVenue): Venue =>
      id !== "simA"
        ? v
        : new (class extends ForwardingVenue {
            override submit(o: OrderRequest) {
              if (!o.reduceOnly) return this.inner.submit(o);
              const inst = this.inner.instrument(o.symbol);
              const bid = inst.priceValue(this.inner.book(o.symbol).bestBidTicks()!);
              if (sent.length === 0) refuseUntil = now() + 20_000;
              sent.push({ at: now(), bps: ((bid - inst.priceValue(o.priceTicks!)) / bid) * 10_000 });
              if (now() < refuseUntil)
                return Promise.reject(new VenueRejectError("ioc_cancelled", "no fill"));
              return this.inner.submit(o);
            }
          })(v);
    const h = await start({ books: DISLOCATED, wrapVenue: wrap, scalp: { max_hold_hours: 0.01, ...keys } });
    now = () => h.clock.now();
    const g = await openOne(h);
    await h.advance(90_000);
    const done = (await h.groups()).find((x) => x.id === g.id)!;
    assert.equal(done.closeReason, "time_limit");
    assert.equal(done.status, "closed", `${done.status} ${done.detail}`);
    await h.stop();
    const t0 = sent[0].at;
    const wide = sent.find((s) => s.bps > 15);
    return {
      narrowestBps: Math.min(...sent.map((s) => s.bps)),
      narrowBps: Math.max(...sent.filter((s) => s.bps <= 15).map((s) => s.bps)),
      wideBps: Math.max(...sent.map((s) => s.bps)),
      widenedAfterS: wide === undefined ? null : (wide.at - t0) / 1000,
    };
  };
  const d = await closePrices({});
  const k = await closePrices({ exit_slippage_bps: 8, flatten_timeout_s: 5, max_slippage_bps: 25 });
  const around = (x: number, target: number) => x > target - 0.6 && x <= target + 0.6;
  assert.ok(around(d.narrowBps, 2) && around(d.narrowestBps, 2), `default: ${JSON.stringify(d)}`);
  assert.ok(around(d.wideBps, 50), `default: ${JSON.stringify(d)}`);
  assert.ok(d.widenedAfterS !== null && d.widenedAfterS >= 15 && d.widenedAfterS < 20, JSON.stringify(d));
  assert.ok(around(k.narrowBps, 8) && around(k.narrowestBps, 8), `changed: ${JSON.stringify(k)}`);
  assert.ok(around(k.wideBps, 25), `changed: ${JSON.stringify(k)}`);
  assert.ok(k.widenedAfterS !== null && k.widenedAfterS >= 5 && k.widenedAfterS < 10, JSON.stringify(k));
});

// ---- the pair universe -------------------------------------------------------------------------

test("pairs: the discovery table decides the universe", async () => {
  const universe = async (scalp: ScalpHarnessOptions["scalp"]) => {
    const h = await start({ books: DISLOCATED, scalp });
    await h.advance(500);
    const pairs = view(h).pairs;
    await h.stop();
    return pairs;
  };
  assert.deepEqual(await universe({}), [PAIR], "the harness's allowlist: BTC");
  assert.deepEqual(await universe({ pairs: { allowlist: ["ETH"] } }), ["ETH:simA:simB"]);
  assert.deepEqual(await universe({ pairs: { blocked_bases: ["BTC", "ETH", "SOL", "DOGE"] } }), []);
});

/** simB publishes no book at all until the test says so */
async function silentB(scalp: ScalpHarnessOptions["scalp"], ms: number) {
  const h = await start({ books: DISLOCATED, silent: ["simB"], scalp });
  await h.advance(ms);
  return h;
}

test("pairs_refresh_s: how often the universe is rebuilt (a pair without a book is dropped at the first rebuild past sanity_max_wait_s)", async () => {
  const d = await silentB({}, 51_000);
  assert.deepEqual(view(d).pairs, [PAIR], "every 60 s: not rebuilt since the start, when 0 s had passed");
  assert.ok((d.scalp.rejections.no_book ?? 0) > 0, "decided on, and refused for the missing book");
  await d.stop();
  const k = await silentB({ pairs_refresh_s: 10 }, 51_000);
  assert.deepEqual(view(k).pairs, [], "every 10 s: rebuilt at 50 s, past the 45 s wait");
  assert.match(view(k).droppedPairs[PAIR], /^no book on simB within sanity_max_wait_s \(45 s\)$/);
  await k.stop();
});

test("sanity_max_wait_s: a pair whose two books do not both arrive within the wait is dropped, with the reason in the status view, and comes back once they do", async () => {
  const d = await silentB({ pairs_refresh_s: 10 }, 31_000);
  assert.deepEqual(view(d).pairs, [PAIR], "45 s: still waiting at 30 s");
  assert.deepEqual(view(d).droppedPairs, {});
  await d.stop();
  const h = await silentB({ pairs_refresh_s: 10, sanity_max_wait_s: 20 }, 31_000);
  assert.deepEqual(view(h).pairs, [], "20 s: dropped at the 30 s rebuild");
  assert.equal(view(h).droppedPairs[PAIR], "no book on simB within sanity_max_wait_s (20 s)");
  const noBook = h.scalp.rejections.no_book ?? 0;
  assert.ok(noBook > 0);
  await h.advance(5000);
  assert.equal(h.scalp.rejections.no_book ?? 0, noBook, "a dropped pair is no longer decided on");
  assert.equal((await h.groups()).length, 0);
  // the book arrives: the next rebuild keeps the pair, and the dislocation is entered
  h.frozen.delete("simB");
  await h.advance(10_000);
  assert.deepEqual(view(h).pairs, [PAIR]);
  assert.deepEqual(view(h).droppedPairs, {});
  assert.equal((await h.groups()).length, 1, JSON.stringify(h.scalp.rejections));
  await h.stop();
});

test("sanity_rel_tol: a pair whose mids differ by more than the tolerance is dropped, with the reason in the status view (pairs.max_mid_divergence_bps drops it first at its default)", async () => {
  const mids = async (scalp: ScalpHarnessOptions["scalp"]) => {
    const h = await start({ books: { simB: { mid: 160_000 } }, scalp });
    await h.advance(1000);
    const out = { ...view(h), rejections: { ...h.scalp.rejections } };
    await h.stop();
    return out;
  };
  const loose = { allowlist: ["BTC"], max_mid_divergence_bps: 1e6 };
  const d = await mids({ pairs: loose });
  assert.deepEqual(d.pairs, []);
  assert.deepEqual(d.droppedPairs, {
    [PAIR]: "mids 100000 / 160000 differ by 60 % > sanity_rel_tol (50 %)",
  });
  assert.deepEqual(d.rejections, {}, "a dropped pair is never decided on");
  const k = await mids({ pairs: loose, sanity_rel_tol: 0.7 });
  assert.deepEqual(k.pairs, [PAIR], "within 70 %: kept");
  assert.deepEqual(k.droppedPairs, {});
  assert.ok((k.rejections.suspicious_edge ?? 0) > 0, "decided on, and refused as a glitch");
  // at discovery's defaults the 200 bps mid check drops both listings before the pair is formed
  const tight = await mids({});
  assert.deepEqual(tight.pairs, []);
  assert.deepEqual(Object.keys(tight.droppedPairs).sort(), ["BTC:simA", "BTC:simB"]);
  assert.match(tight.droppedPairs["BTC:simB"], /^BTCUSDT: mid per unit .* bps from the venues' median/);
});

// ---- leverage ----------------------------------------------------------------------------------

/** every setLeverage a venue receives, `venue symbol leverage mode` */
function leverageLog(refuse: (id: V) => boolean = () => false) {
  const calls: string[] = [];
  const wrap = (id: V, v: SimVenue): Venue =>
    new (class extends ForwardingVenue {
      override setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode) {
        calls.push(`${id} ${symbol} ${leverage} ${mode}`);
        if (refuse(id)) return Promise.reject(new VenueRejectError("leverage_refused", "not today"));
        return this.inner.setLeverage(account, symbol, leverage, mode);
      }
    })(v);
  return { calls, wrap };
}

test("leverage: set isolated on each leg before the first entry there, capped at each market's max", async () => {
  const run = async (leverage?: number) => {
    const log = leverageLog();
    // the venues' own setting is 5x: what a leg would have if scalp set nothing
    const h = await start({
      books: DISLOCATED,
      leverage: 5,
      wrapVenue: log.wrap,
      scalp: leverage ? { leverage } : {},
    });
    await h.advance(1000);
    assert.equal((await h.groups()).length, 1, JSON.stringify(h.scalp.rejections));
    // set when discovery listed the pair, before the first update: no entry waited for it
    assert.equal(h.scalp.rejections.leverage_pending ?? 0, 0, JSON.stringify(h.scalp.rejections));
    const legs = [
      ...(await h.venues.simA.positions("s1")).filter((p) => p.sizeLots !== 0),
      ...(await h.venues.simB.positions("s1")).filter((p) => p.sizeLots !== 0),
    ].map((p) => `${p.leverage}x ${p.marginMode}`);
    await h.stop();
    return { calls: log.calls, legs };
  };
  assert.deepEqual(await run(), {
    calls: ["simA BTC 3 isolated", "simB BTCUSDT 3 isolated"],
    legs: ["3x isolated", "3x isolated"],
  });
  assert.deepEqual(await run(2), {
    calls: ["simA BTC 2 isolated", "simB BTCUSDT 2 isolated"],
    legs: ["2x isolated", "2x isolated"],
  });
  // simA BTC allows 50x, simB BTCUSDT 100x
  assert.deepEqual((await run(80)).calls, ["simA BTC 50 isolated", "simB BTCUSDT 80 isolated"]);
});

test("leverage refused by a venue: no entry, counted leverage_refused, the base cools down for symbol_cooldown_s, then tried again", async () => {
  let refusing = true;
  const log = leverageLog((id) => id === "simB" && refusing);
  const h = await start({ books: DISLOCATED, wrapVenue: log.wrap });
  await h.advance(1000);
  assert.equal((await h.groups()).length, 0);
  assert.equal(h.scalp.rejections.leverage_refused, 1, JSON.stringify(h.scalp.rejections));
  assert.deepEqual(view(h).blocked.cooldown, ["BTC"]);
  assert.ok((h.scalp.rejections.cooldown ?? 0) > 0);
  assert.deepEqual(
    log.calls,
    ["simA BTC 3 isolated", "simB BTCUSDT 3 isolated"],
    "tried once, not per update",
  );
  refusing = false;
  await h.advance(10_000);
  assert.equal((await h.groups()).length, 1, "entered after the cooldown, once simB took the setting");
  assert.deepEqual(log.calls.slice(2), ["simB BTCUSDT 3 isolated"], "simA's setting was kept");
  await h.stop();
});
