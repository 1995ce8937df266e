import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { formatStatus } from "../../cli/commands/status.ts";
import { usd } from "../../core/money.ts";
import type { EngineOrderRow, GroupRow } from "../../store/journal/rows.ts";
import { openStore, type Store } from "../../store/store.ts";
import { RUNNER_KV_KEY, runnerHeartbeat } from "./control.ts";
import { writeLiveSnapshot } from "./live.ts";
import { loadStatusReport } from "./status.ts";
import { writeVenueNotices } from "./venue-notices.ts";

/** `perpbot status` per strategy instance: the groups' strategy column splits the report. */

const T0 = 1_760_000_000_000;

async function seedGroup(
  store: Store,
  id: string,
  strategy: string,
  closed: boolean,
  account: string,
  venue = "simA",
) {
  const g: GroupRow = {
    groupId: id,
    strategy,
    status: closed ? "closed" : "open",
    entry: '{"kind":"ioc","maxSlippageBps":20}',
    fillTimeoutMs: 5_000,
    hedged: true,
    meta: JSON.stringify({ label: "simA", base: "BTC", closeAt: T0 + 3_600_000 }),
    closeReason: closed ? "time_limit" : null,
    failureReason: null,
    detail: null,
    createdAt: T0,
    updatedAt: T0 + 1,
    closedAt: closed ? T0 + 2 : null,
  };
  await store.groups.insert(g, [
    {
      groupId: id,
      legIndex: 0,
      venue,
      account,
      symbol: "BTC",
      side: "buy",
      targetLots: 100,
      externalLots: 0,
      externalReason: null,
    },
  ]);
  const order: EngineOrderRow = {
    clientOrderId: `${id}-e0`,
    venue,
    account,
    symbol: "BTC",
    side: "buy",
    type: "limit",
    tif: "ioc",
    priceTicks: 600_000,
    sizeLots: 100,
    reduceOnly: false,
    priceText: "60000",
    sizeText: "0.01",
    filledText: "0.01",
    filledLots: 100,
    status: "filled",
    venueOrderId: "v1",
    groupId: id,
    intentId: `${id}:entry`,
    legIndex: 0,
    purpose: "entry",
    attempt: 0,
    reason: null,
    createdAt: T0,
    updatedAt: T0 + 1,
  };
  await store.orders.upsertEngine(order);
  await store.fills.insert({
    venue,
    account,
    symbol: "BTC",
    fillId: `${id}-f0`,
    clientOrderId: order.clientOrderId,
    venueOrderId: "v1",
    side: "buy",
    price: "60000",
    size: "0.01",
    fee: usd(0.3),
    realisedPnl: 0n,
    liquidity: "taker",
    ts: T0 + 1,
  });
}

test("status splits groups, recent closes and totals by strategy instance", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-status-"));
  const store = await openStore(`sqlite:${join(dir, "s.db")}`);
  try {
    await seedGroup(store, "a-1", "farm-a", false, "w1");
    await seedGroup(store, "a-2", "farm-a", true, "w2");
    await seedGroup(store, "b-1", "farm-b", false, "w3");
    const r = await loadStatusReport(store, { now: T0 + 60_000, recent: 10 });
    assert.deepEqual(
      r.instances.map((i) => [
        i.strategy,
        i.active.map((g) => g.id),
        i.recentlyClosed.map((g) => g.id),
        i.totals.groups,
        i.totals.feesUsd,
        i.totals.volumeUsd,
      ]),
      [
        ["farm-a", ["a-1"], ["a-2"], 2, "0.6", 1200],
        ["farm-b", ["b-1"], [], 1, "0.3", 600],
      ],
    );
    assert.deepEqual(
      r.active.map((g) => g.id),
      ["a-1", "b-1"],
    );
    assert.equal(r.totals.groups, 3);
    assert.equal(r.totals.feesUsd, "0.9");
    const a1 = r.active[0];
    assert.deepEqual([a1.venues, a1.base, a1.closesInMs], ["simA", "BTC", 3_600_000 - 60_000]);
    assert.deepEqual(
      a1.legs.map((l) => [l.wallet, l.side, l.size, l.avgPrice]),
      [["w1", "long", 0.01, 60000]],
    );
    assert.deepEqual([r.runner.running, r.openRequests, r.tradingState], [false, 0, "ACTIVE"]);

    const text = formatStatus(r);
    assert.match(text, /^ {2}a-1 \[farm-a\] +open/m);
    assert.match(text, /^ {2}b-1 \[farm-b\] +open/m);
    assert.match(text, /^instance farm-a: 1 active, 2 groups: volume \$1,200\.00 {2}fees \$0\.60/m);
    assert.match(text, /^instance farm-b: 1 active, 1 group: volume \$600\.00/m);
    assert.match(text, /^total \(3 groups\)/m);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("one farm instance reads as before: no instance lines, no tags", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-status-"));
  const store = await openStore(`sqlite:${join(dir, "s.db")}`);
  try {
    await seedGroup(store, "g-1", "farm", false, "w1");
    const text = formatStatus(await loadStatusReport(store, { now: T0, recent: 10 }));
    assert.match(text, /^ {2}g-1 {2}open/m);
    assert.doesNotMatch(text, /instance|\[farm\]/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("status shows volume, fees, funding and PnL per venue and per wallet on each venue (D11)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-status-"));
  const store = await openStore(`sqlite:${join(dir, "s.db")}`);
  try {
    await seedGroup(store, "g-1", "farm", true, "w1", "simA");
    await seedGroup(store, "g-2", "farm", false, "w1", "simB");
    await seedGroup(store, "g-3", "farm", false, "w2", "simA");
    // w2 received $0.05 of funding on simA while g-3 held BTC there
    await store.funding.insert({
      venue: "simA",
      account: "w2",
      symbol: "BTC",
      amount: usd(0.05),
      ratePerHour: 0.0001,
      positionSize: null,
      ts: T0 + 10,
    });
    const r = await loadStatusReport(store, { now: T0 + 60_000, recent: 10 });
    assert.deepEqual(
      r.wallets.map((w) => [w.wallet, w.venue, w.volumeUsd, w.feesUsd, w.fundingUsd, w.netPnlUsd, w.fills]),
      [
        ["w1", "simA", 600, "0.3", "0", "-0.3", 1],
        ["w1", "simB", 600, "0.3", "0", "-0.3", 1],
        ["w2", "simA", 600, "0.3", "0.05", "-0.25", 1],
      ],
    );
    assert.deepEqual(
      r.venues.map((v) => [v.venue, v.volumeUsd, v.feesUsd, v.fundingUsd, v.netPnlUsd]),
      [
        ["simA", 1200, "0.6", "0.05", "-0.55"],
        ["simB", 600, "0.3", "0", "-0.3"],
      ],
    );
    // cost per $1M of volume (net loss / volume x 1e6) beside the volume; the simulated venues
    // publish no points, and the report says so instead of a 0 (issue 13 item 1)
    assert.deepEqual(
      r.wallets.map((w) => [w.costPerMillionUsd, w.points, w.pointsNote]),
      [
        [500, undefined, "n/a (venue publishes no points)"],
        [500, undefined, "n/a (venue publishes no points)"],
        [416.67, undefined, "n/a (venue publishes no points)"],
      ],
    );
    assert.deepEqual(
      r.venues.map((v) => [v.costPerMillionUsd, v.pointsNote]),
      [
        [458.33, "n/a (venue publishes no points)"],
        [500, "n/a (venue publishes no points)"],
      ],
    );
    assert.deepEqual(
      [r.totals.costPerMillionUsd, r.points],
      [472.22, { pointsNote: "n/a (venue publishes no points)" }],
    );
    // --json prints the report as it is: the same rows
    const json = JSON.parse(JSON.stringify(r));
    assert.equal(json.wallets.length, 3);
    assert.equal(json.venues[0].venue, "simA");

    const text = formatStatus(r);
    assert.match(text, /^per venue:\n {2}simA +volume \$1,200\.00 {2}fees \$0\.60 {2}funding \$0\.05/m);
    assert.match(text, /^ {2}simB +volume \$600\.00/m);
    assert.match(text, /^per wallet and venue \(what points are paid on\):/m);
    assert.match(
      text,
      /^ {2}w2 +simA +\$600\.00 +\$0\.30 +\$0\.05 +\$0\.00 +-\$0\.25 +\$416\.67 n\/a \(venue publishes no points\)$/m,
    );
    assert.match(
      text,
      /^ {2}simB +volume .* net -\$0\.30 {2}cost per \$1M \$500\.00 {2}points n\/a \(venue publishes no points\)$/m,
    );
    assert.match(
      text,
      /^total \(3 groups\): .* cost per \$1M \$472\.22\npoints: n\/a \(venue publishes no points\)$/m,
    );
    // a long fleet shows its first rows and says how to see the rest
    const short = formatStatus(r, { walletRows: 2 });
    assert.match(short, /… 1 more \(perpbot status --wallets lists them all\)/);
    assert.doesNotMatch(short, /^ {2}w2 +simA/m);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("venue notices of the running live process (wallets polled instead of streamed) show in the report and its text; none once no runner runs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-status-notices-"));
  const store = await openStore(`sqlite:${join(dir, "s.db")}`);
  try {
    const now = Date.now();
    await store.kv.put(RUNNER_KV_KEY, JSON.stringify(runnerHeartbeat(now - 1_000, now)), now);
    const notice = {
      venue: "hyperliquid",
      key: "user_stream_polled:w11",
      text: "wallet w11 polled every 4.4 s, not streamed (more than 10 users in user streams on this IP)",
    };
    await writeVenueNotices(store, [notice], now);
    const report = await loadStatusReport(store, { now, recent: 5 });
    assert.deepEqual(report.venueNotices, [notice]);
    assert.match(
      formatStatus(report),
      /venue notices:\n {2}hyperliquid: wallet w11 polled every 4\.4 s, not streamed \(more than 10 users/,
    );
    // the runner's heartbeat is gone: what it last wrote is no longer the state of anything
    await store.kv.delete(RUNNER_KV_KEY);
    const stopped = await loadStatusReport(store, { now, recent: 5 });
    assert.deepEqual(stopped.venueNotices, []);
    assert.doesNotMatch(formatStatus(stopped), /venue notices/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("each instance's summary: kind, wallets and allocation from the runner's snapshot, exits and failed opens from the store, carry/scalp rejections; an instance with no group is listed too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-status-instances-"));
  const store = await openStore(`sqlite:${join(dir, "s.db")}`);
  try {
    await seedGroup(store, "s-1", "scalp_a", true, "s1");
    await seedGroup(store, "s-2", "scalp_a", false, "s1");
    // an open the allocation refused: a failed group row, nothing sent
    await store.groups.insert(
      {
        groupId: "f-1",
        strategy: "farm_b",
        status: "failed",
        entry: '{"kind":"ioc","maxSlippageBps":20}',
        fillTimeoutMs: 5_000,
        hedged: true,
        meta: null,
        closeReason: null,
        failureReason: "risk_refused",
        detail: "leg 0: allocation_cap: …",
        createdAt: T0,
        updatedAt: T0,
        closedAt: T0,
      },
      [],
    );
    const now = T0 + 60_000;
    await writeLiveSnapshot(store, {
      ts: now - 1_000,
      pid: 1,
      tradingState: "ACTIVE",
      equityUsd: 0,
      accounts: [],
      positions: [],
      groups: [],
      scanners: [
        {
          instance: "carry_a",
          kind: "carry",
          opportunities: null,
          rejections: { net_below_threshold: 4, spread: 1 },
        },
        { instance: "scalp_a", kind: "scalp", edgeBps: {}, bestEdgeBps: {}, rejections: {} },
      ],
      instances: [
        { instance: "carry_a", kind: "carry", wallets: ["c1"], maxExposureUsd: null, running: true },
        {
          instance: "farm_b",
          kind: "farm",
          wallets: ["f4", "f5", "f6", "f7"],
          maxExposureUsd: 100,
          running: true,
        },
        { instance: "scalp_a", kind: "scalp", wallets: ["s1"], maxExposureUsd: null, running: true },
      ],
    });
    const r = await loadStatusReport(store, { now, recent: 10 });
    assert.deepEqual(
      r.instances.map((i) => [
        i.strategy,
        i.run?.kind,
        i.run?.wallets,
        i.run?.maxExposureUsd,
        i.active.length,
        i.totals.groups,
        i.exits,
        i.failedOpens,
        i.run?.rejections,
      ]),
      [
        ["carry_a", "carry", ["c1"], null, 0, 0, {}, {}, { net_below_threshold: 4, spread: 1 }],
        ["farm_b", "farm", ["f4", "f5", "f6", "f7"], 100, 0, 1, {}, { risk_refused: 1 }, null],
        ["scalp_a", "scalp", ["s1"], null, 1, 2, { time_limit: 1 }, {}, {}],
      ],
    );
    const text = formatStatus(r);
    assert.match(text, /^instance carry_a \(carry, wallets c1\): 0 active, 0 groups: /m);
    assert.match(text, /^ {4}rejections: net_below_threshold 4, spread 1$/m);
    assert.match(text, /^instance farm_b \(farm, 4 wallets, max exposure \$100\.00\): 0 active, 1 group: /m);
    assert.match(text, /^ {4}failed opens: risk_refused 1$/m);
    assert.match(text, /^instance scalp_a \(scalp, wallets s1\): 1 active, 2 groups: /m);
    assert.match(text, /^ {4}exits: time_limit 1$/m);
    // the runner stopped long ago: the rejections are what it last reported, and say when
    const later = formatStatus(await loadStatusReport(store, { now: now + 3_600_000, recent: 10 }));
    assert.match(
      later,
      /^ {4}rejections \(as of \d{4}-\d\d-\d\d \d\d:\d\dZ\): net_below_threshold 4, spread 1$/m,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
