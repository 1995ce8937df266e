import type { BookLevel } from "../../core/market.ts";
import { BackpackPayloadError } from "./parse.ts";

/**
 * The hot path of the market socket, read by hand instead of through zod (the schemas of
 * parse.ts describe the same shapes): a frame `{"stream": …, "data": {…}}` and a `depth` event
 * `{"e":"depth","E":…,"s":…,"a":[[price, size]…],"b":[…],"U":…,"u":…}` (docs "Streams", "Depth").
 * The times and sequence numbers may come as numbers (the docs' examples) or as digit strings
 * (ccxt's captured sample in js/src/pro/backpack.js `handleOrderBook`: `"E": "1754903057555305"`,
 * `"U": 1345937436`), so both are read. A bad field throws BackpackPayloadError naming what was
 * read and the field's path, in parseAs's words.
 */

export interface DepthDiff {
  /** event time, µs */
  readonly E: number;
  readonly U: number;
  readonly u: number;
  readonly bids: BookLevel[];
  readonly asks: BookLevel[];
}

const DEC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const DIGITS = /^\d+$/;

const fail = (what: string, path: string, message: string): never => {
  throw new BackpackPayloadError(`backpack: ${what} did not parse at ${path}: ${message}`);
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The stream name and data of a frame, or undefined for anything else (acks, errors, pongs). */
export function frameOf(json: unknown): { stream: string; data: Record<string, unknown> } | undefined {
  if (!isObject(json)) return undefined;
  const stream = json.stream;
  const data = json.data;
  return typeof stream === "string" && isObject(data) ? { stream, data } : undefined;
}

function integer(v: unknown, what: string, path: string): number {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === "string" && DIGITS.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
  }
  return fail(what, path, `expected a non-negative integer (or its digits), got ${JSON.stringify(v)}`);
}

function levels(v: unknown, what: string, side: "a" | "b"): BookLevel[] {
  if (!Array.isArray(v)) return fail(what, side, "expected an array of [price, size]");
  const out: BookLevel[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const row = v[i];
    if (!Array.isArray(row) || row.length !== 2) fail(what, `${side}.${i}`, "expected [price, size]");
    const p = row[0];
    const q = row[1];
    if (typeof p !== "string" || !DEC.test(p)) fail(what, `${side}.${i}.0`, "a decimal string");
    if (typeof q !== "string" || !DEC.test(q)) fail(what, `${side}.${i}.1`, "a decimal string");
    out[i] = { price: Number(p), size: Number(q) };
  }
  return out;
}

/** One `depth` event's data. */
export function readDepthEvent(data: unknown, what: string): DepthDiff {
  if (!isObject(data)) return fail(what, "(root)", "expected an object");
  if (typeof data.s !== "string") fail(what, "s", "expected the symbol");
  return {
    E: integer(data.E, what, "E"),
    U: integer(data.U, what, "U"),
    u: integer(data.u, what, "u"),
    bids: levels(data.b, what, "b"),
    asks: levels(data.a, what, "a"),
  };
}
