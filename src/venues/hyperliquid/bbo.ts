/**
 * Hyperliquid's `bbo` channel (HLd "Websocket / Subscriptions"; VENUES.md §1.5): the best bid and
 * offer of one coin, sent when either side changes. An empty side is null.
 *
 *   {"coin":"BTC","time":1737918843542,"bbo":[{"px":"105055.0","sz":"3.03622","n":5},
 *                                              {"px":"105056.0","sz":"6.34472","n":13}]}
 */
import { z } from "zod";
import { InvalidValueError } from "../../core/errors.ts";
import type { BboUpdate } from "../../core/market.ts";
import { Dec } from "./parse.ts";

const Level = z.looseObject({ px: Dec, sz: Dec, n: z.number().int().nonnegative() });
export const BboSchema = z.looseObject({
  coin: z.string().min(1),
  time: z.number().int().nonnegative(),
  bbo: z.tuple([Level.nullable(), Level.nullable()]),
});

/**
 * One `bbo` message as a MarketEvent of `venue`. An empty side has price NaN and size 0 (the
 * event's prices are numbers). Throws InvalidValueError naming the field that is wrong.
 */
export function readBbo(data: unknown, venue: string, symbol: string): BboUpdate {
  const r = BboSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    const at = i?.path.length ? i.path.join(".") : "the message";
    throw new InvalidValueError(
      `${venue} bbo ${symbol}: ${at}: ${i?.message ?? "malformed"} in ${JSON.stringify(data)?.slice(0, 160)}`,
    );
  }
  if (r.data.coin !== symbol)
    throw new InvalidValueError(`${venue} bbo ${symbol}: a message for coin "${r.data.coin}"`);
  const [bid, ask] = r.data.bbo;
  return {
    type: "bbo",
    venue,
    symbol,
    ts: r.data.time,
    bidPrice: bid ? Number(bid.px) : Number.NaN,
    bidSize: bid ? Number(bid.sz) : 0,
    askPrice: ask ? Number(ask.px) : Number.NaN,
    askSize: ask ? Number(ask.sz) : 0,
  };
}
