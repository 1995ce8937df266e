import { type Money, toUsd } from "../../core/money.ts";
import type { MarginMode } from "../../core/types.ts";
import { type VenueEvent, VenueRejectError } from "../../core/venue.ts";
import type { SimExchange } from "./exchange.ts";
import { checkLiquidations } from "./liquidation.ts";
import { accountFigures, positionFigures } from "./margin.ts";

/** Account settings requests: leverage, margin mode, isolated collateral. Refusals are definite. */

export function changeLeverage(
  ex: SimExchange,
  account: string,
  symbol: string,
  leverage: number,
  mode: MarginMode,
): void {
  const inst = ex.instrumentOf(symbol);
  if (!(leverage >= 1 && leverage <= inst.spec.maxLeverage)) {
    throw new VenueRejectError(
      "invalid_leverage",
      `${inst.key}: leverage ${leverage} not in [1, ${inst.spec.maxLeverage}]`,
    );
  }
  if (mode !== "cross" && mode !== "isolated") {
    throw new VenueRejectError("invalid_margin_mode", `${inst.key}: margin mode "${String(mode)}"`);
  }
  const state = ex.state;
  const pos = state.position(account, symbol);
  const open = pos !== undefined && pos.sizeLots !== 0;
  if (open && (pos.mode !== mode || mode === "isolated")) {
    throw new VenueRejectError("position_open", `${inst.key}: ${account} has an open ${pos.mode} position`);
  }
  state.setSetting(account, symbol, { leverage, mode });
  state.touchSetting(account, symbol);
  if (open) {
    // a cross position's initial margin follows the new leverage at once
    pos.leverage = leverage;
    state.touchPosition(pos);
  }
}

/**
 * Adding collateral needs that much available; removing must leave the position's margin plus
 * unrealised PnL at or above the initial margin at the instrument's max leverage (so collateral
 * can go below notional / leverage, as the recorded Hyperliquid positions show).
 */
export function changeIsolatedMargin(
  ex: SimExchange,
  account: string,
  symbol: string,
  amount: Money,
  now: number,
): VenueEvent[] {
  const inst = ex.instrumentOf(symbol);
  const pos = ex.state.position(account, symbol);
  if (pos === undefined || pos.sizeLots === 0 || pos.mode !== "isolated") {
    throw new VenueRejectError("no_isolated_position", `${inst.key}: ${account} has no isolated position`);
  }
  const f = positionFigures(pos, inst, ex.markOf(symbol));
  if (amount > 0n && toUsd(amount) > accountFigures(ex.state, account, ex).availableUsd) {
    throw new VenueRejectError("insufficient_margin", `${inst.key}: cannot add ${toUsd(amount)} USD`);
  }
  const floor = f.notionalUsd / inst.maxLeverageAt(f.notionalUsd);
  if (amount < 0n && toUsd(pos.isolatedMargin + amount) + f.unrealisedPnlUsd < floor) {
    throw new VenueRejectError("insufficient_margin", `${inst.key}: margin would fall below ${floor} USD`);
  }
  pos.isolatedMargin += amount;
  ex.state.touchPosition(pos);
  return checkLiquidations(ex, symbol, now);
}
