/**
 * Between perpbot's venue-neutral types and Hyperliquid's wire: order requests to order wires
 * with the exact price and size strings, and the venue's answers (clearinghouseState, open
 * orders, order status, fills, funding) to reports. Pure functions; every value that does not fit
 * the instrument's grid is an error naming the wallet, the symbol and the field.
 */
import { stepsOfText } from "../../core/decimal.ts";
import { PerpbotError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import { type Money, PICO_PER_USD } from "../../core/money.ts";
import type {
  AccountReport,
  Fill,
  OrderReport,
  OrderRequest,
  PositionReport,
  TimeInForce,
  VenueOrderStatus,
} from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";
import { isCloid } from "./capabilities.ts";
import type { HlMarket } from "./instruments.ts";
import type { ClearinghouseState, Fill as HlFill } from "./parse.ts";
import { floatToWire, type OrderInput, type Tif } from "./wire.ts";

/** A venue answer that does not fit what perpbot expects: names the wallet, symbol and field. */
export class HlAnswerError extends PerpbotError {
  constructor(message: string) {
    super("venue_answer", message);
  }
}

export interface Where {
  readonly account: string;
  readonly symbol?: string;
}

function at(w: Where, field: string): string {
  return `hyperliquid wallet ${w.account}${w.symbol === undefined ? "" : `, ${w.symbol}`}, field ${field}`;
}

/** Exact money from a decimal string (digits past 12 decimals truncated toward zero). */
export function moneyOf(text: string, w: Where, field: string): Money {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new HlAnswerError(`${at(w, field)}: "${text}" is not a decimal amount`);
  const frac = (m[3] ?? "").slice(0, 12).padEnd(12, "0");
  const v = BigInt(m[2]) * PICO_PER_USD + BigInt(frac);
  return m[1] === "-" ? -v : v;
}

function numberOf(text: string, w: Where, field: string): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new HlAnswerError(`${at(w, field)}: "${text}" is not a number`);
  return n;
}

/** Price ticks of a price the venue printed (on the tick grid; the price rule is the venue's). */
export function ticksOf(inst: Instrument, text: string, w: Where, field: string): number {
  const t = stepsOfText(text, inst.tick);
  if (t === null || t <= 0)
    throw new HlAnswerError(`${at(w, field)}: price "${text}" is not on the tick ${inst.spec.tickSize}`);
  return t;
}

/** Signed lots of a size the venue printed. */
export function lotsOf(inst: Instrument, text: string, w: Where, field: string): number {
  const l = stepsOfText(text, inst.lot);
  if (l === null)
    throw new HlAnswerError(`${at(w, field)}: size "${text}" is not on the lot ${inst.spec.lotSize}`);
  return l;
}

// ---------------------------------------------------------------- requests

const TIF: Readonly<Record<TimeInForce, Tif>> = { gtc: "Gtc", ioc: "Ioc", post_only: "Alo" };

/** Why an order cannot be sent as asked (checked before anything is signed). */
export interface OrderProblem {
  readonly reason: string;
  readonly message: string;
}

/**
 * The wire input of an order, or the problem that keeps it from being sent. A market order is
 * an IOC at its protection price (the venue has no other market order).
 */
export function orderInput(o: OrderRequest, m: HlMarket): OrderInput | OrderProblem {
  const w = at({ account: o.account, symbol: o.symbol }, "");
  const inst = m.instrument;
  if (!isCloid(o.clientOrderId))
    return {
      reason: "bad_client_order_id",
      message: `${w}clientOrderId: "${o.clientOrderId}" is not a cloid (0x + 32 lowercase hex digits)`,
    };
  if (!Number.isSafeInteger(o.sizeLots) || o.sizeLots <= 0)
    return { reason: "invalid_size", message: `${w}sizeLots: ${o.sizeLots} must be a positive integer` };
  if (!inst.isAllowedPrice(o.priceTicks))
    return {
      reason: "price_off_rule",
      message: `${w}priceTicks: ${o.priceTicks} (${Number.isSafeInteger(o.priceTicks) ? inst.priceText(o.priceTicks) : "?"}) breaks the price rule (5 significant figures, at most ${inst.priceRule.kind === "significant_figures" ? inst.priceRule.maxDecimals : 0} decimals)`,
    };
  const notional = inst.priceValue(o.priceTicks) * inst.sizeValue(o.sizeLots);
  // a reduce-only order closing a small remainder is the venue's to judge
  if (!o.reduceOnly && notional < inst.spec.minNotionalUsd)
    return {
      reason: "below_min_notional",
      message: `${w}sizeLots: ${inst.sizeText(o.sizeLots)} at ${inst.priceText(o.priceTicks)} is $${notional.toFixed(2)}, below the venue's minimum of $${inst.spec.minNotionalUsd}`,
    };
  return {
    asset: m.asset,
    isBuy: o.side === "buy",
    limitPx: floatToWire(inst.priceText(o.priceTicks)),
    sz: floatToWire(inst.sizeText(o.sizeLots)),
    reduceOnly: o.reduceOnly,
    orderType: { limit: { tif: o.type === "market" ? "Ioc" : TIF[o.tif] } },
    cloid: o.clientOrderId,
  };
}

export function isProblem(x: OrderInput | OrderProblem): x is OrderProblem {
  return "reason" in x;
}

// ---------------------------------------------------------------- reports

/** Maintenance margin the venue does not print per position: the tier formula (DOMAIN.md §1). */
export function positionsOf(
  account: string,
  state: ClearinghouseState,
  market: (symbol: string) => HlMarket | undefined,
): PositionReport[] {
  const out: PositionReport[] = [];
  for (const { position: p } of state.assetPositions) {
    const m = market(p.coin);
    const w = { account, symbol: p.coin };
    if (m === undefined) throw new HlAnswerError(`${at(w, "assetPositions.coin")}: not a listed perp`);
    const size = lotsOf(m.instrument, p.szi, w, "szi");
    if (size === 0) continue;
    const value = numberOf(p.positionValue, w, "positionValue");
    out.push({
      account,
      symbol: p.coin,
      sizeLots: size,
      entryPrice: p.entryPx === null ? 0 : numberOf(p.entryPx, w, "entryPx"),
      markPrice: value / Math.abs(m.instrument.sizeValue(size)),
      unrealisedPnlUsd: numberOf(p.unrealizedPnl, w, "unrealizedPnl"),
      leverage: p.leverage.value,
      marginMode: p.leverage.type,
      marginUsd: numberOf(p.marginUsed, w, "marginUsed"),
      maintenanceMarginUsd: m.instrument.maintenanceMargin(value),
      liquidationPrice: p.liquidationPx === null ? null : numberOf(p.liquidationPx, w, "liquidationPx"),
      // the venue's cumFunding counts what the position paid (positive) since it was opened
      fundingPaid:
        p.cumFunding === undefined ? 0n : moneyOf(p.cumFunding.sinceOpen, w, "cumFunding.sinceOpen"),
    });
  }
  return out;
}

/**
 * The account from clearinghouseState: equity is `marginSummary.accountValue` (cross and
 * isolated), cash that minus the unrealised PnL, initial margin `totalMarginUsed`, maintenance
 * the cross figure the venue prints plus the isolated positions' by the tier formula, available
 * what the venue lets the account withdraw.
 */
export function accountOf(
  account: string,
  state: ClearinghouseState,
  positions: readonly PositionReport[],
): AccountReport {
  const w = { account };
  const equity = moneyOf(state.marginSummary.accountValue, w, "marginSummary.accountValue");
  let upnl = 0n;
  for (const { position: p } of state.assetPositions)
    upnl += moneyOf(p.unrealizedPnl, { account, symbol: p.coin }, "unrealizedPnl");
  const crossMm =
    state.crossMaintenanceMarginUsed === undefined
      ? 0
      : numberOf(state.crossMaintenanceMarginUsed, w, "crossMaintenanceMarginUsed");
  const isolatedMm = positions
    .filter((p) => p.marginMode === "isolated")
    .reduce((s, p) => s + p.maintenanceMarginUsd, 0);
  return {
    account,
    cash: equity - upnl,
    equityUsd: numberOf(state.marginSummary.accountValue, w, "marginSummary.accountValue"),
    initialMarginUsd: numberOf(state.marginSummary.totalMarginUsed, w, "marginSummary.totalMarginUsed"),
    maintenanceMarginUsd: crossMm + isolatedMm,
    availableUsd: numberOf(state.withdrawable, w, "withdrawable"),
  };
}

/** A venue order status name as perpbot's status (VENUES.md §1.3; nk `OrderProcessingStatus`). */
export function statusOf(name: string, filledLots: number): VenueOrderStatus {
  if (name === "open" || name === "triggered") return filledLots > 0 ? "partially_filled" : "open";
  if (name === "filled") return "filled";
  if (name === "rejected" || name.endsWith("Rejected")) return "rejected";
  return "canceled";
}

const TIF_BACK: Readonly<Record<string, TimeInForce>> = { Gtc: "gtc", Ioc: "ioc", Alo: "post_only" };

export interface OrderFields {
  readonly coin: string;
  readonly side: "A" | "B";
  readonly limitPx: string;
  readonly sz: string;
  readonly oid: number;
  readonly origSz?: string;
  readonly cloid?: string | null;
  readonly tif?: string | null;
  readonly reduceOnly?: boolean;
}

/**
 * An order report from the venue's order fields: `origSz` is the size, `sz` what is left, so
 * filled = origSz − sz; a rejected order filled nothing.
 */
export function orderReportOf(
  account: string,
  o: OrderFields,
  status: string,
  m: HlMarket,
  known?: { tif: TimeInForce; reduceOnly: boolean },
): OrderReport {
  const w = { account, symbol: o.coin };
  const size = lotsOf(m.instrument, o.origSz ?? o.sz, w, "origSz");
  const left = lotsOf(m.instrument, o.sz, w, "sz");
  const rejected = status === "rejected" || status.endsWith("Rejected");
  const filled = rejected ? 0 : Math.max(0, size - left);
  return {
    clientOrderId: o.cloid ?? "",
    venueOrderId: String(o.oid),
    account,
    symbol: o.coin,
    side: o.side === "B" ? "buy" : "sell",
    priceTicks: ticksOf(m.instrument, o.limitPx, w, "limitPx"),
    sizeLots: size,
    filledLots: filled,
    status: statusOf(status, filled),
    tif: (o.tif ? TIF_BACK[o.tif] : undefined) ?? known?.tif ?? "gtc",
    reduceOnly: o.reduceOnly ?? known?.reduceOnly ?? false,
  };
}

/** A fill as perpbot's Fill (`crossed` = taker; a liquidation fill is marked as such). */
export function fillOf(account: string, f: HlFill, m: HlMarket, clientOrderId: string): Fill {
  const w = { account, symbol: f.coin };
  return {
    fillId: f.tid === undefined ? `${f.hash}:${f.oid}` : String(f.tid),
    clientOrderId,
    venueOrderId: String(f.oid),
    account,
    symbol: f.coin,
    side: f.side === "B" ? "buy" : "sell",
    priceTicks: ticksOf(m.instrument, f.px, w, "px"),
    sizeLots: lotsOf(m.instrument, f.sz, w, "sz"),
    fee: moneyOf(f.fee, w, "fee"),
    liquidity:
      f.liquidation !== undefined && f.liquidation !== null ? "liquidation" : f.crossed ? "taker" : "maker",
    realisedPnl: moneyOf(f.closedPnl, w, "closedPnl"),
    ts: f.time,
  };
}

export interface HlFunding {
  readonly time: number;
  readonly coin: string;
  readonly usdc: string;
  readonly szi: string;
  readonly fundingRate: string;
}

/**
 * One funding settlement. `usdc` is signed from the account's side (negative: it paid), the
 * rate is hourly; the venue does not print the mark it used, so it is recovered from
 * |usdc| = |szi| · mark · |rate|.
 */
export function fundingOf(account: string, f: HlFunding, m: HlMarket): FundingPaymentReport {
  const w = { account, symbol: f.coin };
  const amount = moneyOf(f.usdc, w, "usdc");
  const rate = numberOf(f.fundingRate, w, "fundingRate");
  const szi = numberOf(f.szi, w, "szi");
  const usdc = numberOf(f.usdc, w, "usdc");
  return {
    account,
    symbol: f.coin,
    ts: f.time,
    amount,
    ratePerHour: rate,
    hours: 1,
    markPrice: rate === 0 || szi === 0 ? 0 : Math.abs(usdc / (szi * rate)),
    // the venue prints an averaged size here ("40.13333333"), finer than the lot: rounded
    sizeLots: Math.sign(szi) * m.instrument.roundSize(Math.abs(szi), "nearest"),
  };
}
