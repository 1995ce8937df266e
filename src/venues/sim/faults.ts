import { InvalidValueError } from "../../core/errors.ts";
import { Rng } from "../../core/random.ts";

/** Seeded fault injection. Every rate is a probability in [0, 1]; all default to 0. */
export interface SimFaults {
  /** a submit is refused with VenueRejectError("injected_reject") and not executed */
  readonly rejectRate?: number;
  /** a submit is executed but its answer is lost: submit() rejects with kind "timeout" */
  readonly timeoutRate?: number;
  /** an IOC or market order fills only part of what the book offered */
  readonly partialFillRate?: number;
  /** a market-data message never reaches the venue (book, mark and listeners miss it) */
  readonly dropMarketDataRate?: number;
  /** chance per request that the venue goes down for `outageDurationMs` */
  readonly outageRate?: number;
  readonly outageDurationMs?: number;
  /** fixed down windows [fromMs, toMs) */
  readonly outages?: readonly { readonly fromMs: number; readonly toMs: number }[];
}

/** Draws the faults from one seeded generator, in request order, so a seed replays a run. */
export class FaultInjector {
  private readonly faults: SimFaults;
  private readonly rng: Rng;
  private downUntil = Number.NEGATIVE_INFINITY;
  /** answers still to lose on purpose (loseAnswers), on top of the seeded timeout rate */
  private answersToLose = 0;
  dropped = 0;

  constructor(faults: SimFaults, seed: number | string, where: string) {
    for (const k of [
      "rejectRate",
      "timeoutRate",
      "partialFillRate",
      "dropMarketDataRate",
      "outageRate",
    ] as const) {
      const v = faults[k];
      if (v !== undefined && !(v >= 0 && v <= 1)) {
        throw new InvalidValueError(`${where}: faults.${k} = ${v} must be a probability in [0, 1]`);
      }
    }
    if (faults.outageRate && !(faults.outageDurationMs !== undefined && faults.outageDurationMs > 0)) {
      throw new InvalidValueError(`${where}: faults.outageRate needs faults.outageDurationMs > 0`);
    }
    for (const [i, w] of (faults.outages ?? []).entries()) {
      if (!(w.toMs > w.fromMs))
        throw new InvalidValueError(`${where}: faults.outages[${i}] must have toMs > fromMs`);
    }
    this.faults = faults;
    this.rng = new Rng(seed).fork("faults");
  }

  /** Called when a request arrives: is the venue down now (possibly starting an outage)? */
  isDown(now: number): boolean {
    if (now < this.downUntil) return true;
    for (const w of this.faults.outages ?? []) if (now >= w.fromMs && now < w.toMs) return true;
    if (this.rng.chance(this.faults.outageRate ?? 0)) {
      this.downUntil = now + (this.faults.outageDurationMs ?? 0);
      return true;
    }
    return false;
  }

  /** Take the venue down until `untilMs` (tests and manual drills). */
  goDown(untilMs: number): void {
    this.downUntil = Math.max(this.downUntil, untilMs);
  }

  reject(): boolean {
    return this.rng.chance(this.faults.rejectRate ?? 0);
  }
  timeout(): boolean {
    // drawn even when an answer is lost on purpose, so the seeded sequence does not shift
    const drawn = this.rng.chance(this.faults.timeoutRate ?? 0);
    if (this.answersToLose > 0) {
      this.answersToLose--;
      return true;
    }
    return drawn;
  }
  /** The next `n` submits execute but their answers are lost (tests and the conformance suite). */
  loseAnswers(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new InvalidValueError(`loseAnswers: ${n} must be an integer >= 0`);
    this.answersToLose += n;
  }
  /** the fraction of the available size an IOC gets, or undefined for a normal fill */
  partialFraction(): number | undefined {
    return this.rng.chance(this.faults.partialFillRate ?? 0) ? this.rng.next() : undefined;
  }
  dropMarketData(): boolean {
    const drop = this.rng.chance(this.faults.dropMarketDataRate ?? 0);
    if (drop) this.dropped++;
    return drop;
  }
}
