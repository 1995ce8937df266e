/**
 * The account reads of the Paradex connector, each a JWT-bearing GET: orders by client id and
 * open orders, positions, account (`/account` + `/balance`), fills and funding payments.
 */
import type { Instrument } from "../../core/instrument.ts";
import { toUsd } from "../../core/money.ts";
import type { AccountReport, Fill, OrderReport, PositionReport, VenueOrderStatus } from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import { fillEvent } from "./account-stream.ts";
import type { JwtSession } from "./auth.ts";
import { type ParadexHttp, ParadexRejectError, parseAs } from "./http.ts";
import {
  AccountSchema,
  BalanceSchema,
  FillsSchema,
  FundingPaymentsSchema,
  OrderSchema,
  OrdersSchema,
  type PdxOrderAnswer,
  PositionsSchema,
  REFUSAL_REASONS,
} from "./parse.ts";

export interface ReadContext {
  readonly http: ParadexHttp;
  /** the instrument of a market perpbot trades, undefined for the others */
  known(symbol: string): Instrument | undefined;
  sessionOf(account: string): JwtSession;
  /** maintenance fraction of a market (capabilities.ts maintenanceFraction) */
  mmfOf(symbol: string): number;
  markOf(symbol: string): number;
  /** the funding rate per hour in force (for the amounts' rate) */
  ratePerHourOf(symbol: string): number;
}

const PAGE = 1000;

async function get(ctx: ReadContext, account: string, path: string, what: string): Promise<unknown> {
  const session = ctx.sessionOf(account);
  try {
    return await ctx.http.request({ method: "GET", path, jwt: await session.token() });
  } catch (e) {
    if (e instanceof ParadexRejectError && e.code === "INVALID_TOKEN") session.invalidate();
    if (e instanceof Error) e.message = `${e.message} (account ${account}, ${what})`;
    throw e;
  }
}

export function orderStatusOf(o: PdxOrderAnswer): VenueOrderStatus {
  const filled = Number(o.size) - Number(o.remaining_size) > 0;
  if (o.status !== "CLOSED") return filled ? "partially_filled" : "open";
  if (Number(o.remaining_size) === 0) return "filled";
  if (!filled && REFUSAL_REASONS.has(o.cancel_reason ?? "")) return "rejected";
  return "canceled";
}

export function orderReport(account: string, o: PdxOrderAnswer, inst: Instrument): OrderReport {
  const side = o.side === "BUY" ? "buy" : "sell";
  const size = inst.roundSize(Number(o.size), "nearest");
  return {
    clientOrderId: o.client_id,
    venueOrderId: o.id,
    account,
    symbol: o.market,
    side,
    priceTicks: inst.roundPrice(Number(o.price), side, "nearest"),
    sizeLots: size,
    filledLots: size - inst.roundSize(Number(o.remaining_size), "nearest"),
    status: orderStatusOf(o),
    tif: o.instruction === "POST_ONLY" ? "post_only" : o.instruction === "IOC" ? "ioc" : "gtc",
    reduceOnly: (o.flags ?? []).includes("REDUCE_ONLY"),
  };
}

export async function orderStatus(
  ctx: ReadContext,
  account: string,
  cid: string,
): Promise<OrderReport | undefined> {
  let raw: unknown;
  try {
    raw = await get(ctx, account, `/orders/by_client_id/${encodeURIComponent(cid)}`, "order by client id");
  } catch (e) {
    if (e instanceof ParadexRejectError && e.code === "CLIENT_ORDER_ID_NOT_FOUND") return undefined;
    throw e;
  }
  const o = parseAs(OrderSchema, raw, `order ${cid} of account ${account}`);
  const inst = ctx.known(o.market);
  return inst === undefined ? undefined : orderReport(account, o, inst);
}

export async function openOrders(ctx: ReadContext, account: string): Promise<OrderReport[]> {
  const raw = await get(ctx, account, "/orders", "open orders");
  const out: OrderReport[] = [];
  for (const o of parseAs(OrdersSchema, raw, `open orders of account ${account}`).results) {
    const inst = ctx.known(o.market);
    if (inst !== undefined) out.push(orderReport(account, o, inst));
  }
  return out;
}

export async function positions(ctx: ReadContext, account: string): Promise<PositionReport[]> {
  const raw = await get(ctx, account, "/positions", "positions");
  const out: PositionReport[] = [];
  for (const p of parseAs(PositionsSchema, raw, `positions of account ${account}`).results) {
    const inst = ctx.known(p.market);
    const size = Math.abs(Number(p.size));
    if (inst === undefined || p.status !== "OPEN" || size === 0) continue;
    const sign = p.side === "SHORT" ? -1 : 1;
    const mark = ctx.markOf(p.market);
    const notional = size * mark;
    const leverage = p.leverage ? Number(p.leverage) : inst.spec.maxLeverage;
    const liq = p.liquidation_price ? Number(p.liquidation_price) : 0;
    out.push({
      account,
      symbol: p.market,
      sizeLots: sign * inst.roundSize(size, "nearest"),
      entryPrice: Number(p.average_entry_price),
      markPrice: mark,
      unrealisedPnlUsd: Number(p.unrealized_pnl),
      leverage,
      marginMode: "cross",
      marginUsd: notional / leverage,
      maintenanceMarginUsd: notional * ctx.mmfOf(p.market),
      liquidationPrice: liq > 0 ? liq : null,
      // unrealized_funding_pnl is what the position earned from funding since it opened
      fundingPaid: -moneyOf(
        p.unrealized_funding_pnl || "0",
        `paradex position ${p.market} unrealized_funding_pnl`,
      ),
    });
  }
  return out.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

export async function accountState(ctx: ReadContext, account: string): Promise<AccountReport> {
  const [rawA, rawB] = await Promise.all([
    get(ctx, account, "/account", "account"),
    get(ctx, account, "/balance", "balance"),
  ]);
  const a = parseAs(AccountSchema, rawA, `account ${account}`);
  const usdc = parseAs(BalanceSchema, rawB, `balance of account ${account}`).results.find(
    (b) => b.token === "USDC",
  );
  return {
    account,
    cash: usdc === undefined ? 0n : moneyOf(usdc.size, `paradex balance of ${account} USDC size`),
    equityUsd: Number(a.account_value),
    initialMarginUsd: Number(a.initial_margin_requirement),
    maintenanceMarginUsd: Number(a.maintenance_margin_requirement),
    availableUsd: Number(a.free_collateral),
  };
}

export async function fills(ctx: ReadContext, account: string, sinceTs: number): Promise<Fill[]> {
  const raw = await get(ctx, account, `/fills?start_at=${sinceTs}&page_size=${PAGE}`, "fills");
  const out: Fill[] = [];
  for (const f of parseAs(FillsSchema, raw, `fills of account ${account}`).results) {
    const inst = ctx.known(f.market);
    if (inst === undefined || f.created_at < sinceTs) continue;
    const e = fillEvent(account, f, inst);
    if (e.type === "fill") out.push(e.fill);
  }
  return out.sort((a, b) => a.ts - b.ts || (a.fillId < b.fillId ? -1 : 1));
}

/**
 * Funding payments from /funding/payments. Paradex's record has the amount and the funding
 * index, not the position: the size is rebuilt from the fill history up to the payment, and the
 * period it covers from amount = −size · mark · ratePerHour · hours at the mark and rate in force.
 */
export async function fundingPayments(
  ctx: ReadContext,
  account: string,
  sinceTs: number,
): Promise<FundingPaymentReport[]> {
  const raw = await get(
    ctx,
    account,
    `/funding/payments?start_at=${sinceTs}&page_size=${PAGE}`,
    "funding payments",
  );
  const rows = parseAs(FundingPaymentsSchema, raw, `funding payments of account ${account}`)
    .results.filter((r) => r.created_at >= sinceTs && ctx.known(r.market) !== undefined)
    .sort((a, b) => a.created_at - b.created_at);
  if (rows.length === 0) return [];
  const history = await fills(ctx, account, 0);
  return rows.map((r) => {
    const inst = ctx.known(r.market)!;
    const sizeLots = history
      .filter((f) => f.symbol === r.market && f.ts <= r.created_at)
      .reduce((n, f) => n + (f.side === "buy" ? f.sizeLots : -f.sizeLots), 0);
    const amount = moneyOf(r.payment, `paradex funding payment ${r.id} payment`);
    return paymentReport(ctx, account, r.market, r.created_at, amount, sizeLots, inst);
  });
}

export function paymentReport(
  ctx: ReadContext,
  account: string,
  symbol: string,
  ts: number,
  amount: bigint,
  sizeLots: number,
  inst: Instrument,
): FundingPaymentReport {
  const mark = ctx.markOf(symbol);
  const rate = ctx.ratePerHourOf(symbol);
  const notional = inst.sizeValue(Math.abs(sizeLots)) * mark;
  const hours = notional > 0 && rate !== 0 ? Math.abs(toUsd(amount)) / (notional * Math.abs(rate)) : 0;
  return { account, symbol, ts, amount, ratePerHour: rate, hours, markPrice: mark, sizeLots };
}
