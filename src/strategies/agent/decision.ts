import { z } from "zod";
import { extractJson, isRecord } from "./extract.ts";

/**
 * The decision a reply must hold (STRATEGIES.md 4.2), as a zod schema that is both the validator
 * and the type. The seed's names (`profit_target`, `invalidation_condition`,
 * `notes_for_audience`) are accepted as aliases. Unknown coins pass the schema: the validator
 * refuses them per coin, so one bad coin never voids the rest.
 */
const price = z.number().gt(0).nullable().default(null);

export const exitPlanSchema = z.object({
  stop_loss: price,
  take_profit: price,
  invalidation: z.string().max(300).default(""),
});

export const coinDecisionSchema = z.object({
  coin: z.string().min(1),
  signal: z.enum(["buy", "sell", "hold", "close"]),
  quantity: z.number().min(0).default(0),
  leverage: z.number().min(1).max(50).default(1),
  confidence: z.number().min(0).max(1).nullable().default(null),
  risk_usd: z.number().min(0).nullable().default(null),
  exit_plan: exitPlanSchema.nullable().default(null),
  justification: z.string().max(500).default(""),
});

export const decisionSchema = z.object({
  positions: z.record(z.string(), coinDecisionSchema),
  notes: z.string().max(1000).default(""),
});

export type CoinDecision = z.output<typeof coinDecisionSchema>;
export type Decision = z.output<typeof decisionSchema>;

/** The schema sent as response_format json_schema where the endpoint takes one. */
export const DECISION_JSON_SCHEMA: Record<string, unknown> = z.toJSONSchema(decisionSchema, { io: "input" });

function renameKey(o: Record<string, unknown>, from: string, to: string): void {
  if (Object.hasOwn(o, from) && !Object.hasOwn(o, to)) o[to] = o[from];
  delete o[from];
}

/** Seed aliases to our names, on a copy. */
function normalise(v: unknown): unknown {
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = { ...v };
  renameKey(out, "notes_for_audience", "notes");
  if (isRecord(out.positions)) {
    const positions: Record<string, unknown> = {};
    for (const [coin, d] of Object.entries(out.positions)) {
      if (!isRecord(d)) {
        positions[coin] = d;
        continue;
      }
      const c: Record<string, unknown> = { ...d };
      if (isRecord(c.exit_plan)) {
        const e: Record<string, unknown> = { ...c.exit_plan };
        renameKey(e, "profit_target", "take_profit");
        renameKey(e, "invalidation_condition", "invalidation");
        c.exit_plan = e;
      }
      positions[coin] = c;
    }
    out.positions = positions;
  }
  return out;
}

export type Parsed =
  | { readonly ok: true; readonly decision: Decision }
  | { readonly ok: false; readonly error: string };

/** A reply's text to a decision, or the error (quoted back to the model in the repair request). */
export function parseDecision(reply: string): Parsed {
  const x = extractJson(reply);
  if (!x.ok) return x;
  const r = decisionSchema.safeParse(normalise(x.value));
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    return { ok: false, error: `the JSON does not match the decision schema: ${issues}` };
  }
  return { ok: true, decision: r.data };
}
