import { InvalidValueError, PerpbotError } from "../../core/errors.ts";
import type { Money } from "../../core/money.ts";
import type { OrderRequest } from "../../core/types.ts";
import type { VenueEvent, VenueUnknownOutcomeError } from "../../core/venue.ts";
import {
  isTerminal,
  type OrderEvent,
  type OrderStatus,
  type StatusReported,
  type TransitionEvent,
} from "./order-state.ts";
import { transition } from "./order-transitions.ts";

/** One line of an order's history. */
export interface OrderHistoryEntry {
  readonly ts: number;
  readonly event: TransitionEvent;
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly why?: string;
}

/** A fill whose lots would take the order past its size: a venue bug or a wrong order match. */
export class OverfillError extends PerpbotError {
  constructor(clientOrderId: string, filledLots: number, fillLots: number, sizeLots: number) {
    super(
      "overfill",
      `order ${clientOrderId}: fill of ${fillLots} lots on ${filledLots} filled exceeds size ${sizeLots}`,
    );
  }
}

/**
 * One order's live record: status, fills (idempotent by fill id), average price and fees.
 * The executor journals each event before applying it; a restart rebuilds the order by
 * replaying its journaled events through apply(), so there is no way to set a status directly.
 */
export class TrackedOrder {
  /** the request as it rests now: an amend the venue confirmed changes its price and size */
  private req: OrderRequest;
  private current: OrderStatus;
  private venueId: string | undefined;
  private filled = 0;
  /** sum of priceTicks * lots over fills: exact, for the average price */
  private tickLots = 0n;
  private feeTotal: Money = 0n;
  private reportedFilled = 0;
  /** the venue has shown us this order (ack, fill, cancel or a status that lists it) */
  private seenByVenue = false;
  private readonly fillIds = new Set<string>();
  private readonly log: OrderHistoryEntry[] = [];

  constructor(request: OrderRequest) {
    if (!Number.isSafeInteger(request.sizeLots) || request.sizeLots <= 0)
      throw new InvalidValueError(
        `order ${request.clientOrderId}: size ${request.sizeLots} lots must be > 0`,
      );
    this.req = request;
    this.current = "pending_submit";
  }

  get request(): OrderRequest {
    return this.req;
  }

  get clientOrderId(): string {
    return this.request.clientOrderId;
  }
  get status(): OrderStatus {
    return this.current;
  }
  get venueOrderId(): string | undefined {
    return this.venueId;
  }
  get filledLots(): number {
    return this.filled;
  }
  get remainingLots(): number {
    return this.request.sizeLots - this.filled;
  }
  /** total fees paid (negative: rebates) */
  get fees(): Money {
    return this.feeTotal;
  }
  /** average fill price in ticks (a float: analytics), undefined before the first fill */
  get avgFillPriceTicks(): number | undefined {
    return this.filled === 0 ? undefined : Number(this.tickLots) / this.filled;
  }
  /** lots the venue says filled that have not reached us as fills yet: reconciliation fetches them */
  get missingFillLots(): number {
    return Math.max(0, this.reportedFilled - this.filled);
  }
  get history(): readonly OrderHistoryEntry[] {
    return this.log;
  }
  /** lots that may still trade: what the risk gate counts as working exposure */
  get workingLots(): number {
    return this.terminal ? 0 : this.remainingLots;
  }
  get terminal(): boolean {
    return isTerminal(this.current);
  }

  /**
   * Apply one event. Returns the history entry recorded, or undefined for a fill already
   * applied (same fill id). Throws IllegalTransitionError or OverfillError without changing
   * anything.
   */
  apply(event: OrderEvent): OrderHistoryEntry | undefined {
    let key: TransitionEvent;
    if (event.kind === "fill") {
      const f = event.fill;
      if (this.fillIds.has(f.fillId)) return undefined;
      if (f.clientOrderId !== this.clientOrderId)
        throw new InvalidValueError(`fill ${f.fillId} is for ${f.clientOrderId}, not ${this.clientOrderId}`);
      if (!Number.isSafeInteger(f.sizeLots) || f.sizeLots <= 0)
        throw new InvalidValueError(`fill ${f.fillId}: size ${f.sizeLots} lots must be > 0`);
      if (!Number.isSafeInteger(f.priceTicks) || f.priceTicks <= 0)
        throw new InvalidValueError(`fill ${f.fillId}: price ${f.priceTicks} ticks must be > 0`);
      if (f.side !== this.request.side)
        throw new InvalidValueError(
          `fill ${f.fillId} is a ${f.side}, order ${this.clientOrderId} a ${this.request.side}`,
        );
      if (this.filled + f.sizeLots > this.request.sizeLots)
        throw new OverfillError(this.clientOrderId, this.filled, f.sizeLots, this.request.sizeLots);
      key = this.filled + f.sizeLots === this.request.sizeLots ? "fill_full" : "fill_partial";
    } else if (event.kind === "status_report") {
      key = this.statusKey(event.status, event.sendExpired === true);
    } else if (event.kind === "replaced" || event.kind === "replace_rejected") {
      key = this.filled > 0 ? `${event.kind}_partial` : event.kind;
      if (event.kind === "replaced") checkAmend(this.clientOrderId, event, this.filled);
    } else if (event.kind === "replace_requested") {
      checkAmend(this.clientOrderId, event, this.filled);
      key = event.kind;
    } else {
      key = event.kind;
    }
    const arm = transition(this.current, key, this.clientOrderId);
    this.record(event);
    const entry: OrderHistoryEntry =
      arm.why === undefined
        ? { ts: event.ts, event: key, from: this.current, to: arm.to }
        : { ts: event.ts, event: key, from: this.current, to: arm.to, why: arm.why };
    this.current = arm.to;
    this.log.push(entry);
    return entry;
  }

  private statusKey(status: StatusReported, sendExpired: boolean): TransitionEvent {
    if (status !== "not_found") return `status_${status}`;
    return sendExpired && !this.seenByVenue ? "status_absent" : "status_not_found";
  }

  /** the data an event carries, kept once the transition is known to be legal */
  private record(event: OrderEvent): void {
    switch (event.kind) {
      case "ack":
        this.venueId = event.venueOrderId;
        this.seenByVenue = true;
        break;
      case "fill": {
        const f = event.fill;
        this.fillIds.add(f.fillId);
        this.filled += f.sizeLots;
        this.tickLots += BigInt(f.priceTicks) * BigInt(f.sizeLots);
        this.feeTotal += f.fee;
        this.venueId ??= f.venueOrderId;
        this.seenByVenue = true;
        break;
      }
      case "canceled":
      case "expired":
        this.seenByVenue = true;
        break;
      case "replaced":
        this.req = { ...this.req, priceTicks: event.priceTicks, sizeLots: event.sizeLots };
        if (event.venueOrderId !== undefined) this.venueId = event.venueOrderId;
        break;
      case "status_report":
        // resolving an unknown (a lost amend answer among them): the venue's price and size win
        if (
          this.current === "unknown" &&
          (event.status === "open" || event.status === "partially_filled") &&
          event.priceTicks !== undefined &&
          event.sizeLots !== undefined &&
          event.sizeLots >= this.filled
        )
          this.req = { ...this.req, priceTicks: event.priceTicks, sizeLots: event.sizeLots };
        if (event.status !== "not_found") this.seenByVenue = true;
        if (event.venueOrderId !== undefined) this.venueId ??= event.venueOrderId;
        if (event.filledLots !== undefined)
          this.reportedFilled = Math.max(this.reportedFilled, event.filledLots);
        break;
    }
  }
}

/** An amend's price and size must be on the grid and leave room above what has filled. */
function checkAmend(
  clientOrderId: string,
  change: { readonly priceTicks: number; readonly sizeLots: number },
  filledLots: number,
): void {
  if (!Number.isSafeInteger(change.priceTicks) || change.priceTicks <= 0)
    throw new InvalidValueError(`order ${clientOrderId}: amend price ${change.priceTicks} ticks must be > 0`);
  if (!Number.isSafeInteger(change.sizeLots) || change.sizeLots <= filledLots)
    throw new InvalidValueError(
      `order ${clientOrderId}: amend size ${change.sizeLots} lots must be an integer above the ${filledLots} filled`,
    );
}

/**
 * The order event a venue event carries, with the client order id it is for; undefined for
 * account-level events (funding, liquidation) that belong to the portfolio, not to an order.
 */
export function orderEventOf(e: VenueEvent): { clientOrderId: string; event: OrderEvent } | undefined {
  switch (e.type) {
    case "ack":
      return {
        clientOrderId: e.clientOrderId,
        event: { kind: "ack", ts: e.ts, venueOrderId: e.venueOrderId },
      };
    case "reject":
      return { clientOrderId: e.clientOrderId, event: { kind: "reject", ts: e.ts, reason: e.reason } };
    case "fill":
      return { clientOrderId: e.fill.clientOrderId, event: { kind: "fill", ts: e.ts, fill: e.fill } };
    case "canceled":
      return { clientOrderId: e.clientOrderId, event: { kind: "canceled", ts: e.ts, reason: e.reason } };
    case "cancel_reject":
      return {
        clientOrderId: e.clientOrderId,
        event: { kind: "cancel_rejected", ts: e.ts, reason: e.reason },
      };
    case "replaced":
      return {
        clientOrderId: e.clientOrderId,
        event: {
          kind: "replaced",
          ts: e.ts,
          priceTicks: e.priceTicks,
          sizeLots: e.sizeLots,
          venueOrderId: e.venueOrderId,
        },
      };
    case "replace_reject":
      return {
        clientOrderId: e.clientOrderId,
        event: { kind: "replace_rejected", ts: e.ts, reason: e.reason },
      };
    default:
      return undefined;
  }
}

/**
 * The event for a request whose answer never came. "unavailable" (connection refused, DNS) is
 * treated as a server error: a request may have left before the connection broke.
 */
export function unknownOutcomeEvent(err: VenueUnknownOutcomeError, ts: number): OrderEvent {
  const kind = err.kind === "unavailable" ? "server_error" : err.kind;
  return { kind, ts, detail: err.message };
}
