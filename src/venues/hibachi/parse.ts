import { z } from "zod";
import { InvalidValueError } from "../../core/errors.ts";

/**
 * Hibachi's REST payloads, checked at the boundary. Shapes from hibachi-xyz/hibachi_sdk
 * python/hibachi_xyz/types.py (FutureContract, PriceResponse, OrderBook, AccountInfo, Order) and
 * its recorded test payloads python/tests/unit/data/response.*.json; the error body
 * `{errorCode, status, message}` and the 429 body `{name, count, limit, windowDuration}` from
 * api.py `raise_response_errors`. Unknown fields pass (the venue adds fields over time).
 */
const Dec = z.string().regex(/^-?\d+(\.\d+)?$/, "a decimal string");

export const ContractSchema = z.looseObject({
  id: z.number().int().nonnegative(),
  symbol: z.string().min(1),
  underlyingSymbol: z.string(),
  settlementSymbol: z.string(),
  underlyingDecimals: z.number().int().min(0).max(18),
  settlementDecimals: z.number().int().min(0).max(18),
  tickSize: Dec,
  stepSize: Dec,
  minOrderSize: Dec,
  minNotional: Dec,
  initialMarginRate: Dec,
  maintenanceMarginRate: Dec,
  status: z.string(),
});
export type HibachiContract = z.output<typeof ContractSchema>;

export const ExchangeInfoSchema = z.looseObject({
  feeConfig: z.looseObject({ tradeMakerFeeRate: Dec, tradeTakerFeeRate: Dec }),
  futureContracts: z.array(ContractSchema),
  status: z.string(),
});
export type ExchangeInfo = z.output<typeof ExchangeInfoSchema>;

export const PricesSchema = z.looseObject({
  symbol: z.string(),
  markPrice: Dec,
  bidPrice: Dec.nullish(),
  askPrice: Dec.nullish(),
  fundingRateEstimation: z.looseObject({
    estimatedFundingRate: Dec,
    /** seconds */
    nextFundingTimestamp: z.number(),
  }),
});

const LevelsSchema = z.looseObject({
  levels: z.array(z.looseObject({ price: Dec, quantity: Dec })),
});
export const OrderBookSchema = z.looseObject({ ask: LevelsSchema, bid: LevelsSchema });

export const PositionSchema = z.looseObject({
  symbol: z.string(),
  direction: z.enum(["Long", "Short"]),
  quantity: Dec,
  openPrice: Dec,
  markPrice: Dec,
  unrealizedTradingPnl: Dec,
  unrealizedFundingPnl: Dec,
});

export const AccountInfoSchema = z.looseObject({
  balance: Dec,
  maximalWithdraw: Dec,
  positions: z.array(PositionSchema),
  totalUnrealizedPnl: Dec,
  tradeMakerFeeRate: Dec,
  tradeTakerFeeRate: Dec,
});

export const OrderSchema = z.looseObject({
  accountId: z.number().int(),
  orderId: z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(String),
  symbol: z.string(),
  side: z.enum(["BID", "ASK"]),
  orderType: z.enum(["LIMIT", "MARKET"]),
  status: z.enum([
    "PENDING",
    "CHILD_PENDING",
    "PLACED",
    "PARTIALLY_FILLED",
    "FILLED",
    "CANCELLED",
    "REJECTED",
    "SCHEDULED_TWAP",
  ]),
  price: Dec.nullish(),
  totalQuantity: Dec.nullish(),
  availableQuantity: Dec,
  nonce: z.union([z.string(), z.number()]).transform(String).optional(),
});
export type HibachiOrder = z.output<typeof OrderSchema>;

export const PendingOrdersSchema = z.array(OrderSchema);

export const PlaceAnswerSchema = z.looseObject({
  orderId: z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(String),
});

/** /trade/account/trades (types.py AccountTrade); timestamp in seconds */
export const AccountTradesSchema = z.looseObject({
  trades: z.array(
    z.looseObject({
      id: z.number().int(),
      symbol: z.string(),
      side: z.enum(["BID", "ASK"]),
      price: Dec,
      quantity: Dec,
      fee: Dec,
      realizedPnl: Dec,
      // ids pass 2^53: kept as text (a JSON number that large would already have lost digits)
      bidOrderId: z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(String),
      askOrderId: z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(String),
      timestamp: z.number(),
    }),
  ),
});

/** /trade/account/settlements_history (types.py Settlement); timestamp in seconds */
export const SettlementsSchema = z.looseObject({
  settlements: z.array(
    z.looseObject({
      symbol: z.string(),
      direction: z.enum(["Long", "Short"]),
      quantity: Dec,
      indexPrice: Dec,
      settledAmount: Dec,
      timestamp: z.number(),
    }),
  ),
});

export const ErrorSchema = z.looseObject({
  errorCode: z.union([z.string(), z.number()]).transform(String),
  status: z.string().optional(),
  message: z.string().optional(),
});

export const RateLimitSchema = z.looseObject({
  name: z.string(),
  count: z.number(),
  limit: z.number(),
  windowDuration: z.union([z.string(), z.number()]).optional(),
});

/** Parse `value` as `schema`, or throw naming where it came from and every wrong field. */
export function parseAs<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.map(String).join(".") || "(body)"}: ${i.message}`);
  throw new InvalidValueError(`hibachi ${where}: unexpected payload: ${problems.join("; ")}`);
}

/**
 * WebSocket messages (hibachi_sdk api_ws_market.py / api_ws_account.py dispatch on `topic`): the
 * market topics carry `symbol` and their body under `data` in the REST shapes above.
 */
export const MarketMessageSchema = z.looseObject({
  topic: z.string(),
  symbol: z.string(),
  data: z.unknown(),
});
export const MarkDataSchema = z.looseObject({ markPrice: Dec });
export const FundingDataSchema = z.looseObject({
  estimatedFundingRate: Dec,
  nextFundingTimestamp: z.number(),
});
export const TradesDataSchema = z.looseObject({
  trades: z.array(
    z.looseObject({ price: Dec, quantity: Dec, takerSide: z.enum(["Buy", "Sell"]), timestamp: z.number() }),
  ),
});
/** the answer to stream.start (api_ws_account.py `stream_start`) */
export const StreamStartSchema = z.looseObject({
  id: z.unknown(),
  result: z.looseObject({
    accountSnapshot: z.looseObject({ account_id: z.number(), balance: Dec }),
    listenKey: z.string().min(1),
  }),
});
