import {
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COMMA,
  decimalText,
  isKey,
  keyCodes,
  lastNumber,
  lastStringStart,
  load,
  loaded,
  OPEN_ARRAY,
  OPEN_OBJECT,
  str,
  uint,
} from "../text-scan.ts";
import { BookSchema, type GrvtBook, type GrvtFeedFrame, type GrvtLevel, parseAs } from "./parse.ts";

/**
 * A direct reader of the public socket's book frames (`v1.book.s` snapshots and `v1.book.d`
 * deltas; parse.ts FeedFrameSchema and BookSchema have the shape): from the WebSocket text to
 * the frame FeedFrameSchema gives with its feed as BookSchema gives it, without JSON.parse or
 * zod. It takes `{"stream":…,"selector":…,"sequence_number":"…","feed":{…}[,"prev_sequence_number":"…"]}`
 * (keys once each, any order), the feed as `{"event_time":"…","instrument":…,"bids":[…],"asks":[…]}`
 * (any order), levels as `{"price":"…","size":"…"[,"num_orders":n or "n"]}`, decimals as
 * `-?\d+(\.\d+)?` strings, sequence numbers and times as digit strings, no whitespace, no
 * escapes, ASCII only. Anything else answers undefined and the socket takes the JSON + zod way,
 * so an odd frame is read as before and a bad field still gets the schema's error naming it.
 */

const STREAM = keyCodes("stream");
const SELECTOR = keyCodes("selector");
const SEQ = keyCodes("sequence_number");
const FEED = keyCodes("feed");
const PREV = keyCodes("prev_sequence_number");
const EVENT_TIME = keyCodes("event_time");
const INSTRUMENT = keyCodes("instrument");
const BIDS = keyCodes("bids");
const ASKS = keyCodes("asks");
const PRICE = keyCodes("price");
const SIZE = keyCodes("size");
const NUM_ORDERS = keyCodes("num_orders");

/** feeds the reader checked: market-data.ts takes them without BookSchema */
const scanned = new WeakSet<object>();
export const isScannedBook = (feed: unknown): feed is GrvtBook =>
  typeof feed === "object" && feed !== null && scanned.has(feed);

/**
 * The book of a `v1.book.s` / `v1.book.d` frame, whichever way the socket read it: the direct
 * reader's feed is already checked, JSON's goes through BookSchema (its error names `what`).
 */
export function bookOf(f: GrvtFeedFrame, what: string): GrvtBook {
  return isScannedBook(f.feed) ? f.feed : parseAs(BookSchema, f.feed, what);
}

let big = 0n;

/** `"<digits>"` at i (any length) into `big`; the index after it, or -1. */
function bigDigits(text: string, s: Uint8Array, i: number): number {
  const j = str(s, i);
  if (j < 0 || j - 1 === i + 1) return -1;
  for (let k = i + 1; k < j - 1; k++) if (s[k] < 48 || s[k] > 57) return -1;
  big = BigInt(text.slice(i + 1, j - 1));
  return j;
}

/** `[{"price":…,"size":…[,"num_orders":…]},…]` from `i` into `out`; the index after "]", or -1. */
function levels(text: string, s: Uint8Array, i: number, out: GrvtLevel[]): number {
  if (s[i] !== OPEN_ARRAY) return -1;
  if (s[++i] === CLOSE_ARRAY) return i + 1;
  for (;;) {
    if (s[i] !== OPEN_OBJECT || !isKey(s, i + 1, PRICE)) return -1;
    i = decimalText(s, i + 4 + PRICE.length);
    if (i < 0 || s[i] !== COMMA || !isKey(s, i + 1, SIZE)) return -1;
    const price = text.slice(lastStringStart(), i - 1);
    i = decimalText(s, i + 4 + SIZE.length);
    if (i < 0) return -1;
    const size = text.slice(lastStringStart(), i - 1);
    if (s[i] === COMMA) {
      if (!isKey(s, i + 1, NUM_ORDERS)) return -1;
      const v = i + 4 + NUM_ORDERS.length;
      if (s[v] === 34) {
        i = str(s, v);
        if (i < 0) return -1;
        out.push({ price, size, num_orders: text.slice(lastStringStart(), i - 1) });
      } else {
        i = uint(s, v);
        if (i < 0) return -1;
        out.push({ price, size, num_orders: lastNumber() });
      }
      if (s[i] !== CLOSE_OBJECT) return -1;
    } else if (s[i] === CLOSE_OBJECT) out.push({ price, size });
    else return -1;
    const c = s[i + 1];
    i += 2;
    if (c === CLOSE_ARRAY) return i;
    if (c !== COMMA) return -1;
  }
}

let feed: GrvtBook | undefined;

/** The feed object at `i` into `feed`; the index after its "}", or -1. */
function feedAt(text: string, s: Uint8Array, i: number): number {
  if (s[i] !== OPEN_OBJECT) return -1;
  i++;
  let seen = 0;
  let eventTime = 0n;
  let instrument = "";
  const bids: GrvtLevel[] = [];
  const asks: GrvtLevel[] = [];
  for (let n = 0; n < 4; n++) {
    if ((seen & 1) === 0 && isKey(s, i, EVENT_TIME)) {
      seen |= 1;
      i = bigDigits(text, s, i + EVENT_TIME.length + 3);
      eventTime = big;
    } else if ((seen & 2) === 0 && isKey(s, i, INSTRUMENT)) {
      seen |= 2;
      i = str(s, i + INSTRUMENT.length + 3);
      if (i > 0) instrument = text.slice(lastStringStart(), i - 1);
    } else if ((seen & 4) === 0 && isKey(s, i, BIDS)) {
      seen |= 4;
      i = levels(text, s, i + BIDS.length + 3, bids);
    } else if ((seen & 8) === 0 && isKey(s, i, ASKS)) {
      seen |= 8;
      i = levels(text, s, i + ASKS.length + 3, asks);
    } else return -1;
    if (i < 0 || s[i++] !== (n === 3 ? CLOSE_OBJECT : COMMA)) return -1;
  }
  feed = { event_time: eventTime, instrument, bids, asks };
  return i;
}

const PREFIX = '{"stream":"v1.book.';

/** A book frame of the public socket's text, or undefined: parse it as JSON then. */
export function scanBookFrame(text: string): GrvtFeedFrame | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  const s = load(text);
  if (s === undefined) return undefined;
  let i = 1;
  let seen = 0;
  let stream = "";
  let selector = "";
  let seq = 0n;
  let prev: bigint | undefined;
  feed = undefined;
  for (let n = 0; n < 5; n++) {
    if ((seen & 1) === 0 && isKey(s, i, STREAM)) {
      seen |= 1;
      i = str(s, i + STREAM.length + 3);
      if (i < 0) return undefined;
      stream = text.slice(lastStringStart(), i - 1);
      if (stream !== "v1.book.s" && stream !== "v1.book.d") return undefined;
    } else if ((seen & 2) === 0 && isKey(s, i, SELECTOR)) {
      seen |= 2;
      i = str(s, i + SELECTOR.length + 3);
      if (i > 0) selector = text.slice(lastStringStart(), i - 1);
    } else if ((seen & 4) === 0 && isKey(s, i, SEQ)) {
      seen |= 4;
      i = bigDigits(text, s, i + SEQ.length + 3);
      seq = big;
    } else if ((seen & 8) === 0 && isKey(s, i, FEED)) {
      seen |= 8;
      i = feedAt(text, s, i + FEED.length + 3);
    } else if ((seen & 16) === 0 && isKey(s, i, PREV)) {
      seen |= 16;
      i = bigDigits(text, s, i + PREV.length + 3);
      prev = big;
    } else return undefined;
    if (i < 0) return undefined;
    const c = s[i++];
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA || n === 4) return undefined;
  }
  if (i !== loaded() || (seen & 15) !== 15 || feed === undefined) return undefined;
  scanned.add(feed);
  return prev === undefined
    ? { stream, selector, sequence_number: seq, feed }
    : { stream, selector, sequence_number: seq, prev_sequence_number: prev, feed };
}
