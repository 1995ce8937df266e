import { z } from "zod";

/**
 * Backpack payload schemas. Shapes from the venue's API reference (https://docs.backpack.exchange,
 * "Markets", "Order", "Futures", "History", "Streams") and bpx-api-client's types; numbers arrive
 * as decimal strings, WS times in microseconds, history times as ISO text without a zone (UTC).
 */

const dec = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, "a decimal string");
const optDec = dec.nullish();
/**
 * A stream time in µs: a number (the docs' examples) or its digits (ccxt's captured depth sample,
 * js/src/pro/backpack.js `handleOrderBook`, sends `"E": "1754903057555305"`).
 */
const micros = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+$/, "digits").transform(Number),
]);

/** ms since the epoch of a history timestamp: ISO text (UTC when it names no zone) or a number. */
export function timeOf(value: string | number): number {
  if (typeof value === "number") return value > 1e14 ? Math.floor(value / 1000) : value;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(t)) throw new RangeError(`backpack: "${value}" is not a timestamp`);
  return t;
}

// GET /api/v1/markets: [{"symbol":"BTC_USDC_PERP","baseSymbol":"BTC","quoteSymbol":"USDC",
//   "marketType":"PERP","filters":{"price":{"minPrice":"0.1","maxPrice":null,"tickSize":"0.1"},
//   "quantity":{"minQuantity":"0.00001","maxQuantity":null,"stepSize":"0.00001"}},
//   "imfFunction":{"type":"sqrt","base":"0.02","factor":"0.0001"},"mmfFunction":{...},
//   "fundingInterval":3600000,"orderBookState":"Open"}]
export const MarketSchema = z.object({
  symbol: z.string(),
  baseSymbol: z.string(),
  quoteSymbol: z.string(),
  marketType: z.string(),
  filters: z.object({
    price: z.object({ tickSize: dec, minPrice: optDec, maxPrice: optDec }),
    quantity: z.object({ stepSize: dec, minQuantity: optDec, maxQuantity: optDec }),
  }),
  imfFunction: z.object({ base: dec }).loose().nullish(),
  mmfFunction: z.object({ base: dec }).loose().nullish(),
  fundingInterval: z.number().int().positive().nullish(),
  orderBookState: z.string().optional(),
});
export type BpMarket = z.output<typeof MarketSchema>;
export const MarketsSchema = z.array(MarketSchema.loose());

// GET /api/v1/depth?symbol=…: {"asks":[["60000.1","0.5"]],"bids":[…],"lastUpdateId":"1234","timestamp":1735689600000}
export const DepthSchema = z.object({
  asks: z.array(z.tuple([dec, dec])),
  bids: z.array(z.tuple([dec, dec])),
  lastUpdateId: z.union([z.string(), z.number()]).transform(Number),
  timestamp: z.number().optional(),
});

// GET /api/v1/markPrices: [{"symbol":"BTC_USDC_PERP","markPrice":"60000","indexPrice":"60001",
//   "fundingRate":"0.0000125","nextFundingTimestamp":1735693200000}]
export const MarkPricesSchema = z.array(
  z
    .object({
      symbol: z.string(),
      markPrice: dec,
      indexPrice: optDec,
      fundingRate: dec,
      nextFundingTimestamp: z.number().optional(),
    })
    .loose(),
);

// Order (POST/DELETE/GET /api/v1/order, /api/v1/orders, /wapi/v1/history/orders):
// {"id":"111051090663277568","clientId":1001,"symbol":"SOL_USDC","side":"Bid","orderType":"Limit",
//  "timeInForce":"GTC","price":"180.50","quantity":"1.5","executedQuantity":"0",
//  "executedQuoteQuantity":"0","status":"New","postOnly":true,"createdAt":1735689600123}
// (the docs' order-execute example, mirrored at api-evangelist/backpack examples/)
export const OrderSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    clientId: z.number().int().nullish(),
    symbol: z.string(),
    side: z.enum(["Bid", "Ask"]),
    orderType: z.string(),
    timeInForce: z.string().nullish(),
    price: optDec,
    quantity: optDec,
    executedQuantity: dec,
    status: z.string(),
    postOnly: z.boolean().nullish(),
    reduceOnly: z.boolean().nullish(),
    createdAt: z.number().optional(),
  })
  .loose();
export type BpOrder = z.output<typeof OrderSchema>;
export const OrdersSchema = z.array(OrderSchema);

// GET /api/v1/position: [{"symbol":"BTC_USDC_PERP","netQuantity":"0.05","entryPrice":"60000.1",
//   "markPrice":"60010","estLiquidationPrice":"31000","pnlUnrealized":"0.5","pnlRealized":"0",
//   "netExposureNotional":"3000.5","imf":"0.1","mmf":"0.01","cumulativeFundingPayment":"0"}]
export const PositionsSchema = z.array(
  z
    .object({
      symbol: z.string(),
      netQuantity: dec,
      entryPrice: dec,
      markPrice: dec,
      estLiquidationPrice: optDec,
      pnlUnrealized: dec,
      netExposureNotional: dec,
      imf: dec,
      mmf: dec,
      cumulativeFundingPayment: optDec,
    })
    .loose(),
);

// GET /api/v1/capital/collateral: {"assetsValue":"100000","netEquity":"100000.5",
//   "netEquityAvailable":"99700","netEquityLocked":"300.05","mmf":"0.01","netExposureFutures":"3000.5",
//   "pnlUnrealized":"0.5","collateral":[{"symbol":"USDC","totalQuantity":"100000",…}]}
export const CollateralSchema = z
  .object({
    netEquity: dec,
    netEquityAvailable: dec,
    netEquityLocked: dec,
    mmf: dec,
    netExposureFutures: dec,
    collateral: z.array(z.object({ symbol: z.string(), totalQuantity: dec }).loose()),
  })
  .loose();

// GET /wapi/v1/history/fills: [{"tradeId":77,"orderId":"111…","clientId":1001,"symbol":"BTC_USDC_PERP",
//   "side":"Bid","price":"60000.1","quantity":"0.01","fee":"0.3","feeSymbol":"USDC","isMaker":false,
//   "timestamp":"2025-01-01T00:00:00.123"}]
export const FillsSchema = z.array(
  z
    .object({
      tradeId: z.union([z.number(), z.string()]).transform(String),
      orderId: z.union([z.string(), z.number()]).transform(String),
      clientId: z.union([z.number(), z.string()]).nullish(),
      symbol: z.string(),
      side: z.enum(["Bid", "Ask"]),
      price: dec,
      quantity: dec,
      fee: dec,
      isMaker: z.boolean(),
      timestamp: z.union([z.string(), z.number()]),
    })
    .loose(),
);

// GET /wapi/v1/history/funding: [{"userId":1,"subaccountId":null,"symbol":"BTC_USDC_PERP",
//   "quantity":"-0.3","intervalEndTimestamp":"2025-01-01T01:00:00","fundingRate":"0.0001"}]
export const FundingHistorySchema = z.array(
  z
    .object({
      symbol: z.string(),
      quantity: dec,
      intervalEndTimestamp: z.union([z.string(), z.number()]),
      fundingRate: dec,
    })
    .loose(),
);

// Errors: HTTP 4xx/5xx {"code":"INVALID_ORDER","message":"Order would immediately match and take."}
export const ErrorSchema = z.object({ code: z.string(), message: z.string().optional() }).loose();

// WS frames: {"stream":"depth.BTC_USDC_PERP","data":{…}}
export const FrameSchema = z.object({ stream: z.string(), data: z.record(z.string(), z.unknown()) });

// depth: {"e":"depth","E":1735689600000000,"s":"BTC_USDC_PERP","a":[["60000.2","0"]],"b":[],"U":7,"u":7,"T":…}
export const DepthEventSchema = z.object({
  E: z.number(),
  s: z.string(),
  a: z.array(z.tuple([dec, dec])),
  b: z.array(z.tuple([dec, dec])),
  U: z.number().int(),
  u: z.number().int(),
});

// markPrice: {"e":"markPrice","E":…,"s":"BTC_USDC_PERP","p":"60000","f":"0.0000125","i":"60001","n":1735693200000}
export const MarkEventSchema = z.object({
  E: micros,
  s: z.string(),
  p: dec,
  f: dec.optional(),
  i: optDec,
});

// trade: {"e":"trade","E":…,"s":"BTC_USDC_PERP","p":"60000.1","q":"0.01","t":77,"m":true,"T":…}
export const TradeEventSchema = z.object({ E: micros, s: z.string(), p: dec, q: dec, m: z.boolean() });

// account.orderUpdate: {"e":"orderFill","E":…,"s":"BTC_USDC_PERP","c":1001,"S":"Bid","o":"LIMIT",
//   "f":"IOC","q":"0.03","p":"60002","X":"PartiallyFilled","i":"111…","t":77,"l":"0.01","L":"60000.1",
//   "z":"0.01","m":false,"n":"0.3","N":"USDC","T":…}
export const OrderUpdateSchema = z
  .object({
    e: z.string(),
    E: micros,
    s: z.string(),
    c: z.union([z.number(), z.string()]).nullish(),
    S: z.enum(["Bid", "Ask"]),
    f: z.string().nullish(),
    q: dec,
    X: z.string(),
    i: z.union([z.string(), z.number()]).transform(String),
    t: z.union([z.number(), z.string()]).nullish(),
    l: optDec,
    L: optDec,
    z: optDec,
    m: z.boolean().nullish(),
    n: optDec,
    T: micros.optional(),
  })
  .loose();
export type OrderUpdate = z.output<typeof OrderUpdateSchema>;

/** Parse or throw an error naming the venue, what was read and the first problem's path. */
export function parseAs<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new BackpackPayloadError(
    `backpack: ${what} did not parse at ${i.path.join(".") || "(root)"}: ${i.message}`,
  );
}

export class BackpackPayloadError extends Error {
  override name = "BackpackPayloadError";
}
