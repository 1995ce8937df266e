/**
 * Faults on `/exchange` requests (HTTP and WS `post` actions), taken in order, one per request:
 * - `delayAck`: the action runs, its answer leaves `ms` later;
 * - `loseAck`: the action runs, its answer never leaves (HTTP: the connection is reset);
 * - `serverError`: HTTP `status` (default 502) with a plain-text body; the action runs only when
 *   `execute` is set (a gateway can fail after the node took the action);
 * - `executeThenTimeout`: the action runs, the answer is held `holdMs` (past the client's timeout),
 *   then sent to whoever still listens;
 * - `rateLimited`: HTTP 429, the action does not run.
 */
export type ExchangeFault =
  | { readonly kind: "delayAck"; readonly ms: number }
  | { readonly kind: "loseAck" }
  | { readonly kind: "serverError"; readonly status?: number; readonly execute?: boolean }
  | { readonly kind: "executeThenTimeout"; readonly holdMs: number }
  | { readonly kind: "rateLimited" };

export class FaultQueue {
  readonly #queue: { fault: ExchangeFault; left: number }[] = [];
  /** faults applied so far, by kind (tests observe them) */
  readonly applied = new Map<ExchangeFault["kind"], number>();

  add(fault: ExchangeFault, count = 1): void {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(
        `hyperliquid emulator: fault ${fault.kind} count ${count} must be an integer >= 1`,
      );
    this.#queue.push({ fault, left: count });
  }

  /** The fault for the next exchange request, if any (consumed). */
  next(): ExchangeFault | undefined {
    const head = this.#queue[0];
    if (!head) return undefined;
    head.left -= 1;
    if (head.left === 0) this.#queue.shift();
    this.applied.set(head.fault.kind, (this.applied.get(head.fault.kind) ?? 0) + 1);
    return head.fault;
  }

  clear(): void {
    this.#queue.length = 0;
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
