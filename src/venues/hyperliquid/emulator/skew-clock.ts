import type { Clock, TimerHandle } from "../../../core/clock.ts";

/**
 * The emulator's own time: the given clock shifted by an offset the driver sets (`skewClock`),
 * so a test can put the venue's clock ahead of or behind the client's. Everything the emulator
 * stamps (book times, fills, the nonce window, expiresAfter) reads this clock; timers keep
 * their real delays.
 */
export class SkewClock implements Clock {
  readonly #base: Clock;
  offsetMs = 0;

  constructor(base: Clock) {
    this.#base = base;
  }

  now(): number {
    return this.#base.now() + this.offsetMs;
  }
  at(atMs: number, fn: () => void): TimerHandle {
    return this.#base.at(atMs - this.offsetMs, fn);
  }
  after(delayMs: number, fn: () => void): TimerHandle {
    return this.#base.after(delayMs, fn);
  }
  cancel(handle: TimerHandle): void {
    this.#base.cancel(handle);
  }
  sleep(delayMs: number): Promise<void> {
    return this.#base.sleep(delayMs);
  }
}
