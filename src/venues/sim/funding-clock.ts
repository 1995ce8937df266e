import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { VenueEvent } from "../../core/venue.ts";
import type { SimExchange } from "./exchange.ts";
import { boundaryAtOrBefore, intervalMs as boundaryIntervalMs, settleFunding } from "./funding.ts";
import { checkLiquidations } from "./liquidation.ts";

/**
 * One timer per instrument at its funding boundaries (or every step of continuous funding).
 * Boundaries passed while the process was down are settled at start, at the last known mark;
 * each settlement is followed by a liquidation check (a payment can push an account under
 * maintenance).
 */
export class FundingClock {
  private readonly clock: Clock;
  private readonly exchange: SimExchange;
  /** hands the settlement's events on (commit, then deliver after the latency) */
  private readonly settled: (events: VenueEvent[]) => void;
  private readonly timers = new Map<string, TimerHandle>();
  /** ms between settlements of an instrument under continuous funding; undefined: its interval */
  private readonly stepMs: (inst: Instrument) => number | undefined;
  private stopped = false;

  constructor(
    clock: Clock,
    exchange: SimExchange,
    settled: (events: VenueEvent[]) => void,
    stepMs: (inst: Instrument) => number | undefined = () => undefined,
  ) {
    this.clock = clock;
    this.exchange = exchange;
    this.settled = settled;
    this.stepMs = stepMs;
  }

  /** ms between two settlements of the instrument */
  private intervalMs(inst: Instrument): number {
    return this.stepMs(inst) ?? boundaryIntervalMs(inst);
  }

  start(inst: Instrument): void {
    const state = this.exchange.state;
    const interval = this.intervalMs(inst);
    const now = this.clock.now();
    const last = state.fundingClock.get(inst.symbol);
    if (last === undefined) {
      state.fundingClock.set(inst.symbol, boundaryAtOrBefore(now, interval));
      state.changes.meta = true;
    } else {
      for (let b = last + interval; b <= now; b += interval) this.settle(inst, b);
    }
    this.schedule(inst);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.cancel(t);
    this.timers.clear();
  }

  private schedule(inst: Instrument): void {
    const next = this.exchange.state.fundingClock.get(inst.symbol)! + this.intervalMs(inst);
    this.timers.set(
      inst.symbol,
      this.clock.at(next, () => {
        if (this.stopped) return;
        this.settle(inst, next);
        this.schedule(inst);
      }),
    );
  }

  private settle(inst: Instrument, boundary: number): void {
    const mark = this.exchange.markOf(inst.symbol);
    const step = this.stepMs(inst);
    const events = settleFunding(
      this.exchange.state,
      inst,
      boundary,
      Number.isNaN(mark) ? undefined : mark,
      step === undefined ? inst.spec.fundingIntervalHours : step / 3_600_000,
    );
    events.push(...checkLiquidations(this.exchange, inst.symbol, this.clock.now()));
    this.settled(events);
  }
}
