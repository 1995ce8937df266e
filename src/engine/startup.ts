import { PerpbotError } from "../core/errors.ts";
import type { RequestKind } from "../core/venue-capabilities.ts";
import type { RateLimiter } from "./risk/rate-limiter.ts";

/**
 * What the engine's start-up needs beyond itself (issue 10, D5): a signal that ends it early
 * (Ctrl-C, SIGTERM, `--duration`) and a progress callback, since with a thousand wallets the
 * start-up reads take a while and a silent terminal looks hung.
 */
export interface StartOptions {
  /** aborted: start-up stops at the next read and throws StartAbortedError */
  readonly signal?: AbortSignal;
  readonly progress?: (p: StartProgress) => void;
}

export interface StartProgress {
  /** "recovery", "orders", "groups", "reconcile", "equity", "portfolio" */
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

/** Start-up was stopped by its signal; what had started is stopped again, nothing is half-done. */
export class StartAbortedError extends PerpbotError {
  readonly why: string;
  constructor(why: string) {
    super("start_aborted", `start-up stopped (${why})`);
    this.why = why;
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StartAbortedError(String(signal.reason ?? "aborted"));
}

/**
 * Venue reads at once at most (per call): each venue's rate limiter paces them (every read first
 * takes its weight); this only bounds the burst and the sockets.
 */
export const READ_CONCURRENCY = 64;

/**
 * `fn` over `items`, at most `limit` at a time, each read first paying its weight to the venue's
 * rate limiter (when `limits` and `kind` are given); `onDone` after each (`inLanes`). On abort
 * no new item starts; those running are awaited, then StartAbortedError is thrown.
 */
export async function readConcurrently<T>(
  items: readonly T[],
  o: {
    /** given: each item first pays this kind's weight; absent: `fn` meters its own requests */
    readonly limits?: RateLimiter;
    readonly kind?: RequestKind;
    readonly target: (item: T) => readonly [venue: string, account: string];
    readonly signal?: AbortSignal;
    readonly limit?: number;
    readonly onDone?: (done: number) => void;
  },
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let done = 0;
  await inLanes(
    items,
    o.limit ?? READ_CONCURRENCY,
    async (item) => {
      const [venue, account] = o.target(item);
      const wait = o.limits && o.kind ? o.limits.acquire(venue, account, o.kind) : undefined;
      if (wait) await wait;
      if (o.signal?.aborted) return;
      await fn(item);
      o.onDone?.(++done);
    },
    () => o.signal?.aborted === true,
  );
  throwIfAborted(o.signal);
}

/**
 * Unfinished orders and groups a pass moves on at once at most: each is its own (its own lock,
 * its own orders), and one after the other each venue answer and journal sync waited its turn (a
 * takeover of a dead worker's units, a restart of a farm that died mid-rotation: docs/engine.md).
 */
export const ADVANCE_CONCURRENCY = 8;

/**
 * `fn` over `items` in their order, at most `limit` at a time. The first failure stops new items
 * from starting; those running are awaited, then it is thrown. `stop`, asked before each item,
 * ends it early without an error.
 */
export async function inLanes<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  stop?: () => boolean,
): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const lane = async () => {
    while (next < items.length && failed === undefined && stop?.() !== true) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failed !== undefined) throw failed.error;
}
