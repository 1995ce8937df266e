import { z } from "zod";
import { DEFAULT_SYSTEM_PROMPT } from "./prompt.ts";

/**
 * Every parameter of the LLM agent (STRATEGIES.md section 4.4) with its seed 004 origin in the
 * description. Units follow the shared rules: `_pct` a fraction, `_bps`, `_s`. Strict: a misspelt
 * key is an error, never ignored.
 */
const pos = (d: number, doc: string) => z.number().gt(0).default(d).describe(doc);
const frac = (d: number, doc: string) => z.number().gt(0).max(1).default(d).describe(doc);

const priceSchema = z.strictObject({
  input_per_1m: z.number().min(0).describe("USD per 1M prompt tokens."),
  output_per_1m: z.number().min(0).describe("USD per 1M completion tokens."),
  cached_input_per_1m: z
    .number()
    .min(0)
    .optional()
    .describe("USD per 1M cached prompt tokens (default: input_per_1m)."),
});

export const agentInstanceSchema = z
  .strictObject({
    kind: z.literal("agent").describe("The strategy kind."),
    enabled: z.boolean().default(true).describe("Run this instance in `perpbot run`."),
    wallets: z
      .array(z.string().min(1))
      .default([])
      .describe("Wallet ids; the first is the trading account (disjoint from other instances')."),
    max_exposure_usd: z
      .number()
      .min(0)
      .default(0)
      .describe("Gross notional cap of the instance for the engine's risk gate (0: none)."),
    seed: z.int().min(-1).default(-1).describe("Seed of the instance's random draws (-1: fresh)."),
    venue: z
      .string()
      .min(1)
      .default("simA")
      .describe("Venue traded; default the simulated venue of paper mode (seed `TRADING_BACKEND`, perpsim)."),
    markets: z
      .array(z.string().regex(/^[A-Z0-9]+$/, "markets are underlying symbols such as BTC"))
      .min(1)
      .default(["BTC", "ETH", "SOL", "DOGE"])
      .describe(
        "Underlyings the model may trade (seed `SIM_SYMBOLS` adds XRP, which the simulated catalogue does not list).",
      ),
    model: z
      .string()
      .min(1)
      .default("deepseek/deepseek-v3.2-exp")
      .describe("Model name sent to the endpoint (seed `OPENROUTER_MODEL`)."),
    base_url: z
      .url({ protocol: /^https?$/ })
      .default("https://openrouter.ai/api/v1")
      .describe(
        "OpenAI-compatible endpoint up to `/chat/completions` (OpenRouter, Ollama `http://127.0.0.1:11434/v1`, llama.cpp, vLLM).",
      ),
    api_key_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .default("OPENROUTER_API_KEY")
      .describe(
        "Environment variable holding the API key (sent only in the Authorization header, never logged).",
      ),
    api_key_keystore: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a keystore wallet id")
      .nullable()
      .default(null)
      .describe(
        "Keystore wallet whose `llm` account holds the API key as secret `api_key` (`perpbot keys add <id> --venue llm --secret api_key`); wins over api_key_env; the run unlocks the keystore.",
      ),
    temperature: z.number().min(0).max(2).default(0.2).describe("Sampling temperature (seed: code)."),
    top_p: z.number().gt(0).max(1).default(0.9).describe("Nucleus sampling (seed: code)."),
    max_tokens: z.int().min(16).default(2000).describe("Completion token limit per call."),
    request_timeout_s: pos(60, "Per-request timeout; a timeout is retried like a 5xx."),
    max_retries: z
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe("Retries of a 429, 5xx, timeout or network error."),
    retry_backoff_s: pos(1, "First retry delay, doubled each retry (a 429's Retry-After wins, capped 60 s)."),
    response_format: z
      .enum(["json_schema", "json_object", "none"])
      .default("json_object")
      .describe(
        "What the request asks for: a JSON schema, JSON mode, or plain text; a 400 naming response_format falls back to none.",
      ),
    cycle_interval_s: pos(60, "Seconds between cycles; never two at once (seed `CYCLE_INTERVAL_SECONDS`)."),
    min_notional_usd: pos(5, "Orders below this notional become holds (seed `MIN_NOTIONAL`)."),
    max_leverage: z
      .number()
      .min(1)
      .max(50)
      .default(5)
      .describe("Leverage cap; also capped by the market's (seed `MAX_LEVERAGE` RM 5)."),
    candles_1m: z.int().min(10).max(1440).default(60).describe("1-minute candles in the observation."),
    candles_6h: z.int().min(0).max(240).default(60).describe("6-hour candles in the observation."),
    require_stop_loss: z.boolean().default(true).describe("buy/sell need a stop-loss on the right side."),
    max_risk_per_trade_pct: frac(0.02, "Size clipped so qty x |entry - stop| <= this x equity."),
    max_gross_leverage: pos(3, "Sum of notional <= this x equity."),
    daily_loss_halt_pct: frac(
      0.05,
      "After losing this share of the day's starting equity only hold/close pass.",
    ),
    max_slippage_bps: z.number().min(0).max(500).default(10).describe("IOC price protection from the touch."),
    repair_retries: z.int().min(0).max(3).default(1).describe("Repair requests after an invalid reply."),
    parse_failure_alert_pct: frac(
      0.05,
      "Alert when parse failures exceed this share of the last 100 cycles.",
    ),
    version_tag: z
      .string()
      .min(1)
      .default("v0.0.0")
      .describe("Version tag of this configuration (seed `agent_version`)."),
    version_description: z
      .string()
      .default("")
      .describe("What changed in this version (seed `version_description`)."),
    system_prompt: z
      .string()
      .min(1)
      .default(DEFAULT_SYSTEM_PROMPT)
      .describe("System prompt (its sha256 is part of the version)."),
    llm_prices: z
      .record(z.string(), priceSchema)
      .default({})
      .describe("Per-model prices when the provider reports no cost; an unknown model is unpriced, not $0."),
    max_llm_cost_usd_per_day: z
      .number()
      .gt(0)
      .nullable()
      .default(null)
      .describe("At this LLM spend in a UTC day: hold and alert (null: no cap)."),
    min_leaderboard_hours: z
      .number()
      .min(0)
      .default(24)
      .describe("Versions shorter than this are not ranked."),
    min_leaderboard_trades: z
      .int()
      .min(0)
      .default(20)
      .describe("Versions with fewer completed trades are not ranked."),
    dry_run: z.boolean().default(false).describe("Validate and record, send nothing (seed `DRY_RUN`)."),
  })
  .superRefine((c, ctx) => {
    if (new Set(c.markets).size !== c.markets.length)
      ctx.addIssue({ code: "custom", path: ["markets"], message: "lists a market twice" });
  });

export type AgentConfig = z.output<typeof agentInstanceSchema>;
export type LlmPrice = z.output<typeof priceSchema>;

/** An agent config with every default, for tests and the command line. */
export function agentConfig(c: Partial<AgentConfig> = {}): AgentConfig {
  return agentInstanceSchema.parse({ kind: "agent", ...c });
}
