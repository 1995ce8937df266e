/**
 * Market-data channels a venue can be subscribed to, per symbol. "bbo" (best bid and offer only,
 * sent when the touch changes) is optional: a venue without it refuses the subscription.
 */
export type MarketChannel = "book" | "trades" | "mark" | "funding" | "bbo";

/** The channels every venue serves. */
export const MARKET_CHANNELS: readonly MarketChannel[] = ["book", "trades", "mark", "funding"];

export interface MarketSubscription {
  readonly symbol: string;
  readonly channel: MarketChannel;
}

/** The stream name of a subscription ("book:BTC"); the account stream is named "account". */
export function streamName(sub: MarketSubscription): string {
  return `${sub.channel}:${sub.symbol}`;
}

/** The stream of order, fill, funding and liquidation events of the bound accounts. */
export const ACCOUNT_STREAM = "account";

/**
 * One stream's health. `ready`: connected and subscribed; `stale`: no message within the
 * venue's staleness window, or the connection dropped (data read from it may be out of date).
 */
export interface StreamStatus {
  readonly stream: string;
  readonly ready: boolean;
  /** venue time (ms) of the last message, null before the first */
  readonly lastMessageTs: number | null;
  readonly stale: boolean;
}

/** A stream's status changed (went stale, dropped, recovered): what `onStreamStatus` delivers. */
export interface StreamStatusChange extends StreamStatus {
  readonly venue: string;
  /** when the change was seen (clock time, ms) */
  readonly ts: number;
}
