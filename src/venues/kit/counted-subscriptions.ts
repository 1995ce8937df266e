/**
 * Counted market subscriptions of a connector: several subscribers of one perpbot stream
 * ("book:BTC") share it, and several streams may share one wire channel (a venue that carries
 * marks of every market on one channel). The first subscriber of a stream adds it to the stream
 * health, the first of a wire channel subscribes it on the socket; the last one to leave
 * removes / unsubscribes it. Unsubscribing twice is a no-op.
 */
import type { Unsubscribe } from "../../core/venue.ts";

export interface CountedSubscriptionDeps {
  /** the stream health the streams are reported in */
  readonly health: { add(stream: string, ready: boolean): void; remove(stream: string): void };
  /** whether the socket is up now (a new stream starts ready when it is) */
  isOpen(): boolean;
  subscribeWire(wire: string): void;
  unsubscribeWire(wire: string): void;
}

export class CountedSubscriptions {
  readonly #d: CountedSubscriptionDeps;
  readonly #streams = new Map<string, number>();
  readonly #wires = new Map<string, number>();

  constructor(deps: CountedSubscriptionDeps) {
    this.#d = deps;
  }

  has(stream: string): boolean {
    return this.#streams.has(stream);
  }

  streams(): IterableIterator<string> {
    return this.#streams.keys();
  }

  add(stream: string, wire: string): Unsubscribe {
    this.#streams.set(stream, (this.#streams.get(stream) ?? 0) + 1);
    this.#d.health.add(stream, this.#d.isOpen());
    const n = (this.#wires.get(wire) ?? 0) + 1;
    this.#wires.set(wire, n);
    if (n === 1) this.#d.subscribeWire(wire);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#streams.get(stream) ?? 1) - 1;
      if (left === 0) {
        this.#streams.delete(stream);
        this.#d.health.remove(stream);
      } else this.#streams.set(stream, left);
      const w = (this.#wires.get(wire) ?? 1) - 1;
      if (w === 0) {
        this.#wires.delete(wire);
        this.#d.unsubscribeWire(wire);
      } else this.#wires.set(wire, w);
    };
  }
}
