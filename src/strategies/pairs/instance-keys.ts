import { z } from "zod";

/**
 * The instance keys of a strategy that pairs venues (carry, scalp), beside its own keys under
 * `[strategies.<name>]`: its wallets, the venues it pairs, its seed and its exposure cap.
 */
export const pairingInstanceKeys = {
  wallets: z
    .array(z.string().min(1))
    .default([])
    .describe("Wallet ids (disjoint from other instances'); the first is the account on every venue."),
  venues: z.array(z.string().min(1)).default([]).describe("Venues to pair (empty: every configured venue)."),
  seed: z.int().min(-1).default(-1).describe("Seed of the instance's random draws; -1: fresh at each start."),
  dry_run: z
    .boolean()
    .default(false)
    .describe(
      'Read the markets and decide as usual, but log every entry as "would place" and send nothing (seed 002 `dry_run_live`).',
    ),
  max_exposure_usd: z
    .number()
    .min(0)
    .default(0)
    .describe("Gross notional cap for the engine's risk gate (0: none)."),
};
