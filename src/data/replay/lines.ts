import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/**
 * Stream the lines of a recorded feed, gunzipping `.gz` files on the fly, in batches (one per
 * decoded chunk) so a 30 MB recording never sits in memory whole and the per-line cost stays
 * a slice. Lines keep no trailing "\n" or "\r"; empty lines are skipped.
 */
export async function* readLineBatches(input: string | Readable): AsyncGenerator<string[]> {
  const stream: Readable =
    typeof input === "string"
      ? input.endsWith(".gz")
        ? createReadStream(input, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 18 }))
        : createReadStream(input, { highWaterMark: 1 << 20 })
      : input;
  let carry: Buffer | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      pushLine(buf, start, nl, lines);
      start = nl + 1;
    }
    // keep the partial last line for the next chunk (copy, since the chunk buffer may be reused)
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
    if (lines.length > 0) yield lines;
  }
  if (carry !== undefined) {
    const lines: string[] = [];
    pushLine(carry, 0, carry.length, lines);
    if (lines.length > 0) yield lines;
  }
}

function pushLine(buf: Buffer, start: number, end: number, out: string[]): void {
  let e = end;
  if (e > start && buf[e - 1] === 13) e--;
  if (e > start) out.push(buf.toString("utf8", start, e));
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
