import type { Instrument } from "./instrument.ts";
import type { BookView, MarketEvent } from "./market.ts";
import type { AccountReport, Fill, MarginMode, OrderReport, OrderRequest, PositionReport } from "./types.ts";
import type {
  AmendChange,
  AmendResult,
  FundingPaymentReport,
  Unsubscribe,
  Venue,
  VenueEvent,
} from "./venue.ts";
import type { AccountBinding } from "./venue-account.ts";
import type { VenueCapabilities } from "./venue-capabilities.ts";
import type { MarketSubscription, StreamStatus, StreamStatusChange } from "./venue-streams.ts";

/**
 * A venue that passes every call to another: the base of decorators that watch or change one
 * thing (override just that method): the engine's circuit-breaker watch, and test venues that
 * break or lose one thing on purpose.
 */
export class ForwardingVenue implements Venue {
  readonly inner: Venue;
  constructor(inner: Venue) {
    this.inner = inner;
  }
  get id(): string {
    return this.inner.id;
  }
  get capabilities(): VenueCapabilities {
    return this.inner.capabilities;
  }
  connect(): Promise<void> {
    return this.inner.connect();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  streams(): readonly StreamStatus[] {
    return this.inner.streams();
  }
  onStreamStatus(listener: (change: StreamStatusChange) => void): Unsubscribe {
    return this.inner.onStreamStatus(listener);
  }
  subscribe(subscription: MarketSubscription): Unsubscribe {
    return this.inner.subscribe(subscription);
  }
  bindAccount(binding: AccountBinding): Promise<void> {
    return this.inner.bindAccount(binding);
  }
  instruments(): readonly Instrument[] {
    return this.inner.instruments();
  }
  instrument(symbol: string): Instrument {
    return this.inner.instrument(symbol);
  }
  book(symbol: string): BookView {
    return this.inner.book(symbol);
  }
  markPrice(symbol: string): number {
    return this.inner.markPrice(symbol);
  }
  fundingRatePerHour(symbol: string): number {
    return this.inner.fundingRatePerHour(symbol);
  }
  predictedFundingRatePerHour(symbol: string): number | undefined {
    return this.inner.predictedFundingRatePerHour?.(symbol);
  }
  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.inner.onMarket(listener);
  }
  submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    return this.inner.submit(order);
  }
  cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    return this.inner.cancel(account, symbol, clientOrderId);
  }
  amend(account: string, symbol: string, clientOrderId: string, change: AmendChange): Promise<AmendResult> {
    return this.inner.amend(account, symbol, clientOrderId, change);
  }
  orderStatus(account: string, clientOrderId: string): Promise<OrderReport | undefined> {
    return this.inner.orderStatus(account, clientOrderId);
  }
  openOrders(account: string): Promise<readonly OrderReport[]> {
    return this.inner.openOrders(account);
  }
  positions(account: string): Promise<readonly PositionReport[]> {
    return this.inner.positions(account);
  }
  accountState(account: string): Promise<AccountReport> {
    return this.inner.accountState(account);
  }
  setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    return this.inner.setLeverage(account, symbol, leverage, mode);
  }
  fills(account: string, sinceTs: number): Promise<readonly Fill[]> {
    return this.inner.fills(account, sinceTs);
  }
  fundingPayments(account: string, sinceTs: number): Promise<readonly FundingPaymentReport[]> {
    return this.inner.fundingPayments(account, sinceTs);
  }
  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    return this.inner.onEvent(listener);
  }
}
