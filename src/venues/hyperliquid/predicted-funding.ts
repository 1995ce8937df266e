/**
 * Hyperliquid's predicted funding (`/info` `predictedFundings`, weight 20; VENUES.md §1.3): the
 * rate the next settlement is expected to pay, per coin. Read at connect and then every
 * `periodMs` (default 60 s: 20 weight a minute of the IP's 1200, taken through the shared
 * limiter like every other request). The `activeAssetCtx` stream's `funding` is the current
 * hourly rate; this is the venue's forecast, which carry ranks by (STRATEGIES.md).
 *
 * A failed or malformed read is reported through `problem` and keeps the last good values.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { HlHttp, HttpOutcome } from "./http.ts";
import { type PredictedFundings, PredictedFundingsSchema } from "./parse.ts";

export interface PredictedFunding {
  /** the predicted rate of the next settlement, per hour (the interval's rate over its hours) */
  readonly ratePerHour: number;
  /** when that settlement happens (ms) */
  readonly nextFundingTime: number;
  /** when this value was read (ms) */
  readonly readTs: number;
}

/** Hyperliquid's own entry of each coin (`HlPerp`); other venues' entries are ignored. */
export function hlPredicted(answer: PredictedFundings, readTs: number): Map<string, PredictedFunding> {
  const out = new Map<string, PredictedFunding>();
  for (const [coin, venues] of answer) {
    const hl = venues.find(([name]) => name === "HlPerp")?.[1];
    if (hl == null) continue;
    // Hyperliquid settles hourly; an answer without the interval is read as one hour
    const hours = hl.fundingIntervalHours ?? 1;
    out.set(coin, {
      ratePerHour: Number(hl.fundingRate) / hours,
      nextFundingTime: hl.nextFundingTime,
      readTs,
    });
  }
  return out;
}

export interface PredictedFundingOptions {
  readonly http: HlHttp;
  readonly clock: Clock;
  readonly periodMs?: number;
  readonly problem: (message: string) => void;
}

export class HlPredictedFunding {
  readonly #o: PredictedFundingOptions;
  readonly #periodMs: number;
  #values = new Map<string, PredictedFunding>();
  #timer: TimerHandle | undefined;
  #running = false;
  #read: Promise<void> | undefined;

  constructor(o: PredictedFundingOptions) {
    this.#o = o;
    this.#periodMs = o.periodMs ?? 60_000;
  }

  get(coin: string): PredictedFunding | undefined {
    return this.#values.get(coin);
  }

  /** One read now. Rejects with an error naming the field when the answer does not parse. */
  async refresh(): Promise<void> {
    let out: HttpOutcome<PredictedFundings>;
    try {
      out = await this.#o.http.info({ type: "predictedFundings" }, PredictedFundingsSchema);
    } catch (e) {
      throw new Error(`hyperliquid predictedFundings: ${(e as Error).message}`);
    }
    if (out.kind !== "answered") throw new Error(`hyperliquid predictedFundings: ${out.detail}`);
    this.#values = hlPredicted(out.value, this.#o.clock.now());
  }

  /** Reads now in the background, then every period until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#tick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) this.#o.clock.cancel(this.#timer);
    this.#timer = undefined;
    await this.#read;
  }

  #tick(): void {
    this.#read = this.refresh()
      .catch((e: unknown) => this.#o.problem((e as Error).message))
      .finally(() => {
        this.#read = undefined;
        if (this.#running) this.#timer = this.#o.clock.after(this.#periodMs, () => this.#tick());
      });
  }
}
