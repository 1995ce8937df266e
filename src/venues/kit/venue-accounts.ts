/**
 * The account plumbing of a Venue class: the wallets bound to it (`BoundAccounts`) and the
 * listeners of its account events (`VenueListeners`). A connector keeps one of each and forwards
 * `onEvent` to the listeners; every order, cancel and read starts with `accounts.bound(wallet)`.
 */
import { type Unsubscribe, VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { ACCOUNT_STREAM } from "../../core/venue-streams.ts";

/** What the account-stream report needs of the venue's stream health. */
export interface AccountStreamHealth {
  message(stream: string, ts: number): void;
  down(stream: string): void;
}

/** The wallets bound to one venue, each with the connector's own record `B` (its signer, its socket). */
export class BoundAccounts<B> {
  readonly #venueId: string;
  readonly #noun: string;
  readonly #accounts = new Map<string, B>();
  /** true until connect() and again after close(): then every use is an unknown outcome */
  closed = true;

  /** `noun` is what an error calls a binding's id: "wallet" (default) or "account". */
  constructor(venueId: string, noun = "wallet") {
    this.#venueId = venueId;
    this.#noun = noun;
  }

  get size(): number {
    return this.#accounts.size;
  }

  has(account: string): boolean {
    return this.#accounts.has(account);
  }

  /** The record of a bound wallet, or undefined (no error: for stream handlers). */
  get(account: string): B | undefined {
    return this.#accounts.get(account);
  }

  set(account: string, record: B): void {
    this.#accounts.set(account, record);
  }

  keys(): IterableIterator<string> {
    return this.#accounts.keys();
  }

  values(): IterableIterator<B> {
    return this.#accounts.values();
  }

  /**
   * The record of a bound wallet for a request: an unknown outcome ("unavailable") when the
   * venue is closed, a refusal ("unknown_account") when the wallet is not bound.
   */
  bound(account: string): B {
    if (this.closed) throw new VenueUnknownOutcomeError("unavailable", `venue ${this.#venueId}: closed`);
    const b = this.#accounts.get(account);
    if (b === undefined)
      throw new VenueRejectError(
        "unknown_account",
        `venue ${this.#venueId}: ${this.#noun} "${account}" is not bound`,
      );
    return b;
  }

  /** The account stream is up when every bound wallet's stream `isOpen`, else down. */
  reportHealth(health: AccountStreamHealth, now: number, isOpen: (record: B) => boolean): void {
    const all = [...this.#accounts.values()].every(isOpen);
    if (all) health.message(ACCOUNT_STREAM, now);
    else health.down(ACCOUNT_STREAM);
  }
}

/** The listeners of a venue's events (account events, market events). */
export class VenueListeners<E> {
  readonly #listeners = new Set<(e: E) => void>();

  on(listener: (e: E) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Deliver each event, in order, to every listener. */
  emit(events: readonly E[]): void {
    for (const e of events) this.emitOne(e);
  }

  emitOne(e: E): void {
    for (const l of this.#listeners) l(e);
  }
}
