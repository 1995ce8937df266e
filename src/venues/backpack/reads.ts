import type { Instrument } from "../../core/instrument.ts";
import { toUsd } from "../../core/money.ts";
import type { AccountReport, Fill, OrderReport, PositionReport, VenueOrderStatus } from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { moneyOf } from "../kit/money-text.ts";
import type { BackpackHttp } from "./http.ts";
import {
  type BpOrder,
  CollateralSchema,
  FillsSchema,
  FundingHistorySchema,
  OrdersSchema,
  PositionsSchema,
  parseAs,
  timeOf,
} from "./parse.ts";

/** The account reads of the Backpack connector, each one signed request (two for orderStatus). */
export interface ReadContext {
  readonly http: BackpackHttp;
  /** the instrument of a venue symbol, undefined for one perpbot does not trade (spot, delisted) */
  known(symbol: string): Instrument | undefined;
  signerOf(account: string): AccountSigner;
}

const HISTORY_LIMIT = 1000;

export function orderStatusOf(o: BpOrder): VenueOrderStatus {
  switch (o.status) {
    case "New":
    case "TriggerPending":
      return "open";
    case "PartiallyFilled":
      return "partially_filled";
    case "Filled":
      return "filled";
    case "Cancelled":
    case "TriggerFailed":
      return "canceled";
    case "Expired":
      return "expired";
    default:
      return "open";
  }
}

export function orderReport(account: string, o: BpOrder, inst: Instrument): OrderReport {
  return {
    clientOrderId: o.clientId == null ? "" : String(o.clientId),
    venueOrderId: o.id,
    account,
    symbol: o.symbol,
    side: o.side === "Bid" ? "buy" : "sell",
    priceTicks: o.price == null ? 0 : inst.roundPrice(Number(o.price), "buy", "nearest"),
    sizeLots: o.quantity == null ? 0 : inst.roundSize(Number(o.quantity), "nearest"),
    filledLots: inst.roundSize(Number(o.executedQuantity), "nearest"),
    status: orderStatusOf(o),
    tif: o.postOnly ? "post_only" : o.timeInForce === "IOC" ? "ioc" : "gtc",
    reduceOnly: o.reduceOnly === true,
  };
}

export async function openOrders(ctx: ReadContext, account: string): Promise<OrderReport[]> {
  const signer = ctx.signerOf(account);
  const raw = await ctx.http.request({
    method: "GET",
    path: "/api/v1/orders",
    query: { marketType: "PERP" },
    signer,
  });
  const out: OrderReport[] = [];
  for (const o of parseAs(OrdersSchema, raw, "open orders")) {
    const inst = ctx.known(o.symbol);
    if (inst !== undefined) out.push(orderReport(account, o, inst));
  }
  return out;
}

/** An open order by client id, else the newest one in the order history carrying it. */
export async function orderStatus(
  ctx: ReadContext,
  account: string,
  clientOrderId: string,
): Promise<OrderReport | undefined> {
  const open = (await openOrders(ctx, account)).find((o) => o.clientOrderId === clientOrderId);
  if (open !== undefined) return open;
  const raw = await ctx.http.request({
    method: "GET",
    path: "/wapi/v1/history/orders",
    query: { limit: HISTORY_LIMIT },
    signer: ctx.signerOf(account),
  });
  const hits = parseAs(OrdersSchema, raw, "order history").filter(
    (o) => String(o.clientId) === clientOrderId,
  );
  // the venue lists newest first; take the newest whichever way it sorted
  const o = hits.sort((a, b) => Number(b.createdAt ?? 0) - Number(a.createdAt ?? 0))[0];
  const inst = o === undefined ? undefined : ctx.known(o.symbol);
  return o === undefined || inst === undefined ? undefined : orderReport(account, o, inst);
}

export async function positions(ctx: ReadContext, account: string): Promise<PositionReport[]> {
  const raw = await ctx.http.request({
    method: "GET",
    path: "/api/v1/position",
    signer: ctx.signerOf(account),
  });
  const out: PositionReport[] = [];
  for (const p of parseAs(PositionsSchema, raw, "positions")) {
    const inst = ctx.known(p.symbol);
    const qty = Number(p.netQuantity);
    if (inst === undefined || qty === 0) continue;
    const notional = Math.abs(Number(p.netExposureNotional));
    const imf = Number(p.imf);
    out.push({
      account,
      symbol: p.symbol,
      sizeLots: Math.sign(qty) * inst.roundSize(Math.abs(qty), "nearest"),
      entryPrice: Number(p.entryPrice),
      markPrice: Number(p.markPrice),
      unrealisedPnlUsd: Number(p.pnlUnrealized),
      leverage: imf > 0 ? 1 / imf : 1,
      marginMode: "cross",
      marginUsd: notional * imf,
      maintenanceMarginUsd: notional * Number(p.mmf),
      liquidationPrice:
        p.estLiquidationPrice == null || Number(p.estLiquidationPrice) <= 0
          ? null
          : Number(p.estLiquidationPrice),
      // the venue's cumulative payment is what the position received; fundingPaid counts what it paid
      fundingPaid: -moneyOf(
        p.cumulativeFundingPayment ?? "0",
        `backpack position ${p.symbol} cumulativeFundingPayment`,
      ),
    });
  }
  return out.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

export async function accountState(ctx: ReadContext, account: string): Promise<AccountReport> {
  const raw = await ctx.http.request({
    method: "GET",
    path: "/api/v1/capital/collateral",
    signer: ctx.signerOf(account),
  });
  const c = parseAs(CollateralSchema, raw, "collateral");
  const usdc = c.collateral.find((x) => x.symbol === "USDC");
  return {
    account,
    cash: usdc === undefined ? 0n : moneyOf(usdc.totalQuantity, "backpack collateral USDC totalQuantity"),
    equityUsd: Number(c.netEquity),
    initialMarginUsd: Number(c.netEquityLocked),
    maintenanceMarginUsd: Number(c.mmf) * Number(c.netExposureFutures),
    availableUsd: Number(c.netEquityAvailable),
  };
}

export async function fills(ctx: ReadContext, account: string, sinceTs: number): Promise<Fill[]> {
  const raw = await ctx.http.request({
    method: "GET",
    path: "/wapi/v1/history/fills",
    query: { from: sinceTs, limit: HISTORY_LIMIT },
    signer: ctx.signerOf(account),
  });
  const out: Fill[] = [];
  for (const f of parseAs(FillsSchema, raw, "fill history")) {
    const inst = ctx.known(f.symbol);
    const ts = timeOf(f.timestamp);
    if (inst === undefined || ts < sinceTs) continue;
    const side = f.side === "Bid" ? "buy" : "sell";
    out.push({
      fillId: f.tradeId,
      clientOrderId: f.clientId == null ? "" : String(f.clientId),
      venueOrderId: f.orderId,
      account,
      symbol: f.symbol,
      side,
      priceTicks: inst.roundPrice(Number(f.price), side, "nearest"),
      sizeLots: inst.roundSize(Number(f.quantity), "nearest"),
      fee: moneyOf(f.fee, `backpack fill ${f.tradeId} fee`),
      liquidity: f.isMaker ? "maker" : "taker",
      // Backpack's fills carry no realised PnL; the engine's portfolio computes its own
      realisedPnl: 0n,
      ts,
    });
  }
  return out.sort((a, b) => a.ts - b.ts || Number(a.fillId) - Number(b.fillId));
}

/**
 * Funding settlements from /wapi/v1/history/funding. The venue's record has the amount, the rate
 * of the interval and its end, not the position: the size is rebuilt from the fill history up to
 * the interval's end, and the mark as |amount| / (|size| · |rate|).
 */
export async function fundingPayments(
  ctx: ReadContext,
  account: string,
  sinceTs: number,
): Promise<FundingPaymentReport[]> {
  const raw = await ctx.http.request({
    method: "GET",
    path: "/wapi/v1/history/funding",
    query: { limit: HISTORY_LIMIT },
    signer: ctx.signerOf(account),
  });
  const rows = parseAs(FundingHistorySchema, raw, "funding history")
    .map((r) => ({ ...r, ts: timeOf(r.intervalEndTimestamp) }))
    .filter((r) => r.ts >= sinceTs && ctx.known(r.symbol) !== undefined)
    .sort((a, b) => a.ts - b.ts);
  if (rows.length === 0) return [];
  const history = await fills(ctx, account, 0);
  return rows.map((r) => {
    const inst = ctx.known(r.symbol)!;
    const sizeLots = history
      .filter((f) => f.symbol === r.symbol && f.ts <= r.ts)
      .reduce((n, f) => n + (f.side === "buy" ? f.sizeLots : -f.sizeLots), 0);
    const amount = moneyOf(r.quantity, `backpack funding ${r.symbol} ${r.ts} quantity`);
    const rate = Number(r.fundingRate);
    const hours = inst.spec.fundingIntervalHours;
    const size = inst.sizeValue(Math.abs(sizeLots));
    return {
      account,
      symbol: r.symbol,
      ts: r.ts,
      amount,
      ratePerHour: rate / hours,
      hours,
      markPrice: size > 0 && rate !== 0 ? Math.abs(toUsd(amount)) / (size * Math.abs(rate)) : 0,
      sizeLots,
    };
  });
}
