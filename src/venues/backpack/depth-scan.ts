import type { BookLevel } from "../../core/market.ts";
import {
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COMMA,
  intOrDigits,
  isKey,
  keyCodes,
  lastNumber,
  lastStringStart,
  load,
  loaded,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
  quotedDecimal,
  str,
} from "../text-scan.ts";
import { type DepthDiff, frameOf } from "./depth-read.ts";

/**
 * A direct reader of the market socket's hottest frame, a `depth` diff (depth-read.ts has the
 * shape): from the WebSocket text straight to the diff, without JSON.parse of the frame or the
 * generic reader. It takes `{"stream":"depth.<s>","data":{…}}` (the two keys in either order)
 * whose data holds only the event's own keys (e, E, s, a, b, U, u, T, each at most once, in any
 * order), times and sequence numbers as plain non-negative integers or their digits, levels as
 * `["price","size"]` plain decimals, no whitespace, no escape, ASCII only. Anything else, a
 * malformed frame included, answers undefined and `readFrame` takes the JSON way, so odd frames
 * behave as before and a bad field still gets depth-read.ts's error naming it.
 */
export class ScannedDepth implements DepthDiff {
  readonly stream: string;
  /** the event's symbol (`s`) */
  readonly symbol: string;
  readonly E: number;
  readonly U: number;
  readonly u: number;
  readonly bids: BookLevel[];
  readonly asks: BookLevel[];
  /** the frame's data: the diff itself (a frame as frameOf gives one) */
  readonly data: ScannedDepth;

  constructor(
    stream: string,
    symbol: string,
    E: number,
    U: number,
    u: number,
    bids: BookLevel[],
    asks: BookLevel[],
  ) {
    this.stream = stream;
    this.symbol = symbol;
    this.E = E;
    this.U = U;
    this.u = u;
    this.bids = bids;
    this.asks = asks;
    this.data = this;
  }
}

/** what a socket frame's data is: JSON's object, or the direct reader's diff */
export type FrameData = Record<string, unknown> | ScannedDepth;

const STREAM = keyCodes("stream");
const DATA = keyCodes("data");
const DEPTH_PREFIX = "depth.";

// the data's fields as the last `data` call read them
const SEEN_E = 1;
const SEEN_s = 2;
const SEEN_a = 4;
const SEEN_b = 8;
const SEEN_U = 16;
const SEEN_u = 32;
const SEEN_e = 64;
const SEEN_T = 128;
const REQUIRED = SEEN_E | SEEN_s | SEEN_a | SEEN_b | SEEN_U | SEEN_u;
let fE = 0;
let fU = 0;
let fu = 0;
let fSymbol = "";
let fBids: BookLevel[] = [];
let fAsks: BookLevel[] = [];

/** `[["p","q"],…]` from `i` into `out`; the index after its "]", or -1. */
function levels(s: Uint8Array, i: number, out: BookLevel[]): number {
  if (s[i] !== OPEN_ARRAY) return -1;
  if (s[++i] === CLOSE_ARRAY) return i + 1;
  for (;;) {
    if (s[i] !== OPEN_ARRAY) return -1;
    i = quotedDecimal(s, i + 1);
    if (i < 0 || s[i] !== COMMA) return -1;
    const price = lastNumber();
    i = quotedDecimal(s, i + 1);
    if (i < 0 || s[i] !== CLOSE_ARRAY) return -1;
    out.push({ price, size: lastNumber() });
    const c = s[i + 1];
    i += 2;
    if (c === CLOSE_ARRAY) return i;
    if (c !== COMMA) return -1;
  }
}

/** The data object from `i` (at its "{") into the fields above; the index after its "}", or -1. */
function data(text: string, s: Uint8Array, i: number): number {
  if (s[i] !== OPEN_OBJECT || s[i + 1] === CLOSE_OBJECT) return -1;
  i++;
  let seen = 0;
  for (;;) {
    // every key is one letter: `"k":`
    if (s[i] !== QUOTE || s[i + 2] !== QUOTE || s[i + 3] !== 58) return -1;
    const k = s[i + 1];
    i += 4;
    let bit: number;
    switch (k) {
      case 69: // E
        bit = SEEN_E;
        i = intOrDigits(s, i);
        fE = lastNumber();
        break;
      case 85: // U
        bit = SEEN_U;
        i = intOrDigits(s, i);
        fU = lastNumber();
        break;
      case 117: // u
        bit = SEEN_u;
        i = intOrDigits(s, i);
        fu = lastNumber();
        break;
      case 84: // T (the engine time: not kept)
        bit = SEEN_T;
        i = intOrDigits(s, i);
        break;
      case 101: // e (the event type: the stream's name already says it)
        bit = SEEN_e;
        i = str(s, i);
        break;
      case 115: // s
        bit = SEEN_s;
        i = str(s, i);
        if (i > 0) fSymbol = text.slice(lastStringStart(), i - 1);
        break;
      case 97: // a
        bit = SEEN_a;
        fAsks = [];
        i = levels(s, i, fAsks);
        break;
      case 98: // b
        bit = SEEN_b;
        fBids = [];
        i = levels(s, i, fBids);
        break;
      default:
        return -1;
    }
    // a key twice is JSON's last one wins: the general reader's business
    if (i < 0 || (seen & bit) !== 0) return -1;
    seen |= bit;
    const c = s[i++];
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) return -1;
  }
  return (seen & REQUIRED) === REQUIRED ? i : -1;
}

/** The depth diff of a frame's text, or undefined: parse it as JSON then. */
export function scanDepthFrame(text: string): ScannedDepth | undefined {
  const s = load(text);
  if (s === undefined || s[0] !== OPEN_OBJECT) return undefined;
  let i = 1;
  let stream: string | undefined;
  let haveData = false;
  for (let k = 0; k < 2; k++) {
    if (stream === undefined && isKey(s, i, STREAM)) {
      i = str(s, i + STREAM.length + 3);
      if (i < 0) return undefined;
      stream = text.slice(lastStringStart(), i - 1);
      if (!stream.startsWith(DEPTH_PREFIX)) return undefined;
    } else if (!haveData && isKey(s, i, DATA)) {
      i = data(text, s, i + DATA.length + 3);
      if (i < 0) return undefined;
      haveData = true;
    } else return undefined;
    if (s[i++] !== (k === 0 ? COMMA : CLOSE_OBJECT)) return undefined;
  }
  if (i !== loaded() || stream === undefined) return undefined;
  return new ScannedDepth(stream, fSymbol, fE, fU, fu, fBids, fAsks);
}

/**
 * A socket message's frame: the direct reader's for a depth diff in the usual form, else JSON's
 * (frameOf); undefined for what is not a frame (acks, errors, pongs, text that is not JSON).
 */
export function readFrame(text: string): { stream: string; data: FrameData } | undefined {
  const d = scanDepthFrame(text);
  if (d !== undefined) return d;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined; // not a frame of ours: the venue sends only JSON
  }
  return frameOf(json);
}
