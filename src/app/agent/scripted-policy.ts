import type { Observation } from "../../strategies/agent/observation.ts";
import type { ChatRequestBody, ServedReply } from "../llm/reply-server.ts";

/**
 * A deterministic stand-in for the model, for backtests and tests: it reads the observation the
 * agent sent (the first user message) and answers in the decision schema. Flat markets are
 * entered with the 1-minute trend (mid above the last EMA20: buy, below: sell) at `riskShare` of
 * equity in notional, with a stop `stopPct` away and a take-profit `takePct` away; open
 * positions are held. Not a strategy anyone should trade: it exists to make the agent open,
 * stop out and take profit many times, with every reply a valid one unless `everyNthMalformed`
 * asks for a broken reply now and then (exercising repair and hold).
 */
export interface ScriptedPolicyOptions {
  readonly notionalShare?: number;
  readonly stopPct?: number;
  readonly takePct?: number;
  readonly leverage?: number;
  /** every n-th request gets a reply cut in half (0: never) */
  readonly everyNthMalformed?: number;
}

export function scriptedPolicy(o: ScriptedPolicyOptions = {}): (body: ChatRequestBody) => ServedReply {
  const share = o.notionalShare ?? 0.2;
  const stop = o.stopPct ?? 0.004;
  const take = o.takePct ?? 0.006;
  const leverage = o.leverage ?? 3;
  let n = 0;
  return (body) => {
    n++;
    const user = (body.messages ?? []).find((m) => m.role === "user");
    if (user === undefined) return { status: 400, body: '{"error":{"message":"no user message"}}' };
    const obs = JSON.parse(user.content) as Observation;
    const reply = JSON.stringify(decide(obs, share, stop, take, leverage));
    if (o.everyNthMalformed !== undefined && o.everyNthMalformed > 0 && n % o.everyNthMalformed === 0)
      return { content: reply.slice(0, Math.floor(reply.length / 2)) };
    return { content: reply };
  };
}

function decide(obs: Observation, share: number, stop: number, take: number, leverage: number) {
  const equity = obs.account.equity_usd ?? 0;
  const held = new Set(obs.account.positions.map((p) => p.coin));
  const positions: Record<string, unknown> = {};
  for (const [coin, m] of Object.entries(obs.markets).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (held.has(coin)) {
      positions[coin] = { coin, signal: "hold", justification: "position open: the held exits manage it" };
      continue;
    }
    const ema = m.indicators_1m.ema20.at(-1) ?? null;
    if (m.mid === null || ema === null || equity <= 0 || m.mid === ema) continue;
    const dir = m.mid > ema ? 1 : -1;
    positions[coin] = {
      coin,
      signal: dir > 0 ? "buy" : "sell",
      quantity: (equity * share) / m.mid,
      leverage,
      confidence: 0.5,
      exit_plan: {
        stop_loss: m.mid * (1 - dir * stop),
        take_profit: m.mid * (1 + dir * take),
        invalidation: "",
      },
      justification: `mid ${m.mid} ${dir > 0 ? "above" : "below"} EMA20 ${ema}`,
    };
  }
  return { positions, notes: `scripted policy, cycle ${obs.cycle}` };
}
