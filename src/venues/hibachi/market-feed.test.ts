import assert from "node:assert/strict";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import type { MarketEvent } from "../../core/market.ts";
import { StreamHealth } from "../kit/stream-health.ts";
import { instrumentOf } from "./capabilities.ts";
import { ETH_CONTRACT } from "./fixtures/eth-contract.ts";
import { MarketFeed } from "./market-feed.ts";
import { ContractSchema, ExchangeInfoSchema } from "./parse.ts";

/** `/ws/market` messages through the feed: parsed, applied, and a malformed one dropped with a notice. */
test("hibachi market feed: a malformed orderbook message is dropped naming topic, symbol and field; the next applies", async () => {
  const info = ExchangeInfoSchema.parse({
    feeConfig: { tradeMakerFeeRate: "0", tradeTakerFeeRate: "0.00045" },
    futureContracts: [ContractSchema.parse({ ...ETH_CONTRACT, tickSize: "0.01", stepSize: "0.0001" })],
    status: "NORMAL",
  });
  const inst = instrumentOf("hibachi", info.futureContracts[0], info);
  const clock = new WallClock();
  const problems: string[] = [];
  const feed = new MarketFeed({
    venueId: "hibachi",
    url: "ws://127.0.0.1:1/ws/market",
    clock,
    health: new StreamHealth(clock, "hibachi", 60_000),
    instrument: (s) => (s === inst.symbol ? inst : undefined),
    problem: (stream, e) => problems.push(`${stream}: ${e.message}`),
  });
  feed.add(inst);
  const seen: MarketEvent[] = [];
  feed.onMarket((e) => seen.push(e));
  const stop = feed.subscribe({ symbol: inst.symbol, channel: "book" }, `book:${inst.symbol}`);
  feed.handle({
    topic: "orderbook",
    symbol: inst.symbol,
    data: { bid: { levels: [{ price: 3000 }] }, ask: {} },
  });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^book:ETH\/USDT-P: hibachi ws orderbook ETH\/USDT-P: unexpected payload:/);
  assert.match(problems[0], /bid\.levels\.0\.price/);
  assert.match(problems[0], /ask\.levels/);
  assert.equal(seen.length, 0);
  feed.handle({
    topic: "orderbook",
    symbol: inst.symbol,
    data: {
      bid: { levels: [{ price: "2999.99", quantity: "1.5" }] },
      ask: { levels: [{ price: "3000.01", quantity: "2" }] },
    },
  });
  assert.equal(seen.length, 1);
  assert.equal(feed.book(inst.symbol)?.bestBidTicks(), inst.price("2999.99"));
  // a topic of another symbol or one not subscribed passes silently
  feed.handle({ topic: "mark_price", symbol: inst.symbol, data: { markPrice: "3001" } });
  assert.equal(seen.length, 1);
  stop();
  await feed.close();
});
