import { z } from "zod";
import type { BookLevel } from "../../core/market.ts";

/**
 * Aster payload schemas. Aster's futures API is Binance USDⓈ-M's (asterdex/api-docs
 * "aster-finance-futures-api-v3.md"; Binance "USDⓈ-M Futures" REST and WebSocket references):
 * numbers as decimal strings, times in ms, errors `{code:-NNNN, msg}`. Each schema names the
 * payload it reads; `parseAs` turns a mismatch into an error naming venue, payload and field.
 */

const dec = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, "a decimal string");
const level = z.tuple([dec, dec]);

// GET /fapi/v3/exchangeInfo: {"symbols":[{"symbol":"BTCUSDT","status":"TRADING","contractType":"PERPETUAL",
//   "baseAsset":"BTC","quoteAsset":"USDT","filters":[{"filterType":"PRICE_FILTER","tickSize":"0.1",…},
//   {"filterType":"LOT_SIZE","stepSize":"0.001","minQty":"0.001",…},{"filterType":"MIN_NOTIONAL","notional":"5"}]}],
//   "rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":2400}]}
const FilterSchema = z
  .object({
    filterType: z.string(),
    tickSize: dec.optional(),
    stepSize: dec.optional(),
    minQty: dec.optional(),
    notional: dec.optional(),
  })
  .loose();
export const SymbolInfoSchema = z
  .object({
    symbol: z.string(),
    status: z.string(),
    contractType: z.string(),
    baseAsset: z.string(),
    quoteAsset: z.string(),
    filters: z.array(FilterSchema),
  })
  .loose();
export type AsterSymbolInfo = z.output<typeof SymbolInfoSchema>;
export const ExchangeInfoSchema = z
  .object({
    symbols: z.array(SymbolInfoSchema),
    rateLimits: z
      .array(
        z
          .object({
            rateLimitType: z.string(),
            interval: z.string(),
            intervalNum: z.number(),
            limit: z.number(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();

// GET /fapi/v3/fundingInfo: [{"symbol":"BTCUSDT","interestRate":"0.00010000","time":1735689600000,
//   "fundingIntervalHours":8,"fundingFeeCap":0.02,"fundingFeeFloor":-0.02}]
export const FundingInfoSchema = z.array(
  z.object({ symbol: z.string(), fundingIntervalHours: z.number().int().positive() }).loose(),
);

// GET /fapi/v3/premiumIndex: {"symbol":"BTCUSDT","markPrice":"60000.1","indexPrice":"60001",
//   "lastFundingRate":"0.0001","nextFundingTime":1735718400000,"time":1735689600000} (array without symbol)
export const PremiumIndexSchema = z
  .object({
    symbol: z.string(),
    markPrice: dec,
    indexPrice: dec.optional(),
    lastFundingRate: dec,
    nextFundingTime: z.number(),
  })
  .loose();
export const PremiumIndexListSchema = z.array(PremiumIndexSchema);

// GET /fapi/v3/depth: {"lastUpdateId":5123107852948,"E":…,"T":…,"bids":[["61800.20","2.909"]],"asks":[…]}
export const DepthSnapshotSchema = z.object({
  lastUpdateId: z.number().int(),
  E: z.number().optional(),
  bids: z.array(level),
  asks: z.array(level),
});
export type DepthSnapshot = z.output<typeof DepthSnapshotSchema>;

// <s>@depth@100ms: {"e":"depthUpdate","E":1723161256299,"T":…,"s":"BTCUSDT","U":…,"u":…,"pu":…,"b":[…],"a":[…]}
// The hot path: read by hand (no schema), levels straight to numbers, the same error form.
export interface DepthUpdate {
  readonly E: number;
  readonly s: string;
  readonly U: number;
  readonly u: number;
  readonly pu: number;
  readonly b: BookLevel[];
  readonly a: BookLevel[];
}

function bad(what: string, path: string, message: string): never {
  throw new AsterPayloadError(`aster: ${what} did not parse at ${path}: ${message}`);
}

function integer(o: Record<string, unknown>, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isInteger(v))
    bad(what, k, `expected an integer, got ${JSON.stringify(v)}`);
  return v;
}

function levelsOf(rows: unknown, side: string, what: string): BookLevel[] {
  if (!Array.isArray(rows)) bad(what, side, "expected an array of [price, size]");
  const out: BookLevel[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Array.isArray(r) || r.length !== 2) bad(what, `${side}.${i}`, "expected [price, size]");
    const [p, q] = r;
    const price = typeof p === "string" && p !== "" ? Number(p) : Number.NaN;
    const size = typeof q === "string" && q !== "" ? Number(q) : Number.NaN;
    if (!(price >= 0) || !Number.isFinite(price))
      bad(what, `${side}.${i}.0`, `a decimal string, got ${JSON.stringify(p)}`);
    if (!(size >= 0) || !Number.isFinite(size))
      bad(what, `${side}.${i}.1`, `a decimal string, got ${JSON.stringify(q)}`);
    out[i] = { price, size };
  }
  return out;
}

/** One depthUpdate's data, checked field by field (AsterPayloadError naming the field). */
export function readDepthUpdate(data: unknown, what: string): DepthUpdate {
  if (data === null || typeof data !== "object" || Array.isArray(data))
    bad(what, "(root)", "expected an object");
  const o = data as Record<string, unknown>;
  if (o.e !== "depthUpdate") bad(what, "e", `expected "depthUpdate", got ${JSON.stringify(o.e)}`);
  if (typeof o.s !== "string") bad(what, "s", "expected a symbol");
  return {
    E: integer(o, "E", what),
    s: o.s,
    U: integer(o, "U", what),
    u: integer(o, "u", what),
    pu: integer(o, "pu", what),
    b: levelsOf(o.b, "b", what),
    a: levelsOf(o.a, "a", what),
  };
}

// <s>@trade: {"e":"trade","E":…,"T":…,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}
// <s>@aggTrade carries the same p, q, m, T.
export const TradeSchema = z
  .object({
    e: z.enum(["trade", "aggTrade"]),
    E: z.number(),
    T: z.number().optional(),
    s: z.string(),
    p: dec,
    q: dec,
    m: z.boolean(),
  })
  .loose();

// <s>@markPrice@1s: {"e":"markPriceUpdate","E":…,"s":"BTCUSDT","p":"60000.1","i":"60001","r":"0.0001","T":1735718400000}
export const MarkPriceSchema = z
  .object({
    e: z.literal("markPriceUpdate"),
    E: z.number(),
    s: z.string(),
    p: dec,
    i: dec.optional(),
    r: dec,
    T: z.number(),
  })
  .loose();

// Combined stream frame: {"stream":"btcusdt@depth@100ms","data":{…}}
export const FrameSchema = z.object({ stream: z.string(), data: z.record(z.string(), z.unknown()) });

// Order (POST/GET/DELETE /fapi/v3/order, openOrders): {"orderId":22542179,"symbol":"BTCUSDT","status":"NEW",
//   "clientOrderId":"abc","price":"60000","avgPrice":"0","origQty":"0.010","executedQty":"0","cumQuote":"0",
//   "timeInForce":"GTC","type":"LIMIT","reduceOnly":false,"side":"BUY","updateTime":1735689600000}
export const OrderSchema = z
  .object({
    orderId: z.union([z.number(), z.string()]).transform(String),
    symbol: z.string(),
    status: z.string(),
    clientOrderId: z.string(),
    price: dec,
    origQty: dec,
    executedQty: dec,
    timeInForce: z.string(),
    reduceOnly: z.boolean().optional(),
    side: z.enum(["BUY", "SELL"]),
    updateTime: z.number().optional(),
  })
  .loose();
export type AsterOrder = z.output<typeof OrderSchema>;
export const OrdersSchema = z.array(OrderSchema);

// GET /fapi/v3/positionRisk: [{"symbol":"BTCUSDT","positionAmt":"0.010","entryPrice":"60000.1","markPrice":"60010",
//   "unRealizedProfit":"0.1","liquidationPrice":"30000","leverage":"10","marginType":"cross","notional":"600.1",
//   "positionSide":"BOTH"}]
export const PositionRiskSchema = z.array(
  z
    .object({
      symbol: z.string(),
      positionAmt: dec,
      entryPrice: dec,
      markPrice: dec,
      unRealizedProfit: dec,
      liquidationPrice: dec,
      leverage: dec,
      marginType: z.string(),
      notional: dec.optional(),
    })
    .loose(),
);

// GET /fapi/v3/account: {"totalInitialMargin":"60","totalMaintMargin":"3","totalWalletBalance":"100000",
//   "totalUnrealizedProfit":"0.1","totalMarginBalance":"100000.1","availableBalance":"99940",
//   "positions":[{"symbol":"BTCUSDT","initialMargin":"60","maintMargin":"3","positionAmt":"0.01",…}]}
export const AccountSchema = z
  .object({
    totalInitialMargin: dec,
    totalMaintMargin: dec,
    totalWalletBalance: dec,
    totalMarginBalance: dec,
    availableBalance: dec,
    positions: z
      .array(z.object({ symbol: z.string(), initialMargin: dec, maintMargin: dec, positionAmt: dec }).loose())
      .default([]),
  })
  .loose();

// GET /fapi/v3/userTrades: [{"symbol":"BTCUSDT","id":698759,"orderId":25851813,"side":"BUY","price":"60000",
//   "qty":"0.01","realizedPnl":"0","commission":"0.3","commissionAsset":"USDT","time":1735689600000,"maker":false}]
export const UserTradesSchema = z.array(
  z
    .object({
      symbol: z.string(),
      id: z.union([z.number(), z.string()]).transform(String),
      orderId: z.union([z.number(), z.string()]).transform(String),
      side: z.enum(["BUY", "SELL"]),
      price: dec,
      qty: dec,
      realizedPnl: dec,
      commission: dec,
      time: z.number(),
      maker: z.boolean(),
    })
    .loose(),
);

// GET /fapi/v3/income?incomeType=FUNDING_FEE: [{"symbol":"BTCUSDT","incomeType":"FUNDING_FEE","income":"-0.06",
//   "asset":"USDT","time":1735718400000,"tranId":9689322392,"info":"FUNDING_FEE"}]
export const IncomeSchema = z.array(
  z
    .object({
      symbol: z.string(),
      incomeType: z.string(),
      income: dec,
      time: z.number(),
      tranId: z.union([z.number(), z.string()]).transform(String),
    })
    .loose(),
);

// POST /fapi/v3/listenKey: {"listenKey":"pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"}
export const ListenKeySchema = z.object({ listenKey: z.string().min(1) });

// User stream ORDER_TRADE_UPDATE: {"e":"ORDER_TRADE_UPDATE","E":…,"T":…,"o":{"s":"BTCUSDT","c":"abc","S":"BUY",
//   "o":"LIMIT","f":"GTC","q":"0.01","p":"60000","x":"TRADE","X":"PARTIALLY_FILLED","i":22542179,"l":"0.005",
//   "z":"0.005","L":"60000","n":"0.03","N":"USDT","T":…,"t":698759,"m":false,"R":false,"rp":"0"}}
export const OrderTradeUpdateSchema = z.object({
  e: z.literal("ORDER_TRADE_UPDATE"),
  E: z.number(),
  o: z
    .object({
      s: z.string(),
      c: z.string(),
      S: z.enum(["BUY", "SELL"]),
      f: z.string(),
      q: dec,
      p: dec,
      x: z.string(),
      X: z.string(),
      i: z.union([z.number(), z.string()]).transform(String),
      l: dec,
      z: dec,
      L: dec,
      n: dec.optional(),
      T: z.number(),
      t: z.union([z.number(), z.string()]).transform(String),
      m: z.boolean(),
      rp: dec.optional(),
    })
    .loose(),
});

// ACCOUNT_UPDATE: {"e":"ACCOUNT_UPDATE","E":…,"T":…,"a":{"m":"FUNDING_FEE","B":[{"a":"USDT","wb":"…","cw":"…","bc":"-0.06"}],"P":[…]}}
export const AccountUpdateSchema = z.object({
  e: z.literal("ACCOUNT_UPDATE"),
  E: z.number(),
  a: z.object({ m: z.string() }).loose(),
});

// Errors: {"code":-2010,"msg":"Order would immediately match and take."}
export const ErrorSchema = z.object({ code: z.number().int(), msg: z.string() });

export class AsterPayloadError extends Error {
  override name = "AsterPayloadError";
}

/** Parse or throw an error naming the venue, what was read and the first problem's field. */
export function parseAs<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new AsterPayloadError(
    `aster: ${what} did not parse at ${i.path.join(".") || "(root)"}: ${i.message}`,
  );
}
