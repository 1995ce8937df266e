/**
 * Schemas for Hyperliquid's `/info` and `/exchange` answers (HLd "Info endpoint", "Exchange
 * endpoint"; VENUES.md §1.3, §1.4). The raw example above each schema is written from the
 * documented shape and checked against the Python SDK's recorded cassettes
 * (../shared/data/hyperliquid-rest/, see parse.test.ts). Objects are loose: fields the venue adds
 * later are kept, not dropped. Prices, sizes and amounts stay decimal strings (exact money).
 */
import { z } from "zod";

/** "97123.5", "-0.00785", "0.0" */
export const Dec = z.string().regex(/^-?\d+(\.\d+)?$/, "expected a decimal string");
const Side = z.enum(["A", "B"]);
const Ms = z.number().int().nonnegative();
const Cloid = z.string().regex(/^0x[0-9a-fA-F]{32}$/);

// {"universe":[{"name":"BTC","szDecimals":5,"maxLeverage":50,"marginTableId":56,"onlyIsolated":false}],
//  "marginTables":[[56,{"description":"tiered 40x","marginTiers":[{"lowerBound":"0.0","maxLeverage":40}]}]]}
export const MarginTableSchema = z.looseObject({
  description: z.string(),
  marginTiers: z.array(z.looseObject({ lowerBound: Dec, maxLeverage: z.number().int().positive() })),
});
export const MetaSchema = z.looseObject({
  universe: z.array(
    z.looseObject({
      name: z.string().min(1),
      szDecimals: z.number().int().min(0).max(6),
      maxLeverage: z.number().int().positive(),
      marginTableId: z.number().int().optional(),
      onlyIsolated: z.boolean().optional(),
      isDelisted: z.boolean().optional(),
    }),
  ),
  marginTables: z.array(z.tuple([z.number().int(), MarginTableSchema])).optional(),
});
export type Meta = z.infer<typeof MetaSchema>;

// [meta, [{"funding":"0.0000125","markPx":"14.3161","oraclePx":"14.32","midPx":"14.314",
//   "openInterest":"688.11","premium":"0.00031774","prevDayPx":"15.322","dayNtlVlm":"1169046.29",
//   "impactPxs":["14.3047","14.3444"]}, …]] (HLd "Info endpoint / Perpetuals": one context per
// universe entry, in its order; midPx and impactPxs are null on an empty book)
const Num = Dec.nullish();
export const AssetCtxSchema = z.looseObject({ markPx: Num, oraclePx: Num, funding: Num });
export const MetaAndAssetCtxsSchema = z.tuple([MetaSchema, z.array(AssetCtxSchema)]);

// {"coin":"DYDX","time":1681222254710,"levels":[[{"px":"2.111","sz":"134.4","n":1}],[{"px":"2.1115","sz":"90.2","n":2}]]}
const Level = z.looseObject({ px: Dec, sz: Dec, n: z.number().int().nonnegative() });
export const L2BookSchema = z.looseObject({
  coin: z.string(),
  time: Ms.optional(),
  levels: z.tuple([z.array(Level), z.array(Level)]),
});
export type L2Book = z.infer<typeof L2BookSchema>;

// {"BTC":"30135.0","ETH":"1903.95"}
export const AllMidsSchema = z.record(z.string(), Dec);

// {"assetPositions":[{"type":"oneWay","position":{"coin":"BTC","szi":"-0.00785","entryPx":"26951.0",
//   "leverage":{"type":"cross","value":20},"liquidationPx":"173198.69592357","marginUsed":"10.582271",
//   "positionValue":"211.64542","unrealizedPnl":"-0.08007","returnOnEquity":"-0.00756643",
//   "maxLeverage":50,"cumFunding":{"allTime":"1.2","sinceOpen":"0.1","sinceChange":"0.1"}}}],
//  "crossMarginSummary":{"accountValue":"1182.31","totalNtlPos":"3434.8","totalRawUsd":"86.5","totalMarginUsed":"171.7"},
//  "marginSummary":{…same…},"crossMaintenanceMarginUsed":"42.9","withdrawable":"1010.57","time":1700000000000}
const MarginSummary = z.looseObject({
  accountValue: Dec,
  totalNtlPos: Dec,
  totalRawUsd: Dec,
  totalMarginUsed: Dec,
});
export const PositionSchema = z.looseObject({
  coin: z.string(),
  szi: Dec,
  entryPx: Dec.nullable(),
  leverage: z.looseObject({
    type: z.enum(["cross", "isolated"]),
    value: z.number().positive(),
    rawUsd: Dec.optional(),
  }),
  liquidationPx: Dec.nullable(),
  marginUsed: Dec,
  positionValue: Dec,
  unrealizedPnl: Dec,
  returnOnEquity: Dec.optional(),
  maxLeverage: z.number().optional(),
  cumFunding: z.looseObject({ allTime: Dec, sinceOpen: Dec, sinceChange: Dec }).optional(),
});
export const ClearinghouseStateSchema = z.looseObject({
  assetPositions: z.array(z.looseObject({ type: z.string(), position: PositionSchema })),
  crossMarginSummary: MarginSummary,
  marginSummary: MarginSummary,
  crossMaintenanceMarginUsed: Dec.optional(),
  withdrawable: Dec,
  time: Ms.optional(),
});
export type ClearinghouseState = z.infer<typeof ClearinghouseStateSchema>;

// [{"coin":"MATIC","side":"B","limitPx":"1.0357","sz":"208.7","oid":62269971,"timestamp":1679940217356,
//   "origSz":"208.7","cloid":"0x00000000000000000000000000000001"}]
export const OpenOrderSchema = z.looseObject({
  coin: z.string(),
  side: Side,
  limitPx: Dec,
  sz: Dec,
  oid: z.number().int().nonnegative(),
  timestamp: Ms,
  origSz: Dec.optional(),
  cloid: Cloid.nullish(),
});
export const OpenOrdersSchema = z.array(OpenOrderSchema);

// frontendOpenOrders adds: {"orderType":"Take Profit Market","tif":null,"reduceOnly":true,"isTrigger":true,
//   "triggerPx":"10.004","triggerCondition":"Price above 10.004","isPositionTpsl":false,"children":[…]}
export const FrontendOrderSchema: z.ZodType<FrontendOrder> = OpenOrderSchema.extend({
  orderType: z.string(),
  tif: z.string().nullable(),
  reduceOnly: z.boolean(),
  isTrigger: z.boolean(),
  triggerPx: Dec,
  triggerCondition: z.string(),
  isPositionTpsl: z.boolean(),
  children: z.array(z.lazy(() => FrontendOrderSchema)),
});
export interface FrontendOrder extends z.infer<typeof OpenOrderSchema> {
  orderType: string;
  tif: string | null;
  reduceOnly: boolean;
  isTrigger: boolean;
  triggerPx: string;
  triggerCondition: string;
  isPositionTpsl: boolean;
  children: FrontendOrder[];
}
export const FrontendOpenOrdersSchema = z.array(FrontendOrderSchema);

/** Order statuses (nk `OrderProcessingStatus`): kept open-ended, the venue adds new ones. */
export const OrderStatusName = z.string().min(1);
export const FINAL_STATUSES = new Set([
  "filled",
  "canceled",
  "rejected",
  "marginCanceled",
  "reduceOnlyCanceled",
  "selfTradeCanceled",
  "scheduledCancel",
  "liquidatedCanceled",
  "siblingFilledCanceled",
  "delistedCanceled",
  "openInterestCapCanceled",
  "vaultWithdrawalCanceled",
]);

// {"order":{…frontend order…},"status":"iocCancelRejected","statusTimestamp":1755863118217}
export const OrderWithStatusSchema = z.looseObject({
  order: FrontendOrderSchema,
  status: OrderStatusName,
  statusTimestamp: Ms,
});
export const HistoricalOrdersSchema = z.array(OrderWithStatusSchema);

// {"status":"order","order":{"order":{…},"status":"open","statusTimestamp":1700000000000}} | {"status":"unknownOid"}
export const OrderStatusSchema = z.discriminatedUnion("status", [
  z.looseObject({ status: z.literal("order"), order: OrderWithStatusSchema }),
  z.looseObject({ status: z.literal("unknownOid") }),
]);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

// [{"coin":"SUI","px":"1.3189","sz":"142.7","side":"A","time":1683245884863,"startPosition":"4623.5",
//   "dir":"Close Long","closedPnl":"-0.25686","hash":"0x3d47…","oid":189324432,"crossed":true,
//   "fee":"0.0","tid":118906512037719,"feeToken":"USDC","cloid":"0x…"}]
export const FillSchema = z.looseObject({
  coin: z.string(),
  px: Dec,
  sz: Dec,
  side: Side,
  time: Ms,
  startPosition: Dec.optional(),
  dir: z.string(),
  closedPnl: Dec,
  hash: z.string(),
  oid: z.number().int().nonnegative(),
  crossed: z.boolean(),
  fee: Dec,
  tid: z.number().int().nonnegative().optional(),
  feeToken: z.string().optional(),
  cloid: Cloid.nullish(),
  liquidation: z.unknown().optional(),
});
export const UserFillsSchema = z.array(FillSchema);
export type Fill = z.infer<typeof FillSchema>;

// [{"time":1681948800000,"hash":"0xe3f4…","delta":{"type":"funding","coin":"APE","usdc":"0.145796",
//   "szi":"40.13333333","fundingRate":"-0.00029319","nSamples":3}}]
export const UserFundingSchema = z.array(
  z.looseObject({
    time: Ms,
    hash: z.string(),
    delta: z.looseObject({
      type: z.literal("funding"),
      coin: z.string(),
      usdc: Dec,
      szi: Dec,
      fundingRate: Dec,
      nSamples: z.number().int().nullable().optional(),
    }),
  }),
);

// {"cumVlm":"170043721737.450012207","nRequestsUsed":36589831368,"nRequestsCap":170043731737}
export const UserRateLimitSchema = z.looseObject({
  cumVlm: Dec,
  nRequestsUsed: z.number().int().nonnegative(),
  nRequestsCap: z.number().int().nonnegative(),
});

// [["BTC",[["BinPerp",{"fundingRate":"0.0001","nextFundingTime":1733961600000,"fundingIntervalHours":8}],
//   ["HlPerp",{"fundingRate":"0.0000125","nextFundingTime":1733958000000,"fundingIntervalHours":1}],
//   ["BybitPerp",null]]], …] (HLd "Info endpoint / Perpetuals", retrieve predicted funding rates for
// different venues; VENUES.md §1.3): per coin, per venue the rate of one interval, or null
export const PredictedFundingEntrySchema = z.looseObject({
  fundingRate: Dec,
  nextFundingTime: Ms,
  fundingIntervalHours: z.number().positive().optional(),
});
export const PredictedFundingsSchema = z.array(
  z.tuple([z.string().min(1), z.array(z.tuple([z.string().min(1), PredictedFundingEntrySchema.nullable()]))]),
);
export type PredictedFundings = z.infer<typeof PredictedFundingsSchema>;

// {"role":"agent","data":{"user":"0x…"}} | {"role":"user"} | {"role":"missing"} | {"role":"vault"}
// | {"role":"subAccount","data":{"master":"0x…"}} (HLd "Info endpoint", query a user's role)
export const UserRoleSchema = z.looseObject({
  role: z.string(),
  data: z.looseObject({ user: z.string().optional(), master: z.string().optional() }).optional(),
});

// [{"t":1684702800000,"T":1684706399999,"s":"kPEPE","i":"1h","o":"0.0016","c":"0.0016","h":"0.0016","l":"0.0016","v":"0.0","n":0}]
export const CandlesSchema = z.array(
  z.looseObject({
    t: Ms,
    T: Ms,
    s: z.string(),
    i: z.string(),
    o: Dec,
    c: Dec,
    h: Dec,
    l: Dec,
    v: Dec,
    n: z.number(),
  }),
);

// ---------------------------------------------------------------- /exchange

// {"status":"ok","response":{"type":"order","data":{"statuses":[{"resting":{"oid":77738308,"cloid":"0x…"}},
//   {"filled":{"totalSz":"0.02","avgPx":"1891.4","oid":77747314}},{"error":"Order must have minimum value of $10."},
//   "waitingForFill","waitingForTrigger"]}}}
export const OrderStatusEntrySchema = z.union([
  z.looseObject({ resting: z.looseObject({ oid: z.number().int(), cloid: Cloid.optional() }) }),
  z.looseObject({
    filled: z.looseObject({ totalSz: Dec, avgPx: Dec, oid: z.number().int(), cloid: Cloid.optional() }),
  }),
  z.looseObject({ error: z.string() }),
  z.literal("waitingForFill"),
  z.literal("waitingForTrigger"),
  z.literal("success"),
]);
export type OrderStatusEntry = z.infer<typeof OrderStatusEntrySchema>;

// {"status":"ok","response":{"type":"cancel","data":{"statuses":["success",{"error":"Order was never placed, already canceled, or filled."}]}}}
// {"status":"ok","response":{"type":"default"}}
// {"status":"err","response":"User or API Wallet 0x… does not exist."}
export const ExchangeResponseSchema = z.discriminatedUnion("status", [
  z.looseObject({
    status: z.literal("ok"),
    response: z.looseObject({
      type: z.string(),
      data: z.looseObject({ statuses: z.array(OrderStatusEntrySchema) }).optional(),
    }),
  }),
  z.looseObject({ status: z.literal("err"), response: z.string() }),
]);
export type ExchangeResponse = z.infer<typeof ExchangeResponseSchema>;

/** What one order's answer means to the engine (VENUES.md §1.8). */
export type OrderOutcome =
  | { readonly kind: "resting"; readonly oid: number }
  | { readonly kind: "filled"; readonly oid: number; readonly totalSz: string; readonly avgPx: string }
  | { readonly kind: "rejected"; readonly reason: string }
  /** not an ack: the order may still rest or fill; wait for orderUpdates or ask orderStatus */
  | { readonly kind: "pending"; readonly reason: string };

/**
 * Per-order outcomes of an `/exchange` order answer. A venue-answered error (`status:"err"`, a
 * status `{error}`) is a definite rejection: the venue answered and no order exists. Transport
 * failures (timeout, reset, 5xx, 429, non-JSON) never reach here: they are "unknown" and are
 * resolved by `orderStatus` by cloid.
 */
export function orderOutcomes(resp: ExchangeResponse, count: number): OrderOutcome[] {
  if (resp.status === "err")
    return Array.from({ length: count }, () => ({ kind: "rejected", reason: resp.response }));
  const statuses = resp.response.data?.statuses ?? [];
  return Array.from({ length: count }, (_, i): OrderOutcome => {
    const s = statuses[i];
    if (s === undefined) return { kind: "pending", reason: "no status for this order in the answer" };
    if (typeof s === "string") return { kind: "pending", reason: s };
    const e = s as {
      resting?: { oid: number };
      filled?: { oid: number; totalSz: string; avgPx: string };
      error?: string;
    };
    if (e.resting) return { kind: "resting", oid: e.resting.oid };
    if (e.filled)
      return { kind: "filled", oid: e.filled.oid, totalSz: e.filled.totalSz, avgPx: e.filled.avgPx };
    return { kind: "rejected", reason: String(e.error) };
  });
}

/** Error texts (VENUES.md §1.4, ccxt's exception map) and what they mean for a retry. */
export const KNOWN_ERRORS: readonly { readonly match: RegExp; readonly code: string }[] = [
  { match: /^Price must be divisible by tick size/, code: "price_off_tick" },
  { match: /^Order must have minimum value of/, code: "below_min_notional" },
  { match: /^Insufficient margin to place order/, code: "insufficient_margin" },
  { match: /^Reduce only order would increase position/, code: "reduce_only" },
  { match: /^Post only order would have immediately matched/, code: "post_only_would_cross" },
  { match: /^Order could not immediately match against any resting orders/, code: "ioc_no_match" },
  { match: /^Order has invalid size/, code: "invalid_size" },
  { match: /^Order price cannot be more than 80% away from the reference price/, code: "price_too_far" },
  { match: /^Too many cumulative requests sent/, code: "address_rate_limited" },
  { match: /^Order was never placed, already canceled, or filled/, code: "not_found" },
  { match: /^User or API Wallet 0x[0-9a-fA-F]+ does not exist/, code: "unknown_signer" },
  { match: /nonce/i, code: "nonce" },
];

/** A stable code for a venue error text ("other" when unrecognised; still a rejection). */
export function errorCode(text: string): string {
  return KNOWN_ERRORS.find((e) => e.match.test(text))?.code ?? "other";
}
