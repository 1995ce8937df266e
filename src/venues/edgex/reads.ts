import type { z } from "zod";
import type { Instrument } from "../../core/instrument.ts";
import type { AccountReport, OrderReport, PositionReport, VenueOrderStatus } from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import { fillOf } from "./account.ts";
import type { EdgexRequest } from "./http.ts";
import {
  AccountAssetSchema,
  type EdgexOrder,
  FillSchema,
  OrderListSchema,
  OrderSchema,
  PageSchema,
  PositionTransactionSchema,
  parseAs,
} from "./parse.ts";

/** What the reads need of the venue: signed requests for an account, instruments, marks. */
export interface ReadContext {
  request(account: string, r: Omit<EdgexRequest, "auth">): Promise<unknown>;
  accountIdOf(account: string): string;
  instrumentOf(contractId: string): Instrument | undefined;
  markOf(symbol: string): number;
  clientIds: Map<string, string>;
}

/** Rows per page (EdgeX's page size is at most 100) and the most pages one read follows. */
export const PAGE_SIZE = 100;
const MAX_PAGES = 1000;

/**
 * Every row of a paged list: `size` and, from the second page on, `offsetData` = the previous
 * page's `nextPageOffsetData`, until that is empty (edgex-python-sdk `edgex_sdk/order/client.py`
 * `get_order_fill_transactions` sends `size`/`offsetData`; `PageData.nextPageOffsetData` is ""
 * on the last page, EdgeX API docs). A cursor that repeats, or more than MAX_PAGES pages, is an
 * error naming the list: never a silent loop or a silently short history.
 */
async function allPages<T extends z.ZodType>(
  ctx: ReadContext,
  account: string,
  path: string,
  query: Readonly<Record<string, string>>,
  item: T,
  what: string,
): Promise<z.output<T>[]> {
  const rows: z.output<T>[] = [];
  const seen = new Set<string>();
  let offset = "";
  for (let n = 0; n < MAX_PAGES; n++) {
    const raw = await ctx.request(account, {
      method: "GET",
      path,
      query: { ...query, size: String(PAGE_SIZE), ...(offset === "" ? {} : { offsetData: offset }) },
    });
    const page = parseAs(PageSchema(item), raw, what);
    rows.push(...page.dataList);
    offset = page.nextPageOffsetData ?? "";
    if (offset === "") return rows;
    if (seen.has(offset)) throw new Error(`${what}: the venue repeated page cursor ${offset}`);
    seen.add(offset);
  }
  throw new Error(`${what}: more than ${MAX_PAGES} pages of ${PAGE_SIZE} rows; narrow the time range`);
}

function statusOf(o: EdgexOrder, filledLots: number): VenueOrderStatus {
  switch (o.status) {
    case "FILLED":
      return "filled";
    case "CANCELED":
      return o.cancelReason === "CANCELED_BY_IOC" ? "expired" : "canceled";
    default:
      return filledLots > 0 ? "partially_filled" : "open";
  }
}

const TIF: Readonly<Record<string, OrderReport["tif"]>> = {
  GOOD_TIL_CANCEL: "gtc",
  IMMEDIATE_OR_CANCEL: "ioc",
  FILL_OR_KILL: "ioc",
  POST_ONLY: "post_only",
};

function reportOf(account: string, inst: Instrument, o: EdgexOrder): OrderReport {
  const side = o.side === "BUY" ? "buy" : "sell";
  const filledLots = inst.roundSize(Number(o.cumFillSize), "nearest");
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.id,
    account,
    symbol: inst.symbol,
    side,
    priceTicks: inst.roundPrice(Number(o.price), side, "nearest"),
    sizeLots: inst.roundSize(Number(o.size), "nearest"),
    filledLots,
    status: statusOf(o, filledLots),
    tif: TIF[o.timeInForce] ?? "gtc",
    reduceOnly: o.reduceOnly,
  };
}

export async function orderStatus(
  ctx: ReadContext,
  account: string,
  clientOrderId: string,
): Promise<OrderReport | undefined> {
  const raw = await ctx.request(account, {
    method: "GET",
    path: "/api/v2/private/order/getOrderByClientOrderId",
    query: { accountId: ctx.accountIdOf(account), clientOrderIdList: clientOrderId },
  });
  const list = parseAs(OrderListSchema, raw, "getOrderByClientOrderId");
  const o = list.filter((x) => x.clientOrderId === clientOrderId).at(-1);
  if (o === undefined) return undefined;
  const inst = ctx.instrumentOf(o.contractId);
  if (inst === undefined) return undefined;
  ctx.clientIds.set(o.id, o.clientOrderId);
  return reportOf(account, inst, o);
}

export async function openOrders(ctx: ReadContext, account: string): Promise<OrderReport[]> {
  const list = await allPages(
    ctx,
    account,
    "/api/v2/private/order/getActiveOrderPage",
    { accountId: ctx.accountIdOf(account) },
    OrderSchema,
    "getActiveOrderPage",
  );
  const out: OrderReport[] = [];
  for (const o of list) {
    const inst = ctx.instrumentOf(o.contractId);
    if (inst !== undefined) out.push(reportOf(account, inst, o));
  }
  return out;
}

async function asset(ctx: ReadContext, account: string) {
  const raw = await ctx.request(account, {
    method: "GET",
    path: "/api/v2/private/account/getAccountAsset",
    query: { accountId: ctx.accountIdOf(account) },
  });
  return parseAs(AccountAssetSchema, raw, "getAccountAsset");
}

export async function positions(ctx: ReadContext, account: string): Promise<PositionReport[]> {
  const a = await asset(ctx, account);
  const out: PositionReport[] = [];
  for (const p of a.positionList) {
    const inst = ctx.instrumentOf(p.contractId);
    if (inst === undefined) continue;
    const size = Number(p.openSize);
    const lots = Math.sign(size) * inst.roundSize(Math.abs(size), "nearest");
    if (lots === 0) continue;
    const pa = a.positionAssetList.find((x) => x.contractId === p.contractId);
    const liq = Number(pa?.liquidatePrice ?? "0");
    const lev = Number(pa?.maxLeverage ?? "1");
    const im = Number(pa?.initialMarginRequirement ?? "0");
    out.push({
      account,
      symbol: inst.symbol,
      sizeLots: lots,
      entryPrice: Number(pa?.avgEntryPrice ?? Math.abs(Number(p.openValue) / size)),
      markPrice: ctx.markOf(inst.symbol),
      unrealisedPnlUsd: Number(pa?.unrealizePnl ?? "0"),
      leverage: lev,
      marginMode: "cross",
      marginUsd: im,
      maintenanceMarginUsd: Number(pa?.starkExRiskValue ?? "0"),
      liquidationPrice: liq > 0 ? liq : null,
      // the venue's fundingFee is what the position received (negative = paid)
      fundingPaid: -moneyOf(p.fundingFee, `edgex position ${inst.symbol} fundingFee`),
    });
  }
  return out;
}

export async function accountState(ctx: ReadContext, account: string): Promise<AccountReport> {
  const a = await asset(ctx, account);
  const c = a.collateralAssetModelList[0];
  const cash = a.collateralList[0]?.amount ?? "0";
  return {
    account,
    cash: moneyOf(cash, "edgex collateral amount"),
    equityUsd: Number(c?.totalEquity ?? cash),
    initialMarginUsd: Number(c?.initialMarginRequirement ?? "0"),
    maintenanceMarginUsd: Number(c?.starkExRiskValue ?? "0"),
    availableUsd: Number(c?.availableAmount ?? cash),
  };
}

export async function fills(ctx: ReadContext, account: string, sinceTs: number) {
  const list = await allPages(
    ctx,
    account,
    "/api/v2/private/order/getHistoryOrderFillTransactionPage",
    { accountId: ctx.accountIdOf(account), filterStartCreatedTimeInclusive: String(sinceTs) },
    FillSchema,
    "getHistoryOrderFillTransactionPage",
  );
  const unknown = [...new Set(list.map((f) => f.orderId).filter((id) => !ctx.clientIds.has(id)))];
  // the client order ids of fills' orders perpbot has not seen, 100 order ids per request
  for (let i = 0; i < unknown.length; i += PAGE_SIZE) {
    const found = await ctx.request(account, {
      method: "GET",
      path: "/api/v2/private/order/getOrderById",
      query: { accountId: ctx.accountIdOf(account), orderIdList: unknown.slice(i, i + PAGE_SIZE).join(",") },
    });
    for (const o of parseAs(OrderListSchema, found, "getOrderById")) ctx.clientIds.set(o.id, o.clientOrderId);
  }
  const out = [];
  for (const f of list) {
    const inst = ctx.instrumentOf(f.contractId);
    if (inst === undefined || f.matchTime < sinceTs) continue;
    out.push(fillOf(f, inst, account, ctx.clientIds.get(f.orderId) ?? ""));
  }
  return out.sort((a, b) => a.ts - b.ts);
}

export async function fundingPayments(
  ctx: ReadContext,
  account: string,
  sinceTs: number,
): Promise<FundingPaymentReport[]> {
  const list = await allPages(
    ctx,
    account,
    "/api/v2/private/account/getPositionTransactionPage",
    {
      accountId: ctx.accountIdOf(account),
      filterTypeList: "SETTLE_FUNDING_FEE",
      filterStartCreatedTimeInclusive: String(sinceTs),
    },
    PositionTransactionSchema,
    "getPositionTransactionPage",
  );
  const out: FundingPaymentReport[] = [];
  for (const p of list) {
    const inst = ctx.instrumentOf(p.contractId);
    if (inst === undefined || p.type !== "SETTLE_FUNDING_FEE" || p.fundingTime < sinceTs) continue;
    const hours = inst.spec.fundingIntervalHours;
    const size = Number(p.fundingPositionSize);
    out.push({
      account,
      symbol: inst.symbol,
      ts: p.fundingTime,
      amount: moneyOf(p.deltaFundingFee, `edgex funding ${p.id} deltaFundingFee`),
      ratePerHour: Number(p.fundingRate) / hours,
      hours,
      markPrice: Number(p.fundingOraclePrice ?? "0"),
      sizeLots: Math.sign(size) * inst.roundSize(Math.abs(size), "nearest"),
    });
  }
  return out.sort((a, b) => a.ts - b.ts);
}
