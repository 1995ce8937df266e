import type { Candle } from "./candles.ts";
import { type Indicators1m, type Indicators6h, indicators1m, indicators6h } from "./indicators.ts";
import { type Regime, regimeOf } from "./regime.ts";
import type { ClosedTrade, HeldExit } from "./types.ts";

/**
 * The observation (STRATEGIES.md 4.1): a pure function of the point-in-time input the strategy
 * gathers from its views. It is everything the model sees and everything the validator decides
 * on, so a stored observation is enough to re-run the decision (replay) without any market.
 */
export const OBSERVATION_FORMAT = "agent-observation/1";

export interface MarketInput {
  readonly coin: string;
  readonly symbol: string;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly bidSize: number;
  readonly askSize: number;
  readonly mark: number | null;
  readonly fundingPerHour: number;
  readonly fundingIntervalHours: number;
  readonly lotSize: number;
  readonly tickSize: number;
  readonly minNotionalUsd: number;
  readonly maxLeverage: number;
  readonly candles1m: readonly Candle[];
  readonly candles6h: readonly Candle[];
}

export interface PositionInput {
  readonly coin: string;
  readonly symbol: string;
  /** signed base units */
  readonly qty: number;
  readonly entry: number;
  readonly mark: number;
  readonly unrealisedPnlUsd: number;
  readonly liquidationPrice: number | null;
  readonly openedAt: number | null;
}

export interface Limits {
  readonly max_leverage: number;
  readonly max_risk_per_trade_pct: number;
  readonly max_gross_leverage: number;
  readonly min_notional_usd: number;
  readonly daily_loss_halt_pct: number;
  readonly require_stop_loss: boolean;
  readonly max_slippage_bps: number;
}

export interface ObservationInput {
  readonly ts: number;
  readonly cycle: number;
  readonly version: string;
  readonly markets: readonly MarketInput[];
  readonly account: {
    equity: number;
    available: number;
    initialMargin: number;
    maintenanceMargin: number;
  } | null;
  readonly positions: readonly PositionInput[];
  readonly exits: Readonly<Record<string, HeldExit>>;
  readonly trades: readonly ClosedTrade[];
  readonly performance: Record<string, number | null> | null;
  readonly dayStartEquity: number | null;
  readonly llmCostTodayUsd: number;
  readonly lastError: string | null;
  readonly limits: Limits;
  readonly candles1m: number;
  readonly candles6h: number;
}

export interface MarketObservation {
  readonly symbol: string;
  readonly mid: number | null;
  readonly mark: number | null;
  readonly bid: number | null;
  readonly ask: number | null;
  readonly spread_bps: number | null;
  readonly bid_size: number;
  readonly ask_size: number;
  readonly funding_per_hour: number;
  readonly funding_per_8h: number;
  readonly funding_interval_hours: number;
  readonly volume_1h: number;
  readonly indicators_1m: Indicators1m;
  readonly indicators_6h: Indicators6h;
  readonly candles_1m: readonly Candle[];
  readonly candles_6h: readonly Candle[];
  readonly rules: { lot_size: number; tick_size: number; min_notional_usd: number; max_leverage: number };
}

export interface PositionObservation {
  readonly coin: string;
  readonly side: "long" | "short";
  readonly qty: number;
  readonly entry: number;
  readonly mark: number;
  readonly unrealised_pnl_usd: number;
  readonly liquidation_price: number | null;
  readonly hold_minutes: number | null;
  readonly exit_plan: {
    stop_loss: number;
    take_profit: number | null;
    invalidation: string;
    checked_by: "code" | "model";
  } | null;
}

export interface Observation {
  readonly format: typeof OBSERVATION_FORMAT;
  readonly ts: number;
  readonly cycle: number;
  readonly version: string;
  readonly markets: Readonly<Record<string, MarketObservation>>;
  readonly regime: Regime;
  readonly account: {
    readonly equity_usd: number | null;
    readonly available_usd: number | null;
    readonly initial_margin_usd: number | null;
    readonly maintenance_margin_usd: number | null;
    readonly day_start_equity_usd: number | null;
    readonly llm_cost_today_usd: number;
    readonly positions: readonly PositionObservation[];
  };
  readonly recent_trades: readonly {
    coin: string;
    side: string;
    qty: number;
    entry: number;
    exit: number;
    net_usd: number;
    hold_minutes: number;
    entry_reason: string;
    exit_reason: string;
  }[];
  readonly performance: Record<string, number | null> | null;
  readonly limits: Limits & { readonly halted_for_day: boolean };
  readonly last_error: string | null;
}

const r = (x: number, d = 8) => Math.round(x * 10 ** d) / 10 ** d;

export function buildObservation(i: ObservationInput): Observation {
  const markets: Record<string, MarketObservation> = {};
  const regimeInputs = [];
  for (const m of i.markets) {
    const mid = m.bid !== null && m.ask !== null ? (m.bid + m.ask) / 2 : null;
    const c1 = m.candles1m.slice(-i.candles1m);
    const c6 = m.candles6h.slice(-i.candles6h);
    const ind1m = indicators1m(m.candles1m);
    const ind6h = indicators6h(m.candles6h);
    markets[m.coin] = {
      symbol: m.symbol,
      mid,
      mark: m.mark,
      bid: m.bid,
      ask: m.ask,
      spread_bps:
        mid === null || m.bid === null || m.ask === null ? null : r(((m.ask - m.bid) / mid) * 10_000, 4),
      bid_size: m.bidSize,
      ask_size: m.askSize,
      funding_per_hour: m.fundingPerHour,
      funding_per_8h: r(m.fundingPerHour * 8, 10),
      funding_interval_hours: m.fundingIntervalHours,
      volume_1h: r(
        c1.slice(-60).reduce((s, c) => s + c[5], 0),
        6,
      ),
      indicators_1m: ind1m,
      indicators_6h: ind6h,
      candles_1m: c1,
      candles_6h: c6,
      rules: {
        lot_size: m.lotSize,
        tick_size: m.tickSize,
        min_notional_usd: m.minNotionalUsd,
        max_leverage: m.maxLeverage,
      },
    };
    if (mid !== null) regimeInputs.push({ coin: m.coin, mid, ind1m, ind6h, candles1m: m.candles1m });
  }
  const equity = i.account?.equity ?? null;
  const halted =
    equity !== null && i.dayStartEquity !== null && i.dayStartEquity > 0
      ? (i.dayStartEquity - equity) / i.dayStartEquity >= i.limits.daily_loss_halt_pct
      : false;
  return {
    format: OBSERVATION_FORMAT,
    ts: i.ts,
    cycle: i.cycle,
    version: i.version,
    markets,
    regime: regimeOf(regimeInputs),
    account: {
      equity_usd: equity,
      available_usd: i.account?.available ?? null,
      initial_margin_usd: i.account?.initialMargin ?? null,
      maintenance_margin_usd: i.account?.maintenanceMargin ?? null,
      day_start_equity_usd: i.dayStartEquity,
      llm_cost_today_usd: r(i.llmCostTodayUsd, 8),
      positions: i.positions.map((p) => {
        const x = i.exits[p.coin];
        return {
          coin: p.coin,
          side: p.qty > 0 ? "long" : "short",
          qty: Math.abs(p.qty),
          entry: p.entry,
          mark: p.mark,
          unrealised_pnl_usd: r(p.unrealisedPnlUsd, 6),
          liquidation_price: p.liquidationPrice,
          hold_minutes: p.openedAt === null ? null : Math.floor((i.ts - p.openedAt) / 60_000),
          exit_plan:
            x === undefined
              ? null
              : {
                  stop_loss: x.stopLoss,
                  take_profit: x.takeProfit,
                  invalidation: x.invalidation,
                  checked_by: x.trigger === null ? "model" : "code",
                },
        };
      }),
    },
    recent_trades: i.trades.slice(-10).map((t) => ({
      coin: t.coin,
      side: t.side,
      qty: t.qty,
      entry: t.entry,
      exit: t.exit,
      net_usd: r(t.netUsd, 6),
      hold_minutes: Math.floor((t.closedAt - t.openedAt) / 60_000),
      entry_reason: t.entryReason,
      exit_reason: t.exitReason,
    })),
    performance: i.performance,
    limits: { ...i.limits, halted_for_day: halted },
    last_error: i.lastError,
  };
}
