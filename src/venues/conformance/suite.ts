import { test } from "node:test";
import {
  checkBindAccount,
  checkFillHistory,
  checkFundingEvents,
  checkPositionsAndMargin,
  checkStaleAndRecovered,
  checkSubscriptions,
} from "./checks-account.ts";
import {
  checkAckAndFillEvents,
  checkCancelRacingFill,
  checkIocRemainderCanceled,
  checkPostOnlyCrossRejected,
  checkReduceOnlyCannotGrow,
  checkRejectIsDefinite,
  checkUnknownOutcomeFoundLater,
} from "./checks-orders.ts";
import type { VenueHarness } from "./harness.ts";

export type ConformanceCheck = (h: VenueHarness) => Promise<void>;

/** Every check, by what it shows; a venue conforms when all pass against its emulator. */
export const CONFORMANCE_CHECKS: Readonly<Record<string, ConformanceCheck>> = {
  "an answered order is acknowledged; fills arrive as events with the remaining size": checkAckAndFillEvents,
  "a definite refusal is VenueRejectError and leaves no live order": checkRejectIsDefinite,
  "a lost answer is VenueUnknownOutcomeError and orderStatus finds the order later":
    checkUnknownOutcomeFoundLater,
  "a cancel racing a fill: the venue's answers agree whichever wins": checkCancelRacingFill,
  "a post-only order that would cross is refused": checkPostOnlyCrossRejected,
  "a reduce-only order never grows a position": checkReduceOnlyCannotGrow,
  "an IOC's unfilled remainder is canceled": checkIocRemainderCanceled,
  "positions and margin follow the fills": checkPositionsAndMargin,
  "funding settlements arrive as events and in the funding history": checkFundingEvents,
  "fill history from sinceTs, oldest first": checkFillHistory,
  "market data flows only for subscribed channels": checkSubscriptions,
  "a dropped stream is reported stale and recovered": checkStaleAndRecovered,
  "an account binding without a signer is accepted only where nothing is signed": checkBindAccount,
};

/**
 * Register the suite with node:test for one venue: each check runs on a fresh harness from
 * `makeHarness`, which is closed afterwards whatever happened.
 */
export function defineVenueConformance(name: string, makeHarness: () => Promise<VenueHarness>): void {
  for (const [what, check] of Object.entries(CONFORMANCE_CHECKS)) {
    test(`${name} conformance: ${what}`, async () => {
      const h = await makeHarness();
      try {
        await check(h);
      } finally {
        await h.close();
      }
    });
  }
}
