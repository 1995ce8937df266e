import { z } from "zod";

/**
 * GRVT payload schemas. Shapes from the venue's API reference (https://api-docs.grvt.io,
 * "Market Data API", "Trading API", "Websocket") as ccxt records them beside its parsers
 * (npm ccxt js/src/grvt.js `fetchMarkets`, `fetchOrderBook`, `fetchTicker`, `fetchOpenOrders`,
 * `fetchPositions`, `fetchMyTrades`, `fetchBalance`, `fetchFundingHistory`; js/src/pro/grvt.js
 * `handleMessage`, `handleOrderBook`) and grvt-pysdk `src/pysdk/grvt_raw_types.py`. Every answer
 * is `{"result": …}` (lists may add `"next"`); numbers are decimal strings, times nanosecond
 * digits; `funding_rate` is in percentage points ("0.0037" = 0.0037 %).
 */

const dec = z.string().regex(/^-?\d+(\.\d+)?$/, "a decimal string");
/** digits, or a number the venue sometimes sends for the same field (ccxt's samples show both) */
const intText = z.union([z.string().regex(/^-?\d+$/, "integer digits"), z.number().int()]).transform(String);
const nanos = intText.transform((t) => BigInt(t));

export class GrvtPayloadError extends Error {
  override name = "GrvtPayloadError";
}

/** Parse or throw an error naming the venue, what was read and the first problem's path. */
export function parseAs<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new GrvtPayloadError(`grvt: ${what} did not parse at ${i.path.join(".") || "(root)"}: ${i.message}`);
}

/** ms since the epoch of a nanosecond count */
export function msOfNanos(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

// POST full/v1/all_instruments {"kind":["PERPETUAL"],"is_active":true} → {"result":[
//   {"instrument":"BTC_USDT_Perp","instrument_hash":"0x030501","base":"BTC","quote":"USDT",
//    "kind":"PERPETUAL","venues":["ORDERBOOK","RFQ"],"settlement_period":"PERPETUAL",
//    "base_decimals":9,"quote_decimals":6,"tick_size":"0.1","min_size":"0.001",
//    "create_time":"1768040726362828205","max_position_size":"1000.0","funding_interval_hours":8,
//    "adjusted_funding_rate_cap":"0.3","adjusted_funding_rate_floor":"-0.3","min_notional":"100.0"}]}
export const InstrumentSchema = z
  .object({
    instrument: z.string().min(1),
    instrument_hash: z.string().regex(/^0x[0-9a-fA-F]+$/, "0x hex"),
    base: z.string(),
    quote: z.string(),
    kind: z.string(),
    base_decimals: intText.transform(Number),
    quote_decimals: intText.transform(Number),
    tick_size: dec,
    min_size: dec,
    max_position_size: dec.nullish(),
    funding_interval_hours: intText.transform(Number).nullish(),
    min_notional: dec.nullish(),
  })
  .loose();
export type GrvtInstrument = z.output<typeof InstrumentSchema>;
export const InstrumentsAnswer = z.object({ result: z.array(InstrumentSchema) });

export interface GrvtLevel {
  readonly price: string;
  readonly size: string;
  readonly num_orders?: number | string;
}
const DEC_RE = /^-?\d+(\.\d+)?$/;
/**
 * A side of a book: `[{price, size, num_orders}]`, price and size decimal strings. Checked in one
 * pass (the book is the hot path: 50–500 levels a frame; a per-level object schema costs 4× more
 * than the JSON parse); the first bad level is named by index.
 */
const Levels = z.array(z.unknown()).superRefine((xs, ctx) => {
  for (let i = 0; i < xs.length; i++) {
    const l = xs[i] as { price?: unknown; size?: unknown } | null;
    const bad =
      typeof l !== "object" || l === null
        ? "a level object"
        : typeof l.price !== "string" || !DEC_RE.test(l.price)
          ? "price: a decimal string"
          : typeof l.size !== "string" || !DEC_RE.test(l.size)
            ? "size: a decimal string"
            : undefined;
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [i, ...(bad.startsWith("price") ? ["price"] : bad.startsWith("size") ? ["size"] : [])],
        message: bad.replace(/^(price|size): /, ""),
      });
      return;
    }
  }
}) as unknown as z.ZodType<GrvtLevel[]>;

// POST full/v1/book {"instrument":"BTC_USDT_Perp","depth":10} → {"result":{"event_time":"1764777396650000000",
//   "instrument":"BTC_USDT_Perp","bids":[{"price":"92336.0","size":"0.005","num_orders":"1"}],"asks":[…]}}
export const BookSchema = z.object({
  event_time: nanos,
  instrument: z.string(),
  bids: Levels,
  asks: Levels,
});
export type GrvtBook = z.output<typeof BookSchema>;
export const BookAnswer = z.object({ result: BookSchema });

// POST full/v1/ticker {"instrument":"BTC_USDT_Perp"} → {"result":{"event_time":"1764774730025055205",
//   "instrument":"BTC_USDT_Perp","mark_price":"92697.300078773","index_price":"92727.818122278",
//   "last_price":"92683.0","best_bid_price":"92682.9","best_ask_price":"92683.0",
//   "funding_rate_8h_curr":"0.0037","funding_rate":"0.0037","next_funding_time":"1764777600000000000", …}}
export const TickerSchema = z
  .object({
    event_time: nanos,
    instrument: z.string(),
    mark_price: dec,
    index_price: dec.nullish(),
    best_bid_price: dec.nullish(),
    best_ask_price: dec.nullish(),
    funding_rate: dec.nullish(),
    funding_rate_8h_curr: dec.nullish(),
    next_funding_time: nanos.nullish(),
  })
  .loose();
export type GrvtTicker = z.output<typeof TickerSchema>;
export const TickerAnswer = z.object({ result: TickerSchema });

const Leg = z.object({
  instrument: z.string(),
  size: dec,
  limit_price: dec.nullish(),
  is_buying_asset: z.boolean(),
});

// An order (create_order answer, open_orders, order, v1.order feed): {"order_id":"0x01010105…",
//   "sub_account_id":"2147050003876484","is_market":false,"time_in_force":"GOOD_TILL_TIME",
//   "post_only":false,"reduce_only":false,"legs":[{"instrument":"BTC_USDT_Perp","size":"0.002",
//   "limit_price":"88123.0","is_buying_asset":true}],"signature":{…},"metadata":{"client_order_id":
//   "588129369","create_time":"1765279966899943792",…},"state":{"status":"OPEN","reject_reason":
//   "UNSPECIFIED","book_size":["0.002"],"traded_size":["0.0"],"update_time":"…","avg_fill_price":["0.0"]}}
export const OrderSchema = z
  .object({
    order_id: z.string(),
    sub_account_id: intText,
    is_market: z.boolean().nullish(),
    time_in_force: z.string(),
    post_only: z.boolean().nullish(),
    reduce_only: z.boolean().nullish(),
    legs: z.array(Leg).min(1),
    metadata: z.object({ client_order_id: intText, create_time: nanos.nullish() }).loose(),
    state: z
      .object({
        status: z.enum(["PENDING", "OPEN", "FILLED", "REJECTED", "CANCELLED"]),
        reject_reason: z.string().nullish(),
        book_size: z.array(dec),
        traded_size: z.array(dec),
        update_time: nanos,
        avg_fill_price: z.array(dec).nullish(),
      })
      .loose(),
  })
  .loose();
export type GrvtOrder = z.output<typeof OrderSchema>;
export const OrderAnswer = z.object({ result: OrderSchema });
export const OrdersAnswer = z.object({ result: z.array(OrderSchema) });

// POST full/v1/positions {"sub_account_id":"…"} → {"result":[{"event_time":"1765258069092857642",
//   "sub_account_id":"2147050003876484","instrument":"BTC_USDT_Perp","size":"0.001","notional":"89.8169",
//   "entry_price":"90000.0","mark_price":"89816.900008979","unrealized_pnl":"-0.183099",
//   "realized_pnl":"0.0","est_liquidation_price":"77951.450008979","leverage":"28.0",
//   "cumulative_realized_funding_payment":"0.033862", …}]}   (size is signed: negative = short)
export const PositionSchema = z
  .object({
    event_time: nanos,
    sub_account_id: intText,
    instrument: z.string(),
    size: dec,
    entry_price: dec,
    mark_price: dec,
    unrealized_pnl: dec,
    realized_pnl: dec.nullish(),
    est_liquidation_price: dec.nullish(),
    leverage: dec.nullish(),
    cumulative_realized_funding_payment: dec.nullish(),
  })
  .loose();
export type GrvtPosition = z.output<typeof PositionSchema>;
export const PositionsAnswer = z.object({ result: z.array(PositionSchema) });

// POST full/v1/fill_history → {"result":[{"event_time":"1764945709702747558","sub_account_id":"…",
//   "instrument":"BTC_USDT_Perp","is_buyer":true,"is_taker":false,"size":"0.001","price":"90000.0",
//   "fee":"-0.00009","trade_id":"65424692-2","order_id":"0x0101…","client_order_id":"1375879248", …}],"next":""}
export const FillSchema = z
  .object({
    event_time: nanos,
    sub_account_id: intText,
    instrument: z.string(),
    is_buyer: z.boolean(),
    is_taker: z.boolean(),
    size: dec,
    price: dec,
    fee: dec,
    trade_id: z.string(),
    order_id: z.string(),
    client_order_id: intText,
  })
  .loose();
export type GrvtFill = z.output<typeof FillSchema>;
export const FillsAnswer = z.object({ result: z.array(FillSchema), next: z.string().nullish() });

// POST full/v1/account_summary → {"result":{"event_time":"…","sub_account_id":"…","margin_type":
//   "SIMPLE_CROSS_MARGIN","settle_currency":"USDT","unrealized_pnl":"0.0","total_equity":"15.0",
//   "initial_margin":"0.0","maintenance_margin":"0.0","available_balance":"15.0","spot_balances":[…],"positions":[]}}
export const AccountSummarySchema = z
  .object({
    sub_account_id: intText,
    settle_currency: z.string(),
    unrealized_pnl: dec,
    total_equity: dec,
    initial_margin: dec,
    maintenance_margin: dec,
    available_balance: dec,
  })
  .loose();
export const AccountSummaryAnswer = z.object({ result: AccountSummarySchema });

// POST full/v1/funding_payment_history → {"result":[{"event_time":"1765267200004987902",
//   "sub_account_id":"…","instrument":"BTC_USDT_Perp","currency":"USDT","amount":"-0.004522","tx_id":"66625184"}],"next":""}
export const FundingPaymentsAnswer = z.object({
  result: z.array(
    z.object({ event_time: nanos, sub_account_id: intText, instrument: z.string(), amount: dec }).loose(),
  ),
  next: z.string().nullish(),
});

// WS v1.trade feed (ccxt js/src/pro/grvt.js handleTrades): {"event_time":"1767257046164798775",
//   "instrument":"BTC_USDT_Perp","is_taker_buyer":true,"size":"0.001","price":"87700.1",
//   "mark_price":"87700.817100682","trade_id":"73808524-19","venue":"ORDERBOOK","is_rpi":false}
export const TradeSchema = z
  .object({
    event_time: nanos,
    instrument: z.string(),
    is_taker_buyer: z.boolean(),
    size: dec,
    price: dec,
    trade_id: z.string(),
  })
  .loose();

// Errors (HTTP 4xx/5xx, ccxt `handleErrors` and its `exceptions.exact` table):
//   {"code":2062,"message":"Order size smaller than min size","status":400}
export const ErrorSchema = z
  .object({ code: z.number().int(), message: z.string(), status: z.number().int() })
  .loose();
export type GrvtError = z.output<typeof ErrorSchema>;

// WS: {"stream":"v1.book.s","selector":"BTC_USDT_Perp@500-10","sequence_number":"0",
//   "feed":{…},"prev_sequence_number":"0"}; subscribe acks carry "method":"subscribe" and "result".
export const FeedFrameSchema = z.object({
  stream: z.string(),
  selector: z.string(),
  sequence_number: intText.transform((t) => BigInt(t)),
  prev_sequence_number: intText.transform((t) => BigInt(t)).optional(),
  feed: z.unknown(),
});
export type GrvtFeedFrame = z.output<typeof FeedFrameSchema>;

// A subscribe answer (api-docs.grvt.io schemas/ws_subscribe_result): {"jsonrpc":"2.0","method":"subscribe",
//   "result":{"stream":"v1.book.d","subs":["BTC_USDT_Perp@100"],"unsubs":[],"num_snapshots":[1],
//   "first_sequence_number":["18"]},"id":3}
export const SubscribeAckSchema = z.object({
  result: z.object({
    stream: z.string(),
    subs: z.array(z.string()),
    first_sequence_number: z.array(intText.transform((t) => BigInt(t))).optional(),
  }),
});
