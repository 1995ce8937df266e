/**
 * Injected faults and request budgets an emulator's HTTP front shares with the others.
 *
 * Faults apply to the next order requests, one a request:
 * - loseAck: the request executes, then the connection is cut without an answer;
 * - executeThenTimeout: it executes and the answer is held `holdMs` (past the client's timeout);
 * - serverError: HTTP `status` (default 503) with a non-venue body, executed first when `execute`;
 * - rateLimited: the venue's 429, not executed;
 * - delayAck: executed, answered after `ms`.
 * A venue with faults of its own (Aster's "execution status unknown" codes) widens the union and
 * handles its extra kinds before handing the rest to `refuseBeforeExecuting` / `answerUnderFault`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Answer } from "./http-front.ts";

export type ExchangeFault =
  | { readonly kind: "loseAck" }
  | { readonly kind: "executeThenTimeout"; readonly holdMs: number }
  | { readonly kind: "serverError"; readonly status?: number; readonly execute?: boolean }
  | { readonly kind: "rateLimited" }
  | { readonly kind: "delayAck"; readonly ms: number };

/** The fault controls an emulator's driver offers its tests (the same on every venue that has them). */
export interface EmulatorFaultControls {
  /** Cut a wire stream: its sockets close and nothing more is sent on it until thawed. */
  freezeStream(stream: string): void;
  thawStream(stream: string): void;
  dropSockets(): void;
  inject(fault: ExchangeFault, count?: number): void;
  loseAcks(count: number): void;
  serverErrors(count: number, opts?: { status?: number; execute?: boolean }): void;
  executeThenTimeout(count: number, holdMs: number): void;
  rateLimit(count: number): void;
  faultsApplied(): Readonly<Record<string, number>>;
}

/** Faults queued for the next order requests; `venue` names the emulator in its errors. */
export class FaultQueue<F extends { readonly kind: string } = ExchangeFault> {
  readonly venue: string;
  readonly #queue: { fault: F; left: number }[] = [];
  readonly applied = new Map<string, number>();

  constructor(venue: string) {
    this.venue = venue;
  }

  add(fault: F, count = 1): void {
    if (!(Number.isInteger(count) && count >= 1))
      throw new RangeError(`${this.venue} emulator: fault count ${count} must be an integer >= 1`);
    this.#queue.push({ fault, left: count });
  }

  /** The fault for the next order request, if one is queued (counted as applied). */
  next(): F | undefined {
    const head = this.#queue[0];
    if (head === undefined) return undefined;
    head.left--;
    if (head.left === 0) this.#queue.shift();
    this.applied.set(head.fault.kind, (this.applied.get(head.fault.kind) ?? 0) + 1);
    return head.fault;
  }

  /** Drop the faults queued and not yet applied. */
  clear(): void {
    this.#queue.length = 0;
  }
}

/** A token bucket per key (an IP, an account): `capacity` requests, refilled at `perSecond`. */
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

/** The venue's own answers for the faults that replace one. */
export interface FaultAnswers {
  /** the venue's 429 body */
  readonly rateLimited: Answer;
  /** the non-venue body of a 5xx (a proxy's text), default "Service Unavailable" */
  readonly serverErrorText?: string;
}

const serverError = (status: number | undefined, a: FaultAnswers): Answer => ({
  status: status ?? 503,
  body: a.serverErrorText ?? "Service Unavailable",
});

/** The answer a fault gives instead of executing the request, or undefined: execute it. */
export function refuseBeforeExecuting(fault: ExchangeFault | undefined, a: FaultAnswers): Answer | undefined {
  if (fault?.kind === "rateLimited") return a.rateLimited;
  if (fault?.kind === "serverError" && fault.execute !== true) return serverError(fault.status, a);
  return undefined;
}

/** Where an executed request's answer goes. */
export interface Delivery {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  send(answer: Answer): void;
  /** run `fn` after `ms` unless the front closes first */
  hold(ms: number, fn: () => void): void;
}

/** Deliver `answer` of an executed request under `fault` (none: at once). */
export function answerUnderFault(
  fault: ExchangeFault | undefined,
  answer: Answer,
  d: Delivery,
  a: FaultAnswers,
): void {
  if (fault === undefined || fault.kind === "rateLimited") {
    d.send(answer);
    return;
  }
  switch (fault.kind) {
    case "serverError":
      d.send(serverError(fault.status, a));
      return;
    case "loseAck":
      d.req.socket.destroy();
      return;
    case "executeThenTimeout":
    case "delayAck":
      d.hold(fault.kind === "delayAck" ? fault.ms : fault.holdMs, () => {
        if (!d.res.destroyed) d.send(answer);
      });
      return;
  }
}
