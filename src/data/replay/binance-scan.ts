import type { BookLevel, MarketEvent } from "../../core/market.ts";
import type { BinanceParser } from "./binance.ts";
import type { ParseContext, ParseOutcome } from "./context.ts";
import { decimalStop, parseDecimal, parseQuotedDecimal } from "./decimal.ts";

/** What `BinanceLineScanner.scan` returns for a line it does not take: parse it with JSON.parse. */
export const FALLBACK = "fallback";

type MutableContext = { -readonly [K in keyof ParseContext]: ParseContext[K] };

// what a field held (one slot per field the Binance parser reads)
const ABSENT = 0;
const STR = 1; // a string without escapes, ASCII only
const INT = 2; // a non-negative integer of at most 15 digits (exact)
const NUM = 3; // any other JSON number
const TRUE = 4;
const FALSE = 5;
const NULL = 6;
const LEVELS = 7; // [["price","size"], ...], every price > 0 and size >= 0

// slots of the payload fields the parser reads
const K_e = 0;
const K_E = 1;
const K_T = 2;
const K_s = 3;
const K_U = 4;
const K_u = 5;
const K_pu = 6;
const K_b = 7;
const K_a = 8;
const K_B = 9;
const K_A = 10;
const K_p = 11;
const K_q = 12;
const K_X = 13;
const K_m = 14;
const SLOTS = 15;
// outer-object keys (only at the top level)
const K_UNKNOWN = -1;
const K_STREAM = -2;
const K_DATA = -3;

/** one-letter key -> slot */
const KEY1 = new Int8Array(256).fill(K_UNKNOWN);
for (const [ch, slot] of [
  ["e", K_e],
  ["E", K_E],
  ["T", K_T],
  ["s", K_s],
  ["U", K_U],
  ["u", K_u],
  ["b", K_b],
  ["a", K_a],
  ["B", K_B],
  ["A", K_A],
  ["p", K_p],
  ["q", K_q],
  ["X", K_X],
  ["m", K_m],
] as const)
  KEY1[ch.charCodeAt(0)] = slot;

const KIND_DEPTH = 1;
const KIND_BBO = 2;
const KIND_TRADE = 3;

const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const DEPTH_UPDATE = bytesOf("depthUpdate");
const BOOK_TICKER = bytesOf("bookTicker");
const TRADE = bytesOf("trade");
const AGG_TRADE = bytesOf("aggTrade");
const AT_BOOK_TICKER = bytesOf("@bookTicker");
const MARKET = bytesOf("MARKET");

/**
 * Reads the hot Binance line kinds (depthUpdate, bookTicker, trade, aggTrade) straight from the
 * bytes of a recorded line, `<ns> <json>`, without JSON.parse or decoding the line to a string,
 * and hands them to the same BinanceParser the JSON path uses, so both paths share the sequencing
 * state and produce the same events.
 *
 * It takes a line only when it fully understands it: strict JSON without whitespace, strings
 * without escapes, no duplicate keys among the fields read, every field the parser reads of the
 * expected type and every price/size a plain decimal (`\d+(\.\d+)?`) that passes the parser's
 * checks. Anything else, including every line the JSON path would reject or report, gives
 * FALLBACK before any state changes or any event is appended, and the caller runs the line through
 * JSON.parse. (Lines the scanner does not know, such as REST snapshots and markPriceUpdate, fall
 * back the same way.)
 */
export class BinanceLineScanner {
  private readonly parser: BinanceParser;
  private readonly kind = new Uint8Array(SLOTS);
  private readonly from = new Int32Array(SLOTS);
  private readonly to = new Int32Array(SLOTS);
  private bids: BookLevel[] = [];
  private asks: BookLevel[] = [];
  private pos = 0;
  private streamFrom = -1;
  private streamTo = -1;
  private hasData = false;
  /** the top-level object had a key other than "stream"/"data" */
  private topPayload = false;
  /** last symbol decoded, to reuse its string */
  private symbolBytes = new Uint8Array(0);
  private symbol = "";

  constructor(parser: BinanceParser) {
    this.parser = parser;
  }

  /**
   * Parse the line in `bytes[start, end)` (no line terminator), appending its events to `out`,
   * or return FALLBACK, having changed nothing, when the line needs the JSON path.
   */
  scan(
    bytes: Uint8Array,
    start: number,
    end: number,
    ctx: MutableContext,
    out: MarketEvent[],
  ): ParseOutcome | typeof FALLBACK {
    // "<ns> ": the receipt time in ms is the digits but the last 6 (as splitRecordedLine reads it)
    let i = start;
    while (i < end && bytes[i] >= 48 && bytes[i] <= 57) i++;
    const msDigits = i - start - 6;
    if (i >= end || bytes[i] !== 32 || msDigits < 1 || msDigits > 15) return FALLBACK;
    let localMs = 0;
    for (let j = start; j < start + msDigits; j++) localMs = localMs * 10 + (bytes[j] - 48);
    if (localMs <= 0) return FALLBACK;
    i++;
    if (i >= end || bytes[i] !== 123) return FALLBACK;

    this.kind.fill(ABSENT);
    this.streamFrom = -1;
    this.hasData = false;
    this.topPayload = false;
    this.pos = i;
    if (!this.object(bytes, end, 0) || this.pos !== end) return FALLBACK;
    if (this.hasData && this.topPayload) return FALLBACK; // payload fields beside "data": unusual

    const kind = this.kind;
    let what = 0;
    if (kind[K_e] === STR) {
      if (this.strIs(bytes, K_e, DEPTH_UPDATE)) what = KIND_DEPTH;
      else if (this.strIs(bytes, K_e, BOOK_TICKER)) what = KIND_BBO;
      else if (this.strIs(bytes, K_e, TRADE) || this.strIs(bytes, K_e, AGG_TRADE)) what = KIND_TRADE;
      else return FALLBACK;
    } else if (kind[K_e] === ABSENT) {
      // the parser's rules without "e": a "...@bookTicker" stream, else (not being a REST snapshot,
      // whose "bids" array the scanner never takes) string "b" and "A" fields make a spot bookTicker
      if (this.streamFrom >= 0 && this.streamEndsWith(bytes, AT_BOOK_TICKER)) what = KIND_BBO;
      else if (kind[K_b] === STR && kind[K_A] === STR) what = KIND_BBO;
      else return FALLBACK;
    } else return FALLBACK;

    if (kind[K_s] !== STR) return FALLBACK;
    const local = ctx.timestamps === "local";
    if (what === KIND_DEPTH) {
      if (kind[K_U] !== INT || kind[K_u] !== INT || kind[K_b] !== LEVELS || kind[K_a] !== LEVELS)
        return FALLBACK;
      const pu =
        kind[K_pu] === INT ? this.intOf(bytes, K_pu) : kind[K_pu] === ABSENT ? undefined : Number.NaN;
      if (Number.isNaN(pu)) return FALLBACK;
      const ts = this.stamp(bytes, K_E, local, localMs);
      if (ts < 0) return FALLBACK;
      ctx.localMs = localMs;
      return this.parser.scannedDepthUpdate(
        this.symbolString(bytes),
        this.intOf(bytes, K_U),
        this.intOf(bytes, K_u),
        pu,
        ts,
        this.bids,
        this.asks,
        ctx,
        out,
      );
    }
    if (what === KIND_BBO) {
      if (kind[K_b] !== STR || kind[K_B] !== STR || kind[K_a] !== STR || kind[K_A] !== STR) return FALLBACK;
      const bidPrice = this.decimal(bytes, K_b);
      const bidSize = this.decimal(bytes, K_B);
      const askPrice = this.decimal(bytes, K_a);
      const askSize = this.decimal(bytes, K_A);
      if (bidPrice < 0 || bidSize < 0 || askPrice < 0 || askSize < 0) return FALLBACK;
      const ts = this.stamp(bytes, K_E, local, localMs);
      if (ts < 0) return FALLBACK;
      ctx.localMs = localMs;
      const symbol = ctx.symbolFor(this.symbolString(bytes));
      if (symbol === undefined) return "ignored";
      out.push({ type: "bbo", venue: ctx.venue, symbol, ts, bidPrice, bidSize, askPrice, askSize });
      return "parsed";
    }
    // trade / aggTrade
    if (kind[K_m] !== TRUE && kind[K_m] !== FALSE) return FALLBACK;
    if (kind[K_X] !== ABSENT && kind[K_X] !== STR) return FALLBACK;
    if (kind[K_p] !== STR || kind[K_q] !== STR) return FALLBACK;
    const price = this.decimal(bytes, K_p);
    const size = this.decimal(bytes, K_q);
    if (price < 0 || size < 0) return FALLBACK;
    const ts = this.stamp(bytes, K_T, local, localMs);
    if (ts < 0) return FALLBACK;
    ctx.localMs = localMs;
    const symbol = ctx.symbolFor(this.symbolString(bytes));
    if (symbol === undefined) return "ignored";
    // USD-M prints INSURANCE_FUND / ADL / NA fills under "X": not market trades
    if (kind[K_X] === STR && !this.strIs(bytes, K_X, MARKET)) return "ignored";
    out.push({
      type: "trade",
      venue: ctx.venue,
      symbol,
      ts,
      price,
      size,
      side: kind[K_m] === TRUE ? "sell" : "buy",
    });
    return "parsed";
  }

  /** a string field holding a plain decimal, as a finite number, or -1 */
  private decimal(b: Uint8Array, slot: number): number {
    const v = parseDecimal(b, this.from[slot], this.to[slot]);
    return v < Number.POSITIVE_INFINITY ? v : -1; // NOT_DECIMAL is -1 already
  }

  /** the event time as binance.ts `stamp` picks it, or -1 when the field has an unexpected type */
  private stamp(b: Uint8Array, slot: number, local: boolean, localMs: number): number {
    const k = this.kind[slot];
    if (k === INT) return local ? localMs : this.intOf(b, slot);
    return k === ABSENT ? localMs : -1;
  }

  /** the value of an INT field (at most 15 digits, so exact) */
  private intOf(b: Uint8Array, slot: number): number {
    let v = 0;
    for (let j = this.from[slot]; j < this.to[slot]; j++) v = v * 10 + (b[j] - 48);
    return v;
  }

  /** `{...}` at this.pos; on success this.pos is just past the closing brace */
  private object(b: Uint8Array, end: number, depth: number): boolean {
    let i = this.pos + 1;
    if (i < end && b[i] === 125) {
      this.pos = i + 1;
      return true;
    }
    for (;;) {
      if (i >= end || b[i] !== 34) return false;
      const k0 = ++i;
      while (i < end && b[i] !== 34) {
        const c = b[i];
        if (c === 92 || c < 32) return false; // escape or control character
        i++;
      }
      if (i >= end) return false;
      const len = i - k0;
      i++;
      if (i >= end || b[i] !== 58) return false;
      let slot = K_UNKNOWN;
      if (len === 1) slot = KEY1[b[k0]];
      else if (len === 2) {
        if (b[k0] === 112 && b[k0 + 1] === 117) slot = K_pu;
      } else if (depth === 0) {
        if (len === 4 && b[k0] === 100 && b[k0 + 1] === 97 && b[k0 + 2] === 116 && b[k0 + 3] === 97)
          slot = K_DATA;
        else if (
          len === 6 &&
          b[k0] === 115 &&
          b[k0 + 1] === 116 &&
          b[k0 + 2] === 114 &&
          b[k0 + 3] === 101 &&
          b[k0 + 4] === 97 &&
          b[k0 + 5] === 109
        )
          slot = K_STREAM;
      }
      if (depth === 0 && slot !== K_DATA && slot !== K_STREAM) this.topPayload = true;
      this.pos = i + 1;
      if (!this.value(b, end, depth, slot)) return false;
      i = this.pos;
      if (i >= end) return false;
      const c = b[i];
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 125) {
        this.pos = i + 1;
        return true;
      }
      return false;
    }
  }

  /** one value at this.pos for the field `slot`; on success this.pos is just past it */
  private value(b: Uint8Array, end: number, depth: number, slot: number): boolean {
    let i = this.pos;
    if (i >= end) return false;
    const c = b[i];
    if (slot === K_DATA) {
      if (c !== 123 || this.hasData) return false;
      this.hasData = true;
      return this.object(b, end, depth + 1);
    }
    if (slot >= 0 && this.kind[slot] !== ABSENT) return false; // duplicate key: JSON.parse keeps the last
    if (c === 34) {
      const s0 = ++i;
      let high = 0;
      while (i < end && b[i] !== 34) {
        const ch = b[i];
        if (ch === 92 || ch < 32) return false;
        high |= ch;
        i++;
      }
      if (i >= end) return false;
      if (slot === K_STREAM) {
        if (high >= 128 || this.streamFrom >= 0) return false;
        this.streamFrom = s0;
        this.streamTo = i;
      } else if (slot >= 0) {
        if (high >= 128) return false;
        this.kind[slot] = STR;
        this.from[slot] = s0;
        this.to[slot] = i;
      }
      this.pos = i + 1;
      return true;
    }
    if (slot === K_STREAM) return false; // not a string: the JSON path knows what to make of it
    if (c === 91) {
      if (slot !== K_b && slot !== K_a) return false;
      const levels = this.levels(b, end);
      if (levels === undefined) return false;
      if (slot === K_b) this.bids = levels;
      else this.asks = levels;
      this.kind[slot] = LEVELS;
      return true;
    }
    if (c === 116 || c === 102 || c === 110) {
      // true / false / null
      const k = c === 116 ? TRUE : c === 102 ? FALSE : NULL;
      const n = k === FALSE ? 5 : 4;
      if (i + n > end) return false;
      if (k === TRUE && !(b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101)) return false;
      if (k === FALSE && !(b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101))
        return false;
      if (k === NULL && !(b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108)) return false;
      if (slot >= 0) this.kind[slot] = k;
      this.pos = i + n;
      return true;
    }
    // a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    let plain = true;
    if (c === 45) {
      plain = false;
      i++;
    }
    const d0 = i;
    if (i >= end) return false;
    if (b[i] === 48) i++;
    else if (b[i] >= 49 && b[i] <= 57) {
      i++;
      while (i < end && b[i] >= 48 && b[i] <= 57) i++;
    } else return false;
    const d1 = i;
    if (i < end && b[i] === 46) {
      i++;
      const f0 = i;
      while (i < end && b[i] >= 48 && b[i] <= 57) i++;
      if (i === f0) return false;
      plain = false;
    }
    if (i < end && (b[i] === 101 || b[i] === 69)) {
      i++;
      if (i < end && (b[i] === 43 || b[i] === 45)) i++;
      const e0 = i;
      while (i < end && b[i] >= 48 && b[i] <= 57) i++;
      if (i === e0) return false;
      plain = false;
    }
    if (slot >= 0) {
      this.kind[slot] = plain && d1 - d0 <= 15 ? INT : NUM; // INT: exact, read when needed (intOf)
      this.from[slot] = d0;
      this.to[slot] = d1;
    }
    this.pos = i;
    return true;
  }

  /** `[["p","q"],...]` at this.pos with valid book levels, or undefined */
  private levels(b: Uint8Array, end: number): BookLevel[] | undefined {
    const out: BookLevel[] = [];
    let i = this.pos + 1;
    if (i < end && b[i] === 93) {
      this.pos = i + 1;
      return out;
    }
    for (;;) {
      if (i + 1 >= end || b[i] !== 91 || b[i + 1] !== 34) return undefined;
      i += 2;
      // anything but digits and one dot before the closing quote (an escape too) is NOT_DECIMAL
      const price = parseQuotedDecimal(b, i, end);
      // NOT_DECIMAL, a price the parser rejects, or one of 300+ digits (let the JSON path decide)
      if (!(price > 0 && price < Number.POSITIVE_INFINITY)) return undefined;
      i = decimalStop();
      if (i + 2 >= end || b[i + 1] !== 44 || b[i + 2] !== 34) return undefined;
      const size = parseQuotedDecimal(b, i + 3, end);
      if (!(size >= 0 && size < Number.POSITIVE_INFINITY)) return undefined; // or NOT_DECIMAL
      i = decimalStop();
      if (i + 1 >= end || b[i + 1] !== 93) return undefined;
      i += 2;
      out.push({ price, size });
      if (i >= end) return undefined;
      if (b[i] === 44) {
        i++;
        continue;
      }
      if (b[i] === 93) {
        this.pos = i + 1;
        return out;
      }
      return undefined;
    }
  }

  private strIs(b: Uint8Array, slot: number, text: Uint8Array): boolean {
    const f = this.from[slot];
    if (this.to[slot] - f !== text.length) return false;
    for (let j = 0; j < text.length; j++) if (b[f + j] !== text[j]) return false;
    return true;
  }

  private streamEndsWith(b: Uint8Array, text: Uint8Array): boolean {
    const f = this.streamTo - text.length;
    if (f < this.streamFrom) return false;
    for (let j = 0; j < text.length; j++) if (b[f + j] !== text[j]) return false;
    return true;
  }

  /** the "s" field as a string (ASCII, checked), reusing the last one when the bytes match */
  private symbolString(b: Uint8Array): string {
    const f = this.from[K_s];
    const n = this.to[K_s] - f;
    const last = this.symbolBytes;
    if (last.length === n) {
      let same = true;
      for (let j = 0; j < n; j++)
        if (b[f + j] !== last[j]) {
          same = false;
          break;
        }
      if (same) return this.symbol;
    }
    this.symbolBytes = b.slice(f, f + n);
    this.symbol = String.fromCharCode.apply(null, this.symbolBytes as unknown as number[]);
    return this.symbol;
  }
}
