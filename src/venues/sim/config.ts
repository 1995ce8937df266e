import { z } from "zod";
import { defineSection } from "../../config/registry.ts";
import type { SimFaults } from "./faults.ts";
import type { FillModel } from "./queue.ts";

/**
 * The simulator's config: the `[sim]` section of perpbot.toml (paper mode and backtests), and the
 * schema of one simulated venue in the venue registry (src/venues/registry.ts). The TOML keys and
 * PERPBOT__SIM__* variables are the ones the section has always had.
 */

const rate = (dflt: number, doc: string) => z.number().min(0).max(1).default(dflt).describe(doc);

/** Fault injection of a simulated venue (SimFaults), off by default. */
export const simFaultsSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Inject faults at the rates below."),
    reject_rate: rate(0.01, "Share of orders the venue refuses."),
    timeout_rate: rate(
      0.01,
      "Share of order requests whose answer is lost although the venue executed them (outcome unknown).",
    ),
    partial_fill_rate: rate(
      0.05,
      "Share of IOC and market orders that fill only part of what the book offers.",
    ),
    drop_market_data_rate: rate(0.001, "Share of market-data messages that never arrive."),
    outage_rate: rate(0.0005, "Chance per request that the venue goes down for `outage_duration_ms`."),
    outage_duration_ms: z
      .int()
      .min(0)
      .max(3_600_000)
      .default(10_000)
      .describe("How long an injected outage lasts."),
  })
  .prefault({})
  .describe("Fault injection, off by default.");

/** The simulated venues perpbot ships a catalogue for (catalog.ts). */
export const SIM_VENUE_IDS = ["simA", "simB"] as const;

export const simSection = defineSection(
  "sim",
  z
    .strictObject({
      venues: z
        .array(z.enum(SIM_VENUE_IDS))
        .min(1)
        .refine((v) => new Set(v).size === v.length, "venue ids must be unique")
        .default(["simA", "simB"])
        .describe("Ids of the simulated venues to run."),
      seed: z
        .int()
        .min(0)
        .default(1)
        .describe("Seed of the simulator's randomness: the same seed replays the same run."),
      latency_ms: z
        .number()
        .min(0)
        .max(60_000)
        .default(50)
        .describe("Latency of order acknowledgements and fills."),
      fill_model: z
        .enum(["cross", "queue"])
        .default("cross")
        .describe(
          "How resting orders fill: cross (no queue position: the first trade at their price) or queue (behind the visible size at their price; docs/simulator.md).",
        ),
      place_latency_ms: z
        .number()
        .min(0)
        .max(60_000)
        .nullable()
        .default(null)
        .describe(
          "With fill_model queue: latency of order placement and amends (null: latency_ms); also `perpbot backtest maker`'s default.",
        ),
      cancel_latency_ms: z
        .number()
        .min(0)
        .max(60_000)
        .nullable()
        .default(null)
        .describe(
          "With fill_model queue: latency of cancels (null: latency_ms); also `perpbot backtest maker`'s default.",
        ),
      wallets: z.int().min(1).max(10_000).default(12).describe("Number of simulated wallets per venue."),
      wallet_balance_min_usd: z
        .number()
        .positive()
        .default(500)
        .describe("Smallest starting balance of a simulated wallet (at most the largest)."),
      wallet_balance_max_usd: z
        .number()
        .positive()
        .default(5000)
        .describe("Largest starting balance of a simulated wallet."),
      faults: simFaultsSchema,
    })
    .refine((s) => s.wallet_balance_min_usd <= s.wallet_balance_max_usd, {
      message: "must not exceed sim.wallet_balance_max_usd",
      path: ["wallet_balance_min_usd"],
      // run even when other sim keys are wrong, so every mistake is reported at once; the two
      // balances only need to be numbers themselves
      when: (payload) => {
        const v = payload.value as
          | { wallet_balance_min_usd?: unknown; wallet_balance_max_usd?: unknown }
          | undefined;
        return typeof v?.wallet_balance_min_usd === "number" && typeof v?.wallet_balance_max_usd === "number";
      },
    })
    .prefault({}),
  { doc: "The simulated venues used by paper trading and backtests." },
);

/** The fault rates of the config as SimFaults; undefined when fault injection is off. */
export function simFaultsOf(f: z.output<typeof simFaultsSchema>): SimFaults | undefined {
  if (!f.enabled) return undefined;
  return {
    rejectRate: f.reject_rate,
    timeoutRate: f.timeout_rate,
    partialFillRate: f.partial_fill_rate,
    dropMarketDataRate: f.drop_market_data_rate,
    outageRate: f.outage_rate,
    outageDurationMs: f.outage_duration_ms,
  };
}

/** One simulated venue as the venue registry builds it (kind "sim"). */
export const simVenueConfigSchema = z.strictObject({
  id: z.enum(SIM_VENUE_IDS).describe("Which catalogued simulated venue (its instruments)."),
  seed: z.int().min(0).default(1).describe("Seed of the venue's fault injection."),
  latency_ms: z.number().min(0).max(60_000).default(50).describe("Latency of acknowledgements and fills."),
  faults: simFaultsSchema,
  stale_after_ms: z
    .number()
    .positive()
    .optional()
    .describe("A subscribed stream silent this long is reported stale; unset: only when dropped."),
});

export type SimVenueConfig = z.output<typeof simVenueConfigSchema>;
export type SimConfig = z.output<typeof simSection.schema>;

/** The venue fill model of a `[sim]` section (FillModel of queue.ts). */
export function simFillModelOf(sim: {
  readonly latency_ms: number;
  readonly fill_model?: "cross" | "queue";
  readonly place_latency_ms?: number | null;
  readonly cancel_latency_ms?: number | null;
}): FillModel {
  if (sim.fill_model !== "queue") return { kind: "cross" };
  return {
    kind: "queue",
    placeLatencyMs: sim.place_latency_ms ?? sim.latency_ms,
    cancelLatencyMs: sim.cancel_latency_ms ?? sim.latency_ms,
  };
}
