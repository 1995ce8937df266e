/**
 * What one `/exchange` answer means for the order, cancel or modify that asked (VENUES.md §1.4,
 * §1.8): a definite refusal with a stable reason code and the venue's own text, an
 * acknowledgement with the venue order id, or "pending" (`waitingForFill`, `waitingForTrigger`,
 * no status for the order), which is not an ack and leaves the outcome to `orderStatus`.
 */
import { type ExchangeResponse, errorCode, orderOutcomes } from "./parse.ts";

export type Answer =
  | { readonly kind: "resting"; readonly oid: number }
  | { readonly kind: "filled"; readonly oid: number; readonly totalSz: string; readonly avgPx: string }
  | { readonly kind: "rejected"; readonly reason: string; readonly message: string }
  | { readonly kind: "pending"; readonly message: string };

/** What to do about a refusal, for the codes where perpbot knows. */
const HINTS: Readonly<Record<string, string>> = {
  unknown_signer:
    "the signing key is neither the account nor an agent it approved: run `perpbot hyperliquid approve-agent --wallet <id>` (and check testnet = true|false matches the account)",
  nonce: "the signer's nonce was refused: another process may be signing with the same agent key",
  address_rate_limited: "the address used its request budget: trade volume raises it, or wait",
  insufficient_margin: "deposit USDC or lower the size or leverage",
};

function refusal(text: string, where: string): Answer {
  const reason = errorCode(text);
  const hint = HINTS[reason];
  return { kind: "rejected", reason, message: `${where}: refused: ${text}${hint ? ` (${hint})` : ""}` };
}

/** The answer to a one-order `order` action. */
export function answerOf(resp: ExchangeResponse, where: string): Answer {
  const [o] = orderOutcomes(resp, 1);
  if (o.kind === "rejected") return refusal(o.reason, where);
  if (o.kind === "pending")
    return { kind: "pending", message: `${where}: not acknowledged yet (${o.reason})` };
  return o;
}

/** The answer to a one-cancel `cancelByCloid` action. */
export function cancelAnswer(
  resp: ExchangeResponse,
  where: string,
): { kind: "ok" } | Extract<Answer, { kind: "rejected" }> {
  if (resp.status === "err") return refusal(resp.response, where) as Extract<Answer, { kind: "rejected" }>;
  const s = resp.response.data?.statuses[0];
  if (s === "success" || s === undefined) return { kind: "ok" };
  if (typeof s === "object" && "error" in s)
    return refusal(String(s.error), where) as Extract<Answer, { kind: "rejected" }>;
  return { kind: "ok" };
}

/**
 * The answer to a one-entry `batchModify`: the order's statuses like an order's (the modified
 * order rests under a new oid), or `{type: "default"}` with no statuses (applied, oid unknown).
 */
export function modifyAnswer(
  resp: ExchangeResponse,
  where: string,
): { kind: "ok"; oid?: number } | Extract<Answer, { kind: "rejected" | "pending" }> {
  if (resp.status === "ok" && resp.response.data === undefined) return { kind: "ok" };
  const a = answerOf(resp, where);
  if (a.kind === "rejected" || a.kind === "pending") return a;
  return { kind: "ok", oid: a.oid };
}
