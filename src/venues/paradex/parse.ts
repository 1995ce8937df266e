/**
 * Paradex payload schemas (zod), one per answer or stream message the connector reads, each with
 * a raw example above it. Shapes: ccxt@4.5.84 `js/src/paradex.js` and `js/src/pro/paradex.js`
 * (the sample answers in their comments), docs.paradex.trade (api/prod/*, ws/web-socket-channels/*).
 * Unknown extra fields are allowed (the venue adds fields); missing or mistyped ones are refused
 * with the path of the first bad field (`parseAs` in http.ts).
 */
import { z } from "zod";

/** a decimal number as text ("64852.9", "-0.01") */
const dec = z.string().regex(/^-?\d+(\.\d+)?$/, "expected a decimal number as text");
/** a decimal, or "" where the venue has no value (liquidation_price of a safe position) */
const decOrEmpty = z.union([z.literal(""), dec]);

// GET /v1/markets {"results":[{"symbol":"BTC-USD-PERP","base_currency":"BTC","quote_currency":"USD",
//   "settlement_currency":"USDC","order_size_increment":"0.001","price_tick_size":"0.1",
//   "min_notional":"10","asset_kind":"PERP","max_open_orders":50,"funding_period_hours":8,
//   "delta1_cross_margin_params":{"imf_base":"0.05","imf_shift":"0","imf_factor":"0","mmf_factor":"0.5"}}]}
export const MarketSchema = z.object({
  symbol: z.string().min(1),
  base_currency: z.string(),
  quote_currency: z.string(),
  settlement_currency: z.string().optional(),
  order_size_increment: dec,
  price_tick_size: dec,
  min_notional: dec.optional(),
  asset_kind: z.string(),
  max_open_orders: z.coerce.number().optional(),
  funding_period_hours: z.coerce.number().optional(),
  delta1_cross_margin_params: z
    .object({ imf_base: dec, mmf_factor: dec, imf_shift: dec.optional(), imf_factor: dec.optional() })
    .optional(),
});
export type PdxMarketInfo = z.infer<typeof MarketSchema>;
export const MarketsSchema = z.object({ results: z.array(MarketSchema) });

// GET /v1/markets/summary?market=ALL {"results":[{"symbol":"BTC-USD-PERP","oracle_price":"68465.17",
//   "mark_price":"68465.17","last_traded_price":"68495.1","bid":"68477.6","ask":"69578.2",
//   "funding_rate":"0.0162957","created_at":1718170156580, ...}]}
export const SummarySchema = z.object({
  symbol: z.string(),
  mark_price: decOrEmpty.optional(),
  oracle_price: decOrEmpty.optional(),
  funding_rate: decOrEmpty.optional(),
  created_at: z.number().optional(),
});
export const SummariesSchema = z.object({ results: z.array(SummarySchema) });

// an order (POST /v1/orders answer, GET /v1/orders/{id}, orders.{m} data): {"id":"123456",
//   "account":"0x4638…","client_id":"x1234","market":"BTC-USD-PERP","side":"BUY","type":"LIMIT",
//   "instruction":"GTC","size":"0.05","price":"26000","remaining_size":"0","avg_fill_price":"26000",
//   "status":"CLOSED","cancel_reason":"","flags":["REDUCE_ONLY"],"created_at":1681493746016, ...}
export const OrderSchema = z.object({
  id: z.string().min(1),
  client_id: z.string(),
  market: z.string(),
  side: z.enum(["BUY", "SELL"]),
  type: z.string(),
  instruction: z.string(),
  size: dec,
  price: dec,
  remaining_size: dec,
  avg_fill_price: decOrEmpty.optional(),
  status: z.enum(["NEW", "UNTRIGGERED", "OPEN", "CLOSED"]),
  cancel_reason: z.string().optional(),
  flags: z.array(z.string()).nullish(),
  created_at: z.number(),
  last_updated_at: z.number().optional(),
});
export type PdxOrderAnswer = z.infer<typeof OrderSchema>;
export const OrdersSchema = z.object({ results: z.array(OrderSchema) });

// a fill (GET /v1/fills results, fills.{m} data): {"id":"1718947571560201703986670001","side":"BUY",
//   "liquidity":"TAKER","market":"BTC-USD-PERP","order_id":"1718947571540201703992340000",
//   "price":"64852.9","size":"0.01","fee":"0.1945587","fee_currency":"USDC","created_at":1718947571569,
//   "remaining_size":"0","client_id":"","fill_type":"FILL"}
export const FillSchema = z.object({
  id: z.string().min(1),
  side: z.enum(["BUY", "SELL"]),
  liquidity: z.enum(["MAKER", "TAKER"]),
  market: z.string(),
  order_id: z.string(),
  price: dec,
  size: dec,
  fee: dec,
  created_at: z.number(),
  remaining_size: dec,
  client_id: z.string(),
  fill_type: z.string().optional(),
  realized_pnl: decOrEmpty.optional(),
});
export type PdxFillAnswer = z.infer<typeof FillSchema>;
export const FillsSchema = z.object({ results: z.array(FillSchema) });

// GET /v1/positions {"results":[{"id":"0x49dd…-BTC-USD-PERP","market":"BTC-USD-PERP","status":"OPEN",
//   "side":"LONG","size":"0.01","average_entry_price":"64839.96","unrealized_pnl":"-2.39",
//   "unrealized_funding_pnl":"-0.11","cost":"648.39","liquidation_price":"", ...}]}
export const PositionSchema = z.object({
  market: z.string(),
  status: z.string(),
  side: z.enum(["LONG", "SHORT"]),
  size: dec,
  average_entry_price: dec,
  unrealized_pnl: dec,
  unrealized_funding_pnl: decOrEmpty.optional(),
  cost: dec.optional(),
  liquidation_price: decOrEmpty.optional(),
  leverage: decOrEmpty.optional(),
});
export const PositionsSchema = z.object({ results: z.array(PositionSchema) });

// GET /v1/account {"account":"0x…","account_value":"136285.06","free_collateral":"73276.47",
//   "initial_margin_requirement":"63008.59","maintenance_margin_requirement":"31597.25",
//   "margin_cushion":"104687.80","settlement_asset":"USDC","status":"ACTIVE",
//   "total_collateral":"123003.62","updated_at":1681471234972}
export const AccountSchema = z.object({
  account: z.string(),
  account_value: dec,
  free_collateral: dec,
  initial_margin_requirement: dec,
  maintenance_margin_requirement: dec,
  total_collateral: dec,
  status: z.string().optional(),
});

// GET /v1/balance {"results":[{"token":"USDC","size":"99980.2382266290601","last_updated_at":1718529757240}]}
export const BalanceSchema = z.object({
  results: z.array(z.object({ token: z.string(), size: dec, last_updated_at: z.number().optional() })),
});

// GET /v1/funding/payments {"results":[{"account":"0x…","created_at":1681375481000,
//   "fill_id":"8615262148007718462","id":"1681375578221101699352320000","index":"-2819.53434361",
//   "market":"BTC-USD-PERP","payment":"34.4490622"}]}
export const FundingPaymentSchema = z.object({
  id: z.string(),
  market: z.string(),
  payment: dec,
  index: dec,
  created_at: z.number(),
  fill_id: z.string().optional(),
});
export const FundingPaymentsSchema = z.object({ results: z.array(FundingPaymentSchema) });

// ws order_book.{m}.snapshot@15@100ms {"seq_no":14127815,"market":"BTC-USD-PERP",
//   "last_updated_at":1718267837265,"update_type":"s","inserts":[{"side":"BUY","price":"67629.7",
//   "size":"0.992"},{"side":"SELL","price":"69378.6","size":"3.137"}],"updates":[],"deletes":[]}
const BookLevelSchema = z.object({ side: z.enum(["BUY", "SELL"]), price: dec, size: dec });
export const BookSnapshotSchema = z.object({
  seq_no: z.number(),
  market: z.string(),
  last_updated_at: z.number(),
  update_type: z.enum(["s", "d"]),
  inserts: z.array(BookLevelSchema),
  updates: z.array(BookLevelSchema),
  deletes: z.array(BookLevelSchema),
});
export type PdxBookSnapshot = z.infer<typeof BookSnapshotSchema>;

// ws bbo.{m} {"market":"BTC-USD-PERP","bid":"30112.22","bid_size":"0.1","ask":"31130.15",
//   "ask_size":"0.1","last_updated_at":1681493939981}
export const BboSchema = z.object({
  market: z.string(),
  bid: dec,
  bid_size: dec,
  ask: dec,
  ask_size: dec,
  last_updated_at: z.number(),
});
export type PdxBbo = z.infer<typeof BboSchema>;

// ws funding_data.{m} {"market":"TRUMP-USD-PERP","funding_index":"-0.5516","funding_premium":"-0.0005",
//   "funding_rate":"-0.00014969570582","funding_rate_8h":"-0.00014969","funding_period_hours":8,
//   "created_at":1771506636154}
export const FundingDataSchema = z.object({
  market: z.string(),
  funding_index: dec.optional(),
  funding_rate: dec,
  funding_period_hours: z.coerce.number().optional(),
  created_at: z.number(),
});

// ws trades.{m} {"id":"1718179273230201709233240002","market":"kBONK-USD-PERP","side":"BUY",
//   "size":"34028","price":"0.028776","created_at":1718179273230,"trade_type":"FILL"}
export const TradeSchema = z.object({
  id: z.string(),
  market: z.string(),
  side: z.enum(["BUY", "SELL"]),
  size: dec,
  price: dec,
  created_at: z.number(),
});

/**
 * Cancel reasons that mean the venue refused the order before it traded (an order closed with
 * one of these and nothing filled never was live): ccxt@4.5.84 paradex.js parseOrder reads
 * NOT_ENOUGH_MARGIN and ORDER_EXCEEDS_POSITION_LIMIT as "rejected"; the rest are Paradex's
 * pre-trade refusals the emulator also uses.
 */
export const REFUSAL_REASONS: ReadonlySet<string> = new Set([
  "NOT_ENOUGH_MARGIN",
  "ORDER_EXCEEDS_POSITION_LIMIT",
  "POST_ONLY_WOULD_CROSS",
  "REDUCE_ONLY_WILL_INCREASE",
  "ORDER_SIZE_BELOW_MIN_NOTIONAL",
  "EMPTY_MARKET",
  "UNEXPECTED_FAILURE",
]);
