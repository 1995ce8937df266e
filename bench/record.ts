/**
 * Recorder throughput: `<ts_ns> <json>` lines of Hyperliquid l2Book messages (20 levels a side,
 * prices and sizes moving each line so deflate has real work) through the rotating gzip writer
 * `perpbot record` uses, to finished files on disk. Hyperliquid sends about two l2Book messages a
 * second per coin, so 100 coins are some 200 lines/s.
 *
 * Run alone: `node bench/run.ts --only record`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RotatingGzipWriter } from "../src/data/record/rotating-gzip.ts";
import type { BenchSuite } from "./harness.ts";

function l2BookLine(i: number, ns: bigint): string {
  const mid = 97_000 + (i % 200);
  const side = (dir: number) =>
    Array.from({ length: 20 }, (_, k) => ({
      px: `${mid + dir * (k + 1)}.0`,
      sz: `${((i * 7 + k * 13) % 997) / 100}`,
      n: 1 + ((i + k) % 9),
    }));
  return `${ns} ${JSON.stringify({ channel: "l2Book", data: { coin: "BTC", time: 1_737_918_843_542 + i, levels: [side(-1), side(1)] } })}`;
}

const suite: BenchSuite = async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-bench-record-"));
  try {
    const lines = Array.from({ length: 2_000 }, (_, i) =>
      l2BookLine(i, 1_737_918_843_893_903_000n + BigInt(i)),
    );
    const bytesPerLine = lines.reduce((n, l) => n + l.length + 1, 0) / lines.length;
    const w = new RotatingGzipWriter({ dir, nameFor: (_ms, n) => `bench_${n}`, rotateBytes: 8 << 20 });
    const n = 60_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) w.write(lines[i % lines.length]);
    await w.close();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const perSecond = n / seconds;
    return [
      {
        key: "record_l2book_lines_per_s",
        value: Math.round(perSecond),
        unit: `lines/s (${Math.round(bytesPerLine)} B each, gzip to finished files)`,
        target: ">= 5000/s",
        ok: perSecond >= 5_000,
      },
      {
        key: "record_gzip_ratio",
        value: Math.round(((n * bytesPerLine) / w.totalBytes) * 10) / 10,
        unit: "raw bytes / gzip bytes",
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default suite;
