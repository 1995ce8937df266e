import type { LighterAccount } from "./accounts.ts";
import type { ExecContext } from "./execution.ts";
import { AccountOrdersMessageSchema, AccountTradesMessageSchema, parseAs } from "./parse.ts";
import * as reads from "./reads.ts";

/**
 * One account's private channels: `account_all_orders/<idx>` (order records → acks, refusals,
 * ends), `account_all_trades/<idx>` (fills, by trade id) and `account_all_positions/<idx>` (a
 * change announces a funding payment, read from positionFunding). Returns true for a position
 * update.
 */
export function onAccountMessage(
  ctx: ExecContext,
  kind: string,
  a: LighterAccount,
  m: Record<string, unknown>,
  now: number,
): boolean {
  if (kind === "account_all_orders") {
    for (const [market, orders] of Object.entries(
      parseAs(AccountOrdersMessageSchema, m, "account_all_orders message").orders,
    )) {
      const inst = ctx.byMarket(Number(market));
      if (inst) for (const o of orders) ctx.emit(ctx.tracker.onOrder(a.account, o, inst, now));
    }
  } else if (kind === "account_all_trades") {
    for (const [market, trades] of Object.entries(
      parseAs(AccountTradesMessageSchema, m, "account_all_trades message").trades,
    )) {
      const inst = ctx.byMarket(Number(market));
      if (inst) for (const t of trades) ctx.emit(ctx.tracker.onTrade(t, a.accountIndex, inst));
    }
  }
  return kind === "account_all_positions" && m.type === "update/account_all_positions";
}

/** After a reconnect (VENUES.md §2.4): the nonce is read again, the order lists and recent trades are read. */
export async function reconcileAccount(ctx: ExecContext, a: LighterAccount): Promise<void> {
  a.nonces.invalidate();
  for (const { o, inst } of [
    ...(await reads.activeOrders(ctx, a.account)),
    ...(await reads.inactiveOrders(ctx, a.account)),
  ])
    ctx.emit(ctx.tracker.onOrder(a.account, o, inst, ctx.clock.now()));
  const raw = await ctx.http.get(
    "trades",
    { account_index: a.accountIndex, sort_by: "timestamp", limit: 100 },
    a.token(),
  );
  const trades = parseAs(
    AccountTradesMessageSchema.shape.trades.valueType,
    (raw as { trades?: unknown }).trades ?? [],
    "trades answer",
  );
  for (const t of trades) {
    const inst = ctx.byMarket(t.market_id);
    if (inst) ctx.emit(ctx.tracker.onTrade(t, a.accountIndex, inst));
  }
}

/** Funding payments not seen before become `funding` events; what the history held at binding counts as seen. */
export class FundingWatch {
  readonly #ctx: ExecContext;
  readonly #seen = new Map<string, Set<string>>();

  constructor(ctx: ExecContext) {
    this.#ctx = ctx;
  }

  async seed(account: string): Promise<void> {
    const seen = new Set<string>();
    for (const p of await reads.fundingPayments(this.#ctx, account, 0)) seen.add(`${p.symbol}|${p.ts}`);
    this.#seen.set(account, seen);
  }

  async read(account: string): Promise<void> {
    const seen = this.#seen.get(account);
    if (seen === undefined) return;
    for (const p of await reads.fundingPayments(this.#ctx, account, 0)) {
      const key = `${p.symbol}|${p.ts}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.#ctx.emit([
        {
          type: "funding",
          ts: p.ts,
          account,
          symbol: p.symbol,
          amount: p.amount,
          ratePerHour: p.ratePerHour,
          hours: p.hours,
        },
      ]);
    }
  }
}
