import { z } from "zod";
import { defineSection } from "../config/registry.ts";
import { usd } from "../core/money.ts";
import type { CircuitSettings } from "./risk/circuit-breaker.ts";
import type { RiskLimits } from "./risk/risk.ts";

/**
 * The `engine` config section and the settings object the Engine runs on. Every number the
 * executor, reconciler, risk gate and shutdown use is here, with its default.
 */

const ms = (dflt: number, max: number, doc: string) => z.int().min(0).max(max).default(dflt).describe(doc);

export const engineSection = defineSection(
  "engine",
  z
    .strictObject({
      fill_timeout_ms: ms(10_000, 600_000, "Default time a group open waits for its legs to fill."),
      max_book_age_ms: ms(
        500,
        3_600_000,
        "No new exposure on a book older than this (the venue's last book update against the clock).",
      ),
      send_expiry_ms: ms(
        30_000,
        3_600_000,
        "After this long, an order the venue does not know can no longer arrive: 'not found' then proves it never existed.",
      ),
      unknown_retry_ms: ms(500, 600_000, "First delay between order-status queries of an unknown outcome."),
      ioc_emulation_ms: z
        .int()
        .min(1)
        .max(600_000)
        .default(500)
        .describe(
          "On a venue without IOC orders, an IOC goes as a GTC limit at the same price, cancelled this long after it was sent (a group's entry may set its own).",
        ),
      orphan_grace_seconds: z
        .number()
        .min(0)
        .max(86_400)
        .default(30)
        .describe("An orphan position (no group owns it) is flattened after this long."),
      orphan_flatten: z
        .boolean()
        .default(true)
        .describe("Flatten orphans after the grace period; false: alert only."),
      orphan_retry_cooldown_seconds: z
        .number()
        .min(0)
        .max(86_400)
        .default(300)
        .describe(
          "After a reduce-only close of an orphan that did not close it all (refused, rejected, not filled), the next attempt waits this long.",
        ),
      orphan_alert_after_failures: z
        .int()
        .min(1)
        .max(1_000)
        .default(3)
        .describe(
          "Failed closes of one orphan after which a critical alert engine.orphan_close_failed is raised (once per orphan).",
        ),
      orphan_entry_lock_seconds: z
        .number()
        .min(0)
        .max(3_600)
        .default(60)
        .describe(
          "A position on a (venue, wallet, symbol) where a group's entry began less than this long ago is not taken for an orphan (0: off).",
        ),
      orphan_close_quiet_seconds: z
        .number()
        .min(0)
        .max(3_600)
        .default(60)
        .describe(
          "A position on a (venue, wallet, symbol) where a group ended less than this long ago is not taken for an orphan (0: off).",
        ),
      reconcile_interval_seconds: z
        .number()
        .min(0.05)
        .max(86_400)
        .default(15)
        .describe("How often venue positions and open orders are reconciled with the store."),
      portfolio_refresh_seconds: z
        .number()
        .min(0)
        .max(3_600)
        .default(5)
        .describe(
          "How often the engine reads the account state and positions of accounts a fill, funding payment or liquidation touched, for the portfolio strategies read (0: only at start and with reconciliation).",
        ),
      portfolio_max_age_seconds: z
        .number()
        .min(1)
        .max(86_400)
        .default(60)
        .describe(
          "Every managed account is read at least this often by the portfolio refresh, even when no event touched it.",
        ),
      close_slippage_bps: z
        .number()
        .min(0)
        .max(5_000)
        .default(50)
        .describe("Protection price of reduce-only close, unwind and trim orders, beyond the touch."),
      close_retry: z
        .strictObject({
          initial_ms: ms(500, 600_000, "First delay before a close is retried."),
          max_ms: ms(30_000, 3_600_000, "Longest delay between close retries (doubling up to it)."),
          max_attempts: z
            .int()
            .min(1)
            .max(10_000)
            .default(12)
            .describe(
              "Attempts before closeGroup returns legs_not_flat; the reconciler keeps retrying after.",
            ),
        })
        .prefault({})
        .describe("Backoff of close and unwind retries."),
      trim_max_attempts: z
        .int()
        .min(1)
        .max(100)
        .default(4)
        .describe("Attempts to flatten a partial-fill imbalance before the whole group is unwound."),
      cooldown_after_failure_ms: ms(
        0,
        3_600_000,
        "After a failed open, no new exposure on its instruments for this long (0: off).",
      ),
      max_notional_usd: z
        .number()
        .min(0)
        .default(0)
        .describe("Worst-case position notional per instrument and account (0: no cap)."),
      max_notional_usd_by_instrument: z
        .record(
          z.string().regex(/^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/, 'keys are "venue:symbol"'),
          z.number().min(0),
        )
        .default({})
        .describe(
          'Per-instrument caps overriding max_notional_usd, e.g. `{ "simA:BTC" = 50000 }`. Names are case-sensitive; `perpbot run` refuses a name that is not an instrument of the configured venues.',
        ),
      kill_switch: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Watch the managed accounts' total equity."),
          max_drawdown_pct: z
            .number()
            .gt(0)
            .max(100)
            .default(20)
            .describe("Trip when equity falls this far below the session's first observation."),
          consecutive_equity_drops: z
            .int()
            .min(0)
            .max(10_000)
            .default(0)
            .describe("Trip after this many equity drops in a row (0: off)."),
        })
        .prefault({})
        .describe("On a trip: trading state REDUCING, every position on every venue flattened, an alert."),
      circuit_breaker: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe("Stop new entries on a venue whose requests keep failing."),
          failures: z
            .int()
            .min(1)
            .max(1000)
            .default(5)
            .describe(
              "Consecutive failed requests (unavailable, timeout, 5xx; not rejects or 429s) that open the circuit.",
            ),
          open_seconds: z
            .number()
            .gt(0)
            .max(86_400)
            .default(30)
            .describe("How long an open circuit refuses entries before the next request probes the venue."),
          max_open_seconds: z
            .number()
            .gt(0)
            .max(86_400)
            .default(120)
            .describe(
              "A failed probe doubles the open time, up to this: after an outage, entries resume within this long.",
            ),
        })
        .refine((c) => c.open_seconds <= c.max_open_seconds, {
          message: "must not exceed engine.circuit_breaker.max_open_seconds",
          path: ["open_seconds"],
        })
        .prefault({})
        .describe(
          "Per-venue circuit breaker: while open, no new exposure on the venue (reductions and closes still go); a probe after open_seconds closes it or opens it for longer.",
        ),
      shutdown_timeout_ms: ms(5_000, 600_000, "stop() persists everything and returns within this time."),
    })
    .refine((s) => s.close_retry.initial_ms <= s.close_retry.max_ms, {
      message: "must not exceed engine.close_retry.max_ms",
      path: ["close_retry", "initial_ms"],
    })
    .prefault({}),
  {
    doc: "The execution engine: group opens and closes, reconciliation, orphan handling, risk gate, kill switch, shutdown.",
  },
);

export type EngineConfig = z.output<typeof engineSection.schema>;

/** The engine's settings in the units it works in. */
export interface EngineSettings {
  readonly fillTimeoutMs: number;
  readonly sendExpiryMs: number;
  readonly unknownRetryMs: number;
  /** how long an emulated IOC (a GTC limit, on a venue without IOC) rests before it is cancelled */
  readonly iocEmulationMs: number;
  readonly orphanGraceMs: number;
  readonly orphanFlatten: boolean;
  /** after a failed orphan close, the next waits this long */
  readonly orphanRetryCooldownMs: number;
  /** failed closes of one orphan before the critical alert (raised once) */
  readonly orphanAlertAfterFailures: number;
  /** a key where an entry began this recently is not taken for an orphan (0: off) */
  readonly orphanEntryLockMs: number;
  /** a key where a group ended this recently is not taken for an orphan (0: off) */
  readonly orphanCloseQuietMs: number;
  readonly reconcileIntervalMs: number;
  /** period of the portfolio's account refresh (0: off; start and reconciliation still feed it) */
  readonly portfolioRefreshMs: number;
  /** every managed account is read at least this often by the refresh */
  readonly portfolioMaxAgeMs: number;
  readonly closeSlippageBps: number;
  readonly closeRetryInitialMs: number;
  readonly closeRetryMaxMs: number;
  readonly closeMaxAttempts: number;
  readonly trimMaxAttempts: number;
  readonly cooldownAfterFailureMs: number;
  readonly shutdownTimeoutMs: number;
  readonly limits: RiskLimits;
  readonly killSwitch?: { readonly maxDrawdownPct: number; readonly consecutiveDrops: number };
  /** per-venue circuit breaker (risk/circuit-breaker.ts); undefined: off */
  readonly circuitBreaker?: CircuitSettings;
}

/** The defaults, exactly what an empty config gives. */
export function defaultEngineSettings(): EngineSettings {
  return engineSettingsFrom(engineSection.schema.parse(undefined));
}

export function engineSettingsFrom(c: EngineConfig): EngineSettings {
  const byInstrument = Object.fromEntries(
    Object.entries(c.max_notional_usd_by_instrument).map(([k, v]) => [k, usd(v)]),
  );
  return {
    fillTimeoutMs: c.fill_timeout_ms,
    sendExpiryMs: c.send_expiry_ms,
    unknownRetryMs: Math.max(1, c.unknown_retry_ms),
    iocEmulationMs: c.ioc_emulation_ms,
    orphanGraceMs: Math.round(c.orphan_grace_seconds * 1000),
    orphanFlatten: c.orphan_flatten,
    orphanRetryCooldownMs: Math.round(c.orphan_retry_cooldown_seconds * 1000),
    orphanAlertAfterFailures: c.orphan_alert_after_failures,
    orphanEntryLockMs: Math.round(c.orphan_entry_lock_seconds * 1000),
    orphanCloseQuietMs: Math.round(c.orphan_close_quiet_seconds * 1000),
    reconcileIntervalMs: Math.round(c.reconcile_interval_seconds * 1000),
    portfolioRefreshMs: Math.round(c.portfolio_refresh_seconds * 1000),
    portfolioMaxAgeMs: Math.round(c.portfolio_max_age_seconds * 1000),
    closeSlippageBps: c.close_slippage_bps,
    closeRetryInitialMs: Math.max(1, c.close_retry.initial_ms),
    closeRetryMaxMs: Math.max(1, c.close_retry.max_ms),
    closeMaxAttempts: c.close_retry.max_attempts,
    trimMaxAttempts: c.trim_max_attempts,
    cooldownAfterFailureMs: c.cooldown_after_failure_ms,
    shutdownTimeoutMs: c.shutdown_timeout_ms,
    limits: {
      maxBookAgeMs: c.max_book_age_ms,
      maxNotionalPerInstrument: c.max_notional_usd > 0 ? usd(c.max_notional_usd) : undefined,
      maxNotionalByInstrument: byInstrument,
    },
    killSwitch: c.kill_switch.enabled
      ? {
          maxDrawdownPct: c.kill_switch.max_drawdown_pct,
          consecutiveDrops: c.kill_switch.consecutive_equity_drops,
        }
      : undefined,
    circuitBreaker: c.circuit_breaker.enabled
      ? {
          failures: c.circuit_breaker.failures,
          openMs: Math.round(c.circuit_breaker.open_seconds * 1000),
          maxOpenMs: Math.round(c.circuit_breaker.max_open_seconds * 1000),
        }
      : undefined,
  };
}

/** Settings with some fields replaced (tests, benches, the chaos worker). */
export function engineSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  return { ...defaultEngineSettings(), ...overrides };
}
