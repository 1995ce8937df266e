import assert from "node:assert/strict";
import { after, test } from "node:test";
import { usd } from "../core/money.ts";
import type { PositionReport } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import type { Alert } from "../engine/alerts.ts";
import { defaultEngineSettings } from "../engine/config.ts";
import { FREE_REFUSALS } from "../strategies/farm/open.ts";
import { FarmHarness } from "../testing/farm-harness.ts";
import { RefusingEntries } from "../testing/refusing-venue.ts";

const harnesses: FarmHarness[] = [];
after(() => {
  for (const h of harnesses) h.remove();
});
async function start(o: Parameters<typeof FarmHarness.start>[0] = {}): Promise<FarmHarness> {
  const h = await FarmHarness.start(o);
  harnesses.push(h);
  return h;
}
const MIN = 60_000;
const HOUR = 3_600_000;

test("a group closes within one check interval of close_at, every leg flat", async () => {
  const h = await start({
    farm: {
      min_duration_hours: 1,
      max_duration_hours: 1,
      close_jitter_minutes: 0,
      check_interval_seconds: 30,
    },
  });
  await h.advance(MIN);
  const [g] = await h.groups();
  assert.equal(g.status, "open");
  assert.equal(g.legs.length, 4);
  assert.equal((await h.positionLots()).size, 4, "four legs on the venue");
  const closeAt = Number(g.meta?.closeAt);
  assert.ok(Math.abs(closeAt - (g.createdAt + HOUR)) < 1000, "close_at honours the configured duration");
  await h.advance(closeAt - h.clock.now() + 30_000);
  const [done] = await h.groups();
  assert.equal(done.status, "closed");
  assert.equal(done.closeReason, "time_limit");
  assert.ok(done.closedAt! - closeAt <= 30_000, `closed ${done.closedAt! - closeAt} ms after close_at`);
  assert.equal((await h.positionLots()).size, 0, "nothing left on the venue");
  await h.stop();
});

test("a price shock that brings one leg under 13 % liquidation distance closes the whole group", async () => {
  const h = await start({ farm: { min_leverage: 3, max_leverage: 3, balance_fraction: 1 } });
  await h.advance(MIN);
  const [g] = await h.groups();
  assert.equal(g.status, "open");
  // The smaller side of the group trades at full capacity (3x its balance): a 30 % move against
  // it leaves about 5-9 % to liquidation (liquidation itself is about 35 % away). Move the
  // price against that side.
  const balance = (a: string) => ({ w1: 2_000, w2: 3_000, w3: 2_500, w4: 1_500 })[a] ?? 0;
  const sideTotal = (side: string) =>
    g.legs.filter((l) => l.side === side).reduce((s, l) => s + balance(l.account), 0);
  h.prices.BTC = sideTotal("buy") <= sideTotal("sell") ? 70_000 : 130_000;
  await h.advance(MIN);
  const [done] = await h.groups();
  assert.equal(done.status, "closed");
  assert.equal(done.closeReason, "liquidation_guard");
  assert.equal((await h.positionLots()).size, 0);
  await h.stop();
});

test("a crossed liquidation price (distance <= 0) is an emergency close, not a value to skip", async () => {
  // a venue whose liquidation engine lags: it reports a liquidation price the mark has already
  // crossed while the position still exists (real venues do lag); the farm, reading it from the
  // portfolio the engine refreshes, must close at once
  let lagging = false;
  const wrap = (v: Venue): Venue =>
    new Proxy(v, {
      get(target, prop, receiver) {
        if (prop === "positions") {
          return async (account: string) => {
            const ps = await target.positions(account);
            if (!lagging) return ps;
            return ps.map((p): PositionReport => {
              if (p.liquidationPrice === null) return p;
              const crossed = p.sizeLots > 0 ? p.markPrice * 1.01 : p.markPrice * 0.99;
              return { ...p, liquidationPrice: crossed };
            });
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const h = await start({ wrapVenue: wrap });
  const alerts: Alert[] = [];
  h.runtime.alerts.subscribe((a) => alerts.push(a));
  await h.advance(MIN);
  lagging = true;
  await h.advance(MIN);
  const [done] = await h.groups();
  assert.equal(done.status, "closed");
  assert.equal(done.closeReason, "emergency");
  assert.ok(alerts.some((a) => a.severity === "emergency" && /past the liquidation price/.test(a.message)));
  await h.stop();
});

test("a leg that will not close is retried and alerted; the group is closed only when every leg is flat", async () => {
  const h = await start({ farm: { min_duration_hours: 1, max_duration_hours: 1, close_jitter_minutes: 0 } });
  const alerts: Alert[] = [];
  h.runtime.alerts.subscribe((a) => alerts.push(a));
  await h.advance(MIN);
  const [g] = await h.groups();
  const closeAt = Number(g.meta?.closeAt);
  // the venue is down from just before close_at for ten minutes
  await h.advance(closeAt - h.clock.now() - 1000);
  h.venue.goDown(h.clock.now() + 10 * MIN);
  await h.advance(5 * MIN);
  const [during] = await h.groups();
  assert.notEqual(during.status, "closed", "not closed while legs are open on the venue");
  assert.ok(
    during.legs.every((l) => l.netLots !== 0),
    "the engine still holds every leg",
  );
  assert.ok(
    alerts.some((a) => a.severity === "critical" || a.severity === "emergency"),
    "the failure is alerted",
  );
  await h.advance(30 * MIN);
  const [done] = await h.groups();
  assert.equal(done.status, "closed");
  assert.equal((await h.positionLots()).size, 0);
  await h.stop();
});

test("one failing group leaves the others running", async () => {
  const wallets = ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"].map((id) => ({ id, balanceUsd: 2_000 }));
  // every order of wallet a1 is refused: whichever group holds it cannot open
  const wrap = (v: Venue): Venue => new RefusingEntries(v, (o) => o.account === "a1", "account_frozen");
  const h = await start({ wallets, wrapVenue: wrap, farm: { min_duration_hours: 2, max_duration_hours: 2 } });
  await h.advance(2 * MIN);
  const groups = await h.groups();
  const failed = groups.filter((g) => g.legs.some((l) => l.account === "a1"));
  const healthy = groups.filter((g) => g.status === "open");
  assert.ok(
    failed.length >= 1 && failed.every((g) => g.status === "failed"),
    JSON.stringify(groups.map((g) => g.status)),
  );
  assert.equal(healthy.length, 1, "the other group opened");
  for (const [account] of await h.positionLots()) {
    assert.ok(
      healthy[0].legs.some((l) => l.account === account),
      `${account} holds a position outside the open group`,
    );
  }
  await h.advance(3 * HOUR);
  const later = await h.groups();
  const closedHealthy = later.find((g) => g.groupId === healthy[0].groupId)!;
  assert.equal(closedHealthy.status, "closed");
  assert.equal(closedHealthy.closeReason, "time_limit");
  await h.stop();
});

test("an open the risk gate refuses before sending anything is retried at the next checks, then at a doubling interval, never rested for the cooldown", async () => {
  // every order is far above a $10 cap: the gate refuses each open before any order leaves
  const h = await start({
    engine: { limits: { ...defaultEngineSettings().limits, maxNotionalPerInstrument: usd(10) } },
    farm: { check_interval_seconds: 15 },
  });
  await h.advance(2 * MIN);
  const early = await h.groups();
  assert.ok(
    early.length > 0 && early.every((g) => g.status === "failed" && g.failureReason === "risk_refused"),
  );
  // the first FREE_REFUSALS at the checks that follow: a rest of the default 5-15 min cooldown
  // would have allowed only the first
  const at = (gs: typeof early) => gs.map((g) => g.createdAt).sort((a, b) => a - b);
  const first = at(early);
  assert.ok(first.length >= FREE_REFUSALS + 1, `${first.length} attempts in 2 min`);
  for (let i = 1; i < FREE_REFUSALS; i++)
    assert.ok(first[i] - first[i - 1] <= 15_000, `attempt ${i + 1} came ${first[i] - first[i - 1]} ms after`);
  await h.advance(118 * MIN);
  const all = at(await h.groups());
  assert.equal((await h.positionLots()).size, 0, "nothing reached the venue");
  // a refusal that persists is not a failed group at every check (480 in 2 h): the gaps double
  // from two checks to 15 min
  const gaps = all.slice(1).map((t, i) => t - all[i]);
  assert.ok(all.length < 30, `${all.length} refused attempts in 2 h`);
  for (let i = FREE_REFUSALS; i < gaps.length; i++) {
    assert.ok(gaps[i] >= Math.min(gaps[i - 1], 15 * MIN), `gap ${i}: ${gaps[i]} after ${gaps[i - 1]} ms`);
    assert.ok(gaps[i] <= 15 * MIN + 15_000, `gap ${i}: ${gaps[i]} ms`);
  }
  assert.ok(Math.max(...gaps) >= 15 * MIN, `the longest gap ${Math.max(...gaps)} ms`);
  await h.stop();
});

test("an open that sent orders and failed rests its wallets for the cooldown before they are regrouped", async () => {
  // every order opening exposure is rejected by the venue, after it was sent
  const wrap = (v: Venue): Venue => new RefusingEntries(v, () => true, "account_frozen");
  const h = await start({
    wrapVenue: wrap,
    farm: { check_interval_seconds: 15, min_cooldown_minutes: 10, max_cooldown_minutes: 10 },
  });
  await h.advance(9 * MIN);
  const first = await h.groups();
  assert.equal(first.length, 1, "the failed wallets wait out their 10-minute rest");
  assert.equal(first[0].failureReason, "rejected");
  await h.advance(2 * MIN);
  assert.equal((await h.groups()).length, 2, "after the rest they are regrouped and tried again");
  await h.stop();
});

test("a restart in the middle of a 6-hour group resumes monitoring and closes at the original close_at", async () => {
  const farm = {
    min_duration_hours: 6,
    max_duration_hours: 6,
    close_jitter_minutes: 0,
    check_interval_seconds: 15,
  };
  const first = await start({ farm });
  await first.advance(MIN);
  const [g] = await first.groups();
  const closeAt = Number(g.meta?.closeAt);
  await first.advance(3 * HOUR);
  await first.crash();
  const second = await FarmHarness.start({ farm, dir: first.dir, clock: first.clock });
  await second.advance(MIN);
  const [resumed] = await second.groups();
  assert.equal(resumed.groupId, g.groupId);
  assert.equal(resumed.status, "open");
  assert.equal(second.runtime.farm.groups()[0]?.id, g.groupId, "the farm monitors the resumed group");
  assert.ok(
    Number.isFinite(second.runtime.farm.groups()[0]?.minLiquidationDistance),
    "and has read its risk",
  );
  await second.advance(closeAt - second.clock.now() + 15_000);
  const [done] = await second.groups();
  assert.equal(done.status, "closed");
  assert.equal(done.closeReason, "time_limit");
  assert.ok(
    Math.abs(done.closedAt! - closeAt) <= 15_000,
    `closed ${done.closedAt! - closeAt} ms from the original close_at`,
  );
  await second.stop();
});

test("a 1-hour-funding instrument pays funding to the legs every hour they are open", async () => {
  const h = await start({
    farm: { min_duration_hours: 4, max_duration_hours: 4, close_jitter_minutes: 0 },
    fundingRatePerHour: 0.0002,
  });
  await h.advance(MIN);
  const [g] = await h.groups();
  await h.advance(3 * HOUR);
  await h.runtime.flushRecords();
  const payments = await h.store.funding.list();
  for (const leg of g.legs) {
    const mine = payments.filter((p) => p.account === leg.account && p.symbol === leg.symbol);
    assert.equal(mine.length, 3, `${leg.account}: ${mine.length} payments in 3 hours`);
    // positive rate: longs pay, shorts receive
    for (const p of mine)
      assert.equal(p.amount < 0n, leg.side === "buy", `${leg.account} ${leg.side} ${p.amount}`);
    const hours = mine.map((p) => p.ts % HOUR);
    assert.deepEqual(hours, [0, 0, 0], "settled on the hour");
  }
  await h.stop();
});
