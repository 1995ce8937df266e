import type { Clock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { AlertBus } from "../alerts.ts";

/**
 * The per-venue circuit breaker (STRATEGIES.md section 0, "Global risk"): after `failures`
 * requests in a row fail on a venue (no answer: unavailable, timeout, 5xx), the circuit opens and
 * the risk gate refuses new exposure there for `openMs`; reductions and closes still go, since
 * refusing to reduce risk is never the safe side. Requests are not blocked: the reconciler and the
 * portfolio refresh keep reading, and after the open time the first request is the probe. A
 * success then closes the circuit; a failure opens it again for twice as long, up to `maxOpenMs`.
 * A definite reject or a 429 is an answer, not an outage: it never counts as a failure.
 */
export interface CircuitSettings {
  readonly failures: number;
  readonly openMs: number;
  readonly maxOpenMs: number;
}

export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitView {
  readonly venue: string;
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  /** when the circuit last opened; null when closed */
  readonly openedAt: number | null;
  /** when the next request becomes the probe; null when closed */
  readonly probeAt: number | null;
  /** times the circuit opened since the start */
  readonly trips: number;
  readonly lastError: string | null;
}

/** What a request's outcome says about the venue's health. */
export type RequestHealth = "ok" | "failed" | "neutral";

export function requestHealth(err: unknown): RequestHealth {
  if (err === undefined) return "ok";
  if (err instanceof VenueRejectError) return "ok";
  if (err instanceof VenueUnknownOutcomeError) return err.kind === "rate_limited" ? "neutral" : "failed";
  return "failed";
}

interface Circuit {
  failures: number;
  openedAt: number | null;
  probeAt: number | null;
  openMs: number;
  trips: number;
  lastError: string | null;
}

export class VenueCircuits {
  private readonly settings: CircuitSettings;
  private readonly clock: Clock;
  private readonly alerts: AlertBus;
  private readonly circuits = new Map<string, Circuit>();

  constructor(settings: CircuitSettings, clock: Clock, alerts: AlertBus) {
    this.settings = settings;
    this.clock = clock;
    this.alerts = alerts;
  }

  private circuit(venue: string): Circuit {
    let c = this.circuits.get(venue);
    if (c === undefined) {
      c = {
        failures: 0,
        openedAt: null,
        probeAt: null,
        openMs: this.settings.openMs,
        trips: 0,
        lastError: null,
      };
      this.circuits.set(venue, c);
    }
    return c;
  }

  state(venue: string): CircuitState {
    const c = this.circuits.get(venue);
    if (c === undefined || c.openedAt === null) return "closed";
    return this.clock.now() >= (c.probeAt ?? 0) ? "half_open" : "open";
  }

  /** Why new exposure on this venue is refused now, or undefined when it is allowed. */
  refusal(venue: string): string | undefined {
    const c = this.circuits.get(venue);
    if (c === undefined || c.openedAt === null) return undefined;
    const s = this.state(venue);
    return s === "open"
      ? `${venue}: circuit open after ${c.failures} failed requests (${c.lastError ?? "no answer"}); probe in ${Math.max(0, (c.probeAt ?? 0) - this.clock.now())} ms`
      : `${venue}: circuit half-open, waiting for a request to succeed (${c.lastError ?? "no answer"})`;
  }

  /** One request's outcome on a venue. */
  record(venue: string, health: RequestHealth, detail?: string): void {
    if (health === "neutral") return;
    const c = this.circuit(venue);
    const now = this.clock.now();
    if (health === "ok") {
      c.failures = 0;
      // a success before the probe time proves little (a flapping venue): wait for the probe
      if (c.openedAt !== null && now >= (c.probeAt ?? 0)) this.close(venue, c, now);
      return;
    }
    c.failures++;
    c.lastError = detail ?? "request failed";
    if (c.openedAt === null) {
      if (c.failures >= this.settings.failures) this.open(venue, c, now, this.settings.openMs);
    } else if (now >= (c.probeAt ?? 0)) {
      // the probe failed: open again, for longer
      this.open(venue, c, now, Math.min(c.openMs * 2, this.settings.maxOpenMs));
    }
  }

  views(): CircuitView[] {
    return [...this.circuits].map(([venue, c]) => ({
      venue,
      state: this.state(venue),
      consecutiveFailures: c.failures,
      openedAt: c.openedAt,
      probeAt: c.probeAt,
      trips: c.trips,
      lastError: c.lastError,
    }));
  }

  private open(venue: string, c: Circuit, now: number, openMs: number): void {
    const first = c.openedAt === null;
    c.openedAt = now;
    c.openMs = openMs;
    c.probeAt = now + openMs;
    if (!first) return;
    c.trips++;
    this.alerts.raise({
      severity: "warning",
      key: `engine.circuit_open:${venue}`,
      title: "venue circuit open: no new entries",
      message: `${venue}: ${c.failures} requests in a row failed (last: ${c.lastError}); no new exposure there until a request succeeds after ${Math.round(openMs / 1000)} s. Closes and reductions still go.`,
      context: { venue },
      ts: now,
    });
  }

  private close(venue: string, c: Circuit, now: number): void {
    const since = c.openedAt ?? now;
    c.openedAt = null;
    c.probeAt = null;
    c.openMs = this.settings.openMs;
    this.alerts.raise({
      severity: "info",
      key: `engine.circuit_closed:${venue}`,
      title: "venue circuit closed",
      message: `${venue} answers again after ${Math.round((now - since) / 1000)} s; new entries allowed`,
      context: { venue },
      ts: now,
    });
  }
}
