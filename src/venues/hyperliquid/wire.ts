/**
 * Hyperliquid action wire formats, built with keys in the order the venue hashes them (the msgpack
 * map order is part of the signed bytes). Shapes from the Python SDK
 * (hyperliquid-dex/hyperliquid-python-sdk `hyperliquid/utils/signing.py`, `exchange.py`) and
 * ../shared/reference/VENUES.md §1.1:
 *
 *   order          {type, orders:[{a,b,p,s,r,t,c?}], grouping, builder?:{b,f}}
 *                  t = {limit:{tif}} | {trigger:{isMarket, triggerPx, tpsl}}
 *   cancel         {type, cancels:[{a,o}]}
 *   cancelByCloid  {type, cancels:[{asset,cloid}]}
 *   modify         {type, oid, order}
 *   batchModify    {type, modifies:[{oid, order}]}
 *   updateLeverage {type, asset, isCross, leverage}
 *   scheduleCancel {type, time?}   (disarm by omitting `time`, never null)
 *   noop           {type}
 */
import type { Packable } from "./msgpack.ts";

/**
 * A price or size as the venue wants it, the rules of the Python SDK's `float_to_wire`:
 * - at most 8 decimals: the value is written with 8 decimals (`f"{x:.8f}"`) and refused when that
 *   rounds it (|rounded − x| ≥ 1e-12), so nothing is silently moved off its grid;
 * - trailing zeros after the point are stripped, and the point too when nothing follows
 *   (`Decimal.normalize()` then `:f`): 100.0 → "100", 1670.10 → "1670.1", 0.0147 → "0.0147";
 * - "-0" becomes "0"; no exponent is ever written (1e-7 → "0.0000001").
 * A decimal string is accepted as is (exact money from the core), with the same normalisation.
 */
export function floatToWire(x: number | string): string {
  let text: string;
  if (typeof x === "number") {
    if (!Number.isFinite(x)) throw new RangeError(`floatToWire: ${x} is not finite`);
    text = x.toFixed(8);
    if (Math.abs(Number(text) - x) >= 1e-12) throw new RangeError(`floatToWire: ${x} would be rounded`);
  } else {
    const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(x);
    if (!m) throw new RangeError(`floatToWire: "${x}" is not a plain decimal`);
    const frac = (m[3] ?? "").replace(/0+$/, "");
    if (frac.length > 8) throw new RangeError(`floatToWire: "${x}" has more than 8 decimals`);
    text = `${m[1]}${m[2]}.${frac}`;
  }
  return normalizeDecimal(text);
}

function normalizeDecimal(text: string): string {
  let neg = false;
  let t = text;
  if (t.startsWith("-")) {
    neg = true;
    t = t.slice(1);
  }
  let [int, frac = ""] = t.split(".");
  frac = frac.replace(/0+$/, "");
  int = int.replace(/^0+(?=\d)/, "");
  const out = frac === "" ? int : `${int}.${frac}`;
  return neg && /[1-9]/.test(out) ? `-${out}` : out;
}

export type Tif = "Gtc" | "Ioc" | "Alo";

export type OrderTypeInput =
  | { readonly limit: { readonly tif: Tif } }
  | {
      readonly trigger: {
        readonly isMarket: boolean;
        readonly triggerPx: number | string;
        readonly tpsl: "tp" | "sl";
      };
    };

export interface OrderInput {
  /** asset id: perp = index in `meta.universe`, spot = 10000 + index */
  readonly asset: number;
  readonly isBuy: boolean;
  readonly limitPx: number | string;
  readonly sz: number | string;
  readonly reduceOnly: boolean;
  readonly orderType: OrderTypeInput;
  /** `0x` + 32 lowercase hex digits */
  readonly cloid?: string;
}

export interface OrderWire {
  readonly [key: string]: Packable | undefined;
  a: number;
  b: boolean;
  p: string;
  s: string;
  r: boolean;
  t: Packable;
  c?: string;
}

const CLOID_RE = /^0x[0-9a-f]{32}$/;

export function checkCloid(cloid: string): string {
  if (!CLOID_RE.test(cloid)) throw new RangeError(`cloid "${cloid}" is not 0x + 32 lowercase hex digits`);
  return cloid;
}

export function orderTypeToWire(t: OrderTypeInput): Packable {
  if ("limit" in t) return { limit: { tif: t.limit.tif } };
  // key order of the SDK's order_type_to_wire: isMarket, triggerPx, tpsl
  return {
    trigger: {
      isMarket: t.trigger.isMarket,
      triggerPx: floatToWire(t.trigger.triggerPx),
      tpsl: t.trigger.tpsl,
    },
  };
}

export function orderToWire(o: OrderInput): OrderWire {
  const w: OrderWire = {
    a: o.asset,
    b: o.isBuy,
    p: floatToWire(o.limitPx),
    s: floatToWire(o.sz),
    r: o.reduceOnly,
    t: orderTypeToWire(o.orderType),
  };
  if (o.cloid !== undefined) w.c = checkCloid(o.cloid);
  return w;
}

export type Grouping = "na" | "normalTpsl" | "positionTpsl";

export interface Builder {
  /** builder address, lower case */
  readonly b: string;
  /** fee in tenths of a basis point */
  readonly f: number;
}

export function orderAction(
  orders: readonly OrderInput[],
  grouping: Grouping = "na",
  builder?: Builder,
): { readonly [key: string]: Packable | undefined } {
  const action: { [key: string]: Packable } = { type: "order", orders: orders.map(orderToWire), grouping };
  if (builder) action.builder = { b: builder.b.toLowerCase(), f: builder.f };
  return action;
}

export function cancelAction(cancels: readonly { asset: number; oid: number }[]): Packable {
  return { type: "cancel", cancels: cancels.map((c) => ({ a: c.asset, o: c.oid })) };
}

export function cancelByCloidAction(cancels: readonly { asset: number; cloid: string }[]): Packable {
  return {
    type: "cancelByCloid",
    cancels: cancels.map((c) => ({ asset: c.asset, cloid: checkCloid(c.cloid) })),
  };
}

/** `oid` is the venue's order id or the order's cloid. */
export function modifyAction(oid: number | string, order: OrderInput): Packable {
  return { type: "modify", oid: typeof oid === "string" ? checkCloid(oid) : oid, order: orderToWire(order) };
}

export function batchModifyAction(
  modifies: readonly { oid: number | string; order: OrderInput }[],
): Packable {
  return {
    type: "batchModify",
    modifies: modifies.map((m) => ({
      oid: typeof m.oid === "string" ? checkCloid(m.oid) : m.oid,
      order: orderToWire(m.order),
    })),
  };
}

export function updateLeverageAction(asset: number, isCross: boolean, leverage: number): Packable {
  if (!Number.isInteger(leverage) || leverage < 1)
    throw new RangeError(`leverage ${leverage} is not an integer ≥ 1`);
  return { type: "updateLeverage", asset, isCross, leverage };
}

/** Arm the dead man's switch at `time` (ms), or disarm it with no time (the key is omitted). */
export function scheduleCancelAction(time?: number): Packable {
  return time === undefined ? { type: "scheduleCancel" } : { type: "scheduleCancel", time };
}

export function noopAction(): Packable {
  return { type: "noop" };
}
