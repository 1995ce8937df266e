import type { Clock } from "../../core/clock.ts";
import type { OrderRequest } from "../../core/types.ts";
import { type VenueEvent, VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { LighterAccount } from "./accounts.ts";
import { INVALID_NONCE, LighterRejectError } from "./http.ts";
import type { TrackedOrder } from "./orders.ts";
import { parseAs, SendTxSchema } from "./parse.ts";
import * as reads from "./reads.ts";
import { ORDER_TYPE, type SignedTx, TIME_IN_FORCE } from "./signing.ts";

/**
 * Orders and cancels on Lighter (VENUES.md §2.6). `sendTx` answering 200 means the sequencer
 * queued the transaction, nothing more: the order is acknowledged by the account stream (or a
 * lookup) showing its client order index, refused when that record ends in a refusal status.
 * A transaction the venue refused never used its nonce; one whose answer was lost may have: the
 * key's nonce is read again. "invalid nonce" is retried once with the venue's next nonce.
 */
export interface ExecContext extends reads.ReadContext {
  readonly venueId: string;
  readonly clock: Clock;
  readonly ackTimeoutMs: number;
  emit(events: readonly VenueEvent[]): void;
}

/** "client order index already exists" (cx `lighter.js` 21728) */
const COI_EXISTS = 21728;

/** Resting orders live 28 days (the venue allows 5 min … 30 d; VENUES.md §2.2). */
const RESTING_EXPIRY_MS = 28 * 86_400_000;

/** Sign with the key's next nonce and send; one retry after "invalid nonce". */
async function send(
  ctx: ExecContext,
  a: LighterAccount,
  sign: (nonce: number) => SignedTx,
  onSigned?: (tx: SignedTx, nonce: number) => void,
): Promise<SignedTx> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await a.nonces.use(
        async (nonce) => {
          const tx = sign(nonce);
          onSigned?.(tx, nonce);
          parseAs(SendTxSchema, await ctx.http.sendTx(tx.txType, tx.txInfo), "sendTx answer");
          return { result: tx, used: true };
          // a refusal other than the nonce's leaves the nonce unused; anything else re-reads it
        },
        (e) => e instanceof LighterRejectError && e.code !== INVALID_NONCE,
      );
    } catch (e) {
      if (e instanceof LighterRejectError && e.code === INVALID_NONCE && attempt === 0) continue;
      throw e;
    }
  }
}

export async function submit(
  ctx: ExecContext,
  a: LighterAccount,
  order: OrderRequest,
): Promise<{ venueOrderId: string }> {
  const inst = ctx.byMarket(ctx.marketIdOf(order.symbol))!;
  const cid = Number(order.clientOrderId);
  if (!/^\d+$/.test(order.clientOrderId) || !(cid >= 1 && cid <= 2 ** 48 - 1))
    throw new VenueRejectError(
      "invalid_client_order_id",
      `venue ${ctx.venueId}: wallet ${order.account}: clientOrderId "${order.clientOrderId}" is not a client order index (1 … 2^48−1)`,
    );
  const ioc = order.type === "market" || order.tif === "ioc";
  const tif = ioc ? "ioc" : order.tif === "post_only" ? "post_only" : "gtc";
  const t = ctx.tracker.track({
    account: order.account,
    accountIndex: a.accountIndex,
    clientOrderId: order.clientOrderId,
    symbol: inst.symbol,
    tif,
    isAsk: order.side === "sell",
    lots: order.sizeLots,
  });
  const fields = {
    marketIndex: ctx.marketIdOf(inst.symbol),
    clientOrderIndex: cid,
    baseAmount: order.sizeLots,
    price: order.priceTicks,
    isAsk: (order.side === "sell" ? 1 : 0) as 0 | 1,
    type: ORDER_TYPE.limit,
    timeInForce: ioc ? TIME_IN_FORCE.ioc : tif === "post_only" ? TIME_IN_FORCE.postOnly : TIME_IN_FORCE.gtt,
    reduceOnly: (order.reduceOnly ? 1 : 0) as 0 | 1,
    triggerPrice: 0,
    orderExpiry: ioc ? 0 : ctx.clock.now() + RESTING_EXPIRY_MS,
  };
  try {
    await send(
      ctx,
      a,
      (nonce) => a.signer.createOrder(fields, nonce),
      (tx, nonce) => {
        t.txHash = tx.txHash;
        t.nonce = nonce;
      },
    );
  } catch (e) {
    // the same client order index again (a retry after an unknown outcome): the venue has one
    if (e instanceof LighterRejectError && e.code === COI_EXISTS) {
      await resolveByLookup(ctx, order.account, t);
      if (t.acked && t.orderIndex !== undefined) return { venueOrderId: String(t.orderIndex) };
    }
    if (e instanceof VenueRejectError) {
      t.rejected = e.reason;
      ctx.emit([
        {
          type: "reject",
          ts: ctx.clock.now(),
          account: order.account,
          clientOrderId: order.clientOrderId,
          reason: e.reason,
        },
      ]);
      throw new LighterRejectError(
        e instanceof LighterRejectError ? e.code : 0,
        e instanceof LighterRejectError ? e.status : 0,
        `venue ${ctx.venueId}: wallet ${order.account}: order ${order.clientOrderId} on ${inst.symbol} refused: ${e.message}`,
      );
    }
    throw e;
  }
  const decided = () => t.acked || t.rejected !== undefined;
  if (!(await ctx.tracker.wait(decided, ctx.ackTimeoutMs))) await resolveByLookup(ctx, order.account, t);
  if (t.rejected !== undefined)
    throw new VenueRejectError(
      t.rejected.replace(/-/g, "_"),
      `venue ${ctx.venueId}: wallet ${order.account}: order ${order.clientOrderId} on ${inst.symbol} refused by the sequencer: ${t.rejected}`,
    );
  if (!t.acked || t.orderIndex === undefined)
    throw new VenueUnknownOutcomeError(
      "timeout",
      `venue ${ctx.venueId}: wallet ${order.account}: order ${order.clientOrderId} queued (tx ${t.txHash?.slice(0, 16)}…) but not seen on the account stream or in the order lists after ${ctx.ackTimeoutMs} ms`,
    );
  return { venueOrderId: String(t.orderIndex) };
}

/** Look the order up (lists, then tx hash and nonce) and feed what was found to the tracker. */
export async function resolveByLookup(ctx: ExecContext, account: string, t: TrackedOrder): Promise<void> {
  const found = await reads.findOrder(ctx, account, t.clientOrderId);
  if (found.record)
    ctx.emit(ctx.tracker.onOrder(account, found.record.o, found.record.inst, ctx.clock.now()));
  else if (found.neverLanded !== undefined && !t.acked && t.rejected === undefined) {
    t.rejected = found.neverLanded;
    ctx.emit([
      {
        type: "reject",
        ts: ctx.clock.now(),
        account,
        clientOrderId: t.clientOrderId,
        reason: found.neverLanded,
      },
    ]);
  }
}

export async function cancel(
  ctx: ExecContext,
  a: LighterAccount,
  account: string,
  symbol: string,
  cid: string,
): Promise<void> {
  const marketId = ctx.marketIdOf(symbol);
  const refuse = (reason: string, text: string) => {
    ctx.emit([{ type: "cancel_reject", ts: ctx.clock.now(), account, clientOrderId: cid, reason }]);
    return new VenueRejectError(
      reason,
      `venue ${ctx.venueId}: wallet ${account}: cancel ${cid} on ${symbol}: ${text}`,
    );
  };
  let t = ctx.tracker.get(account, cid);
  if (t?.orderIndex === undefined) {
    const found = await reads.findOrder(ctx, account, cid);
    if (found.record === undefined) throw refuse("unknown_order", "no such order");
    t = ctx.tracker.track({
      account,
      accountIndex: a.accountIndex,
      clientOrderId: cid,
      symbol,
      tif: "gtc",
      isAsk: found.record.o.is_ask,
      lots: 0,
    });
    ctx.emit(ctx.tracker.onOrder(account, found.record.o, found.record.inst, ctx.clock.now()));
  }
  const tracked = t;
  if (tracked.ended === "filled") throw refuse("order_filled", "the order filled");
  if (tracked.ended !== undefined) return;
  const orderIndex = tracked.orderIndex!;
  try {
    await send(ctx, a, (nonce) => a.signer.cancelOrder(marketId, orderIndex, nonce));
  } catch (e) {
    if (e instanceof VenueRejectError) throw refuse(e.reason, e.message);
    throw e;
  }
  if (!(await ctx.tracker.wait(() => tracked.ended !== undefined, ctx.ackTimeoutMs)))
    await resolveByLookup(ctx, account, tracked);
  if (tracked.ended === "filled") throw refuse("order_filled", "the order filled before the cancel");
  if (tracked.ended === undefined)
    throw new VenueUnknownOutcomeError(
      "timeout",
      `venue ${ctx.venueId}: wallet ${account}: cancel ${cid} queued but the order is still open after ${ctx.ackTimeoutMs} ms`,
    );
}

/** UpdateLeverage: initial margin fraction ×1e4 = 10 000 / leverage; queued like any tx. */
export async function setLeverage(
  ctx: ExecContext,
  a: LighterAccount,
  symbol: string,
  leverage: number,
  isolated: boolean,
): Promise<void> {
  if (!(Number.isInteger(leverage) && leverage >= 1))
    throw new VenueRejectError(
      "invalid_leverage",
      `venue ${ctx.venueId}: ${symbol}: leverage ${leverage} must be an integer ≥ 1`,
    );
  const marketId = ctx.marketIdOf(symbol);
  const fraction = Math.max(ctx.fractions(marketId).imf, Math.round(10_000 / leverage));
  await send(ctx, a, (nonce) => a.signer.updateLeverage(marketId, fraction, isolated ? 1 : 0, nonce));
}
