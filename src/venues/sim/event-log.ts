import type { VenueEvent } from "../../core/venue.ts";

/**
 * Deterministic JSON of any venue value: bigint as its decimal string, object keys in insertion
 * order (every event is built with one fixed key order), one event per line.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** Every VenueEvent a venue emitted, in emission order. */
export class EventLog {
  private readonly events: VenueEvent[] = [];
  readonly enabled: boolean;

  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  append(events: readonly VenueEvent[]): void {
    if (this.enabled) for (const e of events) this.events.push(e);
  }

  all(): readonly VenueEvent[] {
    return this.events;
  }

  /** JSON lines, byte-identical for identical runs */
  toJsonLines(): string {
    let out = "";
    for (const e of this.events) out += `${toJson(e)}\n`;
    return out;
  }
}
