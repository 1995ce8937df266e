import {
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
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
  QUOTE,
  str,
  uint,
} from "../text-scan.ts";
import type { BookFrame } from "./parse.ts";

/**
 * A direct reader of the `/orderbooks/{m}` frame (parse.ts BookFrameSchema has the shape), the
 * market socket's hottest message: from the WebSocket text to the same BookFrame zod gives,
 * without JSON.parse or the schema. It takes `{"ts":…,"type":…,"data":{…},"seq":…}` (the four
 * keys once each, in any order), `data` as `{"m":…,"b":[…],"a":[…]}` (any order), levels as
 * `{"p":"…","q":"…"}` with an optional `"c":"…"` last, decimals as `-?\d+(\.\d+)?` strings,
 * ts and seq as plain non-negative integers, no whitespace, no escapes, ASCII only. Anything
 * else answers undefined and the caller takes the JSON + zod way, so an odd frame is read as
 * before and a bad field still gets the schema's error naming it.
 */

type Level = { p: string; q: string; c?: string };

const TS = keyCodes("ts");
const TYPE = keyCodes("type");
const DATA = keyCodes("data");
const SEQ = keyCodes("seq");
const P = 112;
const Q = 113;
const C = 99;

let fM = "";
let fB: Level[] = [];
let fA: Level[] = [];

/** `"x":` with a one-letter key x at i */
const letterKey = (s: Uint8Array, i: number, k: number) =>
  s[i] === QUOTE && s[i + 1] === k && s[i + 2] === QUOTE && s[i + 3] === COLON;

/** `[{"p":…,"q":…[,"c":…]},…]` from `i` into `out`; the index after its "]", or -1. */
function levels(text: string, s: Uint8Array, i: number, out: Level[]): number {
  if (s[i] !== OPEN_ARRAY) return -1;
  if (s[++i] === CLOSE_ARRAY) return i + 1;
  for (;;) {
    if (s[i] !== OPEN_OBJECT || !letterKey(s, i + 1, P)) return -1;
    i = decimalText(s, i + 5);
    if (i < 0 || s[i] !== COMMA || !letterKey(s, i + 1, Q)) return -1;
    const p = text.slice(lastStringStart(), i - 1);
    i = decimalText(s, i + 5);
    if (i < 0) return -1;
    const q = text.slice(lastStringStart(), i - 1);
    if (s[i] === COMMA) {
      if (!letterKey(s, i + 1, C)) return -1;
      i = decimalText(s, i + 5);
      if (i < 0 || s[i] !== CLOSE_OBJECT) return -1;
      out.push({ p, q, c: text.slice(lastStringStart(), i - 1) });
    } else if (s[i] === CLOSE_OBJECT) out.push({ p, q });
    else return -1;
    const c = s[i + 1];
    i += 2;
    if (c === CLOSE_ARRAY) return i;
    if (c !== COMMA) return -1;
  }
}

/** The data object at `i` into fM / fB / fA; the index after its "}", or -1. */
function data(text: string, s: Uint8Array, i: number): number {
  if (s[i] !== OPEN_OBJECT) return -1;
  i++;
  let seen = 0;
  for (let n = 0; n < 3; n++) {
    if (s[i] !== QUOTE || s[i + 2] !== QUOTE || s[i + 3] !== COLON) return -1;
    const k = s[i + 1];
    const bit = k === 109 ? 1 : k === 98 ? 2 : k === 97 ? 4 : 0; // m, b, a
    if (bit === 0 || (seen & bit) !== 0) return -1;
    seen |= bit;
    i += 4;
    if (bit === 1) {
      i = str(s, i);
      if (i > 0) fM = text.slice(lastStringStart(), i - 1);
    } else if (bit === 2) {
      fB = [];
      i = levels(text, s, i, fB);
    } else {
      fA = [];
      i = levels(text, s, i, fA);
    }
    if (i < 0) return -1;
    const c = s[i++];
    if (c === CLOSE_OBJECT) return n === 2 ? i : -1;
    if (c !== COMMA) return -1;
  }
  return -1;
}

/** The book frame of a socket message's text, or undefined: parse it as JSON then. */
export function scanBookFrame(text: string): BookFrame | undefined {
  const s = load(text);
  if (s === undefined || s[0] !== OPEN_OBJECT) return undefined;
  let i = 1;
  let seen = 0;
  let ts = 0;
  let seq = 0;
  let type: "SNAPSHOT" | "DELTA" = "SNAPSHOT";
  for (let n = 0; n < 4; n++) {
    if ((seen & 1) === 0 && isKey(s, i, TS)) {
      seen |= 1;
      i = uint(s, i + TS.length + 3);
      ts = lastNumber();
    } else if ((seen & 2) === 0 && isKey(s, i, TYPE)) {
      seen |= 2;
      i = str(s, i + TYPE.length + 3);
      if (i < 0) return undefined;
      const t = text.slice(lastStringStart(), i - 1);
      if (t !== "SNAPSHOT" && t !== "DELTA") return undefined;
      type = t;
    } else if ((seen & 4) === 0 && isKey(s, i, DATA)) {
      seen |= 4;
      i = data(text, s, i + DATA.length + 3);
    } else if ((seen & 8) === 0 && isKey(s, i, SEQ)) {
      seen |= 8;
      i = uint(s, i + SEQ.length + 3);
      seq = lastNumber();
    } else return undefined;
    if (i < 0) return undefined;
    if (s[i++] !== (n === 3 ? CLOSE_OBJECT : COMMA)) return undefined;
  }
  if (i !== loaded()) return undefined;
  return { ts, type, data: { m: fM, b: fB, a: fA }, seq };
}
