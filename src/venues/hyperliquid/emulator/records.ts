/**
 * The venue's record shapes (HLd "Info endpoint", "Websocket subscriptions"; VENUES.md §1.3,
 * §1.5; the Python SDK's recorded cassettes), built from the emulator's own order records and
 * the simulated exchange core's ledger.
 */
import { toUsd } from "../../../core/money.ts";
import type { SimExchange } from "../../sim/exchange.ts";
import { accountFigures } from "../../sim/margin.ts";
import { positionReports } from "../../sim/reports.ts";
import { num, trim } from "./universe.ts";

export type Tif = "Gtc" | "Ioc" | "Alo";

/** One order as the emulator keeps it: the venue's view, beside the core's order state. */
export interface HlOrder {
  readonly oid: number;
  readonly user: string;
  readonly coin: string;
  readonly asset: number;
  readonly side: "B" | "A";
  readonly limitPx: string;
  readonly origSz: string;
  readonly cloid?: string;
  readonly tif: Tif;
  readonly reduceOnly: boolean;
  readonly timestamp: number;
  /** lots still open */
  remainingLots: number;
  filledLots: number;
  /** Σ px × sz of the fills, for avgPx */
  filledNotional: number;
  /** the venue's status name: open, filled, canceled, …Rejected, …Canceled */
  status: string;
  statusTimestamp: number;
}

export interface HlFill {
  coin: string;
  px: string;
  sz: string;
  side: "B" | "A";
  time: number;
  startPosition: string;
  dir: string;
  closedPnl: string;
  hash: string;
  oid: number;
  crossed: boolean;
  fee: string;
  tid: number;
  feeToken: "USDC";
  cloid?: string;
  liquidation?: { liquidatedUser: string; markPx: string; method: "market" };
}

export interface HlFunding {
  time: number;
  coin: string;
  usdc: string;
  szi: string;
  fundingRate: string;
  nSamples: null;
}

/** `openOrders` row (also the `order` of orderUpdates and orderStatus, before the frontend fields). */
export function basicOrder(o: HlOrder, sizeText: (lots: number) => string) {
  return {
    coin: o.coin,
    side: o.side,
    limitPx: o.limitPx,
    sz: sizeText(o.remainingLots),
    oid: o.oid,
    timestamp: o.timestamp,
    origSz: o.origSz,
    ...(o.cloid ? { cloid: o.cloid } : {}),
  };
}

/** `frontendOpenOrders` row: limit orders only (the emulator has no trigger orders). */
export function frontendOrder(o: HlOrder, sizeText: (lots: number) => string) {
  return {
    ...basicOrder(o, sizeText),
    orderType: "Limit",
    tif: o.tif,
    reduceOnly: o.reduceOnly,
    isTrigger: false,
    triggerPx: "0.0",
    triggerCondition: "N/A",
    isPositionTpsl: false,
    children: [],
    cloid: o.cloid ?? null,
  };
}

/** What a fill did to the position, in the venue's words. */
export function direction(startLots: number, buy: boolean, lots: number): string {
  const after = startLots + (buy ? lots : -lots);
  if (startLots === 0) return buy ? "Open Long" : "Open Short";
  if (startLots > 0) {
    if (buy) return "Open Long";
    return after >= 0 ? "Close Long" : "Long > Short";
  }
  if (!buy) return "Open Short";
  return after <= 0 ? "Close Short" : "Short > Long";
}

/** A transaction-hash-looking id (the emulator has no chain): 32 bytes from a counter. */
export function fakeHash(n: number, salt: number): string {
  const a = (n >>> 0).toString(16).padStart(8, "0");
  const b = (salt >>> 0).toString(16).padStart(8, "0");
  return `0x${(a + b).repeat(4)}`;
}

/** `clearinghouseState` of one user from the core's ledger at the current marks. */
export function clearinghouseState(ex: SimExchange, user: string, now: number) {
  const figures = accountFigures(ex.state, user, ex);
  let ntl = 0;
  let signedNtl = 0;
  const assetPositions = positionReports(ex, user).map((p) => {
    const inst = ex.instrumentOf(p.symbol);
    const size = inst.sizeValue(p.sizeLots);
    const value = Math.abs(size) * p.markPrice;
    ntl += value;
    signedNtl += size * p.markPrice;
    const pos = ex.state.position(user, p.symbol);
    const funding = pos ? num(toUsd(pos.fundingPaid), 6) : "0";
    return {
      type: "oneWay",
      position: {
        coin: p.symbol,
        szi: trim(inst.sizeText(p.sizeLots)),
        leverage:
          p.marginMode === "cross"
            ? { type: "cross" as const, value: p.leverage }
            : { type: "isolated" as const, value: p.leverage, rawUsd: num(p.marginUsd - value, 6) },
        entryPx: num(p.entryPrice, 6),
        positionValue: num(value, 6),
        unrealizedPnl: num(p.unrealisedPnlUsd, 6),
        returnOnEquity: num(p.marginUsd > 0 ? p.unrealisedPnlUsd / p.marginUsd : 0, 8),
        liquidationPx: p.liquidationPrice === null ? null : num(p.liquidationPrice, 6),
        marginUsed: num(p.marginUsd, 6),
        maxLeverage: inst.spec.maxLeverage,
        cumFunding: { allTime: funding, sinceOpen: funding, sinceChange: funding },
      },
    };
  });
  const summary = {
    accountValue: num(figures.equityUsd, 6),
    totalNtlPos: num(ntl, 6),
    totalRawUsd: num(figures.equityUsd - signedNtl, 6),
    totalMarginUsed: num(figures.initialMarginUsd, 6),
  };
  return {
    marginSummary: summary,
    crossMarginSummary: summary,
    crossMaintenanceMarginUsed: num(figures.crossMaintenanceMarginUsd, 6),
    withdrawable: num(Math.max(0, figures.availableUsd), 6),
    assetPositions,
    time: now,
  };
}
