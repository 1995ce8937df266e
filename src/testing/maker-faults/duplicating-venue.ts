import type { Rng } from "../../core/random.ts";
import type { Unsubscribe, VenueEvent } from "../../core/venue.ts";
import { ForwardingVenue } from "../forwarding-venue.ts";

/** Delivers some fill events twice, as a reconnecting stream replaying its buffer does. */
export class DuplicatingVenue extends ForwardingVenue {
  rate = 0;
  private readonly rng: Rng;
  duplicated = 0;
  constructor(inner: ConstructorParameters<typeof ForwardingVenue>[0], rng: Rng) {
    super(inner);
    this.rng = rng;
  }
  override onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    return this.inner.onEvent((e) => {
      listener(e);
      if (e.type === "fill" && this.rng.chance(this.rate)) {
        this.duplicated++;
        listener(e);
      }
    });
  }
}
