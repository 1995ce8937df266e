import type { Instrument } from "./instrument.ts";
import type { BookView, MarketEvent } from "./market.ts";
import type { Money } from "./money.ts";
import type { AccountReport, Fill, MarginMode, OrderReport, OrderRequest, PositionReport } from "./types.ts";
import type { AccountBinding } from "./venue-account.ts";
import type { VenueCapabilities } from "./venue-capabilities.ts";
import type { MarketSubscription, StreamStatus, StreamStatusChange } from "./venue-streams.ts";

export type * from "./venue-account.ts";
export type * from "./venue-capabilities.ts";
export type * from "./venue-streams.ts";

/** One funding settlement of one position: the venue's funding history, a first-class read. */
export interface FundingPaymentReport {
  readonly account: string;
  readonly symbol: string;
  /** the interval boundary this payment settles (ms) */
  readonly ts: number;
  /** signed: negative = the account paid */
  readonly amount: Money;
  readonly ratePerHour: number;
  readonly hours: number;
  readonly markPrice: number;
  /** the signed position the payment was computed on */
  readonly sizeLots: number;
}

/** Events a venue emits asynchronously for the accounts it serves. */
export type VenueEvent =
  | {
      readonly type: "ack";
      readonly ts: number;
      readonly account: string;
      readonly clientOrderId: string;
      readonly venueOrderId: string;
    }
  | {
      readonly type: "reject";
      readonly ts: number;
      readonly account: string;
      readonly clientOrderId: string;
      readonly reason: string;
    }
  | { readonly type: "fill"; readonly ts: number; readonly fill: Fill; readonly remainingLots: number }
  | {
      readonly type: "canceled";
      readonly ts: number;
      readonly account: string;
      readonly clientOrderId: string;
      readonly venueOrderId: string;
      /** "user" for a requested cancel, "ioc_remainder", "reduce_only", "liquidation", "self_trade", ... */
      readonly reason: string;
    }
  | {
      readonly type: "cancel_reject";
      readonly ts: number;
      readonly account: string;
      readonly clientOrderId: string;
      readonly reason: string;
    }
  /** an amend took effect: the order rests at this price and size (some venues give it a new id) */
  | {
      readonly type: "replaced";
      readonly ts: number;
      readonly account: string;
      readonly clientOrderId: string;
      readonly venueOrderId: string;
      readonly priceTicks: number;
      readonly sizeLots: number;
    }
  /** an amend was refused: the order, if it still rests, is unchanged */
  | {
      readonly type: "replace_reject";
      readonly ts: number;
      readonly account: string;
      readonly clientOrderId: string;
      readonly reason: string;
    }
  | {
      readonly type: "funding";
      readonly ts: number;
      readonly account: string;
      readonly symbol: string;
      /** signed: negative means the account paid */
      readonly amount: Money;
      readonly ratePerHour: number;
      readonly hours: number;
    }
  | {
      readonly type: "liquidation";
      readonly ts: number;
      readonly account: string;
      readonly symbol: string;
      readonly sizeLots: number;
      readonly priceTicks: number;
    };

/** The outcome of a request whose answer never came: the order may or may not exist. */
export class VenueUnknownOutcomeError extends Error {
  readonly kind: "timeout" | "server_error" | "rate_limited" | "unavailable";
  constructor(kind: "timeout" | "server_error" | "rate_limited" | "unavailable", message: string) {
    super(message);
    this.kind = kind;
    this.name = "VenueUnknownOutcomeError";
  }
}

/** A definite refusal: the venue answered and the order does not exist. */
export class VenueRejectError extends Error {
  readonly reason: string;
  constructor(reason: string, message?: string) {
    super(message ?? reason);
    this.reason = reason;
    this.name = "VenueRejectError";
  }
}

export type Unsubscribe = () => void;

/** What an amend changes; an absent field keeps its value. */
export interface AmendChange {
  readonly priceTicks?: number;
  readonly sizeLots?: number;
}

/** A resting order as an accepted amend left it. */
export interface AmendResult {
  readonly venueOrderId: string;
  readonly priceTicks: number;
  readonly sizeLots: number;
}

/**
 * The only thing that talks to an exchange. The simulated venue implements it exactly like a
 * real connector: acknowledgements and fills arrive as events, never as return values only.
 *
 * Lifecycle: `connect()` opens the transports and resolves when the venue can take requests;
 * `close()` ends them (requests afterwards fail with VenueUnknownOutcomeError "unavailable").
 * Market data flows to `onMarket` listeners only for subscribed (symbol, channel) pairs; how
 * fresh each stream is comes from `streams()`, and every change of a stream's health (dropped,
 * stale, recovered) is pushed to `onStreamStatus` listeners, so the engine learns a stream went
 * stale without polling. Accounts are attached with `bindAccount` before they trade.
 */
export interface Venue {
  readonly id: string;
  readonly capabilities: VenueCapabilities;

  connect(): Promise<void>;
  close(): Promise<void>;
  /** every stream the venue keeps: one per subscription, plus the account stream */
  streams(): readonly StreamStatus[];
  onStreamStatus(listener: (change: StreamStatusChange) => void): Unsubscribe;
  /**
   * Start receiving one channel of one symbol; calling the returned function stops it.
   * Subscriptions are counted: the stream stays while any subscriber holds it.
   */
  subscribe(subscription: MarketSubscription): Unsubscribe;
  /**
   * Attach an account: its identity and signer. Rejects with VenueRejectError when the binding
   * cannot trade here (e.g. no signer of the scheme `capabilities.accountSigner` names).
   */
  bindAccount(binding: AccountBinding): Promise<void>;

  instruments(): readonly Instrument[];
  instrument(symbol: string): Instrument;

  /** the venue's current book for a symbol (may be stale; see lastUpdateTs) */
  book(symbol: string): BookView;
  markPrice(symbol: string): number;
  fundingRatePerHour(symbol: string): number;
  /**
   * The venue's forecast of the next settlement's rate, per hour, where the venue publishes one
   * (Hyperliquid `predictedFundings`); undefined until it was read. Venues without it omit it.
   */
  predictedFundingRatePerHour?(symbol: string): number | undefined;
  onMarket(listener: (e: MarketEvent) => void): Unsubscribe;

  /**
   * Send an order. Resolves with the venue order id when the venue acknowledged it; rejects with
   * VenueRejectError (definite) or VenueUnknownOutcomeError (the order may exist).
   */
  submit(order: OrderRequest): Promise<{ venueOrderId: string }>;
  cancel(account: string, symbol: string, clientOrderId: string): Promise<void>;
  /**
   * Change a resting order's price and/or size in place, keeping its client order id (only when
   * `capabilities.amend`). Resolves when the venue applied it (a `replaced` event follows);
   * rejects with VenueRejectError (refused: the order is unchanged, a `replace_reject` event
   * follows) or VenueUnknownOutcomeError (the amend may or may not have taken effect).
   */
  amend(account: string, symbol: string, clientOrderId: string, change: AmendChange): Promise<AmendResult>;
  orderStatus(account: string, clientOrderId: string): Promise<OrderReport | undefined>;
  openOrders(account: string): Promise<readonly OrderReport[]>;
  positions(account: string): Promise<readonly PositionReport[]>;
  accountState(account: string): Promise<AccountReport>;
  setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void>;
  /**
   * The account's fills at or after `sinceTs` (ms), oldest first: the venue's fill history, which
   * the engine reads when a status report says an order filled more than its fill events did.
   */
  fills(account: string, sinceTs: number): Promise<readonly Fill[]>;
  /** The account's funding settlements at or after `sinceTs` (ms), oldest first. */
  fundingPayments(account: string, sinceTs: number): Promise<readonly FundingPaymentReport[]>;
  onEvent(listener: (e: VenueEvent) => void): Unsubscribe;
}
