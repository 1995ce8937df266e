import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { MarketEvent } from "../../core/market.ts";
import { replayRecording } from "../../data/replay/replay.ts";
import type { ServedReply } from "../llm/reply-server.ts";
import { RECORDED_FILES, RECORDED_SPECS } from "../scalp-recorded.ts";

/** What the agent backtest reads: the recorded USD-M books and a replies file. */

/** Binance USD-M BTCUSDT and ETHUSDT (ticks, lots, fees: scalp-recorded.ts) as venue `usdm`. */
export const USDM_SPECS = RECORDED_SPECS.usdm;

/**
 * Every event of the two USD-M recordings (books, BBOs, marks, funding, trades) in receipt-time
 * order (ties: BTC's file first, then line order).
 */
export async function loadRecordedUsdm(dir: string): Promise<MarketEvent[]> {
  const files = RECORDED_FILES.filter((f) => f.venue === "usdm");
  for (const f of files)
    if (!existsSync(join(dir, f.file)))
      throw new Error(
        `backtest agent: the recording ${f.file} is not in ${dir} (the usdm-* files of ../shared/data)`,
      );
  const streams: MarketEvent[][] = [];
  for (const f of files) {
    const out: MarketEvent[] = [];
    await replayRecording(
      { path: join(dir, f.file), format: "binance", venue: "usdm", symbols: { [f.raw]: f.raw } },
      (events) => {
        for (const e of events) out.push(e);
      },
    );
    streams.push(out);
  }
  const merged: MarketEvent[] = [];
  const idx = streams.map(() => 0);
  for (;;) {
    let best = -1;
    for (let i = 0; i < streams.length; i++) {
      if (idx[i] >= streams[i].length) continue;
      if (best < 0 || streams[i][idx[i]].ts < streams[best][idx[best]].ts) best = i;
    }
    if (best < 0) break;
    merged.push(streams[best][idx[best]++]);
  }
  if (merged.length === 0) throw new Error(`backtest agent: the recordings in ${dir} hold no events`);
  return merged;
}

/**
 * A replies file: one reply per line, blank lines and lines starting with `#` skipped. A line is
 * a JSON string (the message content), or an object: `{"content": "…"}` or an HTTP error
 * `{"status": 429, "body"?: "…", "retry_after_s"?: 1}`. Any other line is an error naming it.
 */
export function readRepliesFile(path: string): ServedReply[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`--replies ${path}: ${(e as Error).message}`);
  }
  const out: ServedReply[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    const where = `--replies ${path}, line ${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`${where}: not JSON (${(e as Error).message}); a reply's text is a JSON string`);
    }
    if (typeof v === "string") out.push({ content: v });
    else if (typeof v === "object" && v !== null && typeof (v as { content?: unknown }).content === "string")
      out.push({ content: (v as { content: string }).content });
    else if (
      typeof v === "object" &&
      v !== null &&
      Number.isInteger((v as { status?: unknown }).status) &&
      (v as { status: number }).status >= 400 &&
      (v as { status: number }).status <= 599
    ) {
      const r = v as { status: number; body?: unknown; retry_after_s?: unknown };
      out.push({
        status: r.status,
        ...(typeof r.body === "string" ? { body: r.body } : {}),
        ...(typeof r.retry_after_s === "number" ? { retryAfterS: r.retry_after_s } : {}),
      });
    } else
      throw new Error(
        `${where}: expected a JSON string, {"content": "…"} or {"status": 400-599}, got ${line.slice(0, 80)}`,
      );
  }
  return out;
}
