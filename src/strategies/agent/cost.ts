import type { ChatUsage } from "../contract.ts";
import type { LlmPrice } from "./config.ts";

/**
 * Dollars of one model call: the provider's own figure when it reports one (OpenRouter's
 * `usage.cost`), else the configured price per 1M tokens, else null ("unpriced"): an unknown
 * price is never counted as $0 (STRATEGIES.md 4.3).
 */
export function callCostUsd(
  model: string,
  usage: ChatUsage,
  prices: Readonly<Record<string, LlmPrice>>,
): number | null {
  if (usage.providerCostUsd !== null && Number.isFinite(usage.providerCostUsd)) return usage.providerCostUsd;
  const p = Object.hasOwn(prices, model) ? prices[model] : undefined;
  if (p === undefined) return null;
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const fresh = usage.promptTokens - cached;
  return (
    (fresh * p.input_per_1m +
      cached * (p.cached_input_per_1m ?? p.input_per_1m) +
      usage.completionTokens * p.output_per_1m) /
    1_000_000
  );
}

export interface CycleCost {
  readonly calls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  /** priced calls only */
  readonly usd: number;
  /** calls whose price is unknown */
  readonly unpriced: number;
}

export const NO_COST: CycleCost = {
  calls: 0,
  promptTokens: 0,
  completionTokens: 0,
  cachedTokens: 0,
  usd: 0,
  unpriced: 0,
};

export function addCall(c: CycleCost, usage: ChatUsage, usd: number | null): CycleCost {
  return {
    calls: c.calls + 1,
    promptTokens: c.promptTokens + usage.promptTokens,
    completionTokens: c.completionTokens + usage.completionTokens,
    cachedTokens: c.cachedTokens + usage.cachedTokens,
    usd: c.usd + (usd ?? 0),
    unpriced: c.unpriced + (usd === null ? 1 : 0),
  };
}
