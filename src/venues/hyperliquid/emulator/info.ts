/**
 * `/info` answers in the venue's shapes (HLd "Info endpoint"; VENUES.md §1.3; the Python SDK's
 * cassettes in ../shared/data/hyperliquid-rest/). Unknown types and malformed requests get the
 * venue's 422 text.
 */
import type { HlEngine } from "./engine.ts";
import { basicOrder, clearinghouseState, frontendOrder, type HlOrder } from "./records.ts";
import { metaOf, num, trim } from "./universe.ts";

type Json = Record<string, unknown>;

export const DESERIALIZE = "Failed to deserialize the JSON body into the target type";

export class InfoError extends Error {}

const user = (body: Json): string => {
  if (typeof body.user !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(body.user))
    throw new InfoError(DESERIALIZE);
  return body.user.toLowerCase();
};

/** Book levels of one side: the market book and the users' resting orders together, best first. */
export function levels(engine: HlEngine, coin: string, side: "bid" | "ask", max = 20) {
  const inst = engine.inst(coin);
  const byTicks = new Map<number, { sz: number; n: number }>();
  engine.books.get(coin)!.walk(side, (t, size) => {
    byTicks.set(t, { sz: size, n: 1 });
    return byTicks.size < max;
  });
  const resting = engine.exchange.resting.get(coin)!;
  for (const o of side === "bid" ? resting.bids : resting.asks) {
    const l = byTicks.get(o.priceTicks) ?? { sz: 0, n: 0 };
    l.sz += inst.sizeValue(o.sizeLots - o.filledLots);
    l.n += 1;
    byTicks.set(o.priceTicks, l);
  }
  return [...byTicks.entries()]
    .sort((a, b) => (side === "bid" ? b[0] - a[0] : a[0] - b[0]))
    .slice(0, max)
    .map(([t, l]) => ({ px: trim(inst.priceText(t)), sz: num(l.sz, inst.lot.decimals), n: l.n }));
}

export function l2Book(engine: HlEngine, coin: string) {
  return {
    coin,
    time: engine.clock.now(),
    levels: [levels(engine, coin, "bid"), levels(engine, coin, "ask")],
  };
}

export function bbo(engine: HlEngine, coin: string) {
  return {
    coin,
    time: engine.clock.now(),
    bbo: [levels(engine, coin, "bid", 1)[0] ?? null, levels(engine, coin, "ask", 1)[0] ?? null],
  };
}

export function mid(engine: HlEngine, coin: string): number {
  const b = levels(engine, coin, "bid", 1)[0];
  const a = levels(engine, coin, "ask", 1)[0];
  return b && a ? (Number(b.px) + Number(a.px)) / 2 : engine.mark(coin);
}

export function assetCtx(engine: HlEngine, coin: string) {
  const mark = engine.mark(coin);
  const oracle = engine.oracle.get(coin) ?? mark;
  let oi = 0;
  for (const p of engine.exchange.state.positionsBySymbol.get(coin) ?? [])
    if (p.sizeLots > 0) oi += engine.inst(coin).sizeValue(p.sizeLots);
  const m = mid(engine, coin);
  return {
    funding: num(engine.fundingRate.get(coin) ?? 0, 10),
    openInterest: num(oi, 6),
    prevDayPx: num(oracle, 6),
    dayNtlVlm: num(engine.dayVolume.get(coin) ?? 0, 6),
    premium: num(oracle > 0 ? (mark - oracle) / oracle : 0, 8),
    oraclePx: num(oracle, 6),
    markPx: num(mark, 6),
    midPx: num(m, 6),
    impactPxs: [num(m, 6), num(m, 6)],
  };
}

function orderStatus(engine: HlEngine, u: string, oid: unknown) {
  if (typeof oid !== "number" && typeof oid !== "string") throw new InfoError(DESERIALIZE);
  const o = engine.order(u, oid);
  if (!o) return { status: "unknownOid" };
  return {
    status: "order",
    order: { order: front(engine, o), status: o.status, statusTimestamp: o.statusTimestamp },
  };
}

const front = (engine: HlEngine, o: HlOrder) =>
  frontendOrder(o, (l) => trim(engine.inst(o.coin).sizeText(l)));

/** The answer to one info request, and how many items it returned (for the weight). */
export function infoAnswer(
  engine: HlEngine,
  body: Json,
  extra: (body: Json) => unknown,
): { value: unknown; items: number } {
  const one = (value: unknown) => ({ value, items: Array.isArray(value) ? value.length : 0 });
  const coin = () => {
    if (typeof body.coin !== "string" || !engine.instruments.has(body.coin)) throw new InfoError(DESERIALIZE);
    return body.coin;
  };
  switch (body.type) {
    case "meta":
      return one(metaOf(engine.coins));
    case "metaAndAssetCtxs":
      return one([metaOf(engine.coins), engine.coins.map((c) => assetCtx(engine, c.name))]);
    case "allMids":
      return one(Object.fromEntries(engine.coins.map((c) => [c.name, num(mid(engine, c.name), 6)])));
    case "l2Book":
      return one(l2Book(engine, coin()));
    case "clearinghouseState":
      return one(clearinghouseState(engine.exchange, user(body), engine.clock.now()));
    case "openOrders":
      return one(
        engine.openOrders(user(body)).map((o) => basicOrder(o, (l) => trim(engine.inst(o.coin).sizeText(l)))),
      );
    case "frontendOpenOrders":
      return one(engine.openOrders(user(body)).map((o) => front(engine, o)));
    case "orderStatus":
      return one(orderStatus(engine, user(body), body.oid));
    case "historicalOrders":
      return one(
        [...engine.orders.values()]
          .filter((o) => o.user === user(body))
          .reverse()
          .slice(0, 2000)
          .map((o) => ({ order: front(engine, o), status: o.status, statusTimestamp: o.statusTimestamp })),
      );
    case "userFills":
      return one([...(engine.fills.get(user(body)) ?? [])].reverse().slice(0, 2000));
    case "userFillsByTime": {
      const start = Number(body.startTime ?? 0);
      const end = body.endTime == null ? Number.POSITIVE_INFINITY : Number(body.endTime);
      const fills = (engine.fills.get(user(body)) ?? []).filter((f) => f.time >= start && f.time <= end);
      return one(fills.slice(0, 2000));
    }
    case "userFunding": {
      const start = Number(body.startTime ?? 0);
      const end = body.endTime == null ? Number.POSITIVE_INFINITY : Number(body.endTime);
      const list = (engine.fundings.get(user(body)) ?? []).filter((f) => f.time >= start && f.time <= end);
      return one(
        list.slice(0, 500).map((f) => ({
          time: f.time,
          hash: `0x${"0".repeat(64)}`,
          delta: {
            type: "funding",
            coin: f.coin,
            usdc: f.usdc,
            szi: f.szi,
            fundingRate: f.fundingRate,
            nSamples: null,
          },
        })),
      );
    }
    case "predictedFundings": {
      const next = (Math.floor(engine.clock.now() / 3_600_000) + 1) * 3_600_000;
      return one(
        engine.coins.map((c) => [
          c.name,
          [
            [
              "HlPerp",
              {
                fundingRate: num(engine.fundingRate.get(c.name) ?? 0, 10),
                nextFundingTime: next,
                fundingIntervalHours: 1,
              },
            ],
          ],
        ]),
      );
    }
    case "userFees":
      return one({ dailyUserVlm: [], feeSchedule: {}, userCrossRate: "0.00045", userAddRate: "0.00015" });
    default:
      return one(extra(body));
  }
}
