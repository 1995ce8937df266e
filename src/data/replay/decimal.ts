/** 10^0 .. 10^15: every one is exactly representable as a double */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** what the parsers here return for text that is not a plain decimal */
export const NOT_DECIMAL = -1;

/** where the last `readDecimal` stopped */
let stop = 0;

/**
 * Read a plain non-negative decimal, `\d+(\.\d+)?`, from the ASCII bytes at `start` (not past
 * `end`), up to the first byte that cannot continue it (see `decimalStop`). Its value is exactly
 * `Number(text)`: with at most 15 digits in all, the digits form an integer m < 10^15 < 2^53 and
 * 10^k (k fraction digits) is a double too; both are exact, and IEEE division rounds m / 10^k
 * correctly, which is what Number() computes from the text (Clinger's fast path). Longer texts go
 * through Number() itself. NOT_DECIMAL when no decimal starts there ("", ".5", "-1", "5.").
 */
function readDecimal(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let m = 0;
  let c = 0;
  while (i < end) {
    c = bytes[i];
    if (c < 48 || c > 57) break;
    m = m * 10 + (c - 48);
    i++;
  }
  const intDigits = i - start;
  if (intDigits === 0) return NOT_DECIMAL;
  let k = 0;
  if (i < end && c === 46) {
    const f0 = ++i;
    while (i < end) {
      c = bytes[i];
      if (c < 48 || c > 57) break;
      m = m * 10 + (c - 48);
      i++;
    }
    k = i - f0;
    if (k === 0) return NOT_DECIMAL;
  }
  stop = i;
  if (intDigits + k > 15) return slow(bytes, start, i);
  return k === 0 ? m : m / POW10[k];
}

function slow(bytes: Uint8Array, start: number, end: number): number {
  // only digits and one dot get here, so any single-byte decoding gives the same text
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1"));
}

/**
 * The bytes `[start, end)` as a plain non-negative decimal (`\d+(\.\d+)?`: "61800.20",
 * "0.00000000", "7"), exactly as `Number(text)` reads them; any other text (sign, exponent,
 * blanks, ".5", "5.", more than one dot, anything else) gives NOT_DECIMAL, for the caller to
 * take a general path.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  const v = readDecimal(bytes, start, end);
  return v !== NOT_DECIMAL && stop === end ? v : NOT_DECIMAL;
}

/**
 * A plain decimal starting at `start` and closed by a double quote before `end` (the inside of a
 * JSON string such as `"61800.20"`), as `parseDecimal` reads it, or NOT_DECIMAL; then
 * `decimalStop()` is the index of the closing quote.
 */
export function parseQuotedDecimal(bytes: Uint8Array, start: number, end: number): number {
  const v = readDecimal(bytes, start, end);
  return v !== NOT_DECIMAL && stop < end && bytes[stop] === 34 ? v : NOT_DECIMAL;
}

/** where the last successful parse stopped: the end of the text, or its closing quote */
export function decimalStop(): number {
  return stop;
}
