/**
 * EdgeX V2 payload schemas. Shapes from edgex-Tech/edgex-python-sdk (`order/client.py`,
 * `account/client.py`, `ws/client.py`, `tests/test_order_requests.py` metadata) and the model
 * definitions of edgex-Tech/edgex-golang-sdk `openapi/api/openapi.yaml` (Contract, Coin, Depth,
 * Order, OrderFillTransaction, PositionTransaction, GetAccountAsset, FundingRate), which V2 keeps
 * (the SDK rewrites /api/v1/ paths to /api/v2/). Every answer is wrapped:
 *   {"code":"SUCCESS","data":…,"msg":null,"errorParam":null,"requestTime":"…","responseTime":"…"}
 * Decimals stay strings; unknown fields are ignored. A payload that does not parse is an
 * EdgexPayloadError naming the endpoint and field.
 */
import { z } from "zod";

export class EdgexPayloadError extends Error {
  override name = "EdgexPayloadError";
}

export function parseAs<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new EdgexPayloadError(
    `edgex: ${what} did not parse at ${i.path.join(".") || "(root)"}: ${i.message}`,
  );
}

const dec = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, "a decimal string");
const id = z.union([z.string().min(1), z.number().int().transform(String)]);
const ms = z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(Number);

/** {"code":"SUCCESS","data":…}; any other code is the venue's refusal (http.ts). */
export const EnvelopeSchema = z.object({
  code: z.string(),
  data: z.unknown().optional(),
  msg: z.string().nullish(),
  errorParam: z.unknown().optional(),
});

/**
 * /api/v2/public/meta/getMetaData `data` (trimmed):
 * {"global":{"appEnv":"mainnet","nativeChainId":"33431","contractAddress":"0x1ae1…19b1"},
 *  "coinList":[{"coinId":"1000","coinName":"USD","stepSize":"0.000001","resolution":"1000000"}],
 *  "contractList":[{"contractId":"10000001","contractName":"BTCUSD","baseCoinId":"1001",
 *   "quoteCoinId":"1000","tickSize":"0.1","stepSize":"0.001","minOrderSize":"0.001",
 *   "maxOrderSize":"50","defaultTakerFeeRate":"0.00038","defaultMakerFeeRate":"0.00015",
 *   "displayMaxLeverage":"100","enableTrade":true,"fundingRateIntervalMin":"240",
 *   "resolution":"1000"}]}
 */
export const CoinSchema = z.object({
  coinId: id,
  coinName: z.string(),
  stepSize: dec.optional(),
  resolution: z.string().min(1),
});
export const ContractSchema = z.object({
  contractId: id,
  contractName: z.string().min(1),
  baseCoinId: id.optional(),
  quoteCoinId: id,
  tickSize: dec,
  stepSize: dec,
  minOrderSize: dec,
  maxOrderSize: dec.optional(),
  defaultTakerFeeRate: dec,
  defaultMakerFeeRate: dec,
  displayMaxLeverage: dec.optional(),
  enableTrade: z.boolean().default(true),
  fundingRateIntervalMin: z.union([dec, z.number()]).transform(Number).default(240),
  resolution: z.string().min(1),
});
export const MetaDataSchema = z.object({
  global: z.object({
    appEnv: z.string().optional(),
    nativeChainId: z.string().optional(),
    chainId: z.string().optional(),
    contractAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "a 0x address"),
  }),
  coinList: z.array(CoinSchema),
  contractList: z.array(ContractSchema),
});
export type EdgexContract = z.output<typeof ContractSchema>;
export type EdgexCoin = z.output<typeof CoinSchema>;
export type EdgexMetaData = z.output<typeof MetaDataSchema>;

/** A resolution as metadata gives it: decimal ("1000") or hex ("0x3e8") (async_client.py). */
export function resolutionOf(text: string, where: string): bigint {
  const t = text.trim().toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t)) return BigInt(t);
  if (/^\d+$/.test(t)) return BigInt(t);
  throw new EdgexPayloadError(`edgex: ${where}: resolution "${text}" is neither decimal nor 0x hex`);
}

/**
 * One depth level list of /api/v2/public/quote/getDepth (`data` is a list of one) and of the
 * `depth.<contractId>.<level>` stream's `content.data`:
 * {"startVersion":"101","endVersion":"102","level":15,"contractId":"10000001",
 *  "contractName":"BTCUSD","depthType":"SNAPSHOT","asks":[{"price":"60000.1","size":"0.5"}],
 *  "bids":[{"price":"59999.9","size":"0.25"}]}
 */
const LevelSchema = z.object({ price: dec, size: dec });
export const DepthSchema = z.object({
  startVersion: z.string().optional(),
  endVersion: z.string().optional(),
  level: z.number().optional(),
  contractId: id,
  depthType: z.string().optional(),
  asks: z.array(LevelSchema),
  bids: z.array(LevelSchema),
});
export const DepthListSchema = z.array(DepthSchema).min(1, "an empty depth list");
export type EdgexDepth = z.output<typeof DepthSchema>;

/**
 * A public stream message: {"type":"quote-event","channel":"depth.10000001.15",
 *  "content":{"dataType":"Snapshot"|"Changed","channel":"depth.10000001.15","data":[…]}}
 * (ws/client.py dispatches on type "quote-event" and the channel's first part).
 */
export const QuoteEventSchema = z.object({
  type: z.literal("quote-event"),
  channel: z.string(),
  content: z.object({ dataType: z.string().optional(), data: z.array(z.unknown()) }),
});

/**
 * `ticker.<contractId>` content.data item and /api/v2/public/quote/getTicker `data` item:
 * {"contractId":"10000001","lastPrice":"60000.1","indexPrice":"60001","oraclePrice":"60000.5",
 *  "fundingRate":"0.0001","nextFundingTime":"1733040000000"}
 */
export const TickerSchema = z.object({
  contractId: id,
  lastPrice: dec.optional(),
  indexPrice: dec.optional(),
  oraclePrice: dec,
  fundingRate: dec.optional(),
  nextFundingTime: ms.optional(),
});

/** `trades.<contractId>` content.data item: {"price":"60000","size":"0.1","isBuyerMaker":false,"time":"…"} */
export const TradeSchema = z.object({
  price: dec,
  size: dec,
  isBuyerMaker: z.boolean(),
  time: ms,
});

/**
 * /api/v2/public/funding/getLatestFundingRate `data` item (rate per settlement interval):
 * {"contractId":"10000001","fundingTime":"1733025600000","oraclePrice":"60000",
 *  "fundingRate":"0.00005","forecastFundingRate":"0.00004","fundingRateIntervalMin":"240"}
 */
export const FundingRateSchema = z.object({
  contractId: id,
  fundingTime: ms.optional(),
  oraclePrice: dec.optional(),
  fundingRate: dec,
  forecastFundingRate: dec.optional(),
  fundingRateIntervalMin: z.union([dec, z.number()]).transform(Number).optional(),
});

/**
 * An order (getOrderByClientOrderId `data` items, getActiveOrderPage `data.dataList`, the
 * private stream's `order` list):
 * {"id":"564…","accountId":"12345","contractId":"10000001","side":"BUY","price":"60000",
 *  "size":"0.01","clientOrderId":"1733…","type":"LIMIT","timeInForce":"GOOD_TIL_CANCEL",
 *  "reduceOnly":false,"status":"OPEN","cumFillSize":"0","cumFillValue":"0","cumFillFee":"0",
 *  "cancelReason":"UNKNOWN_ORDER_CANCEL_REASON","createdTime":"…","updatedTime":"…"}
 */
export const ORDER_STATUSES = ["PENDING", "OPEN", "FILLED", "CANCELING", "CANCELED", "UNTRIGGERED"] as const;
export const OrderSchema = z.object({
  id: id,
  accountId: id,
  contractId: id,
  side: z.enum(["BUY", "SELL"]),
  price: dec,
  size: dec,
  clientOrderId: z.string(),
  type: z.string(),
  timeInForce: z.string(),
  reduceOnly: z.boolean(),
  status: z.enum(ORDER_STATUSES),
  cumFillSize: dec.default("0"),
  cumFillValue: dec.default("0"),
  cancelReason: z.string().optional(),
  createdTime: ms.optional(),
  updatedTime: ms.optional(),
});
export type EdgexOrder = z.output<typeof OrderSchema>;
export const OrderListSchema = z.array(OrderSchema);
export const PageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ dataList: z.array(item), nextPageOffsetData: z.string().nullish() });

/** createOrder `data`: {"orderId":"564…"} */
export const CreateOrderSchema = z.object({ orderId: id });
/** cancelOrderByClientOrderId `data`: {"cancelResultMap":{"<clientOrderId>":"SUCCESS"}} */
export const CancelResultSchema = z.object({ cancelResultMap: z.record(z.string(), z.string()) });

/**
 * A fill (getHistoryOrderFillTransactionPage `data.dataList`, the stream's
 * `orderFillTransaction` list):
 * {"id":"777","orderId":"564…","contractId":"10000001","orderSide":"BUY","fillSize":"0.01",
 *  "fillValue":"600","fillFee":"0.09","fillPrice":"60000","realizePnl":"0","direction":"MAKER",
 *  "matchTime":"1733…","createdTime":"1733…"}
 */
export const FillSchema = z.object({
  id: id,
  orderId: id,
  contractId: id,
  orderSide: z.enum(["BUY", "SELL"]),
  fillSize: dec,
  fillValue: dec,
  fillFee: dec,
  fillPrice: dec,
  realizePnl: dec.default("0"),
  direction: z.enum(["MAKER", "TAKER"]),
  matchTime: ms,
});
export type EdgexFill = z.output<typeof FillSchema>;

/**
 * getAccountAsset `data` (trimmed): {"collateralList":[{"coinId":"1000","amount":"100000"}],
 *  "positionList":[{"contractId":"10000001","openSize":"-0.01","openValue":"-600","fundingFee":"0"}],
 *  "positionAssetList":[{"contractId":"10000001","positionValue":"-601","avgEntryPrice":"60000",
 *   "liquidatePrice":"0","unrealizePnl":"-1","maxLeverage":"20","initialMarginRequirement":"30"}],
 *  "collateralAssetModelList":[{"coinId":"1000","totalEquity":"99999","availableAmount":"99969",
 *   "initialMarginRequirement":"30","starkExRiskValue":"3"}]}
 */
export const AccountAssetSchema = z.object({
  collateralList: z.array(z.object({ coinId: id, amount: dec })),
  positionList: z.array(
    z.object({ contractId: id, openSize: dec, openValue: dec, fundingFee: dec.default("0") }),
  ),
  positionAssetList: z.array(
    z.object({
      contractId: id,
      positionValue: dec.optional(),
      avgEntryPrice: dec.optional(),
      liquidatePrice: dec.optional(),
      unrealizePnl: dec.optional(),
      maxLeverage: dec.optional(),
      initialMarginRequirement: dec.optional(),
      starkExRiskValue: dec.optional(),
    }),
  ),
  collateralAssetModelList: z.array(
    z.object({
      coinId: id,
      totalEquity: dec,
      availableAmount: dec,
      initialMarginRequirement: dec.default("0"),
      starkExRiskValue: dec.default("0"),
    }),
  ),
});
export type EdgexAccountAsset = z.output<typeof AccountAssetSchema>;

/**
 * getPositionTransactionPage?filterTypeList=SETTLE_FUNDING_FEE `data.dataList` item:
 * {"id":"9","contractId":"10000001","type":"SETTLE_FUNDING_FEE","deltaFundingFee":"-0.03",
 *  "fundingTime":"1733025600000","fundingRate":"0.00005","fundingOraclePrice":"60000",
 *  "fundingPositionSize":"0.01","createdTime":"1733025600012"}
 */
export const PositionTransactionSchema = z.object({
  id: id,
  contractId: id,
  type: z.string(),
  deltaFundingFee: dec,
  fundingTime: ms,
  fundingRate: dec,
  fundingOraclePrice: dec.optional(),
  fundingPositionSize: dec,
});

/**
 * The private stream's message: {"type":"trade-event","content":{"event":"ORDER_UPDATE",
 *  "version":"12","data":{"order":[…],"orderFillTransaction":[…],"position":[…],
 *  "collateral":[…]}}} (ws/client.py `_dispatch_private_trade_event`).
 */
export const TradeEventSchema = z.object({
  type: z.literal("trade-event"),
  content: z.object({
    event: z.string().optional(),
    data: z.object({
      order: z.array(z.unknown()).optional(),
      orderFillTransaction: z.array(z.unknown()).optional(),
      position: z.array(z.unknown()).optional(),
      positionTransaction: z.array(z.unknown()).optional(),
    }),
  }),
});
