/**
 * A direct reader of the venue's `l2Book` message text, the connector's hottest stream (a full
 * snapshot every block, VENUES.md §1.5): `{"channel":"l2Book","data":{"coin","time","levels":
 * [[{px,sz,n}…],[…]]}}` with the data's and each level's keys in any order. It reads prices and
 * sizes straight from their digits, without building the generic JSON tree and its strings.
 *
 * The text is encoded once into a kept byte buffer (TextEncoder.encodeInto, native) and read as
 * bytes, several times cheaper per character than charCodeAt; a level is read straight through
 * in the venue's key order (n, px, sz), any other order the general way.
 *
 * Anything it does not expect (whitespace, another key, an escape, a non-ASCII character, an
 * exponent, a sign, more than 15 significant digits) makes it answer undefined, and the caller parses the text as JSON
 * the ordinary way: the reader is a shortcut, never a second dialect.
 *
 * A decimal `d₁…dₙ.f₁…fₖ` becomes the integer of its digits divided by 10^k: both exact doubles
 * (≤ 15 digits, k ≤ 15), and IEEE division rounds correctly, so the value is the same double
 * `Number(text)` gives.
 */

/** a level as the book takes it (core/market.ts BookLevel); the venue's order count `n` is read, not kept */
export interface ScannedLevel {
  readonly price: number;
  readonly size: number;
}

/** An l2Book message's data, read: `scanned` tells it from the JSON form ({coin, time, levels}). */
export interface ScannedBook {
  readonly scanned: true;
  readonly coin: string;
  readonly time: number | undefined;
  readonly bids: ScannedLevel[];
  readonly asks: ScannedLevel[];
}

const PREFIX = '{"channel":"l2Book","data":{';
const QUOTE = 34;
const COMMA = 44;
const DOT = 46;
const COLON = 58;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const BACKSLASH = 92;
const POW10 = [1, 10, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** the value of the last number read (one reader at a time: JavaScript is single-threaded) */
const num = new Float64Array(1);

/**
 * Digits and an optional fraction from `i` (no sign, no exponent) into `value`; the index after
 * them, or -1 when they are not a number of at most 15 digits.
 */
function decimal(s: Uint8Array, i: number): number {
  // the integer digits, then (after a point) the fraction's: two tight loops, no state per digit
  const start = i;
  let int = 0;
  let c = s[i];
  while (c >= 48 && c <= 57) {
    int = int * 10 + (c - 48);
    c = s[++i];
  }
  if (c !== DOT) {
    const n = i - start;
    if (n === 0 || n > 15) return -1;
    num[0] = int;
    return i;
  }
  const fracStart = ++i;
  c = s[i];
  while (c >= 48 && c <= 57) {
    int = int * 10 + (c - 48);
    c = s[++i];
  }
  const frac = i - fracStart;
  if (frac === 0 || i - start - 1 > 15) return -1;
  num[0] = int / POW10[frac];
  return i;
}

/** A quoted decimal ("105055.0") from `i` into `value`; the index after it, or -1. */
function quotedDecimal(s: Uint8Array, i: number): number {
  if (s[i] !== QUOTE) return -1;
  const j = decimal(s, i + 1);
  return j < 0 || s[j] !== QUOTE ? -1 : j + 1;
}

/** `"n":` at `i`: the first key of a level as the venue sends it (the recorded lines' order) */
const isN = (s: Uint8Array, i: number) =>
  s[i] === QUOTE && s[i + 1] === 110 && s[i + 2] === QUOTE && s[i + 3] === COLON;

/** `,"px":` at `i` */
const isPx = (s: Uint8Array, i: number) =>
  s[i] === COMMA &&
  s[i + 1] === QUOTE &&
  s[i + 2] === 112 &&
  s[i + 3] === 120 &&
  s[i + 4] === QUOTE &&
  s[i + 5] === COLON;

/** `,"sz":` at `i` */
const isSz = (s: Uint8Array, i: number) =>
  s[i] === COMMA &&
  s[i + 1] === QUOTE &&
  s[i + 2] === 115 &&
  s[i + 3] === 122 &&
  s[i + 4] === QUOTE &&
  s[i + 5] === COLON;

/** One side's levels from `i` (at its "[") pushed to `out`; the index after its "]", or -1. */
function side(s: Uint8Array, i: number, out: ScannedLevel[]): number {
  if (s[i] !== OPEN_ARRAY) return -1;
  i++;
  if (s[i] === CLOSE_ARRAY) return i + 1;
  for (;;) {
    if (s[i] !== OPEN_OBJECT) return -1;
    i++;
    // the venue's own order, {"n":…,"px":…,"sz":…}, read straight through; any other order
    // (or a key missing) goes the general way from the level's start
    const at = i;
    let px = Number.NaN;
    let sz = Number.NaN;
    let j = -1;
    if (isN(s, i)) {
      // the order count is not kept: its digits are only stepped over
      j = i + 4;
      let c = s[j];
      while (c >= 48 && c <= 57) c = s[++j];
      if (j === i + 4 || j > i + 19) j = -1;
    }
    if (j >= 0) j = isPx(s, j) ? quotedDecimal(s, j + 6) : -1;
    if (j >= 0) {
      px = num[0];
      j = isSz(s, j) ? quotedDecimal(s, j + 6) : -1;
    }
    if (j >= 0) sz = num[0];
    if (j >= 0 && s[j] === CLOSE_OBJECT) i = j + 1;
    else {
      i = levelAnyOrder(s, at);
      if (i < 0) return -1;
      px = levelPx;
      sz = levelSz;
    }
    out.push({ price: px, size: sz });
    const c = s[i++];
    if (c === CLOSE_ARRAY) return i;
    if (c !== COMMA) return -1;
  }
}

/** the price and size of the last level `levelAnyOrder` read */
let levelPx = Number.NaN;
let levelSz = Number.NaN;

/** A level's keys px, sz and n in any order from `i` (after its "{"); the index after its "}", or -1. */
function levelAnyOrder(s: Uint8Array, i: number): number {
  let px = Number.NaN;
  let sz = Number.NaN;
  for (;;) {
    // the keys px, sz and n, compared in place
    if (s[i] !== QUOTE) return -1;
    const k = s[i + 1];
    const k2 = s[i + 2];
    let which: number;
    if (k === 112 && k2 === 120 && s[i + 3] === QUOTE)
      which = 0; // "px"
    else if (k === 115 && k2 === 122 && s[i + 3] === QUOTE)
      which = 1; // "sz"
    else if (k === 110 && k2 === QUOTE)
      which = 2; // "n"
    else return -1;
    i += which === 2 ? 3 : 4;
    if (s[i] !== COLON) return -1;
    i = which === 2 ? decimal(s, i + 1) : quotedDecimal(s, i + 1);
    if (i < 0) return -1;
    if (which === 0) px = num[0];
    else if (which === 1) sz = num[0];
    const c = s[i++];
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) return -1;
  }
  if (Number.isNaN(px) || Number.isNaN(sz)) return -1;
  levelPx = px;
  levelSz = sz;
  return i;
}

/**
 * A `"…"` string at `i` with only ASCII and no escape: [text, index after it], or undefined.
 * Every byte before it was ASCII too (the reader accepts nothing else), so its byte offsets are
 * the text's character offsets and the text is sliced from the message itself.
 */
function str(text: string, s: Uint8Array, n: number, i: number): [string, number] | undefined {
  if (s[i] !== QUOTE) return undefined;
  let end = i + 1;
  for (; end < n; end++) {
    const c = s[end];
    if (c === QUOTE) return [text.slice(i + 1, end), end + 1];
    if (c === BACKSLASH || c >= 128) return undefined;
  }
  return undefined;
}

/** the message's UTF-8 bytes, in a buffer kept from one message to the next */
let bytes = new Uint8Array(1 << 14);
const encoder = new TextEncoder();

/** The book of an `l2Book` message's text, or undefined: parse it as JSON then. */
export function scanL2Book(text: string): ScannedBook | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  // typed-array reads are several times cheaper than charCodeAt: the text is encoded once, natively
  if (bytes.length < text.length * 3 + 1)
    bytes = new Uint8Array(2 ** Math.ceil(Math.log2(text.length * 3 + 1)));
  const s = bytes;
  const n = encoder.encodeInto(text, s).written;
  s[n] = 0; // a stop: the bytes after it are an earlier message's
  let i = PREFIX.length;
  let coin: string | undefined;
  let time: number | undefined;
  let bids: ScannedLevel[] | undefined;
  let asks: ScannedLevel[] | undefined;
  for (;;) {
    const key = str(text, s, n, i);
    if (key === undefined || s[key[1]] !== COLON) return undefined;
    i = key[1] + 1;
    if (key[0] === "coin") {
      const v = str(text, s, n, i);
      if (v === undefined) return undefined;
      [coin, i] = v;
    } else if (key[0] === "time") {
      i = decimal(s, i);
      if (i < 0 || !Number.isInteger(num[0])) return undefined;
      time = num[0];
    } else if (key[0] === "levels") {
      if (s[i] !== OPEN_ARRAY) return undefined;
      bids = [];
      asks = [];
      i = side(s, i + 1, bids);
      if (i < 0 || s[i] !== COMMA) return undefined;
      i = side(s, i + 1, asks);
      if (i < 0 || s[i] !== CLOSE_ARRAY) return undefined;
      i++;
    } else return undefined;
    const c = s[i++];
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) return undefined;
  }
  if (s[i] !== CLOSE_OBJECT || i + 1 !== n) return undefined;
  if (coin === undefined || bids === undefined || asks === undefined) return undefined;
  return { scanned: true, coin, time, bids, asks };
}
