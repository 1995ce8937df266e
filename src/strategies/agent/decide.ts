import type { ChatMessage, ChatModel, ChatResult } from "../contract.ts";
import type { LlmPrice } from "./config.ts";
import { addCall, type CycleCost, callCostUsd, NO_COST } from "./cost.ts";
import { DECISION_JSON_SCHEMA, type Decision, parseDecision } from "./decision.ts";
import type { Observation } from "./observation.ts";
import { type Action, validateDecision } from "./validator.ts";

/**
 * One cycle's decision: observation → model → parse → (one repair) → validate. Every model call's
 * raw reply is kept, so the same function fed the stored replies (a replay) gives the same
 * actions. Any failure ends in a safe hold of every market: the actions are either all validated
 * or all holds, never half of a decision.
 */
export interface StoredReply {
  /** the reply's text; null when the call failed */
  readonly content: string | null;
  readonly failure: string | null;
  readonly model: string | null;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  readonly providerCostUsd: number | null;
  readonly attempts: number;
}

export type Outcome = "decided" | "parse_error" | "model_error";

export interface CycleDecision {
  readonly outcome: Outcome;
  /** the parse or model error that ended in a hold */
  readonly error: string | null;
  readonly repairs: number;
  readonly decision: Decision | null;
  readonly actions: readonly Action[];
  readonly problems: readonly string[];
  readonly replies: readonly StoredReply[];
  readonly cost: CycleCost;
}

export interface DecideOptions {
  readonly systemPrompt: string;
  readonly model: string;
  readonly repairRetries: number;
  readonly prices: Readonly<Record<string, LlmPrice>>;
}

function stored(r: ChatResult): StoredReply {
  return r.ok
    ? {
        content: r.content,
        failure: null,
        model: r.model,
        promptTokens: r.usage.promptTokens,
        completionTokens: r.usage.completionTokens,
        cachedTokens: r.usage.cachedTokens,
        providerCostUsd: r.usage.providerCostUsd,
        attempts: r.attempts,
      }
    : {
        content: null,
        failure: `${r.failure}: ${r.detail}`,
        model: null,
        promptTokens: 0,
        completionTokens: 0,
        cachedTokens: 0,
        providerCostUsd: null,
        attempts: r.attempts,
      };
}

export function holdAll(obs: Observation, note: string): Action[] {
  return Object.keys(obs.markets)
    .sort()
    .map((coin) => ({ coin, kind: "hold" as const, note, exit: null }));
}

export async function decideCycle(
  obs: Observation,
  model: ChatModel,
  o: DecideOptions,
): Promise<CycleDecision> {
  const messages: ChatMessage[] = [
    { role: "system", content: o.systemPrompt },
    { role: "user", content: JSON.stringify(obs) },
  ];
  const replies: StoredReply[] = [];
  let cost = NO_COST;
  let repairs = 0;
  for (;;) {
    const r = await model.complete({
      messages,
      jsonSchema: { name: "agent_decision", schema: DECISION_JSON_SCHEMA },
    });
    const s = stored(r);
    replies.push(s);
    if (r.ok) cost = addCall(cost, r.usage, callCostUsd(r.model || o.model, r.usage, o.prices));
    const fail = (outcome: Outcome, error: string): CycleDecision => ({
      outcome,
      error,
      repairs,
      decision: null,
      actions: holdAll(obs, `${outcome}: safe hold`),
      problems: [error],
      replies,
      cost,
    });
    if (!r.ok) return fail("model_error", s.failure ?? "model call failed");
    const parsed = parseDecision(r.content);
    if (parsed.ok) {
      const v = validateDecision(obs, parsed.decision);
      return {
        outcome: "decided",
        error: null,
        repairs,
        decision: parsed.decision,
        actions: v.actions,
        problems: v.problems,
        replies,
        cost,
      };
    }
    if (repairs >= o.repairRetries) return fail("parse_error", parsed.error);
    repairs++;
    messages.push(
      { role: "assistant", content: r.content },
      {
        role: "user",
        content: `Your reply could not be used: ${parsed.error}. Reply again with only the JSON object of the decision schema.`,
      },
    );
  }
}

/** Replays stored replies in order: the model of a replay, at no cost and with no network. */
export class StoredReplyModel implements ChatModel {
  private readonly replies: readonly StoredReply[];
  private next = 0;

  constructor(replies: readonly StoredReply[]) {
    this.replies = replies;
  }

  async complete(): Promise<ChatResult> {
    const r = this.replies[this.next++];
    if (r === undefined)
      return {
        ok: false,
        failure: "network",
        detail: "replay: no stored reply left for this call",
        attempts: 0,
      };
    if (r.content === null) {
      const [failure, ...rest] = (r.failure ?? "network: failed").split(": ");
      return { ok: false, failure: failure as "network", detail: rest.join(": "), attempts: r.attempts };
    }
    return {
      ok: true,
      content: r.content,
      model: r.model ?? "",
      usage: {
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        cachedTokens: r.cachedTokens,
        providerCostUsd: r.providerCostUsd,
      },
      attempts: r.attempts,
    };
  }
}

/** One line of the decision log: what a cycle decided, canonical JSON (replays compare bytes). */
export function decisionLogLine(cycle: number, ts: number, version: string, d: CycleDecision): string {
  return JSON.stringify({
    cycle,
    ts,
    version,
    outcome: d.outcome,
    error: d.error,
    repairs: d.repairs,
    actions: d.actions,
    problems: d.problems,
  });
}
