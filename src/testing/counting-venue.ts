import type { Clock } from "../core/clock.ts";
import type { MarginMode, OrderRequest } from "../core/types.ts";
import type { AmendChange, Venue } from "../core/venue.ts";
import type { RateLimitScope, RequestKind, VenueCapabilities } from "../core/venue-capabilities.ts";
import { ForwardingVenue } from "./forwarding-venue.ts";

/** One request a CountingVenue passed on: when (clock time), what, for which account. */
export interface CountedCall {
  readonly ts: number;
  readonly kind: RequestKind;
  readonly account: string;
}

/**
 * A venue in front of a real one that records every metered request it passes on (the kinds a
 * venue's rate limits weigh), with the clock's time, and may declare rate-limit scopes the inner
 * venue does not have: what a rate-budget test counts.
 */
export class CountingVenue extends ForwardingVenue {
  readonly calls: CountedCall[] = [];
  private readonly clock: Clock;
  private readonly caps: VenueCapabilities;

  constructor(inner: Venue, clock: Clock, rateLimits?: readonly RateLimitScope[]) {
    super(inner);
    this.clock = clock;
    this.caps = rateLimits === undefined ? inner.capabilities : { ...inner.capabilities, rateLimits };
  }

  override get capabilities(): VenueCapabilities {
    return this.caps;
  }

  /** Calls of one kind (all kinds when absent). */
  count(kind?: RequestKind): number {
    return kind === undefined ? this.calls.length : this.calls.filter((c) => c.kind === kind).length;
  }

  private note(kind: RequestKind, account: string): void {
    this.calls.push({ ts: this.clock.now(), kind, account });
  }

  override submit(order: OrderRequest) {
    this.note("submit", order.account);
    return super.submit(order);
  }
  override cancel(account: string, symbol: string, clientOrderId: string) {
    this.note("cancel", account);
    return super.cancel(account, symbol, clientOrderId);
  }
  override amend(account: string, symbol: string, clientOrderId: string, change: AmendChange) {
    this.note("amend", account);
    return super.amend(account, symbol, clientOrderId, change);
  }
  override orderStatus(account: string, clientOrderId: string) {
    this.note("order_status", account);
    return super.orderStatus(account, clientOrderId);
  }
  override openOrders(account: string) {
    this.note("open_orders", account);
    return super.openOrders(account);
  }
  override positions(account: string) {
    this.note("positions", account);
    return super.positions(account);
  }
  override accountState(account: string) {
    this.note("account_state", account);
    return super.accountState(account);
  }
  override setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode) {
    this.note("set_leverage", account);
    return super.setLeverage(account, symbol, leverage, mode);
  }
  override fills(account: string, sinceTs: number) {
    this.note("fills", account);
    return super.fills(account, sinceTs);
  }
  override fundingPayments(account: string, sinceTs: number) {
    this.note("funding_payments", account);
    return super.fundingPayments(account, sinceTs);
  }
}
