import type { Venue, VenueEvent } from "../core/venue.ts";
import type { Store } from "../store/store.ts";

/**
 * Funding payments as the venues report them, written to the store by the engine (not by a
 * strategy's runtime): accounting and `perpbot status` read them back per leg. Writes are
 * chained so they land in arrival order; `settled()` waits for every payment seen so far.
 */
export class FundingJournal {
  private readonly store: Store;
  private readonly venues: ReadonlyMap<string, Venue>;
  private readonly onError: (err: Error) => void;
  private readonly unsubscribe: (() => void)[] = [];
  private pending: Promise<void> = Promise.resolve();

  constructor(store: Store, venues: ReadonlyMap<string, Venue>, onError: (err: Error) => void) {
    this.store = store;
    this.venues = venues;
    this.onError = onError;
  }

  attach(): void {
    if (this.unsubscribe.length > 0) return;
    for (const [id, v] of this.venues) this.unsubscribe.push(v.onEvent((e) => this.onEvent(id, e)));
  }

  detach(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  settled(): Promise<void> {
    return this.pending;
  }

  private onEvent(venue: string, e: VenueEvent): void {
    if (e.type !== "funding") return;
    this.pending = this.pending
      .then(async () => {
        await this.store.funding.insert({
          venue,
          account: e.account,
          symbol: e.symbol,
          amount: e.amount,
          ratePerHour: e.ratePerHour,
          positionSize: null,
          ts: e.ts,
        });
      })
      .catch((err) => this.onError(err as Error));
  }
}
