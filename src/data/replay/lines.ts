import { createReadStream } from "node:fs";
import type { Readable, TransformOptions } from "node:stream";
import { createGunzip, type ZlibOptions } from "node:zlib";

/** decoded bytes per gunzip chunk: large chunks keep the per-chunk overhead (stream plumbing,
 * straddling lines) negligible next to parsing */
const GUNZIP_CHUNK = 1 << 20;
/** decoded chunks gunzip may hold ready before the reader takes them */
const GUNZIP_READ_AHEAD = 8;

function open(input: string | Readable): Readable {
  if (typeof input !== "string") return input;
  const file = createReadStream(input, { highWaterMark: 1 << 20 });
  if (!input.endsWith(".gz")) return file;
  // zlib passes stream options through to its Transform (the types only list zlib's own)
  const options: ZlibOptions & TransformOptions = {
    chunkSize: GUNZIP_CHUNK,
    // let gunzip run ahead on the thread pool while the caller parses (the default of one
    // chunk would make them take turns)
    readableHighWaterMark: GUNZIP_READ_AHEAD * GUNZIP_CHUNK,
  };
  return file.pipe(createGunzip(options));
}

/**
 * Stream a recorded feed, gunzipping `.gz` files on the fly, as Buffers that each hold whole
 * lines only (every one ends with "\n", except perhaps the last of the input). Mostly these are
 * views of the decoded chunks, so a 30 MB recording never sits in memory whole and nothing is
 * copied but the line that straddles two chunks. A Buffer is valid until the next one is asked for.
 */
export async function* readLineChunks(input: string | Readable): AsyncGenerator<Buffer> {
  let carry: Buffer[] = [];
  for await (const chunk of open(input) as AsyncIterable<Buffer>) {
    let from = 0;
    if (carry.length > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        carry.push(Buffer.from(chunk));
        continue;
      }
      carry.push(chunk.subarray(0, nl + 1));
      yield Buffer.concat(carry);
      carry = [];
      from = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) yield chunk.subarray(from, last + 1);
    const rest = Math.max(from, last + 1);
    // keep the partial last line for the next chunk (a copy: a stream may reuse its buffers)
    if (rest < chunk.length) carry.push(Buffer.from(chunk.subarray(rest)));
  }
  if (carry.length > 0) yield Buffer.concat(carry);
}

/**
 * Call `visit(bytes, start, end)` for each non-empty line of a chunk of whole lines, without its
 * "\n" or "\r\n".
 */
export function forEachLine(bytes: Buffer, visit: (bytes: Buffer, start: number, end: number) => void): void {
  const n = bytes.length;
  let start = 0;
  while (start < n) {
    let nl = bytes.indexOf(10, start);
    if (nl < 0) nl = n;
    let e = nl;
    if (e > start && bytes[e - 1] === 13) e--;
    if (e > start) visit(bytes, start, e);
    start = nl + 1;
  }
}

/**
 * Stream the lines of a recorded feed as strings, in batches (one per decoded chunk). Lines keep
 * no trailing "\n" or "\r"; empty lines are skipped. (The replay itself reads `readLineChunks`
 * and decodes only the lines it cannot scan as bytes.)
 */
export async function* readLineBatches(input: string | Readable): AsyncGenerator<string[]> {
  for await (const chunk of readLineChunks(input)) {
    const lines: string[] = [];
    forEachLine(chunk, (b, s, e) => {
      lines.push(b.toString("utf8", s, e));
    });
    if (lines.length > 0) yield lines;
  }
}

/**
 * Split a recorded line `<local_ns_timestamp> <raw JSON>`. Returns the local time in whole
 * milliseconds and the JSON text, or a reason when the line does not have that shape.
 */
export function splitRecordedLine(line: string): { localMs: number; json: string } | string {
  const sp = line.indexOf(" ");
  if (sp < 7) return "no '<ns-timestamp> ' prefix";
  // 19-digit nanoseconds exceed 2^53: drop the last 6 digits as text instead of parsing them.
  const ms = Number(line.slice(0, sp - 6));
  if (!Number.isSafeInteger(ms) || ms <= 0) return `bad timestamp '${line.slice(0, Math.min(sp, 24))}'`;
  return { localMs: ms, json: line.slice(sp + 1) };
}
