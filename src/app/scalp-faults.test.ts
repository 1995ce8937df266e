import assert from "node:assert/strict";
import { after, test } from "node:test";
import { SimClock } from "../core/clock.ts";
import { ForwardingVenue } from "../core/forwarding-venue.ts";
import type { OrderRequest } from "../core/types.ts";
import type { Venue, VenueEvent } from "../core/venue.ts";
import { RefusingEntries } from "../testing/refusing-venue.ts";
import { ScalpHarness, type ScalpHarnessOptions, T0 } from "../testing/scalp-harness.ts";

/**
 * scalp under faults (issue 15's fault list), on the simulated clock: one leg rejected, one leg
 * partially filled, a venue outage while a position is held and its exit comes due, a funding
 * flip, a stale stream as an exit comes due. In every case the base quantities of the two legs
 * match within one lot of the coarser venue except for a bounded window, and the group's stored
 * record (status, closeReason or failureReason, detail) says what happened.
 * simA BTC: lot 0.00001, taker 4.5 bps; simB BTCUSDT: lot 0.001, taker 4 bps.
 */
const harnesses: ScalpHarness[] = [];
after(async () => {
  // a failed test leaves its node running: stop it, or the file never ends
  for (const h of harnesses) await h.stop();
  for (const h of harnesses) h.remove();
});
async function start(o: ScalpHarnessOptions = {}): Promise<ScalpHarness> {
  const h = await ScalpHarness.start(o);
  harnesses.push(h);
  return h;
}
const SEC = 1000;
const MIN = 60_000;
const A_LOT = 0.00001;
const B_LOT = 0.001;
/** simB 60 bps above simA: about 49 bps of edge net of the taker fees and the buffer */
const DISLOCATED: ScalpHarnessOptions["books"] = { simB: { mid: 100_600 } };

/** BTC held by s1 on both venues, long positive; zero when hedged. */
async function netBtc(h: ScalpHarness): Promise<number> {
  const p = await h.positions();
  return (p["simA:BTC"] ?? 0) * A_LOT + (p["simB:BTCUSDT"] ?? 0) * B_LOT;
}

/** Every order the engine sent a venue, with its time. */
class Recording extends ForwardingVenue {
  readonly sent: { at: number; order: OrderRequest }[] = [];
  private readonly now: () => number;
  constructor(inner: Venue, now: () => number) {
    super(inner);
    this.now = now;
  }
  override submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    this.sent.push({ at: this.now(), order });
    return this.inner.submit(order);
  }
}

/**
 * The two legs' net BTC after every fill on either venue, in the order the venues made them, with
 * the time: the hedge as it was at each step of an entry, a trim or an unwind.
 */
function watchHedge(h: ScalpHarness): { at: number; net: number }[] {
  const steps: { at: number; net: number }[] = [];
  const held = { simA: 0, simB: 0 };
  for (const id of ["simA", "simB"] as const)
    h.venues[id].onEvent((e: VenueEvent) => {
      if (e.type !== "fill" || e.fill.account !== "s1") return;
      const lots = e.fill.side === "buy" ? e.fill.sizeLots : -e.fill.sizeLots;
      held[id] += lots * (id === "simA" ? A_LOT : B_LOT);
      steps.push({ at: e.ts, net: held.simA + held.simB });
    });
  return steps;
}

/** Milliseconds the net stayed beyond `bound` BTC (each step holds until the next one). */
function timeBeyond(steps: readonly { at: number; net: number }[], bound: number, end: number): number {
  let total = 0;
  for (let i = 0; i < steps.length; i++)
    if (Math.abs(steps[i].net) > bound + 1e-12) total += (steps[i + 1]?.at ?? end) - steps[i].at;
  return total;
}

test("one leg rejected: the filled leg is unwound reduce-only, the base cools down, and the record says so", async () => {
  let now = () => 0;
  const recA: { v?: Recording } = {};
  const h = await start({
    books: DISLOCATED,
    wrapVenue: (id, v) => {
      if (id === "simB") return new RefusingEntries(v, () => true, "insufficient_margin");
      recA.v = new Recording(v, () => now());
      return recA.v;
    },
  });
  now = () => h.clock.now();
  const steps = watchHedge(h);
  await h.advance(2 * SEC);
  const gs = await h.groups();
  assert.ok(gs.length >= 1, `an entry was tried (rejections ${JSON.stringify(h.scalp.rejections)})`);
  const [g] = gs;
  assert.equal(g.status, "failed", `${g.status} ${g.detail}`);
  assert.equal(g.failureReason, "rejected");
  assert.match(g.detail ?? "", /leg 1: simB:BTCUSDT: rejected \(insufficient_margin\)/);
  assert.equal(g.closeReason, null);
  assert.ok(
    g.legs.every((l) => l.netLots === 0),
    "the record shows both legs flat",
  );
  const buy = g.legs.find((l) => l.venue === "simA")!;
  assert.equal(buy.filledLots, 100, "simA's leg filled 0.001 BTC before simB said no");
  // simA's fill was taken back by a reduce-only sell of the same size, at once
  const orders = recA.v!.sent;
  assert.equal(orders.length, 2, JSON.stringify(orders.map((s) => s.order)));
  const unwind = orders.filter((s) => s.order.reduceOnly);
  assert.equal(unwind.length, 1, "the entry, then one reduce-only order");
  assert.equal(unwind[0].order.side, "sell");
  assert.equal(unwind[0].order.sizeLots, 100);
  assert.deepEqual(await h.positions(), {}, "nothing left on either venue");
  // never more than the one leg unhedged, and only until the unwind
  assert.ok(Math.max(...steps.map((s) => Math.abs(s.net))) <= 0.001 + 1e-12);
  assert.ok(timeBeyond(steps, 0, h.clock.now()) <= SEC, `${timeBeyond(steps, 0, h.clock.now())} ms unhedged`);
  // the strategy counts it, released the base and cools it down: no second entry straight away
  assert.equal(h.scalp.entryFailures.rejected, 1);
  assert.equal(h.scalp.positions.size, 0);
  assert.deepEqual((h.scalp.view().blocked as { cooldown: string[] }).cooldown, ["BTC"]);
  assert.equal((await h.groups()).length, 1, "cooling down");
  assert.ok((h.scalp.rejections.cooldown ?? 0) > 0);
  await h.stop();
});

test("one leg partially filled: the other leg is trimmed to it, the hedge is within a lot at every step but a bounded window", async () => {
  // $8,800 a venue: notional 0.05 x 8800 = $440 -> 0.004 BTC, 400 simA lots against 4 simB lots;
  // simA's IOCs fill only part of what the book offers
  const h = await start({
    books: DISLOCATED,
    balanceUsd: 8_800,
    scalp: { notional_per_trade_max: 500 },
    faults: { simA: { partialFillRate: 1 } },
    latencyMs: 20,
  });
  const steps = watchHedge(h);
  await h.advance(2 * SEC);
  const [g] = await h.groups();
  assert.ok(g !== undefined, `an entry was tried (rejections ${JSON.stringify(h.scalp.rejections)})`);
  const buy = g.legs.find((l) => l.venue === "simA")!;
  const sell = g.legs.find((l) => l.venue === "simB")!;
  assert.equal(buy.targetLots, 400);
  assert.equal(sell.targetLots, 4);
  assert.ok(buy.filledLots > 0 && buy.filledLots < 400, `simA filled ${buy.filledLots} of 400`);
  // the record: open, both legs within one simB lot of each other
  assert.equal(g.status, "open", `${g.status} ${g.failureReason} ${g.detail}`);
  const heldA = buy.netLots * A_LOT;
  const heldB = -sell.netLots * B_LOT;
  assert.ok(Math.abs(heldA - heldB) <= B_LOT + 1e-12, `record: ${heldA} long vs ${heldB} short`);
  // the seeded fault leaves more than one simB lot over (this test is about the trim)
  assert.ok(0.004 - buy.filledLots * A_LOT > B_LOT, `simA filled ${buy.filledLots} lots`);
  assert.ok(sell.netLots > -4, "simB's leg was trimmed");
  // (the venues answer after their 20 ms latency: the reads drive the clock)
  assert.deepEqual(
    await h.clock.drive(h.positions()),
    { "simA:BTC": buy.netLots, "simB:BTCUSDT": sell.netLots },
    "the venues hold what the record says",
  );
  // at every fill: never more out than the entry's size, beyond one lot only until the trim
  assert.ok(steps.length >= 2);
  assert.ok(Math.max(...steps.map((s) => Math.abs(s.net))) <= 0.004 + 1e-12);
  const beyond = timeBeyond(steps, B_LOT, h.clock.now());
  assert.ok(beyond <= 2 * SEC, `${beyond} ms beyond one lot`);
  assert.ok(Math.abs(steps.at(-1)!.net) <= B_LOT + 1e-12);
  // the position scalp holds is the trimmed one
  const p = h.scalp.positions.get(g.id)!;
  assert.ok(Math.abs(p.long.qty - heldA) < 1e-12 && Math.abs(p.short.qty - heldB) < 1e-12);
  // and its close takes both legs flat (simA's partial IOCs are retried until nothing is left)
  await h.clock.drive(h.scalp.close(g.id, "manual"));
  const [done] = await h.groups();
  assert.equal(done.status, "closed", `${done.status} ${done.detail}`);
  assert.equal(done.closeReason, "manual");
  assert.deepEqual(await h.clock.drive(h.positions()), {});
  // simB's leg closes at once, simA's partial IOCs take rounds: beyond a lot only briefly
  const overall = timeBeyond(steps, B_LOT, h.clock.now());
  assert.ok(overall <= 2 * SEC, `${overall} ms beyond one lot, entry and close`);
  assert.ok(Math.abs(steps.at(-1)!.net) < 1e-12, "flat at the end");
  await h.stop();
});

test("a venue outage as the time limit falls due: the exit waits for the venue's circuit, then both legs close together", async () => {
  const h = await start({ books: DISLOCATED });
  await h.advance(SEC);
  const [g] = await h.groups();
  assert.equal(g.status, "open");
  const openedAt = h.scalp.positions.get(g.id)!.openedAt;
  // simA goes down from minute 7 to minute 12; the time limit (10.02 min) falls inside
  await h.advance(7 * MIN - SEC);
  const downUntil = openedAt + 12 * MIN;
  const heldA = ((await h.positions())["simA:BTC"] ?? 0) * A_LOT;
  const alerts: string[] = [];
  h.node.alerts.subscribe((a) => alerts.push(a.key));
  h.venues.simA.goDown(downUntil);
  let worst = 0;
  let waited = false;
  for (let t = 0; t < 7 * MIN; t += 5 * SEC) {
    await h.advance(5 * SEC);
    if (h.clock.now() < downUntil) {
      // simA's position cannot change while it is down (nothing runs there)
      const b = (await h.venues.simB.positions("s1")).find((p) => p.symbol === "BTCUSDT")?.sizeLots ?? 0;
      worst = Math.max(worst, Math.abs(heldA + b * B_LOT));
      waited ||= ((h.scalp.view().waitingForCircuit as string[] | undefined) ?? []).includes(g.id);
    }
  }
  const done = (await h.groups()).find((x) => x.id === g.id)!;
  assert.equal(done.status, "closed", `status ${done.status}`);
  assert.equal(done.closeReason, "time_limit");
  assert.match(done.detail ?? "", /waited \d+ s for simA's circuit/);
  assert.ok(
    done.legs.every((l) => l.netLots === 0),
    "the record shows both legs flat",
  );
  assert.ok(done.closedAt! >= downUntil, "closed after simA was back");
  assert.ok(
    done.closedAt! - downUntil <= 3 * MIN,
    `${(done.closedAt! - downUntil) / SEC} s after simA came back`,
  );
  assert.ok(waited, "the exit waited for simA's circuit");
  assert.equal(worst, 0, `unhedged during the outage: ${worst} BTC`);
  assert.ok(alerts.includes("engine.circuit_open:simA"), alerts.join(", "));
  // scalp may enter again after: the venues hold exactly what active groups hold
  const held: Record<string, number> = {};
  for (const x of await h.groups())
    for (const l of x.legs) if (l.netLots !== 0) held[`${l.venue}:${l.symbol}`] = l.netLots;
  assert.deepEqual(await h.positions(), held, "nothing left over from the outage");
  await h.stop();
});

test("a funding flip while a scalp is held changes nothing: scalp has no funding rule, the time limit still closes it", async () => {
  // the hour boundary (simA settles funding hourly) is inside the hold: entered at 00:56
  const clock = new SimClock(T0 + 56 * MIN);
  const h = await start({ books: DISLOCATED, clock });
  h.setRate("simA", -0.0005);
  h.setRate("simB", 0.0005);
  await h.advance(SEC);
  const [g] = await h.groups();
  assert.equal(g.status, "open");
  assert.equal(g.legs.find((l) => l.side === "buy")!.venue, "simA", "long simA, where longs are paid");
  // the rates flip a minute before the boundary: the long leg on simA now pays 5 bps an hour
  await h.advance(2 * MIN);
  h.setRate("simA", 0.0005);
  h.setRate("simB", -0.0005);
  await h.advance(3 * MIN);
  const paid = await h.venues.simA.fundingPayments("s1", T0);
  assert.ok(paid.length >= 1, "simA settled funding on the held leg at 01:00");
  assert.ok(
    paid.some((p) => p.amount < 0n),
    `the long leg paid: ${paid.map((p) => p.amount).join(", ")}`,
  );
  const mid = (await h.groups()).find((x) => x.id === g.id)!;
  assert.equal(mid.status, "open", `still held after the flip (${mid.closeReason} ${mid.detail})`);
  assert.deepEqual(h.scalp.exits, {}, "no exit of any kind");
  await h.advance(6 * MIN);
  const done = (await h.groups()).find((x) => x.id === g.id)!;
  assert.equal(done.status, "closed");
  assert.equal(done.closeReason, "time_limit", "closed by its own rule, at max_hold_hours");
  assert.ok(done.closedAt! - done.createdAt >= 0.167 * 3_600_000);
  await h.stop();
});

test("a stale stream as an exit comes due: no decision on the stale book, then closed stale_data after stale_close_s", async () => {
  const h = await start({ books: DISLOCATED });
  await h.advance(SEC);
  const [g] = await h.groups();
  assert.equal(g.status, "open");
  // simB's stream stops; once its book is older than max_bbo_age_ms, simA's drops 80 bps: on
  // fresh books that is a stop-loss
  h.frozen.add("simB");
  const frozenAt = h.clock.now();
  await h.advance(SEC);
  h.books.simA.mid = 99_200;
  let hedged = true;
  for (let t = 0; t < 24 * SEC; t += SEC) {
    await h.advance(SEC);
    hedged &&= Math.abs(await netBtc(h)) <= 0.00001;
  }
  const mid = (await h.groups())[0];
  assert.equal(mid.status, "open", `deferred, not decided (${mid.closeReason} ${mid.detail})`);
  const p = h.scalp.positions.get(g.id)!;
  assert.ok(p.deferredSince !== null && p.deferredSince <= frozenAt + SEC, "the deferral is on the position");
  assert.equal(h.scalp.exits.stop_loss, undefined, "no stop-loss on a stale book");
  assert.ok(hedged, "both legs held while deferred");
  await h.advance(10 * SEC);
  const [done] = await h.groups();
  assert.equal(done.status, "closed", `forced after stale_close_s (status ${done.status})`);
  assert.equal(done.closeReason, "stale_data");
  assert.match(done.detail ?? "", /^book 3\d\.\d s old$/);
  assert.ok(done.closedAt! - frozenAt >= 30 * SEC && done.closedAt! - frozenAt <= 32 * SEC);
  assert.deepEqual(await h.positions(), {}, "both legs closed, simB's on its last book");
  // not bad-listed: the exit was stale_data, not a stop-loss
  assert.deepEqual((h.scalp.view().blocked as { bad: string[] }).bad, []);
  h.frozen.delete("simB");
  await h.stop();
});
