/**
 * Faults the emulator injects into its next order requests (POST/DELETE /api/v1/order):
 * - loseAck: the request executes, then the connection is cut without an answer;
 * - executeThenTimeout: it executes and the answer is held `holdMs` (past the client's timeout);
 * - serverError: HTTP `status` (default 503) with a non-venue body, executed first when `execute`;
 * - rateLimited: HTTP 429 TOO_MANY_REQUESTS, not executed;
 * - delayAck: executed, answered after `ms`.
 */
export type ExchangeFault =
  | { readonly kind: "loseAck" }
  | { readonly kind: "executeThenTimeout"; readonly holdMs: number }
  | { readonly kind: "serverError"; readonly status?: number; readonly execute?: boolean }
  | { readonly kind: "rateLimited" }
  | { readonly kind: "delayAck"; readonly ms: number };

export class FaultQueue {
  readonly #queue: { fault: ExchangeFault; left: number }[] = [];
  readonly applied = new Map<string, number>();

  add(fault: ExchangeFault, count = 1): void {
    if (!(Number.isInteger(count) && count >= 1))
      throw new RangeError(`backpack emulator: fault count ${count} must be an integer >= 1`);
    this.#queue.push({ fault, left: count });
  }

  /** The fault for the next order request, if one is queued (counted as applied). */
  next(): ExchangeFault | undefined {
    const head = this.#queue[0];
    if (head === undefined) return undefined;
    head.left--;
    if (head.left === 0) this.#queue.shift();
    this.applied.set(head.fault.kind, (this.applied.get(head.fault.kind) ?? 0) + 1);
    return head.fault;
  }

  clear(): void {
    this.#queue.length = 0;
  }
}

/** A per-IP token bucket: `capacity` requests, refilled at `perSecond`. */
export class IpBudget {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly capacity: number;
  readonly perSecond: number;
  readonly #now: () => number;

  constructor(capacity: number, perSecond: number, now: () => number) {
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.#now = now;
  }

  take(ip: string): boolean {
    const now = this.#now();
    const b = this.#buckets.get(ip) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.#buckets.set(ip, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
