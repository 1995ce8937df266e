import { z } from "zod";
import { InvalidValueError } from "../../core/errors.ts";

/**
 * Lighter payload schemas. Shapes from the venue's OpenAPI (npm `zklighter-perps` `openapi.json`),
 * its API docs (https://apidocs.lighter.xyz, "Market data", "websocket-reference") and ccxt's
 * recorded answers (`ccxt/ccxt` `ts/src/test/static/response/lighter.json`). Amounts arrive as
 * decimal strings, scaled integers inside signed transactions; every answer carries `code: 200`.
 */

const dec = z.string().regex(/^-?\d+(\.\d+)?$/, "a decimal string");
const num = z.union([z.number(), dec.transform(Number)]);

/** Parse with a schema; the error names the payload and each bad field. */
export function parseAs<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new InvalidValueError(`lighter ${what}: the payload does not parse: ${problems.join("; ")}`);
}

// GET /api/v1/orderBookDetails: {"code":200,"order_book_details":[{"symbol":"ETH","market_id":0,
//   "status":"active","taker_fee":"0.0000","maker_fee":"0.0000","min_base_amount":"0.0050",
//   "min_quote_amount":"10.000000","size_decimals":4,"price_decimals":2,
//   "default_initial_margin_fraction":500,"maintenance_margin_fraction":120,
//   "closeout_margin_fraction":80,"last_trade_price":3550.69,...}]}   (cxs fetchMarkets)
export const MarketDetailSchema = z
  .object({
    symbol: z.string().min(1),
    market_id: z.number().int().min(0),
    status: z.string(),
    taker_fee: dec,
    maker_fee: dec,
    min_base_amount: dec,
    min_quote_amount: dec,
    size_decimals: z.number().int().min(0).max(12),
    price_decimals: z.number().int().min(0).max(12),
    default_initial_margin_fraction: z.number().int().positive(),
    maintenance_margin_fraction: z.number().int().positive(),
  })
  .loose();
export type LtMarket = z.output<typeof MarketDetailSchema>;
export const MarketDetailsSchema = z
  .object({ code: z.literal(200), order_book_details: z.array(MarketDetailSchema) })
  .loose();

// GET /api/v1/nextNonce?account_index=77&api_key_index=3: {"code":200,"nonce":42}
export const NextNonceSchema = z.object({ code: z.literal(200), nonce: z.number().int().min(0) });

// POST /api/v1/sendTx → {"code":200,"message":"{\"ratelimit\": \"didn't use volume quota\"}",
//   "tx_hash":"325af7…","predicted_execution_time_ms":1751465474,"volume_quota_remaining":null}
// a refusal: HTTP 400 {"code":21120,"message":"invalid signature"}
export const SendTxSchema = z.object({ code: z.literal(200), tx_hash: z.string() }).loose();
export const ResultCodeSchema = z.object({ code: z.number().int(), message: z.string().optional() }).loose();

// an order (accountActiveOrders, accountInactiveOrders, the account_all_orders channel):
// {"order_index":281476392911411,"client_order_index":7,"order_id":"281476392911411",
//  "market_index":0,"owner_account_index":77,"initial_base_amount":"0.1000","price":"3000.00",
//  "nonce":12,"remaining_base_amount":"0.1000","is_ask":false,"filled_base_amount":"0.0000",
//  "filled_quote_amount":"0.000000","side":"buy","type":"limit","time_in_force":"good-till-time",
//  "reduce_only":false,"trigger_price":"0.00","order_expiry":1765419046807,"status":"open",
//  "timestamp":1764000000000}
export const OrderSchema = z
  .object({
    order_index: z.number().int(),
    client_order_index: z.number().int(),
    market_index: z.number().int(),
    initial_base_amount: dec,
    remaining_base_amount: dec,
    filled_base_amount: dec,
    price: dec,
    is_ask: z.boolean(),
    time_in_force: z.string(),
    reduce_only: z.boolean(),
    status: z.string(),
    timestamp: z.number().int().optional(),
  })
  .loose();
export type LtOrder = z.output<typeof OrderSchema>;
export const OrdersSchema = z.object({ code: z.literal(200), orders: z.array(OrderSchema) }).loose();

// a trade (trades endpoint, trade/<id> and account_all_trades channels):
// {"trade_id":14035051,"tx_hash":"…","type":"trade","market_id":0,"size":"0.1000",
//  "price":"3000.00","usd_amount":"300.000000","ask_id":281476392911411,"bid_id":562949…,
//  "ask_account_id":77,"bid_account_id":91,"is_maker_ask":true,"block_height":1,
//  "timestamp":1764000000000,"taker_fee":"0.0000","maker_fee":"0.0000"}
export const TradeSchema = z
  .object({
    trade_id: z.number().int(),
    market_id: z.number().int(),
    size: dec,
    price: dec,
    ask_id: z.number().int(),
    bid_id: z.number().int(),
    ask_account_id: z.number().int(),
    bid_account_id: z.number().int(),
    is_maker_ask: z.boolean(),
    timestamp: z.number().int(),
    taker_fee: dec.optional(),
    maker_fee: dec.optional(),
  })
  .loose();
export type LtTrade = z.output<typeof TradeSchema>;
export const TradesSchema = z.object({ code: z.literal(200), trades: z.array(TradeSchema) }).loose();

// GET /api/v1/account?by=index&value=1077 (cxs fetchPositions): {"code":200,"total":1,"accounts":[
//  {"index":1077,"l1_address":"0x15f4…","collateral":"9100.242706","available_balance":"12582.743947",
//   "total_asset_value":"15298.07","positions":[{"market_id":0,"symbol":"ETH",
//   "initial_margin_fraction":"5.00","sign":1,"position":"18.0193","avg_entry_price":"2669.84",
//   "position_value":"54306.566340","unrealized_pnl":"6197.829558","realized_pnl":"0.000000",
//   "liquidation_price":"2191.11","margin_mode":0,"allocated_margin":"0.000000"}]}]}
export const PositionSchema = z
  .object({
    market_id: z.number().int(),
    initial_margin_fraction: dec,
    sign: z.number().int(),
    position: dec,
    avg_entry_price: dec,
    position_value: dec,
    unrealized_pnl: dec,
    liquidation_price: dec,
    margin_mode: z.number().int(),
    open_order_count: z.number().int().optional(),
    pending_order_count: z.number().int().optional(),
  })
  .loose();
export const AccountSchema = z
  .object({
    index: z.number().int(),
    l1_address: z.string(),
    collateral: dec,
    available_balance: dec,
    total_asset_value: dec,
    positions: z.array(PositionSchema),
  })
  .loose();
export const AccountsSchema = z.object({ code: z.literal(200), accounts: z.array(AccountSchema) }).loose();

// GET /api/v1/positionFunding?account_index=77&limit=100: {"code":200,"position_fundings":[
//  {"timestamp":1764000000,"market_id":0,"funding_id":5,"change":"-0.030000","rate":"0.0100",
//   "position_size":"0.1000","position_side":"long"}]}   (LO PositionFunding; rate in percent)
export const PositionFundingsSchema = z
  .object({
    code: z.literal(200),
    position_fundings: z.array(
      z
        .object({
          timestamp: z.number().int(),
          market_id: z.number().int(),
          change: dec,
          rate: dec,
          position_size: dec,
          position_side: z.enum(["long", "short"]),
        })
        .loose(),
    ),
  })
  .loose();

// GET /api/v1/fundings?market_id=0&resolution=1h&…: {"code":200,"resolution":"1h","fundings":[
//  {"timestamp":1764000000,"value":"0.03","rate":"0.0012","direction":"long"}]}
// rate: percent per hour (VENUES.md §2.5; df-lighter-core on docs.rs)
export const FundingsSchema = z
  .object({
    code: z.literal(200),
    fundings: z.array(
      z.object({ timestamp: z.number().int(), rate: dec, direction: z.string().optional() }).loose(),
    ),
  })
  .loose();

// GET /api/v1/funding-rates (cxs fetchFundingRates): {"code":200,"funding_rates":[
//  {"market_id":0,"exchange":"lighter","symbol":"ETH","rate":0.000096}]}   rate: per 8 h, a fraction
export const FundingRatesSchema = z
  .object({
    code: z.literal(200),
    funding_rates: z.array(
      z
        .object({ market_id: z.number().int(), exchange: z.string(), symbol: z.string(), rate: z.number() })
        .loose(),
    ),
  })
  .loose();

/** Percent per hour (the `fundings` endpoint) → fraction per hour. */
export function hourlyFromPercent(ratePercent: string | number): number {
  return Number(ratePercent) / 100;
}

/** An 8 h fraction (the `funding-rates` endpoint) → fraction per hour. */
export function hourlyFromEightHour(rate8h: number): number {
  return rate8h / 8;
}

// GET /api/v1/tx?by=hash&value=…: {"code":200,"hash":"…","type":14,"info":"{…}","status":2,
//   "account_index":77,"nonce":12,…}   (LO EnrichedTx; status 1 pending, 2 executed, 3 failed: emulator)
export const TxSchema = z
  .object({
    code: z.literal(200),
    hash: z.string(),
    type: z.number().int(),
    status: z.number().int(),
    nonce: z.number().int(),
  })
  .loose();

// GET /api/v1/apikeys?account_index=77&api_key_index=3 (LO ApiKey): {"code":200,"api_keys":[
//   {"account_index":77,"api_key_index":3,"nonce":12,"public_key":"2c68431f…"}]}
export const ApiKeysSchema = z
  .object({
    code: z.literal(200),
    api_keys: z.array(z.object({ api_key_index: z.number().int(), public_key: z.string() }).loose()),
  })
  .loose();

// GET /api/v1/referral/points?account_index=77 (LO ReferralPoints): {"user_total_points":1234.5,
//   "user_last_week_points":100,"user_total_referral_reward_points":0,…}
export const PointsSchema = z.object({ user_total_points: num, user_last_week_points: num }).loose();

// ---------------------------------------------------------------- WebSocket (Ld websocket-reference)

// {"type":"subscribed/order_book","channel":"order_book:0","offset":41692864,
//  "order_book":{"code":0,"asks":[{"price":"3327.46","size":"29.0915"}],"bids":[…],"offset":41692864,
//  "nonce":3107818665,"begin_nonce":3107818600},"timestamp":1764000000000}; then "update/order_book"
//  with the changed levels (size "0" removes). Shape: ccxt pro `lighter.js` handleOrderBook's sample;
//  `begin_nonce` as community Lighter collectors read it (an update continues the previous `nonce`).
export const BookLevelSchema = z.object({ price: dec, size: dec });
export const BookMessageSchema = z
  .object({
    type: z.enum(["subscribed/order_book", "update/order_book"]),
    channel: z.string(),
    offset: z.number().int(),
    order_book: z
      .object({
        asks: z.array(BookLevelSchema),
        bids: z.array(BookLevelSchema),
        nonce: z.number().int().optional(),
        begin_nonce: z.number().int().optional(),
      })
      .loose(),
    timestamp: z.number().int().optional(),
  })
  .loose();

// {"type":"update/market_stats","channel":"market_stats:0","market_stats":{"market_id":0,
//  "index_price":"3015.56","mark_price":"3013.91","open_interest":"122736286.659423",
//  "last_trade_price":"3013.13","current_funding_rate":"0.0012","funding_rate":"0.0012",
//  "funding_timestamp":1722337200000,…}}   funding rates: percent per hour, as `fundings`
export const MarketStatsSchema = z
  .object({
    market_id: z.number().int(),
    index_price: dec,
    mark_price: dec,
    current_funding_rate: dec,
    funding_timestamp: z.number().int().optional(),
  })
  .loose();

export const TradeMessageSchema = z.object({ channel: z.string(), trades: z.array(TradeSchema) }).loose();

// {"type":"update/account_all_orders","channel":"account_all_orders:77","orders":{"0":[Order…]}}
export const AccountOrdersMessageSchema = z
  .object({ channel: z.string(), orders: z.record(z.string(), z.array(OrderSchema)) })
  .loose();
// {"type":"update/account_all_trades","channel":"account_all_trades:77","trades":{"0":[Trade…]}}
export const AccountTradesMessageSchema = z
  .object({ channel: z.string(), trades: z.record(z.string(), z.array(TradeSchema)) })
  .loose();
