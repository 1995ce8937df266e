import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { z } from "zod";
import { cassetteBodies, CASSETTE_DIR as DIR } from "./fixtures/cassettes.ts";
import {
  AllMidsSchema,
  CandlesSchema,
  ClearinghouseStateSchema,
  ExchangeResponseSchema,
  errorCode,
  FrontendOpenOrdersSchema,
  HistoricalOrdersSchema,
  L2BookSchema,
  MetaSchema,
  OpenOrdersSchema,
  OrderStatusSchema,
  orderOutcomes,
  PredictedFundingsSchema,
  UserFillsSchema,
  UserFundingSchema,
  UserRateLimitSchema,
} from "./parse.ts";

const BY_TYPE: Record<string, z.ZodType> = {
  allMids: AllMidsSchema,
  candleSnapshot: CandlesSchema,
  clearinghouseState: ClearinghouseStateSchema,
  frontendOpenOrders: FrontendOpenOrdersSchema,
  historicalOrders: HistoricalOrdersSchema,
  l2Book: L2BookSchema,
  meta: MetaSchema,
  openOrders: OpenOrdersSchema,
  predictedFundings: PredictedFundingsSchema,
  userFills: UserFillsSchema,
  userFunding: UserFundingSchema,
  userRateLimit: UserRateLimitSchema,
};

describe("hyperliquid parse: recorded cassettes", () => {
  const present = existsSync(DIR);
  it("reads every cassette in ../shared/data/hyperliquid-rest/", {
    skip: present ? false : `${DIR} is absent`,
  }, () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml"));
    assert.ok(files.length >= 10);
    let parsed = 0;
    for (const f of files) {
      for (const { request, response } of cassetteBodies(readFileSync(join(DIR, f), "utf8"))) {
        const type = (JSON.parse(request) as { type: string }).type;
        const schema = BY_TYPE[type];
        assert.ok(schema, `${f}: no schema for info type ${type}`);
        const raw = JSON.parse(response);
        const r = schema.safeParse(raw);
        assert.ok(r.success, `${f} (${type}): ${r.success ? "" : r.error.message}`);
        // nothing lost: loose objects keep every field the venue sent
        assert.deepEqual(r.data, raw, `${f} (${type}) lost data`);
        parsed++;
      }
    }
    assert.ok(parsed >= 13, `parsed ${parsed} responses`);
  });
});

describe("hyperliquid parse: documented shapes", () => {
  it("order answers: resting, filled, error, waiting", () => {
    const resp = ExchangeResponseSchema.parse({
      status: "ok",
      response: {
        type: "order",
        data: {
          statuses: [
            { resting: { oid: 77738308, cloid: "0x00000000000000000000000000000001" } },
            { filled: { totalSz: "0.02", avgPx: "1891.4", oid: 77747314 } },
            { error: "Order must have minimum value of $10." },
            "waitingForFill",
          ],
        },
      },
    });
    assert.deepEqual(
      orderOutcomes(resp, 5).map((o) => o.kind),
      ["resting", "filled", "rejected", "pending", "pending"],
    );
    const err = ExchangeResponseSchema.parse({
      status: "err",
      response: "User or API Wallet 0xabc does not exist.",
    });
    assert.deepEqual(orderOutcomes(err, 2), [
      { kind: "rejected", reason: "User or API Wallet 0xabc does not exist." },
      { kind: "rejected", reason: "User or API Wallet 0xabc does not exist." },
    ]);
    assert.equal(errorCode("User or API Wallet 0xabc does not exist."), "unknown_signer");
    assert.equal(
      errorCode("Post only order would have immediately matched, bbo was 1.0@2.0"),
      "post_only_would_cross",
    );
    assert.equal(errorCode("Something new"), "other");
    assert.equal(
      ExchangeResponseSchema.safeParse({ status: "ok", response: { type: "order", data: { statuses: [7] } } })
        .success,
      false,
    );
  });

  it("orderStatus: found and unknownOid", () => {
    assert.equal(OrderStatusSchema.parse({ status: "unknownOid" }).status, "unknownOid");
    const order = {
      coin: "BTC",
      side: "B",
      limitPx: "97000",
      sz: "0.001",
      oid: 5,
      timestamp: 1,
      origSz: "0.001",
      orderType: "Limit",
      tif: "Alo",
      reduceOnly: false,
      isTrigger: false,
      triggerPx: "0.0",
      triggerCondition: "N/A",
      isPositionTpsl: false,
      children: [],
      cloid: "0x00112233445566778899aabbccddeeff",
    };
    const s = OrderStatusSchema.parse({
      status: "order",
      order: { order, status: "open", statusTimestamp: 2 },
    });
    assert.equal(s.status === "order" && s.order.status, "open");
  });
});
