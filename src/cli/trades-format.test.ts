import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPrice } from "../app/paper.ts";
import type { FillRecord } from "../app/service/trades.ts";
import { usd } from "../core/money.ts";
import { fillTable } from "./commands/trades.ts";

// D20 (issue 10): `perpbot trades` columns line up and fees read in a sane number of decimals

function fill(over: Partial<FillRecord>): FillRecord {
  return {
    venue: "simA",
    account: "paper-01",
    symbol: "BTC-PERP",
    fillId: "f1",
    clientOrderId: "pb-1",
    venueOrderId: "v1",
    side: "buy",
    price: "100015.5",
    size: "0.012",
    fee: usd(0.0369),
    realisedPnl: 0n,
    liquidity: "taker",
    ts: Date.UTC(2026, 0, 5, 8),
    ...over,
  };
}

test("trades: every column starts at the same place on every row; fees at 4 decimals", () => {
  const lines = fillTable([
    fill({}),
    fill({
      venue: "simB",
      symbol: "DOGE-PERP",
      account: "paper-12",
      side: "sell",
      size: "12000",
      price: "0.2",
      fee: usd(0.000123456789),
      liquidity: "maker",
      clientOrderId: "pb-22",
    }),
    fill({ symbol: "SOL-PERP", size: "58.11", price: "179.94", fee: usd(-0.00001) }),
  ]);
  const at = (l: string, s: string) => l.indexOf(s);
  // left-aligned columns start together, numbers end together
  assert.equal(new Set(lines.map((l) => at(l, "paper-"))).size, 1, lines.join("\n"));
  assert.equal(new Set(lines.map((l) => at(l, "fee ") + 4)).size, 1);
  assert.equal(new Set(lines.map((l) => l.indexOf(" @ "))).size, 1);
  assert.equal(new Set(lines.map((l) => at(l, "fee ") + "fee 0.0000".length)).size, 1);
  assert.match(lines[0], /fee 0\.0369 {2}taker/);
  assert.match(lines[1], /fee 0\.0001 {2}maker/);
  assert.match(lines[2], /fee 0\.0000 {2}taker/, "a rebate that rounds to zero is not -0.0000");
  for (const l of lines) assert.doesNotMatch(l, /\d\.\d{5,}/);
});

test("market prices: thousands separators, checking… before the first book", () => {
  assert.equal(formatPrice(100015.4), "100,015");
  assert.equal(formatPrice(179.944), "179.94");
  assert.equal(formatPrice(0.20004), "0.2000");
  assert.equal(formatPrice(Number.NaN), "checking…");
});
