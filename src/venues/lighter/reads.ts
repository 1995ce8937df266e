import type { Instrument } from "../../core/instrument.ts";
import { toUsd } from "../../core/money.ts";
import type { AccountReport, Fill, OrderReport, PositionReport } from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import type { LighterAccount } from "./accounts.ts";
import type { LighterHttp } from "./http.ts";
import { type LtOrderTracker, statusOf } from "./orders.ts";
import {
  AccountsSchema,
  hourlyFromPercent,
  type LtOrder,
  NextNonceSchema,
  OrdersSchema,
  PositionFundingsSchema,
  parseAs,
  TradesSchema,
  TxSchema,
} from "./parse.ts";

/** The account reads of the Lighter connector (private ones with the account's auth token). */
export interface ReadContext {
  readonly http: LighterHttp;
  readonly tracker: LtOrderTracker;
  /** the instrument of a market id, undefined for one perpbot does not trade */
  byMarket(marketId: number): Instrument | undefined;
  marketIdOf(symbol: string): number;
  instruments(): readonly Instrument[];
  accountOf(account: string): LighterAccount;
  /** margin fractions of a market (×1e-4) */
  fractions(marketId: number): { imf: number; mmf: number };
}

const LIMIT = 100;

/** ms of a venue time that may be in seconds */
export function msOf(t: number): number {
  return t < 1e12 ? t * 1000 : t;
}

export function orderReport(account: string, o: LtOrder, inst: Instrument): OrderReport {
  const side = o.is_ask ? "sell" : "buy";
  return {
    clientOrderId: String(o.client_order_index),
    venueOrderId: String(o.order_index),
    account,
    symbol: inst.symbol,
    side,
    priceTicks: inst.roundPrice(Number(o.price), side, "nearest"),
    sizeLots: inst.roundSize(Number(o.initial_base_amount), "nearest"),
    filledLots: inst.roundSize(Number(o.filled_base_amount), "nearest"),
    status: statusOf(o, inst),
    tif:
      o.time_in_force === "post-only"
        ? "post_only"
        : o.time_in_force === "immediate-or-cancel"
          ? "ioc"
          : "gtc",
    reduceOnly: o.reduce_only,
  };
}

/**
 * Active orders (the endpoint wants one market at a time): of `markets` when given, else of the
 * markets whose entry in the account record counts open orders (one `account` read instead of a
 * request per market: there are a hundred markets and 60 requests a minute).
 */
export async function activeOrders(
  ctx: ReadContext,
  account: string,
  markets?: readonly number[],
): Promise<{ o: LtOrder; inst: Instrument }[]> {
  const a = ctx.accountOf(account);
  const ids = markets ?? (await marketsWithOrders(ctx, account));
  const out: { o: LtOrder; inst: Instrument }[] = [];
  for (const marketId of ids) {
    const inst = ctx.byMarket(marketId);
    if (inst === undefined) continue;
    const raw = await ctx.http.get(
      "accountActiveOrders",
      { account_index: a.accountIndex, market_id: marketId },
      a.token(),
    );
    for (const o of parseAs(OrdersSchema, raw, "accountActiveOrders answer").orders) out.push({ o, inst });
  }
  return out;
}

/** Markets where the account record counts open or pending orders (every traded one when it does not say). */
async function marketsWithOrders(ctx: ReadContext, account: string): Promise<number[]> {
  const rec = await accountRecord(ctx, account);
  const all = ctx.instruments().map((i) => ctx.marketIdOf(i.symbol));
  if (rec.positions.some((p) => p.open_order_count === undefined)) return all;
  return rec.positions
    .filter((p) => (p.open_order_count ?? 0) + (p.pending_order_count ?? 0) > 0)
    .map((p) => p.market_id);
}

export async function inactiveOrders(
  ctx: ReadContext,
  account: string,
): Promise<{ o: LtOrder; inst: Instrument }[]> {
  const a = ctx.accountOf(account);
  const raw = await ctx.http.get(
    "accountInactiveOrders",
    { account_index: a.accountIndex, limit: LIMIT },
    a.token(),
  );
  const out: { o: LtOrder; inst: Instrument }[] = [];
  for (const o of parseAs(OrdersSchema, raw, "accountInactiveOrders answer").orders) {
    const inst = ctx.byMarket(o.market_index);
    if (inst !== undefined) out.push({ o, inst });
  }
  return out;
}

export async function openOrders(ctx: ReadContext, account: string): Promise<OrderReport[]> {
  return (await activeOrders(ctx, account)).map(({ o, inst }) => orderReport(account, o, inst));
}

/**
 * An order by client order index: the active orders, then the inactive ones; the records found
 * are fed to the tracker (their events are returned for emission). When neither has it, the
 * transaction that carried it decides (VENUES.md §2.6): a failed tx (by its hash) is a refusal;
 * a nonce the key has not passed yet means the tx was never taken, also a refusal ("rejected":
 * nothing exists); otherwise the order is still unknown (undefined).
 */
export async function findOrder(
  ctx: ReadContext,
  account: string,
  cid: string,
): Promise<{ record?: { o: LtOrder; inst: Instrument }; neverLanded?: string }> {
  const hit = (list: { o: LtOrder }[]) => list.find((x) => String(x.o.client_order_index) === cid);
  // an order we sent is looked for in its own market only
  const tracked = ctx.tracker.get(account, cid);
  const active = hit(
    await activeOrders(ctx, account, tracked ? [ctx.marketIdOf(tracked.symbol)] : undefined),
  );
  if (active) return { record: active as { o: LtOrder; inst: Instrument } };
  const inactive = hit(await inactiveOrders(ctx, account));
  if (inactive) return { record: inactive as { o: LtOrder; inst: Instrument } };
  const t = ctx.tracker.get(account, cid);
  if (t === undefined || t.nonce === undefined) return {};
  const a = ctx.accountOf(account);
  if (t.txHash !== undefined) {
    const tx = await ctx.http.get("tx", { by: "hash", value: t.txHash }).catch(() => undefined);
    const parsed = TxSchema.safeParse(tx);
    if (parsed.success && parsed.data.status === 3) return { neverLanded: "tx_failed" };
  }
  const next = parseAs(
    NextNonceSchema,
    await ctx.http.get("nextNonce", { account_index: a.accountIndex, api_key_index: a.apiKeyIndex }),
    "nextNonce answer",
  ).nonce;
  return next <= t.nonce ? { neverLanded: "nonce_not_used" } : {};
}

export async function positions(ctx: ReadContext, account: string): Promise<PositionReport[]> {
  const acct = await accountRecord(ctx, account);
  const out: PositionReport[] = [];
  for (const p of acct.positions) {
    const inst = ctx.byMarket(p.market_id);
    const size = Number(p.position);
    if (inst === undefined || size === 0) continue;
    const value = Number(p.position_value);
    const imf = Number(p.initial_margin_fraction) / 100;
    const { mmf } = ctx.fractions(p.market_id);
    const lots = inst.roundSize(size, "nearest");
    out.push({
      account,
      symbol: inst.symbol,
      sizeLots: p.sign < 0 ? -lots : lots,
      entryPrice: Number(p.avg_entry_price),
      markPrice: value / size,
      unrealisedPnlUsd: Number(p.unrealized_pnl),
      leverage: imf > 0 ? 1 / imf : 1,
      marginMode: p.margin_mode === 1 ? "isolated" : "cross",
      marginUsd: value * imf,
      maintenanceMarginUsd: value * (mmf / 10_000),
      liquidationPrice: Number(p.liquidation_price) > 0 ? Number(p.liquidation_price) : null,
      fundingPaid: 0n,
    });
  }
  return out.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

async function accountRecord(ctx: ReadContext, account: string) {
  const a = ctx.accountOf(account);
  const raw = await ctx.http.get("account", { by: "index", value: a.accountIndex });
  const rec = parseAs(AccountsSchema, raw, `account ${a.accountIndex}`).accounts.find(
    (x) => x.index === a.accountIndex,
  );
  if (rec === undefined)
    throw new RangeError(`lighter account ${a.accountIndex} (wallet ${account}) is not in the answer`);
  return rec;
}

export async function accountState(ctx: ReadContext, account: string): Promise<AccountReport> {
  const rec = await accountRecord(ctx, account);
  const ps = await positions(ctx, account);
  return {
    account,
    cash: moneyOf(rec.collateral, `lighter account ${rec.index} collateral`),
    equityUsd: Number(rec.total_asset_value),
    initialMarginUsd: ps.reduce((n, p) => n + p.marginUsd, 0),
    maintenanceMarginUsd: ps.reduce((n, p) => n + p.maintenanceMarginUsd, 0),
    availableUsd: Number(rec.available_balance),
  };
}

export async function fills(ctx: ReadContext, account: string, sinceTs: number): Promise<Fill[]> {
  const a = ctx.accountOf(account);
  const raw = await ctx.http.get(
    "trades",
    { account_index: a.accountIndex, sort_by: "timestamp", limit: LIMIT },
    a.token(),
  );
  const trades = parseAs(TradesSchema, raw, "trades answer").trades.filter(
    (t) => msOf(t.timestamp) >= sinceTs,
  );
  if (trades.length === 0) return [];
  // client order indexes of the orders the trades name, from the tracker, else the order lists
  const cids = new Map<number, { cid: string; isAsk: boolean }>();
  const known = (i: number) => {
    const t = ctx.tracker.byIndex(i);
    if (t) cids.set(i, { cid: t.clientOrderId, isAsk: t.isAsk });
  };
  for (const t of trades) {
    known(t.bid_id);
    known(t.ask_id);
  }
  const mineOf = (t: (typeof trades)[number]) => (t.bid_account_id === a.accountIndex ? t.bid_id : t.ask_id);
  if (trades.some((t) => !cids.has(mineOf(t))))
    for (const { o } of [...(await activeOrders(ctx, account)), ...(await inactiveOrders(ctx, account))])
      cids.set(o.order_index, { cid: String(o.client_order_index), isAsk: o.is_ask });
  const out: Fill[] = [];
  for (const t of trades) {
    const inst = ctx.byMarket(t.market_id);
    const mine = mineOf(t);
    const isAsk = t.ask_account_id === a.accountIndex;
    if (inst === undefined) continue;
    const side = isAsk ? "sell" : "buy";
    const maker = t.is_maker_ask === isAsk;
    out.push({
      fillId: String(t.trade_id),
      clientOrderId: cids.get(mine)?.cid ?? "",
      venueOrderId: String(mine),
      account,
      symbol: inst.symbol,
      side,
      priceTicks: inst.roundPrice(Number(t.price), side, "nearest"),
      sizeLots: inst.roundSize(Number(t.size), "nearest"),
      fee: moneyOf((maker ? t.maker_fee : t.taker_fee) ?? "0", `lighter trade ${t.trade_id} fee`),
      liquidity: maker ? "maker" : "taker",
      realisedPnl: 0n,
      ts: msOf(t.timestamp),
    });
  }
  return out.sort((x, y) => x.ts - y.ts || Number(x.fillId) - Number(y.fillId));
}

/**
 * Funding settlements from positionFunding: `change` is what the account received (USDC, signed),
 * `rate` the hour's rate in percent (as the `fundings` endpoint), the position its size and side.
 */
export async function fundingPayments(
  ctx: ReadContext,
  account: string,
  sinceTs: number,
): Promise<FundingPaymentReport[]> {
  const a = ctx.accountOf(account);
  const raw = await ctx.http.get(
    "positionFunding",
    { account_index: a.accountIndex, limit: LIMIT },
    a.token(),
  );
  const out: FundingPaymentReport[] = [];
  for (const f of parseAs(PositionFundingsSchema, raw, "positionFunding answer").position_fundings) {
    const inst = ctx.byMarket(f.market_id);
    const ts = msOf(f.timestamp);
    if (inst === undefined || ts < sinceTs) continue;
    const amount = moneyOf(f.change, `lighter positionFunding ${f.market_id}@${f.timestamp} change`);
    const lots = inst.roundSize(Number(f.position_size), "nearest");
    const rate = hourlyFromPercent(f.rate);
    const size = Number(f.position_size);
    out.push({
      account,
      symbol: inst.symbol,
      ts,
      amount,
      ratePerHour: rate,
      hours: 1,
      markPrice: size > 0 && rate !== 0 ? Math.abs(toUsd(amount)) / (size * Math.abs(rate)) : 0,
      sizeLots: f.position_side === "short" ? -lots : lots,
    });
  }
  return out.sort((x, y) => x.ts - y.ts);
}
