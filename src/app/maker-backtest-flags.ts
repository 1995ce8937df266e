import type { ConfigValues } from "../config/registry.ts";
import { InvalidValueError } from "../core/errors.ts";
import type { MakerConfig } from "../strategies/maker/config.ts";
import { makerInstanceSchema } from "../strategies/maker/config.ts";
import { simSection } from "../venues/sim/config.ts";
import type { FillModel } from "../venues/sim/queue.ts";
import { MAKER_BT_VENUE, type MakerBacktestSource } from "./maker-backtest.ts";
import { type MakerFlags, makerConfigFromFlags } from "./maker-run.ts";

/**
 * `perpbot backtest maker`'s flags as backtest options. The maker's own flags are seed 003's
 * (`perpbot maker`, same units and meanings); the backtest adds its data source, fill model and
 * latencies. Every problem at once, each naming its flag.
 */
export interface MakerBacktestFlags extends Omit<MakerFlags, "exchange" | "ticker"> {
  readonly data?: string;
  readonly synthetic?: boolean;
  readonly seed?: string;
  readonly minutes?: string;
  readonly fillModel?: string;
  readonly placeLatencyMs?: string;
  readonly cancelLatencyMs?: string;
  readonly repriceInterval?: string;
}

/** Defaults for a backtest of minutes, not days: a shorter wait between opens than the seed's 450 s. */
export const MAKER_BT_DEFAULTS = {
  quantity: "0.002",
  waitTime: "20",
  placeLatencyMs: "20",
  cancelLatencyMs: "20",
  repriceInterval: "5",
  minutes: "30",
  seed: "1",
} as const;

export interface MakerBacktestPlan {
  readonly source: MakerBacktestSource;
  readonly maker: MakerConfig;
  readonly fillModel: FillModel;
}

function numberFlag(
  problems: string[],
  flag: string,
  text: string,
  ok: (n: number) => boolean,
  expected: string,
): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || !ok(n)) {
    problems.push(`${flag} "${text}": expected ${expected}`);
    return Number.NaN;
  }
  return n;
}

/** The latencies a config's `[sim]` section sets for the backtest (null: not set). */
export function simLatencies(values: ConfigValues): {
  placeLatencyMs: number | null;
  cancelLatencyMs: number | null;
} {
  const sim = simSection.get(values);
  return { placeLatencyMs: sim.place_latency_ms, cancelLatencyMs: sim.cancel_latency_ms };
}

/**
 * `config`: the `[sim]` section's place_latency_ms / cancel_latency_ms, the latencies' defaults
 * when set (the flags win; unset, 20 ms each).
 */
export function makerBacktestPlan(
  f: MakerBacktestFlags,
  defaultDataDir: string,
  config: { readonly placeLatencyMs?: number | null; readonly cancelLatencyMs?: number | null } = {},
): MakerBacktestPlan {
  const problems: string[] = [];
  let maker: MakerConfig | undefined;
  try {
    maker = makerConfigFromFlags(
      {
        ...f,
        exchange: MAKER_BT_VENUE,
        ticker: "BTC",
        quantity: f.quantity ?? MAKER_BT_DEFAULTS.quantity,
        waitTime: f.waitTime ?? MAKER_BT_DEFAULTS.waitTime,
      },
      [MAKER_BT_VENUE],
    );
  } catch (e) {
    problems.push((e as Error).message);
  }
  const reprice = numberFlag(
    problems,
    "--reprice-interval",
    f.repriceInterval ?? MAKER_BT_DEFAULTS.repriceInterval,
    (n) => n > 0 && n <= 3600,
    "seconds > 0 and <= 3600",
  );
  const kind = f.fillModel ?? "queue";
  if (kind !== "queue" && kind !== "cross") problems.push(`--fill-model "${kind}": expected queue or cross`);
  const latency = (flag: string, text: string | undefined, fallback: string) =>
    numberFlag(problems, flag, text ?? fallback, (n) => n >= 0 && n <= 60_000, "milliseconds in [0, 60000]");
  const place = latency(
    "--place-latency-ms",
    f.placeLatencyMs,
    String(config.placeLatencyMs ?? MAKER_BT_DEFAULTS.placeLatencyMs),
  );
  const cancel = latency(
    "--cancel-latency-ms",
    f.cancelLatencyMs,
    String(config.cancelLatencyMs ?? MAKER_BT_DEFAULTS.cancelLatencyMs),
  );
  if (kind === "cross" && (f.placeLatencyMs !== undefined || f.cancelLatencyMs !== undefined))
    problems.push("--place-latency-ms and --cancel-latency-ms belong to --fill-model queue");
  let source: MakerBacktestSource;
  if (f.synthetic === true) {
    if (f.data !== undefined) problems.push("--data reads a recording: it does not go with --synthetic");
    const seed = numberFlag(
      problems,
      "--seed",
      f.seed ?? MAKER_BT_DEFAULTS.seed,
      (n) => Number.isSafeInteger(n) && n >= 0,
      "an integer >= 0",
    );
    const minutes = numberFlag(
      problems,
      "--minutes",
      f.minutes ?? MAKER_BT_DEFAULTS.minutes,
      (n) => n > 0 && n <= 7 * 24 * 60,
      "minutes > 0 and <= 10080",
    );
    source = { kind: "synthetic", seed, minutes };
  } else {
    if (f.seed !== undefined) problems.push("--seed seeds the synthetic feed: it needs --synthetic");
    if (f.minutes !== undefined)
      problems.push("--minutes sets the synthetic feed's length: it needs --synthetic");
    source = { kind: "recorded", dataDir: f.data ?? defaultDataDir };
  }
  if (problems.length > 0) throw new InvalidValueError(problems.join("; "));
  const withReprice = makerInstanceSchema.parse({ ...maker!, reprice_interval_s: reprice });
  const fillModel: FillModel =
    kind === "cross" ? { kind: "cross" } : { kind: "queue", placeLatencyMs: place, cancelLatencyMs: cancel };
  return { source, maker: withReprice, fillModel };
}
