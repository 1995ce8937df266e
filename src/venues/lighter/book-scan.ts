import type { BookLevel } from "../../core/market.ts";
import {
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COMMA,
  isKey,
  keyCodes,
  lastNumber,
  lastStringStart,
  load,
  loaded,
  OPEN_ARRAY,
  OPEN_OBJECT,
  quotedDecimal,
  str,
  uint,
} from "../text-scan.ts";

/**
 * A direct reader of the socket's hottest message, an `order_book/<id>` snapshot or update
 * (parse.ts BookMessageSchema has the shape, book-sync.ts applies it): from the WebSocket text
 * straight to what BookSync needs, without JSON.parse of the message or the generic reader. It
 * takes the message's own keys only (type, channel, offset, order_book, timestamp; in the book
 * code, asks, bids, offset, nonce, begin_nonce), each at most once and in any order, integers
 * written plainly, levels as `{"price":"…","size":"…"}` plain decimals, no whitespace, no
 * escape, ASCII only. Anything else, a malformed message included, answers undefined and
 * `readMessage` takes the JSON way, so odd messages behave as before and a bad field still gets
 * the schema's error naming it.
 */
export class ScannedBookMessage {
  /** read as an object like JSON's (the router reads `type` and `channel`) */
  [key: string]: unknown;
  readonly type: "subscribed/order_book" | "update/order_book";
  readonly channel: string;
  readonly offset: number;
  readonly timestamp: number | undefined;
  readonly order_book: { readonly nonce: number | undefined; readonly begin_nonce: number | undefined };
  readonly levels: { readonly bids: BookLevel[]; readonly asks: BookLevel[] };

  constructor(
    type: "subscribed/order_book" | "update/order_book",
    channel: string,
    offset: number,
    timestamp: number | undefined,
    nonce: number | undefined,
    beginNonce: number | undefined,
    bids: BookLevel[],
    asks: BookLevel[],
  ) {
    this.type = type;
    this.channel = channel;
    this.offset = offset;
    this.timestamp = timestamp;
    this.order_book = { nonce, begin_nonce: beginNonce };
    this.levels = { bids, asks };
  }
}

const K_TYPE = keyCodes("type");
const K_CHANNEL = keyCodes("channel");
const K_OFFSET = keyCodes("offset");
const K_ORDER_BOOK = keyCodes("order_book");
const K_TIMESTAMP = keyCodes("timestamp");
const K_CODE = keyCodes("code");
const K_ASKS = keyCodes("asks");
const K_BIDS = keyCodes("bids");
const K_NONCE = keyCodes("nonce");
const K_BEGIN_NONCE = keyCodes("begin_nonce");
const SNAPSHOT = "subscribed/order_book";
const UPDATE = "update/order_book";

// the book object's fields as the last `book` call read them
let bNonce: number | undefined;
let bBegin: number | undefined;
let bBids: BookLevel[] = [];
let bAsks: BookLevel[] = [];

/** `{"price":` and `,"size":` as bytes: a level's usual form is matched whole */
const PRICE_OPEN = keyCodes('{"price":');
const SIZE_KEY = keyCodes(',"size":');

function matches(s: Uint8Array, i: number, codes: readonly number[]): boolean {
  for (let k = 0; k < codes.length; k++) if (s[i + k] !== codes[k]) return false;
  return true;
}

/** `[{"price":"p","size":"q"},…]` from `i` into `out`; the index after its "]", or -1. */
function levels(s: Uint8Array, i: number, out: BookLevel[]): number {
  if (s[i] !== OPEN_ARRAY) return -1;
  if (s[++i] === CLOSE_ARRAY) return i + 1;
  for (;;) {
    if (!matches(s, i, PRICE_OPEN)) return -1;
    i = quotedDecimal(s, i + PRICE_OPEN.length);
    if (i < 0 || !matches(s, i, SIZE_KEY)) return -1;
    const price = lastNumber();
    i = quotedDecimal(s, i + SIZE_KEY.length);
    if (i < 0 || s[i] !== CLOSE_OBJECT) return -1;
    out.push({ price, size: lastNumber() });
    const c = s[i + 1];
    i += 2;
    if (c === CLOSE_ARRAY) return i;
    if (c !== COMMA) return -1;
  }
}

/** The `order_book` object from `i` (at its "{"); the index after its "}", or -1. */
function book(s: Uint8Array, i: number): number {
  if (s[i] !== OPEN_OBJECT) return -1;
  i++;
  let seen = 0;
  bNonce = undefined;
  bBegin = undefined;
  for (;;) {
    let bit: number;
    if (isKey(s, i, K_ASKS)) {
      bit = 1;
      bAsks = [];
      i = levels(s, i + K_ASKS.length + 3, bAsks);
    } else if (isKey(s, i, K_BIDS)) {
      bit = 2;
      bBids = [];
      i = levels(s, i + K_BIDS.length + 3, bBids);
    } else if (isKey(s, i, K_NONCE)) {
      bit = 4;
      i = uint(s, i + K_NONCE.length + 3);
      bNonce = lastNumber();
    } else if (isKey(s, i, K_BEGIN_NONCE)) {
      bit = 8;
      i = uint(s, i + K_BEGIN_NONCE.length + 3);
      bBegin = lastNumber();
    } else if (isKey(s, i, K_CODE)) {
      bit = 16; // not kept
      i = uint(s, i + K_CODE.length + 3);
    } else if (isKey(s, i, K_OFFSET)) {
      bit = 32; // the message's own offset is the one kept
      i = uint(s, i + K_OFFSET.length + 3);
    } else return -1;
    // a key twice is JSON's last one wins: the general reader's business
    if (i < 0 || (seen & bit) !== 0) return -1;
    seen |= bit;
    const c = s[i++];
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) return -1;
  }
  return (seen & 3) === 3 ? i : -1;
}

/** The order-book message of a text, or undefined: parse it as JSON then. */
export function scanBookMessage(text: string): ScannedBookMessage | undefined {
  const s = load(text);
  if (s === undefined || s[0] !== OPEN_OBJECT) return undefined;
  let i = 1;
  let seen = 0;
  let type: typeof SNAPSHOT | typeof UPDATE | undefined;
  let channel = "";
  let offset = 0;
  let timestamp: number | undefined;
  for (;;) {
    let bit: number;
    if (isKey(s, i, K_TYPE)) {
      bit = 1;
      i = str(s, i + K_TYPE.length + 3);
      if (i < 0) return undefined;
      const t = text.slice(lastStringStart(), i - 1);
      if (t === UPDATE) type = UPDATE;
      else if (t === SNAPSHOT) type = SNAPSHOT;
      else return undefined;
    } else if (isKey(s, i, K_CHANNEL)) {
      bit = 2;
      i = str(s, i + K_CHANNEL.length + 3);
      if (i > 0) channel = text.slice(lastStringStart(), i - 1);
    } else if (isKey(s, i, K_OFFSET)) {
      bit = 4;
      i = uint(s, i + K_OFFSET.length + 3);
      offset = lastNumber();
    } else if (isKey(s, i, K_ORDER_BOOK)) {
      bit = 8;
      i = book(s, i + K_ORDER_BOOK.length + 3);
    } else if (isKey(s, i, K_TIMESTAMP)) {
      bit = 16;
      i = uint(s, i + K_TIMESTAMP.length + 3);
      timestamp = lastNumber();
    } else return undefined;
    if (i < 0 || (seen & bit) !== 0) return undefined;
    seen |= bit;
    const c = s[i++];
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) return undefined;
  }
  if (i !== loaded() || (seen & 15) !== 15 || type === undefined) return undefined;
  return new ScannedBookMessage(type, channel, offset, timestamp, bNonce, bBegin, bBids, bAsks);
}

/**
 * A socket message as an object: the direct reader's for an order-book message in the usual
 * form, else JSON's; undefined for text that is not a JSON object (the venue sends JSON only).
 */
export function readMessage(text: string): Record<string, unknown> | undefined {
  const m = scanBookMessage(text);
  if (m !== undefined) return m;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return json !== null && typeof json === "object" && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : undefined;
}
