/**
 * Faults on `/exchange` requests (HTTP and WS `post` actions), taken in order, one per request:
 * - `delayAck`: the action runs, its answer leaves `ms` later;
 * - `loseAck`: the action runs, its answer never leaves (HTTP: the connection is reset);
 * - `serverError`: HTTP `status` (default 502) with a plain-text body; the action runs only when
 *   `execute` is set (a gateway can fail after the node took the action);
 * - `executeThenTimeout`: the action runs, the answer is held `holdMs` (past the client's timeout),
 *   then sent to whoever still listens;
 * - `rateLimited`: HTTP 429, the action does not run;
 * - `garbledAck`: the action runs, the answer is HTTP 200 JSON of a shape the venue never sends
 *   (an answer that does not parse: the client cannot tell whether it executed).
 */
export type ExchangeFault =
  | { readonly kind: "delayAck"; readonly ms: number }
  | { readonly kind: "loseAck" }
  | { readonly kind: "serverError"; readonly status?: number; readonly execute?: boolean }
  | { readonly kind: "executeThenTimeout"; readonly holdMs: number }
  | { readonly kind: "rateLimited" }
  | { readonly kind: "garbledAck" };

/** Faults drawn at random for requests no queued fault takes (the chaos test's background noise). */
export interface RandomFaults {
  /** share of exchange requests that get a fault, in [0, 1] */
  readonly rate: number;
  /** the faults to draw from, equally likely */
  readonly faults: readonly ExchangeFault[];
  /** uniform in [0, 1): the caller's seeded generator */
  readonly random: () => number;
}

export class FaultQueue {
  readonly #queue: { fault: ExchangeFault; left: number }[] = [];
  #random: RandomFaults | undefined;
  /** faults applied so far, by kind (tests observe them) */
  readonly applied = new Map<ExchangeFault["kind"], number>();

  add(fault: ExchangeFault, count = 1): void {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(
        `hyperliquid emulator: fault ${fault.kind} count ${count} must be an integer >= 1`,
      );
    this.#queue.push({ fault, left: count });
  }

  /** Draw faults at random once the queue is empty; undefined turns it off. */
  setRandom(r: RandomFaults | undefined): void {
    if (r !== undefined && (!(r.rate >= 0 && r.rate <= 1) || r.faults.length === 0))
      throw new RangeError(
        `hyperliquid emulator: random faults need a rate in [0, 1] (got ${r.rate}) and at least one fault`,
      );
    this.#random = r;
  }

  /** The fault for the next exchange request, if any (consumed). */
  next(): ExchangeFault | undefined {
    const head = this.#queue[0];
    if (!head) return this.#draw();
    head.left -= 1;
    if (head.left === 0) this.#queue.shift();
    this.applied.set(head.fault.kind, (this.applied.get(head.fault.kind) ?? 0) + 1);
    return head.fault;
  }

  #draw(): ExchangeFault | undefined {
    const r = this.#random;
    if (r === undefined || r.random() >= r.rate) return undefined;
    const fault = r.faults[Math.min(r.faults.length - 1, Math.floor(r.random() * r.faults.length))];
    this.applied.set(fault.kind, (this.applied.get(fault.kind) ?? 0) + 1);
    return fault;
  }

  /** Drop the queued faults and stop drawing random ones. */
  clear(): void {
    this.#queue.length = 0;
    this.#random = undefined;
  }

  get pending(): number {
    return this.#queue.reduce((n, q) => n + q.left, 0);
  }
}

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};
