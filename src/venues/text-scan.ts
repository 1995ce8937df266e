import { decimalStop, NOT_DECIMAL, parseQuotedDecimal } from "../data/replay/decimal.ts";

/**
 * Byte-level pieces for the venues' direct readers of WebSocket text (Backpack's depth frame,
 * Lighter's order-book message): the text is encoded once into a kept buffer and read as bytes,
 * each piece answering the index after what it read, or -1 when the bytes are not of the one
 * plain form it takes. A reader gives up on -1 and the caller parses the text the ordinary way
 * (JSON.parse and the existing reader), so a piece accepting less than JSON does is safe; one
 * accepting more would not be, and none does: every form read here is valid JSON and reads as
 * JSON.parse (and then Number) would read it.
 */

export const QUOTE = 34;
export const COMMA = 44;
export const COLON = 58;
export const OPEN_ARRAY = 91;
export const CLOSE_ARRAY = 93;
export const OPEN_OBJECT = 123;
export const CLOSE_OBJECT = 125;
const BACKSLASH = 92;

/** the value of the last number read (one reader at a time: JavaScript is single-threaded) */
let value = 0;
/** the start of the last string read (after its opening quote) */
let strStart = 0;

/** the last number `uint`, `digitString` or `quotedDecimal` read */
export const lastNumber = (): number => value;
/** the inside of the last string `str` read (its end is the index `str` answered minus 1) */
export const lastStringStart = (): number => strStart;

let bytes = new Uint8Array(1 << 14);
let length = 0;
const encoder = new TextEncoder();

/**
 * The text's bytes in the kept buffer (a 0 after them, a stop no piece reads past), or
 * undefined when the text is not all ASCII: then byte offsets are character offsets and a
 * string's text is sliced from the message itself.
 */
export function load(text: string): Uint8Array | undefined {
  if (bytes.length < text.length * 3 + 1)
    bytes = new Uint8Array(2 ** Math.ceil(Math.log2(text.length * 3 + 1)));
  const n = encoder.encodeInto(text, bytes).written;
  if (n !== text.length) return undefined;
  bytes[n] = 0;
  length = n;
  return bytes;
}

/** the byte length of the text `load` took last */
export const loaded = (): number => length;

/** Digits at `i` (at most 16, a safe integer) into the value; the index after them, or -1. */
function digits(s: Uint8Array, i: number): number {
  const start = i;
  let v = 0;
  let c = s[i];
  while (c >= 48 && c <= 57) {
    v = v * 10 + (c - 48);
    c = s[++i];
  }
  // ≤ 16 digits stay below 2^54: every partial value up to a safe final one was exact
  if (i === start || i - start > 16 || v > Number.MAX_SAFE_INTEGER) return -1;
  value = v;
  return i;
}

/**
 * A JSON number that is a non-negative integer written plainly (`0`, `1735689600000000`; no
 * leading zero, fraction, exponent or sign, which JSON either refuses or reads another way).
 */
export function uint(s: Uint8Array, i: number): number {
  if (s[i] === 48 && s[i + 1] >= 48 && s[i + 1] <= 57) return -1;
  const j = digits(s, i);
  if (j < 0) return -1;
  const c = s[j];
  return c === 46 || c === 101 || c === 69 ? -1 : j;
}

/** A string of digits (`"1754903057555305"`, leading zeros allowed) as its safe integer value. */
export function digitString(s: Uint8Array, i: number): number {
  if (s[i] !== QUOTE) return -1;
  const j = digits(s, i + 1);
  return j < 0 || s[j] !== QUOTE ? -1 : j + 1;
}

/** A plain integer as a number or as its digits. */
export function intOrDigits(s: Uint8Array, i: number): number {
  return s[i] === QUOTE ? digitString(s, i) : uint(s, i);
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A quoted plain decimal (`"60000.1"`, `\d+(\.\d+)?`) as Number() reads it: at most 15 digits in
 * all are an exact integer m and 10^k an exact double, so m / 10^k is the correctly rounded value
 * Number() gives (data/replay/decimal.ts says why); longer decimals go through decimal.ts.
 */
export function quotedDecimal(s: Uint8Array, i: number): number {
  if (s[i] !== QUOTE) return -1;
  const start = ++i;
  let m = 0;
  let c = s[i];
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    c = s[++i];
  }
  const intDigits = i - start;
  if (intDigits === 0) return -1;
  if (c === QUOTE) {
    if (intDigits > 15) return longDecimal(s, start);
    value = m;
    return i + 1;
  }
  if (c !== 46) return -1;
  const f0 = ++i;
  c = s[i];
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    c = s[++i];
  }
  const k = i - f0;
  if (k === 0 || c !== QUOTE) return -1;
  if (intDigits + k > 15) return longDecimal(s, start);
  value = m / POW10[k];
  return i + 1;
}

/** a plain decimal of more than 15 digits from `start` (its inside), read by decimal.ts (Number()) */
function longDecimal(s: Uint8Array, start: number): number {
  const v = parseQuotedDecimal(s, start, length);
  if (v === NOT_DECIMAL) return -1;
  value = v;
  return decimalStop() + 1;
}

/**
 * A JSON string without escapes or control characters (the text is ASCII: `load`); the index
 * after its closing quote, its inside from `lastStringStart()`.
 */
export function str(s: Uint8Array, i: number): number {
  if (s[i] !== QUOTE) return -1;
  strStart = ++i;
  for (let c = s[i]; c !== QUOTE; c = s[++i]) if (c === BACKSLASH || c < 32) return -1; // the stop 0 too
  return i + 1;
}

/** Whether the bytes at `i` are `"<key>":` (key given as its char codes). */
export function isKey(s: Uint8Array, i: number, key: readonly number[]): boolean {
  if (s[i] !== QUOTE) return false;
  const n = key.length;
  for (let k = 0; k < n; k++) if (s[i + 1 + k] !== key[k]) return false;
  return s[i + 1 + n] === QUOTE && s[i + 2 + n] === COLON;
}

/** a key's char codes, for isKey */
export const keyCodes = (key: string): number[] => [...key].map((c) => c.charCodeAt(0));

/**
 * A quoted signed plain decimal (`"-0.1"`, `"25670"`: `-?\d+(\.\d+)?`, the venues' decimal-string
 * form) kept as text: the index after its closing quote, its inside from `lastStringStart()` (the
 * caller slices it), or -1.
 */
export function decimalText(s: Uint8Array, i: number): number {
  if (s[i] !== QUOTE) return -1;
  strStart = ++i;
  if (s[i] === 45) i++; // "-"
  const d0 = i;
  let c = s[i];
  while (c >= 48 && c <= 57) c = s[++i];
  if (i === d0) return -1;
  if (c === 46) {
    const f0 = ++i;
    c = s[i];
    while (c >= 48 && c <= 57) c = s[++i];
    if (i === f0) return -1;
  }
  return c === QUOTE ? i + 1 : -1;
}
