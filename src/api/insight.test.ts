import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PAUSED_KV_KEY } from "../app/service/control.ts";
import { readLiveSnapshot, writeLiveSnapshot } from "../app/service/live.ts";
import { type Money, moneyText, toUsd, usd } from "../core/money.ts";
import { type ApiFixture, json, startApiFixture, T0 } from "../testing/api-fixture.ts";

/**
 * PnL attribution, PnL per day, the equity breakdown, the opportunity scanners, the agent's
 * endpoints and the paused flag, over the fixture's store plus funding, a realised fill and a
 * later equity row: each figure as stated and as recomputed here from the store's rows.
 */

let f: ApiFixture;
const DAY = 86_400_000;
const yesterday = Date.now() - DAY;
const get = (path: string) => json(fetch(`${f.base}${path}`));

before(async () => {
  f = await startApiFixture();
  const s = f.store;
  const fill = (id: string, fee: number, pnl: number, ts: number) =>
    s.fills.insert({
      venue: "simA",
      account: "w1",
      symbol: "BTC",
      fillId: id,
      clientOrderId: "farm-g2-e0",
      venueOrderId: "v1",
      side: "sell",
      price: "60500",
      size: "0.01",
      fee: usd(fee),
      realisedPnl: usd(pnl),
      liquidity: "taker",
      ts,
    });
  await fill("farm-g2-f1", 0.2, 5, T0 + 15);
  await fill("farm-g2-f2", 0.1, -1.5, yesterday);
  const pay = (amount: number, ts: number) =>
    s.funding.insert({
      venue: "simA",
      account: "w1",
      symbol: "BTC",
      amount: usd(amount),
      ratePerHour: 0.00001,
      positionSize: "0.01",
      ts,
    });
  await pay(1.25, T0 + 10);
  await pay(-0.5, T0 + 20);
  await s.equity.record({
    venue: "simA",
    account: "w1",
    equity: usd(1010),
    cash: usd(1005),
    maintenanceMargin: 0n,
    ts: T0 + 30,
  });
});
after(() => f.close());

test("PnL attribution: as stated, and as the store's fills, funding and live snapshot sum up", async () => {
  const a = await get("/api/pnl");
  // fills: 0.3 + 0.3 entry fees, then +5 (fee 0.2) and -1.5 (fee 0.1); funding 1.25 - 0.5
  assert.equal(a.realisedPriceUsd, "3.5");
  assert.equal(a.feesUsd, "0.9");
  assert.equal(a.fundingUsd, "0.75");
  assert.equal(a.unrealisedPriceUsd, 10);
  assert.equal(a.llmCostUsd, 0);
  assert.equal(a.netUsd, 13.35);
  let realised: Money = 0n;
  let fees: Money = 0n;
  for (const x of await f.store.fills.ofGroupOrders()) {
    realised += x.realisedPnl;
    fees += x.fee;
  }
  let funding: Money = 0n;
  for (const p of await f.store.funding.since(0)) funding += p.amount;
  const live = await readLiveSnapshot(f.store, Date.now());
  const upnl = live!.positions.reduce((sum, p) => sum + p.unrealisedPnlUsd, 0);
  assert.deepEqual([a.realisedPriceUsd, a.feesUsd, a.fundingUsd], [realised, fees, funding].map(moneyText));
  assert.equal(a.netUsd, Math.round((toUsd(realised + funding - fees) + upnl) * 100) / 100);
});

test("PnL per UTC day: yesterday's fill in its day, zeros elsewhere", async () => {
  const days = await get("/api/pnl/daily?days=3");
  assert.equal(days.length, 3);
  const day = new Date(yesterday).toISOString().slice(0, 10);
  const y = days.find((d: { day: string }) => d.day === day);
  assert.deepEqual(y, {
    day,
    realisedUsd: "-1.5",
    fundingUsd: "0",
    feesUsd: "0.1",
    netUsd: "-1.6",
    fills: 1,
  });
  assert.deepEqual(
    days.filter((d: { day: string }) => d.day !== day).map((d: { netUsd: string }) => d.netUsd),
    ["0", "0"],
  );
  assert.equal((await fetch(`${f.base}/api/pnl/daily?days=0`)).status, 400);
});

test("equity breakdown: unrealised = equity - cash; realised net of fees and funding up to each point", async () => {
  const pts = await get("/api/equity/breakdown");
  assert.deepEqual(pts, [
    { ts: T0, equityUsd: 1500.5, accounts: 2, unrealisedUsd: 0.5, realisedUsd: 0, fundingUsd: 0 },
    // fills up to T0+30: -0.3, -0.3, +5 - 0.2; funding 1.25 - 0.5
    { ts: T0 + 30, equityUsd: 1010, accounts: 1, unrealisedUsd: 5, realisedUsd: 4.2, fundingUsd: 0.75 },
  ]);
});

test("opportunities: the scanners of the runner's live snapshot", async () => {
  const empty = await get("/api/opportunities");
  assert.deepEqual(empty.scanners, []);
  const live = (await readLiveSnapshot(f.store, Date.now()))!;
  const carry = {
    instance: "carry",
    kind: "carry",
    opportunities: {
      ts: Date.now(),
      list: [
        {
          base: "ETH",
          long: "simA",
          short: "simB",
          yield8hBps: 12,
          costBps: 4,
          netBps: 8,
          breakevenHours: 3,
          sizeUsd: 500,
          rejections: [],
        },
      ],
    },
    rejections: { low_yield: 3 },
  };
  const scalp = {
    instance: "scalp",
    kind: "scalp",
    edgeBps: { "BTC:simA>simB": -2.5 },
    bestEdgeBps: { "BTC:simA>simB": 1.5 },
    rejections: {},
  };
  await writeLiveSnapshot(f.store, { ...live, ts: Date.now(), scanners: [carry, scalp] });
  const o = await get("/api/opportunities");
  assert.equal(o.stale, false);
  assert.deepEqual(o.scanners, [carry, scalp]);
});

test("agent leaderboard and decisions: empty without an agent's records; an unknown instance is a 404", async () => {
  assert.deepEqual(await get("/api/agent/leaderboard"), []);
  assert.deepEqual(await get("/api/agent/decisions"), []);
  const r = await fetch(`${f.base}/api/agent/leaderboard?instance=nope`);
  assert.equal(r.status, 404);
  assert.match((await json(r)).message, /--instance nope: no agent instance of that name/);
});

test("strategies say which instance is paused", async () => {
  assert.deepEqual(
    (await get("/api/strategies")).map((i: { paused: boolean }) => i.paused),
    [false],
  );
  await f.store.kv.put(PAUSED_KV_KEY, '["farm"]', Date.now());
  const s = await get("/api/strategies");
  assert.deepEqual(
    s.map((i: { strategy: string; paused: boolean }) => [i.strategy, i.paused]),
    [["farm", true]],
  );
  assert.deepEqual((await get("/api/status")).paused, ["farm"]);
});

test("markets, stream staleness and rate-limit budget: from the runner's live snapshot", async () => {
  const live = (await readLiveSnapshot(f.store, Date.now()))!;
  const markets = [
    { venue: "simA", symbol: "BTC", markPrice: 61000, fundingRatePerHour: 0.00002, bookAgeMs: 150 },
    { venue: "simA", symbol: "ETH", markPrice: 3500, fundingRatePerHour: -0.00001, bookAgeMs: 2500 },
    { venue: "simB", symbol: "BTCUSDT", markPrice: null, fundingRatePerHour: 0, bookAgeMs: null },
  ];
  const rateLimits = [{ venue: "simA", scope: "ip", used: 0.375 }];
  await writeLiveSnapshot(f.store, { ...live, ts: Date.now(), markets, rateLimits });
  const m = await get("/api/markets");
  assert.deepEqual(m.markets, markets);
  const text = await (await fetch(`${f.base}/metrics`)).text();
  // the oldest book of the venue; a venue with no book age is left out
  assert.match(text, /^perpbot_stream_staleness_seconds\{venue="simA"\} 2\.5$/m);
  assert.doesNotMatch(text, /perpbot_stream_staleness_seconds\{venue="simB"\}/);
  assert.match(text, /^perpbot_rate_limit_budget_used_ratio\{venue="simA",scope="ip"\} 0\.375$/m);
});
