import assert from "node:assert/strict";
import { test } from "node:test";
import { usd } from "../../core/money.ts";
import type { FillRecord } from "../../store/records.ts";
import { accountFarm, costPerMillionUsd, netPnlUsd } from "./accounting.ts";

const fill = (
  o: Partial<FillRecord> & { groupId: string | null },
): FillRecord & { groupId: string | null } => ({
  venue: "simA",
  account: "w1",
  symbol: "BTC",
  fillId: Math.random().toString(36),
  clientOrderId: null,
  venueOrderId: null,
  side: "buy",
  price: "100000",
  size: "0.01",
  fee: usd(0.45),
  realisedPnl: 0n,
  liquidity: "taker",
  ts: 10,
  ...o,
});

test("fills and funding are attributed to legs, groups and wallets; cost per $1M volume", () => {
  const groups = [
    {
      id: "g1",
      closeReason: "time_limit",
      openedAt: 0,
      closedAt: 100,
      legs: [
        { venue: "simA", account: "w1", symbol: "BTC" },
        { venue: "simA", account: "w2", symbol: "BTC" },
      ],
    },
    {
      id: "g2",
      closeReason: null,
      openedAt: 200,
      closedAt: null,
      legs: [{ venue: "simA", account: "w1", symbol: "BTC" }],
    },
  ];
  const fills = [
    fill({ groupId: "g1", account: "w1", side: "buy" }),
    fill({ groupId: "g1", account: "w2", side: "sell" }),
    fill({ groupId: "g1", account: "w1", side: "sell", price: "101000", realisedPnl: usd(10), ts: 90 }),
    fill({ groupId: "g1", account: "w2", side: "buy", price: "101000", realisedPnl: usd(-10), ts: 90 }),
    fill({ groupId: "g2", account: "w1", ts: 210 }),
    fill({ groupId: null, account: "w9" }),
  ];
  const funding = [
    {
      venue: "simA",
      account: "w1",
      symbol: "BTC",
      amount: usd(-0.1),
      ratePerHour: 0.0001,
      positionSize: "0.01",
      ts: 50,
    },
    {
      venue: "simA",
      account: "w2",
      symbol: "BTC",
      amount: usd(0.1),
      ratePerHour: 0.0001,
      positionSize: "-0.01",
      ts: 50,
    },
    // after g1 closed and before g2 opened: no group held the position
    {
      venue: "simA",
      account: "w1",
      symbol: "BTC",
      amount: usd(-5),
      ratePerHour: 0.0001,
      positionSize: "0.01",
      ts: 150,
    },
    {
      venue: "simA",
      account: "w1",
      symbol: "BTC",
      amount: usd(-0.2),
      ratePerHour: 0.0001,
      positionSize: "0.01",
      ts: 250,
    },
  ];
  const a = accountFarm(groups, fills, funding);
  const g1 = a.byGroup.get("g1")!;
  assert.equal(g1.fills, 4);
  assert.equal(g1.volumeUsd, 1000 + 1000 + 1010 + 1010);
  assert.equal(g1.fees, usd(1.8));
  assert.equal(g1.realisedPnl, 0n);
  assert.equal(g1.funding, 0n);
  assert.equal(a.byGroup.get("g2")!.funding, usd(-0.2));
  assert.equal(a.byWallet.get("w1")!.funding, usd(-0.3));
  assert.equal(a.byLeg.get("g1|simA|w1|BTC")!.realisedPnl, usd(10));
  assert.equal(a.byWallet.has("w9"), false, "fills of no group are not the farm's");
  assert.equal(a.total.fills, 5);
  // g1 lost exactly its fees: $1.80 over $4,020 of volume
  assert.ok(Math.abs(netPnlUsd(g1) + 1.8) < 1e-9);
  assert.ok(Math.abs(costPerMillionUsd(g1) - (1.8 / 4020) * 1e6) < 1e-6);
});
