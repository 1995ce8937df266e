import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  AccountAssetSchema,
  DepthListSchema,
  EdgexPayloadError,
  EnvelopeSchema,
  MetaDataSchema,
  OrderSchema,
  PageSchema,
  parseAs,
  QuoteEventSchema,
  resolutionOf,
} from "./parse.ts";

/**
 * Fixtures in ./fixtures were written for these tests from the published shapes: the model
 * definitions of edgex-Tech/edgex-golang-sdk `openapi/api/openapi.yaml` (Contract, Coin, Depth,
 * Order, GetAccountAsset, the Result envelope) and the V2 fields the official Python SDK reads
 * (`order/client.py`: global.nativeChainId, global.contractAddress, contract resolution and fee
 * rates, coin resolution; `ws/client.py`: quote-event / channel / content).
 */
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));

describe("edgex parsers", () => {
  it("reads the metadata: signing domain, contract rules, resolutions (decimal and 0x hex)", () => {
    const env = parseAs(EnvelopeSchema, fixture("metadata.json"), "metadata");
    assert.equal(env.code, "SUCCESS");
    const meta = parseAs(MetaDataSchema, env.data, "metadata");
    assert.equal(meta.global.nativeChainId, "33431");
    assert.equal(meta.global.contractAddress, "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1");
    const btc = meta.contractList[0];
    assert.equal(btc.contractName, "BTCUSD");
    assert.equal(btc.tickSize, "0.1");
    assert.equal(btc.fundingRateIntervalMin, 240);
    assert.equal(resolutionOf(btc.resolution, "BTCUSD"), 1000n);
    assert.equal(resolutionOf(meta.coinList[1].resolution, "BTC"), 1000n);
    assert.equal(resolutionOf(meta.coinList[0].resolution, "USD"), 1_000_000n);
    assert.throws(() => resolutionOf("1e6", "X"), EdgexPayloadError);
  });

  it("reads a depth stream message and its level changes (size 0 removes)", () => {
    const ev = parseAs(QuoteEventSchema, fixture("depth-stream.json"), "depth stream");
    assert.equal(ev.channel, "depth.10000001.15");
    assert.equal(ev.content.dataType, "Changed");
    const [d] = parseAs(DepthListSchema, ev.content.data, "depth");
    assert.equal(d.endVersion, "1052");
    assert.deepEqual(d.asks, [{ price: "60000.1", size: "0" }]);
    assert.deepEqual(d.bids, [{ price: "59999.9", size: "0.731" }]);
  });

  it("reads an active-order page", () => {
    const env = parseAs(EnvelopeSchema, fixture("order-page.json"), "orders");
    const page = parseAs(PageSchema(OrderSchema), env.data, "orders");
    const o = page.dataList[0];
    assert.equal(o.side, "SELL");
    assert.equal(o.status, "OPEN");
    assert.equal(o.cumFillSize, "0.004");
    assert.equal(o.clientOrderId, "1733040000000000001");
    assert.equal(o.createdTime, 1733040000100);
  });

  it("reads the account asset answer", () => {
    const env = parseAs(EnvelopeSchema, fixture("account-asset.json"), "asset");
    const a = parseAs(AccountAssetSchema, env.data, "asset");
    assert.equal(a.collateralList[0].amount, "100600.5");
    assert.equal(a.positionList[0].openSize, "-0.010");
    assert.equal(a.collateralAssetModelList[0].availableAmount, "99969.45");
  });

  it("an error envelope keeps the venue's code and message", () => {
    const env = parseAs(EnvelopeSchema, fixture("error.json"), "error");
    assert.equal(env.code, "ORDER_PRICE_INVALID");
    assert.equal(env.msg, "order price is invalid");
  });

  it("a malformed answer names the endpoint and the field", () => {
    const bad = structuredClone(fixture("order-page.json")) as { data: { dataList: { side: string }[] } };
    bad.data.dataList[0].side = "LONG";
    assert.throws(
      () => parseAs(PageSchema(OrderSchema), bad.data, "getActiveOrderPage"),
      (e: Error) =>
        e instanceof EdgexPayloadError &&
        /getActiveOrderPage/.test(e.message) &&
        /dataList\.0\.side/.test(e.message),
    );
  });
});
