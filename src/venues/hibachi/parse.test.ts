import assert from "node:assert/strict";
import { test } from "node:test";
import { ExchangeInfoSchema, OrderBookSchema, PricesSchema, parseAs } from "./parse.ts";

/**
 * The parsers on Hibachi's published payloads: hibachi-xyz/hibachi_sdk
 * python/tests/unit/data/response.exchange_info.0.json, response.prices.0.json and
 * response.orderbook.0.json (values as recorded there, trimmed to the fields read).
 */
test("exchange-info from the sdk's recorded payload", () => {
  const info = parseAs(
    ExchangeInfoSchema,
    {
      feeConfig: {
        tradeMakerFeeRate: "0.00000000",
        tradeTakerFeeRate: "0.00045000",
        transferFeeRate: "0.00010000",
      },
      futureContracts: [
        {
          displayName: "ETH/USDT Perps",
          id: 1,
          initialMarginRate: "0.066667",
          maintenanceMarginRate: "0.046667",
          marketCloseTimestamp: null,
          minNotional: "1",
          minOrderSize: "0.000000001",
          orderbookGranularities: ["0.01", "0.1", "1", "10"],
          settlementDecimals: 6,
          settlementSymbol: "USDT",
          status: "LIVE",
          stepSize: "0.000000001",
          symbol: "ETH/USDT-P",
          tickSize: "0.000001",
          underlyingDecimals: 9,
          underlyingSymbol: "ETH",
        },
      ],
      status: "NORMAL",
    },
    "exchange-info",
  );
  assert.equal(info.futureContracts[0]?.underlyingDecimals, 9);
  assert.equal(info.feeConfig.tradeTakerFeeRate, "0.00045000");
});

test("prices and orderbook from the sdk's recorded payloads", () => {
  const p = parseAs(
    PricesSchema,
    {
      askPrice: "3245.678",
      bidPrice: "3245.123",
      fundingRateEstimation: { estimatedFundingRate: "0.00010000", nextFundingTimestamp: 1728000000 },
      markPrice: "3245.400",
      spotPrice: "3245.350",
      symbol: "ETH/USDT-P",
      tradePrice: "3245.500",
    },
    "prices",
  );
  assert.equal(p.fundingRateEstimation.estimatedFundingRate, "0.00010000");
  const b = parseAs(
    OrderBookSchema,
    {
      ask: { levels: [{ price: "3245.50", quantity: "10.5" }] },
      bid: { levels: [{ price: "3245.40", quantity: "12.3" }] },
    },
    "orderbook",
  );
  assert.equal(b.bid.levels[0]?.quantity, "12.3");
});

test("a wrong payload names the endpoint and every bad field", () => {
  assert.throws(
    () =>
      parseAs(
        PricesSchema,
        { symbol: "ETH/USDT-P", markPrice: 3245.4 },
        "GET /market/data/prices ETH/USDT-P",
      ),
    (e: Error) =>
      /hibachi GET \/market\/data\/prices ETH\/USDT-P: unexpected payload/.test(e.message) &&
      /markPrice/.test(e.message) &&
      /fundingRateEstimation/.test(e.message),
  );
});
