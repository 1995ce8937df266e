/**
 * The connector's order amend and leverage change (venue.ts delegates them here): an amend is a
 * `batchModify` by cloid (the venue gives the modified order a new oid; the cloid stays), reading
 * the order's status first when perpbot does not know its price and size; leverage is an
 * `updateLeverage`, checked against the instrument's maximum and isolated-only rule first.
 */
import type { MarginMode, OrderRequest } from "../../core/types.ts";
import {
  type AmendChange,
  type AmendResult,
  type VenueEvent,
  VenueRejectError,
  VenueUnknownOutcomeError,
} from "../../core/venue.ts";
import type { Bound } from "./accounts.ts";
import type { HlExchange } from "./exchange.ts";
import type { HlMarket } from "./instruments.ts";
import { isProblem, orderInput } from "./mapping.ts";
import type { HlReads } from "./reads.ts";
import { modifyAnswer } from "./venue-answers.ts";
import { batchModifyAction, updateLeverageAction } from "./wire.ts";

/** What the venue lends these operations. */
export interface VenueOps {
  bound(account: string): Bound;
  marketFor(account: string, symbol: string): HlMarket;
  readonly reads: HlReads;
  readonly exchange: HlExchange;
  emit(e: VenueEvent): void;
  now(): number;
}

export async function amendOrder(
  d: VenueOps,
  account: string,
  symbol: string,
  clientOrderId: string,
  change: AmendChange,
): Promise<AmendResult> {
  const { a, events } = d.bound(account);
  const m = d.marketFor(account, symbol);
  let t = events.byCloid.get(clientOrderId);
  if (t === undefined || t.priceTicks === 0) {
    const now = await d.reads.orderStatus(a, clientOrderId, t);
    if (now === undefined || (now.status !== "open" && now.status !== "partially_filled"))
      throw new VenueRejectError(
        "not_found",
        `hyperliquid wallet ${account}, ${symbol}: amend ${clientOrderId}: no open order`,
      );
    t = events.track({
      cloid: clientOrderId,
      symbol,
      side: now.side,
      sizeLots: now.sizeLots,
      priceTicks: now.priceTicks,
      tif: now.tif,
      reduceOnly: now.reduceOnly,
      oid: Number(now.venueOrderId),
    });
    t.priceTicks = now.priceTicks;
    t.sizeLots = now.sizeLots;
  }
  const next: OrderRequest = {
    clientOrderId,
    account,
    symbol,
    side: t.side,
    type: "limit",
    priceTicks: change.priceTicks ?? t.priceTicks,
    sizeLots: change.sizeLots ?? t.sizeLots,
    tif: t.tif,
    reduceOnly: t.reduceOnly,
  };
  const input = orderInput(next, m);
  const ts = () => d.now();
  if (isProblem(input)) {
    d.emit({ type: "replace_reject", ts: ts(), account, clientOrderId, reason: input.reason });
    throw new VenueRejectError(input.reason, input.message);
  }
  const resp = await d.exchange.send(
    a,
    batchModifyAction([{ oid: clientOrderId, order: input }]),
    `amend ${clientOrderId}`,
  );
  const r = modifyAnswer(resp, `hyperliquid wallet ${account}, ${symbol}: amend ${clientOrderId}`);
  if (r.kind === "rejected") {
    d.emit({ type: "replace_reject", ts: ts(), account, clientOrderId, reason: r.reason });
    throw new VenueRejectError(r.reason, r.message);
  }
  if (r.kind === "pending") throw new VenueUnknownOutcomeError("timeout", r.message);
  // a modified order gets a new oid on Hyperliquid; the cloid stays
  const oid = r.oid ?? t.oid ?? 0;
  t.priceTicks = next.priceTicks;
  t.sizeLots = next.sizeLots;
  events.ack(clientOrderId, oid, ts());
  const result = { venueOrderId: String(oid), priceTicks: next.priceTicks, sizeLots: next.sizeLots };
  d.emit({ type: "replaced", ts: ts(), account, clientOrderId, ...result });
  return result;
}

export async function setLeverageOn(
  d: VenueOps,
  account: string,
  symbol: string,
  leverage: number,
  mode: MarginMode,
): Promise<void> {
  const { a } = d.bound(account);
  const m = d.marketFor(account, symbol);
  const where = `hyperliquid wallet ${account}, ${symbol}`;
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > m.instrument.spec.maxLeverage)
    throw new VenueRejectError(
      "invalid_leverage",
      `${where}, field leverage: ${leverage} must be an integer in [1, ${m.instrument.spec.maxLeverage}]`,
    );
  if (mode === "cross" && m.onlyIsolated)
    throw new VenueRejectError(
      "isolated_only",
      `${where}, field mode: the venue trades ${symbol} isolated only`,
    );
  const resp = await d.exchange.send(
    a,
    updateLeverageAction(m.asset, mode === "cross", leverage),
    `leverage ${leverage}x ${mode}`,
  );
  if (resp.status === "err")
    throw new VenueRejectError("leverage_refused", `${where}: updateLeverage refused: ${resp.response}`);
}
