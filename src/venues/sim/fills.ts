import type { Instrument } from "../../core/instrument.ts";
import { type Money, mulDiv } from "../../core/money.ts";
import { type Fill, type Liquidity, type Side, sideSign } from "../../core/types.ts";
import type { LeverageSetting, PositionState, SimState, SinkName } from "./state.ts";

export interface FillParams {
  readonly account: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly liquidity: Liquidity;
  readonly feeBps: number;
  /** "fees" for trading fees, "insurance" for the liquidation fee */
  readonly feeSink: SinkName;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly ts: number;
  /** mode and leverage a position opened by this fill takes */
  readonly setting: LeverageSetting;
}

const FEE_DENOMINATOR = 10_000n * 1_000_000n;
let cachedFeeBps = Number.NaN;
let cachedFeeMicroBps = 0n;

/**
 * Exactly core/money.ts feeOf (fee rounded up in the venue's favour, bps at 1e-6 resolution),
 * with the bps-to-bigint conversion cached for the last rate seen: a venue charges a handful of
 * rates, and a run of takers repeats one. fills.test.ts checks it against feeOf.
 */
export function fillFee(notional: Money, bps: number): Money {
  if (bps !== cachedFeeBps) {
    cachedFeeMicroBps = BigInt(Math.round(bps * 1_000_000));
    cachedFeeBps = bps;
  }
  return mulDiv(notional, cachedFeeMicroBps, FEE_DENOMINATOR, "up");
}

/** Initial margin of a notional at a leverage, rounded up (the venue never under-reserves). */
export function initialMargin(notional: Money, leverage: number): Money {
  return mulDiv(notional, 1_000_000n, BigInt(Math.round(leverage * 1_000_000)), "up");
}

/**
 * Book one fill: position and cost basis, realised PnL against the market counterparty, fee to
 * its sink, isolated margin earmarked or released. Every money movement is a sink <-> account
 * transfer of one integer, so Σ cash + Σ sinks − deposits cannot drift.
 */
export function applyFill(state: SimState, inst: Instrument, venueId: string, f: FillParams): Fill {
  if (!(f.sizeLots > 0) || !(f.priceTicks > 0)) {
    throw new Error(`applyFill ${inst.key}: size ${f.sizeLots} lots at ${f.priceTicks} ticks is not a fill`);
  }
  const symbol = inst.symbol;
  const account = state.account(f.account);
  const pos = state.position(f.account, symbol) ?? state.openPosition(f.account, symbol, f.setting);
  const s = sideSign(f.side);
  // the fill's notional, also the closing or opening leg's when the fill is all one of them
  const notional = inst.notional(f.sizeLots, f.priceTicks);
  let remaining = f.sizeLots;
  let pnl = 0n;
  if (pos.sizeLots !== 0 && Math.sign(pos.sizeLots) !== s) {
    const held = Math.abs(pos.sizeLots);
    const closing = Math.min(remaining, held);
    const whole = closing === held;
    const costRemoved = whole
      ? pos.entryNotional
      : mulDiv(pos.entryNotional, BigInt(closing), BigInt(held), "down");
    const marginReleased = whole
      ? pos.isolatedMargin
      : mulDiv(pos.isolatedMargin, BigInt(closing), BigInt(held), "down");
    const exit = closing === f.sizeLots ? notional : inst.notional(closing, f.priceTicks);
    pnl = pos.sizeLots > 0 ? exit - costRemoved : costRemoved - exit;
    pos.entryNotional -= costRemoved;
    pos.isolatedMargin -= marginReleased;
    pos.sizeLots += s * closing;
    remaining -= closing;
  }
  if (remaining > 0) {
    if (pos.sizeLots === 0) openFresh(pos, f.setting);
    const opened = remaining === f.sizeLots ? notional : inst.notional(remaining, f.priceTicks);
    pos.entryNotional += opened;
    pos.sizeLots += s * remaining;
    if (pos.mode === "isolated") pos.isolatedMargin += initialMargin(opened, pos.leverage);
  }
  state.transfer(account, "counterparty", pnl);
  const fee = fillFee(notional, f.feeBps);
  state.transfer(account, f.feeSink, -fee);
  if (pos.sizeLots === 0) state.flatten(pos);
  else state.touchPosition(pos);
  state.fillSeq += 1;
  const fill: Fill = {
    fillId: `${venueId}-f${state.fillSeq}`,
    clientOrderId: f.clientOrderId,
    venueOrderId: f.venueOrderId,
    account: f.account,
    symbol,
    side: f.side,
    priceTicks: f.priceTicks,
    sizeLots: f.sizeLots,
    fee,
    liquidity: f.liquidity,
    realisedPnl: pnl,
    ts: f.ts,
  };
  state.changes.fills.push(fill);
  state.changes.meta = true;
  return fill;
}

/** A position that went through zero starts over with the account's current setting. */
function openFresh(pos: PositionState, setting: LeverageSetting): void {
  pos.entryNotional = 0n;
  pos.isolatedMargin = 0n;
  pos.fundingPaid = 0n;
  pos.mode = setting.mode;
  pos.leverage = setting.leverage;
}
