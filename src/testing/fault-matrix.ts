import type { VenueHarness } from "../venues/conformance/harness.ts";

/**
 * Helpers of the per-venue fault-matrix tests: a fresh harness with a two-sided book around the
 * reference price (ten units a level), closed whatever happens; and a promise's outcome as a
 * value ("ok" or what it was rejected with).
 */
export async function withBookedHarness<H extends VenueHarness>(
  make: () => Promise<H>,
  fn: (h: H) => Promise<void>,
): Promise<void> {
  const h = await make();
  try {
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots * 10,
    });
    await fn(h);
  } finally {
    await h.close();
  }
}

export const outcome = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => "ok" as const,
    (e: unknown) => e,
  );
