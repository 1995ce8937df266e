import type { CoinDecision, Decision } from "./decision.ts";
import type { MarketObservation, Observation } from "./observation.ts";
import type { PriceTrigger } from "./types.ts";

/**
 * The validator (STRATEGIES.md 4.2): pure, per coin, on the observation alone. A bad coin becomes
 * a hold with its reason and never voids the others; clips are noted. What it returns is the
 * whole of what the cycle will do: nothing is sent before every coin has been decided.
 */
export interface PlannedExit {
  readonly stopLoss: number;
  readonly takeProfit: number | null;
  readonly invalidation: string;
  readonly trigger: PriceTrigger | null;
}

export type Action =
  | {
      readonly coin: string;
      readonly kind: "hold";
      readonly note: string | null;
      readonly exit: PlannedExit | null;
    }
  | { readonly coin: string; readonly kind: "close"; readonly justification: string }
  | {
      readonly coin: string;
      /** open: from flat or adding; reduce: toward a smaller target; flip: close, then open the other way */
      readonly kind: "open" | "reduce" | "flip";
      readonly side: "buy" | "sell";
      /** base units to trade now (flip: the new position's size; the close is the current one) */
      readonly qty: number;
      /** signed target position after the action */
      readonly target: number;
      readonly leverage: number;
      readonly exit: PlannedExit;
      readonly justification: string;
      readonly confidence: number | null;
      readonly note: string | null;
    };

export interface Validated {
  readonly actions: readonly Action[];
  /** refusals and clips, for `last_error` in the next observation */
  readonly problems: readonly string[];
}

const EPS = 1e-9;

function floorToStep(x: number, step: number): number {
  const n = Math.floor(x / step + EPS);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + EPS));
  return Number((n * step).toFixed(Math.min(decimals + 2, 12)));
}

/** `price < 61000`, `BTC below 61000`, `close above 3,500` → a trigger code checks; else null. */
export function parseTrigger(text: string): PriceTrigger | null {
  const m = /(<|>|\bbelow\b|\babove\b)\s*\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)/i.exec(text);
  if (m === null) return null;
  const price = Number(m[2].replace(/,/g, ""));
  if (!(price > 0)) return null;
  const op = m[1] === "<" || m[1].toLowerCase() === "below" ? "<" : ">";
  return { op, price };
}

export function validateDecision(obs: Observation, decision: Decision): Validated {
  const actions: Action[] = [];
  const problems: string[] = [];
  const positions = new Map(obs.account.positions.map((p) => [p.coin, p]));
  const equity = obs.account.equity_usd ?? 0;
  let available = obs.account.available_usd ?? 0;
  let gross = obs.account.positions.reduce((s, p) => s + Math.abs(p.qty) * p.mark, 0);
  const hold = (coin: string, note: string | null, exit: PlannedExit | null = null): void => {
    if (note !== null) problems.push(`${coin}: ${note}`);
    actions.push({ coin, kind: "hold", note, exit });
  };
  for (const [key, d] of Object.entries(decision.positions).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    const m = Object.hasOwn(obs.markets, key) ? obs.markets[key] : undefined;
    if (m === undefined) {
      problems.push(`${key}: not one of the markets (${Object.keys(obs.markets).join(", ")}): refused`);
      continue;
    }
    if (d.coin !== key) {
      hold(key, `coin "${d.coin}" under key "${key}": refused`);
      continue;
    }
    const pos = positions.get(key);
    const cur = pos === undefined ? 0 : pos.side === "long" ? pos.qty : -pos.qty;
    if (d.signal === "close") {
      if (cur === 0) hold(key, null);
      else actions.push({ coin: key, kind: "close", justification: d.justification });
      continue;
    }
    if (d.signal === "hold") {
      hold(key, null, pos === undefined ? null : tightened(obs, key, d, pos.side, problems));
      continue;
    }
    if (obs.limits.halted_for_day) {
      hold(key, `daily loss halt (${obs.limits.daily_loss_halt_pct * 100} %): only hold and close pass`);
      continue;
    }
    const r = sizeOpen(obs, m, d, cur, equity, available, gross);
    if (typeof r === "string") {
      hold(key, r);
      continue;
    }
    if (r.note !== null) problems.push(`${key}: ${r.note}`);
    available -= r.marginUsd;
    gross += r.addedNotional;
    actions.push(r.action);
  }
  return { actions, problems };
}

function sizeOpen(
  obs: Observation,
  m: MarketObservation,
  d: CoinDecision,
  cur: number,
  equity: number,
  available: number,
  gross: number,
): string | { action: Action; note: string | null; marginUsd: number; addedNotional: number } {
  const L = obs.limits;
  const side = d.signal === "buy" ? "buy" : "sell";
  const dir = side === "buy" ? 1 : -1;
  if (!(d.quantity > 0)) return `${d.signal} needs quantity > 0`;
  const entry = side === "buy" ? m.ask : m.bid;
  const mark = m.mark ?? m.mid;
  if (entry === null || mark === null) return "no price on the market: refused";
  const notes: string[] = [];
  const leverage = Math.min(d.leverage, L.max_leverage, m.rules.max_leverage);
  if (leverage < d.leverage) notes.push(`leverage ${d.leverage} clipped to ${leverage}`);
  const sl = d.exit_plan?.stop_loss ?? null;
  const tp = d.exit_plan?.take_profit ?? null;
  if (sl === null) {
    if (L.require_stop_loss) return `${d.signal} without a stop_loss: refused`;
  }
  const stop = sl ?? entry * (1 - dir * (0.8 / leverage));
  if (dir * (mark - stop) <= 0) return `stop_loss ${stop} is on the wrong side of the mark ${mark}: refused`;
  if (tp !== null && dir * (tp - mark) <= 0)
    return `take_profit ${tp} is on the wrong side of the mark ${mark}: refused`;
  // a new position's liquidation is about 1/leverage away; the stop must sit well inside it
  const stopDistance = Math.abs(entry - stop) / entry;
  if (stopDistance > 0.8 / leverage)
    return `stop_loss ${stop} is ${(stopDistance * 100).toFixed(2)} % away, beyond 0.8 x the liquidation distance at ${leverage}x: refused`;
  // every position has a take-profit the engine holds: none given, it sits at twice the stop's
  // distance on the other side (reward 2 : risk 1)
  const takeProfit = tp ?? entry + dir * 2 * Math.abs(entry - stop);
  if (tp === null) notes.push(`no take_profit: set to ${takeProfit.toPrecision(8)} (2 x the stop distance)`);
  const flip = cur !== 0 && Math.sign(cur) !== dir;
  let qty = d.quantity;
  const riskCap = (L.max_risk_per_trade_pct * equity) / Math.abs(entry - stop);
  if (qty > riskCap) {
    notes.push(`quantity ${qty} clipped to ${riskCap.toPrecision(6)} by max_risk_per_trade_pct`);
    qty = riskCap;
  }
  const heldSame = flip ? 0 : Math.abs(cur);
  const otherGross = gross - (cur === 0 ? 0 : Math.abs(cur) * mark);
  const grossCap = Math.max(0, (L.max_gross_leverage * equity - otherGross) / entry);
  if (qty > grossCap) {
    notes.push(`quantity clipped to ${grossCap.toPrecision(6)} by max_gross_leverage`);
    qty = grossCap;
  }
  const addCap = heldSame + Math.max(0, (available * leverage) / entry);
  if (qty > addCap) {
    notes.push(`quantity clipped to ${addCap.toPrecision(6)} by the available margin`);
    qty = addCap;
  }
  qty = floorToStep(qty, m.rules.lot_size);
  const minNotional = Math.max(L.min_notional_usd, m.rules.min_notional_usd);
  const exit: PlannedExit = {
    stopLoss: stop,
    takeProfit,
    invalidation: d.exit_plan?.invalidation ?? "",
    trigger: parseTrigger(d.exit_plan?.invalidation ?? ""),
  };
  const target = dir * qty;
  const delta = flip ? qty : qty - heldSame;
  const note = notes.length === 0 ? null : notes.join("; ");
  if (Math.abs(delta) * entry < minNotional) {
    if (cur !== 0 && !flip) {
      // no trade worth sending, but the plan for the position still counts (tighten only)
      return {
        action: { coin: d.coin, kind: "hold", note: note ?? "change below min notional", exit },
        note,
        marginUsd: 0,
        addedNotional: 0,
      };
    }
    return `${qty * entry < minNotional ? `size ${qty}` : `change ${delta}`} is below the minimum notional ${minNotional} USD: hold${note === null ? "" : ` (${note})`}`;
  }
  const kind = flip ? "flip" : delta > 0 ? "open" : "reduce";
  const tradeSide = kind === "reduce" ? (side === "buy" ? "sell" : "buy") : side;
  const added = kind === "reduce" ? 0 : Math.abs(delta) * entry;
  return {
    action: {
      coin: d.coin,
      kind,
      side: tradeSide,
      qty: Math.abs(delta),
      target,
      leverage,
      exit,
      justification: d.justification,
      confidence: d.confidence,
      note,
    },
    note,
    marginUsd: added / leverage,
    addedNotional: added,
  };
}

/** On hold a plan may tighten the stop, never loosen it; a take-profit on the right side is taken. */
function tightened(
  obs: Observation,
  coin: string,
  d: CoinDecision,
  side: "long" | "short",
  problems: string[],
): PlannedExit | null {
  const held = obs.account.positions.find((p) => p.coin === coin)?.exit_plan;
  if (d.exit_plan === null || held === null || held === undefined) return null;
  const dir = side === "long" ? 1 : -1;
  const mark = obs.account.positions.find((p) => p.coin === coin)?.mark ?? 0;
  let stop = held.stop_loss;
  const asked = d.exit_plan.stop_loss;
  if (asked !== null) {
    if (dir * (asked - held.stop_loss) > 0 && dir * (mark - asked) > 0) stop = asked;
    else if (asked !== held.stop_loss)
      problems.push(`${coin}: stop_loss ${asked} would loosen or cross the held ${held.stop_loss}: kept`);
  }
  const tp =
    d.exit_plan.take_profit !== null && dir * (d.exit_plan.take_profit - mark) > 0
      ? d.exit_plan.take_profit
      : held.take_profit;
  const invalidation = d.exit_plan.invalidation === "" ? held.invalidation : d.exit_plan.invalidation;
  if (stop === held.stop_loss && tp === held.take_profit && invalidation === held.invalidation) return null;
  return { stopLoss: stop, takeProfit: tp, invalidation, trigger: parseTrigger(invalidation) };
}
