import { z } from "zod";

/**
 * Extended payload schemas. Shapes from the official Python SDK (x10xchange/python_sdk
 * x10/perpetual/{markets,orders,positions,balances,trades,orderbooks,funding_rates}.py,
 * x10/utils/http.py `WrappedApiResponse`/`WrappedStreamResponse`), its test fixtures
 * (tests/fixtures/markets.py) and ccxt's captured samples (js/src/extended.js,
 * js/src/pro/extended.js comments). REST answers are wrapped `{status:"OK", data}` or
 * `{status:"ERROR", error:{code, message}}`; numbers are decimal strings, times ms.
 */

const dec = z.string().regex(/^-?\d+(\.\d+)?$/, "a decimal string");
/** ids are 64-bit: parseJson keeps long ones as text; a safe-integer number is taken too */
const id = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform(String);

/**
 * JSON.parse, except that integers of 16 digits or more (Extended's 64-bit order, trade and
 * account ids) become strings instead of losing their last digits as numbers.
 */
export function parseJson(text: string): unknown {
  return JSON.parse(text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

// {"status":"ERROR","error":{"code":1140,"message":"New order cost exceeds available balance"}}
export const ErrorSchema = z.object({
  status: z.literal("ERROR"),
  error: z.object({ code: z.union([z.number().int(), z.string()]).transform(String), message: z.string() }),
});

/** `{status:"OK", data: <schema>}` */
export function ok<S extends z.ZodType>(data: S) {
  return z.object({ status: z.literal("OK"), data });
}

// GET /info/markets: {"status":"OK","data":[{"name":"BTC-USD","assetName":"BTC","assetPrecision":5,
//   "collateralAssetName":"USD","collateralAssetPrecision":6,"active":true,"status":"ACTIVE",
//   "marketStats":{"markPrice":"64267.38","indexPrice":"64286.40","fundingRate":"-0.000034",
//   "nextFundingRate":1715072400000,...},"tradingConfig":{"minOrderSize":"0.0001",
//   "minOrderSizeChange":"0.00001","minPriceChange":"0.1","maxLeverage":"50.00",...},
//   "l2Config":{"type":"STARKX","collateralId":"0x3185…","syntheticId":"0x4254432d36…",
//   "syntheticResolution":1000000,"collateralResolution":1000000}}]}
export const MarketSchema = z.object({
  name: z.string().min(1),
  assetName: z.string(),
  collateralAssetName: z.string(),
  active: z.boolean(),
  status: z.string().optional(),
  marketStats: z
    .object({
      markPrice: dec,
      indexPrice: dec,
      fundingRate: dec,
      nextFundingRate: z.number().int().optional(),
    })
    .loose(),
  tradingConfig: z
    .object({ minOrderSize: dec, minOrderSizeChange: dec, minPriceChange: dec, maxLeverage: dec })
    .loose(),
  l2Config: z.object({
    type: z.string(),
    collateralId: z.string().regex(/^0x[0-9a-fA-F]+$/, "a 0x-hex asset id"),
    collateralResolution: z.number().int().positive(),
    syntheticId: z.string().regex(/^0x[0-9a-fA-F]+$/, "a 0x-hex asset id"),
    syntheticResolution: z.number().int().positive(),
  }),
});
export type ExMarket = z.output<typeof MarketSchema>;
export const MarketsSchema = ok(z.array(MarketSchema.loose()));

const Level = z.object({ qty: dec, price: dec });
// GET /info/markets/{market}/orderbook: {"status":"OK","data":{"market":"BTC-USD",
//   "bid":[{"qty":"0.008","price":"43547.00"}],"ask":[{"qty":"0.5","price":"43548.00"}]}}
export const BookSnapshotSchema = ok(
  z.object({ market: z.string(), bid: z.array(Level), ask: z.array(Level) }),
);

// GET /user/account/info: {"status":"OK","data":{"status":"ACTIVE","l2Key":"0x6970…","l2Vault":"10001",
//   "accountId":1001,"description":"Account 1",...}} (tests/fixtures/accounts.py AccountModel)
export const AccountInfoSchema = ok(
  z
    .object({ l2Key: z.string().regex(/^0x[0-9a-fA-F]+$/), l2Vault: id, accountId: id, status: z.string() })
    .loose(),
);

// POST /user/order: {"status":"OK","data":{"id":1791389621914243072,"externalId":"pb01…"}}
export const PlacedSchema = ok(z.object({ id, externalId: z.string() }));

// GET /user/orders, /user/orders/external/{externalId}: OpenOrderModel
//   {"id":1791181340771614723,"accountId":1791181340771614721,"externalId":"pb…","market":"BTC-USD",
//    "type":"LIMIT","side":"BUY","status":"NEW","price":"12400.000000","averagePrice":"13140.000000",
//    "qty":"10.000000","filledQty":"3.513000","payedFee":"0.513000","reduceOnly":true,"postOnly":false,
//    "createdTime":1715885888571,"updatedTime":1715885888571,"expireTime":1715885888571}
export const OrderSchema = z
  .object({
    id,
    externalId: z.string(),
    market: z.string(),
    type: z.string(),
    side: z.enum(["BUY", "SELL"]),
    status: z.enum([
      "UNKNOWN",
      "NEW",
      "UNTRIGGERED",
      "PARTIALLY_FILLED",
      "FILLED",
      "CANCELLED",
      "EXPIRED",
      "REJECTED",
    ]),
    statusReason: z.string().nullish(),
    price: dec,
    averagePrice: dec.nullish(),
    qty: dec,
    filledQty: dec.nullish(),
    reduceOnly: z.boolean(),
    postOnly: z.boolean(),
    payedFee: dec.nullish(),
    createdTime: z.number().int(),
    updatedTime: z.number().int(),
  })
  .loose();
export type ExOrder = z.output<typeof OrderSchema>;
export const OrdersSchema = ok(z.array(OrderSchema));
export const OneOrderSchema = ok(OrderSchema);

// GET /user/positions: [{"id":1,"accountId":1,"market":"BTC-USD","side":"LONG","leverage":"10",
//   "size":"0.1","value":"4000","openPrice":"39000","markPrice":"40000","liquidationPrice":"38200",
//   "unrealisedPnl":"1000","realisedPnl":"1.2","createdAt":1701563440000,"updatedAt":1701563440000}]
export const PositionSchema = z
  .object({
    market: z.string(),
    side: z.enum(["LONG", "SHORT"]),
    leverage: dec,
    size: dec,
    openPrice: dec,
    markPrice: dec,
    liquidationPrice: dec.nullish(),
    unrealisedPnl: dec,
    realisedPnl: dec,
    margin: dec.nullish(),
  })
  .loose();
export const PositionsSchema = ok(z.array(PositionSchema));

// GET /user/balance: {"collateralName":"USD","balance":"1000","equity":"1010","availableForTrade":"900",
//   "availableForWithdrawal":"890","unrealisedPnl":"10","initialMargin":"100","marginRatio":"0.05",
//   "updatedTime":1701563440000}
export const BalanceSchema = ok(
  z
    .object({
      collateralName: z.string(),
      balance: dec,
      equity: dec,
      availableForTrade: dec,
      unrealisedPnl: dec,
      initialMargin: dec,
    })
    .loose(),
);

// GET /user/trades: [{"id":1811328331296018432,"accountId":3004,"market":"BTC-USD",
//   "orderId":1811328331287359488,"side":"BUY","price":"58249.8","qty":"0.001","value":"58.2498",
//   "fee":"0.029124","isTaker":true,"tradeType":"TRADE","createdTime":1720689301691}]
export const TradeSchema = z
  .object({
    id,
    market: z.string(),
    orderId: id,
    externalOrderId: z.string().nullish(),
    side: z.enum(["BUY", "SELL"]),
    price: dec,
    qty: dec,
    fee: dec,
    isTaker: z.boolean(),
    tradeType: z.string(),
    createdTime: z.number().int(),
  })
  .loose();
export type ExTrade = z.output<typeof TradeSchema>;
export const TradesSchema = ok(z.array(TradeSchema));

// GET /user/funding/history: [{"id":…,"market":"BTC-USD","side":"LONG","size":"0.1","value":"4000",
//   "markPrice":"40000","fundingFee":"-0.4","fundingRate":"0.0001","paidTime":1701563440000}]
export const FundingPaymentSchema = z
  .object({
    market: z.string(),
    side: z.enum(["LONG", "SHORT"]),
    size: dec,
    markPrice: dec,
    fundingFee: dec,
    fundingRate: dec,
    paidTime: z.number().int(),
  })
  .loose();
export const FundingPaymentsSchema = ok(z.array(FundingPaymentSchema));

// ---------------------------------------------------------------- streams (one socket per path)

/** `c`, when sent, is the level's new absolute size (ccxt pro/extended.js `handleDelta` prefers it) */
const StreamLevel = z.object({ p: dec, q: dec, c: dec.optional() });
// /orderbooks/{market}: {"ts":1701563440000,"type":"SNAPSHOT"|"DELTA","data":{"m":"BTC-USD",
//   "b":[{"p":"25670","q":"0.1"}],"a":[{"p":"25770","q":"0.1"}]},"seq":1}
// a DELTA's q is the change of the level's size (python_sdk orderbook.py `update_orderbook` adds it)
export const BookFrameSchema = z.object({
  ts: z.number().int(),
  type: z.enum(["SNAPSHOT", "DELTA"]),
  data: z.object({ m: z.string(), b: z.array(StreamLevel), a: z.array(StreamLevel) }),
  seq: z.number().int(),
});
export type BookFrame = z.output<typeof BookFrameSchema>;

// /publicTrades/{market}: {"ts":…,"data":[{"m":"BTC-USD","S":"BUY","tT":"TRADE","T":1701563440000,
//   "p":"25670","q":"0.1","i":25124}],"seq":2}
export const TradesFrameSchema = z.object({
  ts: z.number().int(),
  data: z.array(z.object({ m: z.string(), S: z.enum(["BUY", "SELL"]), T: z.number().int(), p: dec, q: dec })),
  seq: z.number().int(),
});

// /funding/{market}: {"ts":1701563440000,"data":{"m":"BTC-USD","T":1701563440000,"f":"0.001"},"seq":2}
export const FundingFrameSchema = z.object({
  ts: z.number().int(),
  data: z.object({ m: z.string(), T: z.number().int(), f: dec }),
  seq: z.number().int(),
});

// /prices/mark/{market}: {"type":"MP","data":{"m":"BTC-USD","p":"80988.400408625006","ts":0},
//   "ts":1778641421485,"seq":1}
export const MarkFrameSchema = z.object({
  ts: z.number().int(),
  data: z.object({ m: z.string(), p: dec }),
  seq: z.number().int(),
});

// /account (X-Api-Key header): {"type":"ORDER"|"TRADE"|"POSITION"|"BALANCE",
//   "data":{"orders":[…]}|{"trades":[…]}|{"positions":[…]}|{"balance":{…}},"ts":…,"seq":1}
export const AccountFrameSchema = z.object({
  type: z.string(),
  data: z
    .object({
      orders: z.array(OrderSchema).optional(),
      trades: z.array(TradeSchema).optional(),
      positions: z.array(PositionSchema).optional(),
    })
    .loose()
    .nullish(),
  ts: z.number().int(),
  seq: z.number().int(),
});
export type AccountFrame = z.output<typeof AccountFrameSchema>;

export class ExtendedPayloadError extends Error {
  override name = "ExtendedPayloadError";
}

export function parseAs<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new ExtendedPayloadError(
    `extended: ${what} did not parse at ${i?.path.join(".") || "(root)"}: ${i?.message}`,
  );
}
