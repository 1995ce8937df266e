import { ForwardingVenue } from "../core/forwarding-venue.ts";
import type {
  AccountReport,
  Fill,
  MarginMode,
  OrderReport,
  OrderRequest,
  PositionReport,
} from "../core/types.ts";
import type { AmendChange, AmendResult, FundingPaymentReport, Venue } from "../core/venue.ts";
import { requestHealth, type VenueCircuits } from "./risk/circuit-breaker.ts";

/**
 * A venue whose every request tells the circuit breaker how it went: the engine sends through it,
 * so orders, cancels and the reconciler's and portfolio's reads all count. Market data and
 * listeners pass straight through.
 */
export class WatchedVenue extends ForwardingVenue {
  private readonly circuits: VenueCircuits;

  constructor(inner: Venue, circuits: VenueCircuits) {
    super(inner);
    this.circuits = circuits;
  }

  /** `send` is called here, so a venue that throws before it returns a promise is counted too. */
  private watch<T>(send: () => Promise<T>): Promise<T> {
    let request: Promise<T>;
    try {
      request = send();
    } catch (err) {
      request = Promise.reject(err);
    }
    return request.then(
      (v) => {
        this.circuits.record(this.inner.id, "ok");
        return v;
      },
      (err: unknown) => {
        this.circuits.record(
          this.inner.id,
          requestHealth(err),
          err instanceof Error ? err.message : String(err),
        );
        throw err;
      },
    );
  }

  override submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    return this.watch(() => this.inner.submit(order));
  }
  override cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    return this.watch(() => this.inner.cancel(account, symbol, clientOrderId));
  }
  override amend(
    account: string,
    symbol: string,
    clientOrderId: string,
    change: AmendChange,
  ): Promise<AmendResult> {
    return this.watch(() => this.inner.amend(account, symbol, clientOrderId, change));
  }
  override orderStatus(account: string, clientOrderId: string): Promise<OrderReport | undefined> {
    return this.watch(() => this.inner.orderStatus(account, clientOrderId));
  }
  override openOrders(account: string): Promise<readonly OrderReport[]> {
    return this.watch(() => this.inner.openOrders(account));
  }
  override positions(account: string): Promise<readonly PositionReport[]> {
    return this.watch(() => this.inner.positions(account));
  }
  override accountState(account: string): Promise<AccountReport> {
    return this.watch(() => this.inner.accountState(account));
  }
  override setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    return this.watch(() => this.inner.setLeverage(account, symbol, leverage, mode));
  }
  override fills(account: string, sinceTs: number): Promise<readonly Fill[]> {
    return this.watch(() => this.inner.fills(account, sinceTs));
  }
  override fundingPayments(account: string, sinceTs: number): Promise<readonly FundingPaymentReport[]> {
    return this.watch(() => this.inner.fundingPayments(account, sinceTs));
  }
}

/** The venues the engine sends through: each watched when a breaker is on, as they are when off. */
export function watchVenues(
  venues: ReadonlyMap<string, Venue>,
  circuits: VenueCircuits | undefined,
): ReadonlyMap<string, Venue> {
  if (circuits === undefined) return venues;
  return new Map([...venues].map(([id, v]) => [id, new WatchedVenue(v, circuits)]));
}
