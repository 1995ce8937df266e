/**
 * One order of an `order` (or `modify`) action: the venue's checks in the venue's words, then the
 * core's matching. Error texts: HLd "Error responses" table, with the ` asset=N` suffix real
 * answers carry (seen in public logs for the post-only, IOC and margin errors); see
 * docs/venues/hyperliquid.md "The emulator" for which texts are confirmed.
 */
import type { OrderRequest } from "../../../core/types.ts";
import { type HlEngine, type StatusEntry, setStatus } from "./engine.ts";
import type { HlOrder, Tif } from "./records.ts";
import { MIN_NOTIONAL_USD, num, trim, validPrice, validSize } from "./universe.ts";

/** An order as the wire carries it (`{a,b,p,s,r,t,c?}`), already past the body schema. */
export interface WireOrder {
  readonly a: number;
  readonly b: boolean;
  readonly p: string;
  readonly s: string;
  readonly r: boolean;
  readonly t: { readonly limit?: { readonly tif: string }; readonly trigger?: unknown };
  readonly c?: string;
}

export const TEXTS = {
  tick: "Price must be divisible by tick size.",
  badPrice: "Order has invalid price.",
  badSize: "Order has invalid size.",
  zeroSize: "Order has zero size.",
  minValue: `Order must have minimum value of $${MIN_NOTIONAL_USD}.`,
  farPrice: "Order price cannot be more than 80% away from the reference price",
  reduceOnly: "Reduce only order would increase position.",
  margin: "Insufficient margin to place order.",
  alo: "Post only order would have immediately matched, bbo was",
  ioc: "Order could not immediately match against any resting orders.",
  // not in the venue's published table: the emulator's own wording
  duplicateCloid: "Duplicate cloid.",
  trigger: "Trigger orders are not supported by the emulator.",
} as const;

const TIFS = new Set<string>(["Gtc", "Ioc", "Alo"]);

export function placeOrder(engine: HlEngine, user: string, w: WireOrder, replacing?: HlOrder): StatusEntry {
  const coin = engine.coinOf(w.a);
  if (!coin) return { error: `Invalid asset ${w.a}.` };
  if (!w.t.limit) return { error: TEXTS.trigger };
  const tif = w.t.limit.tif;
  if (!TIFS.has(tif)) return { error: `Invalid TIF ${tif}.` };
  const inst = engine.inst(coin.name);
  const ts = engine.clock.now();
  const cloid = w.c?.toLowerCase();
  const px = trim(w.p);
  const sz = trim(w.s);
  const record = (status: string): HlOrder => {
    const o: HlOrder = {
      oid: engine.newOid(),
      user,
      coin: coin.name,
      asset: w.a,
      side: w.b ? "B" : "A",
      limitPx: px,
      origSz: sz,
      ...(cloid ? { cloid } : {}),
      tif: tif as Tif,
      reduceOnly: w.r,
      timestamp: ts,
      remainingLots: 0,
      filledLots: 0,
      filledNotional: 0,
      status,
      statusTimestamp: ts,
    };
    engine.orders.set(o.oid, o);
    // the cloid names the live order (a modify's replacement); a refusal only when nothing else has it
    if (cloid && (status === "open" || !engine.byCloid.has(`${user}|${cloid}`)))
      engine.byCloid.set(`${user}|${cloid}`, o.oid);
    return o;
  };
  const refuse = (status: string, error: string): StatusEntry => {
    setStatus(engine, record(status), status, ts);
    return { error };
  };
  if (!(Number(px) > 0)) return refuse("rejected", TEXTS.badPrice);
  if (!validPrice(px, coin.szDecimals)) return refuse("tickRejected", TEXTS.tick);
  if (!validSize(sz, coin.szDecimals)) return refuse("rejected", TEXTS.badSize);
  if (!(Number(sz) > 0)) return refuse("rejected", TEXTS.zeroSize);
  if (cloid) {
    const prior = engine.order(user, cloid);
    if (prior && prior !== replacing && !prior.status.endsWith("Rejected"))
      return { error: TEXTS.duplicateCloid };
  }
  const ticks = inst.price(px);
  const lots = inst.size(sz);
  const mark = engine.mark(coin.name);
  if (mark > 0 && Math.abs(Number(px) / mark - 1) > 0.8) return refuse("rejected", TEXTS.farPrice);
  const pos = engine.exchange.state.position(user, coin.name)?.sizeLots ?? 0;
  if (w.r && !(w.b ? pos < 0 : pos > 0)) return refuse("reduceOnlyRejected", TEXTS.reduceOnly);
  if (!w.r && Number(px) * Number(sz) < MIN_NOTIONAL_USD)
    return refuse("minTradeNtlRejected", TEXTS.minValue);

  const book = engine.books.get(coin.name)!;
  const resting = engine.exchange.resting.get(coin.name)!;
  const others = (w.b ? resting.asks : resting.bids).filter(
    (o) => o.account !== user && (w.b ? o.priceTicks <= ticks : o.priceTicks >= ticks),
  );
  if (tif === "Alo") {
    const bestBid = best(book.bestBidTicks(), resting.bids[0]?.priceTicks, Math.max);
    const bestAsk = best(book.bestAskTicks(), resting.asks[0]?.priceTicks, Math.min);
    const crosses = w.b
      ? bestAsk !== undefined && ticks >= bestAsk
      : bestBid !== undefined && ticks <= bestBid;
    if (crosses) {
      const text = (t: number | undefined) => (t === undefined ? "None" : trim(inst.priceText(t)));
      return refuse("badAloPxRejected", `${TEXTS.alo} ${text(bestBid)}@${text(bestAsk)}. asset=${w.a}`);
    }
  }
  if (tif === "Ioc") {
    const marketTouch = w.b ? book.bestAskTicks() : book.bestBidTicks();
    const marketCrosses = marketTouch !== undefined && (w.b ? marketTouch <= ticks : marketTouch >= ticks);
    if (!marketCrosses && others.length === 0)
      return refuse("iocCancelRejected", `${TEXTS.ioc} asset=${w.a}`);
  }
  if (replacing) engine.cancel(replacing);
  // self-trade prevention: the user's own resting orders this one would trade with expire
  if (tif !== "Alo") {
    for (const own of w.b ? resting.asks : resting.bids) {
      if (own.account !== user || (w.b ? own.priceTicks > ticks : own.priceTicks < ticks)) continue;
      const o = engine.orders.get(Number(own.clientOrderId));
      if (o) engine.cancel(o, "selfTradeCanceled");
    }
  }

  const o = record("open");
  o.remainingLots = lots;
  const req: OrderRequest = {
    clientOrderId: String(o.oid),
    account: user,
    symbol: coin.name,
    side: w.b ? "buy" : "sell",
    type: "limit",
    priceTicks: ticks,
    sizeLots: lots,
    tif: tif === "Gtc" ? "gtc" : tif === "Ioc" ? "ioc" : "post_only",
    reduceOnly: w.r,
  };
  // other users' crossing orders join the market book for the walk, then leave it again
  const side = w.b ? "ask" : "bid";
  const lot = inst.lot.value;
  const injected = new Map<number, { before: number; users: number }>();
  for (const r of others) {
    const level = injected.get(r.priceTicks) ?? {
      before: Math.round(book.sizeAt(side, r.priceTicks) / lot),
      users: 0,
    };
    level.users += r.sizeLots - r.filledLots;
    injected.set(r.priceTicks, level);
  }
  for (const [t, l] of injected) book.setLevel(side, t, inst.sizeValue(l.before + l.users));
  const outcome = engine.exchange.submit(req, ts, undefined);
  const takenFromUsers: [number, number][] = [];
  for (const [t, l] of injected) {
    const consumed = l.before + l.users - Math.round(book.sizeAt(side, t) / lot);
    const fromUsers = Math.min(consumed, l.users);
    book.setLevel(side, t, inst.sizeValue(Math.max(0, l.before - (consumed - fromUsers))));
    if (fromUsers > 0) takenFromUsers.push([t, fromUsers]);
  }
  engine.absorb(outcome.events);
  // the makers' fills: one print per level, best first, at their own prices
  takenFromUsers.sort((a, b) => (w.b ? a[0] - b[0] : b[0] - a[0]));
  engine.matching = true;
  try {
    for (const [t, n] of takenFromUsers) {
      const print = { venue: engine.exchange.config.venueId, symbol: coin.name, ts };
      engine.absorb(
        engine.exchange.onMarket(
          { type: "trade", ...print, price: inst.priceValue(t), size: inst.sizeValue(n), side: req.side },
          ts,
        ),
      );
    }
  } finally {
    engine.matching = false;
  }
  engine.emit({ kind: "book", coin: coin.name });

  if (outcome.rejectReason !== undefined) {
    const status = outcome.rejectReason === "insufficient_margin" ? "perpMarginRejected" : "rejected";
    const text =
      outcome.rejectReason === "insufficient_margin"
        ? `${TEXTS.margin} asset=${w.a}`
        : outcome.rejectReason === "reduce_only_would_increase"
          ? TEXTS.reduceOnly
          : (outcome.rejectMessage ?? outcome.rejectReason);
    o.remainingLots = 0;
    setStatus(engine, o, status, ts);
    return { error: text };
  }
  const resting_ = o.status === "open" && engine.exchange.state.openOrders.has(outcome.venueOrderId ?? "");
  const withCloid = <T extends object>(x: T) => (cloid ? { ...x, cloid } : x);
  if (resting_) {
    setStatus(engine, o, "open", ts);
    return { resting: withCloid({ oid: o.oid }) };
  }
  if (o.filledLots > 0) {
    const filledSz = inst.sizeValue(o.filledLots);
    return {
      filled: withCloid({
        totalSz: trim(inst.sizeText(o.filledLots)),
        avgPx: num(o.filledNotional / filledSz, 6),
        oid: o.oid,
      }),
    };
  }
  if (o.status === "open") setStatus(engine, o, "iocCancelRejected", ts);
  return { error: `${TEXTS.ioc} asset=${w.a}` };
}

function best(a: number | undefined, b: number | undefined, pick: (x: number, y: number) => number) {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return pick(a, b);
}
