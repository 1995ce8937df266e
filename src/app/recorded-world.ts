/**
 * A backtest's market from recordings of `perpbot record` instead of the synthetic walk: a
 * simulated venue with the recorded venue's id and instruments (built from the venue's listing
 * that heads every recorded file), fed the recorded books, trades, marks and funding on the
 * simulated clock, each at its receive time. Orders fill in the simulator against the recorded
 * books; nothing connects anywhere.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { SimClock } from "../core/clock.ts";
import { InvalidValueError } from "../core/errors.ts";
import type { Instrument } from "../core/instrument.ts";
import { usd } from "../core/money.ts";
import { Rng } from "../core/random.ts";
import { readLineBatches, splitRecordedLine } from "../data/replay/lines.ts";
import { type ReplayFormat, type ReplayStats, replayEvents } from "../data/replay/replay.ts";
import { marketsFromMeta } from "../venues/hyperliquid/instruments.ts";
import { MetaSchema } from "../venues/hyperliquid/parse.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";
import type { PaperSimConfig, PaperWallet } from "./paper.ts";
import { RECORDER_CHANNEL } from "./record.ts";

/** How a recorded venue's listing becomes instruments, and which replay format reads it. */
const RECORDED_VENUES: Readonly<
  Record<string, { format: ReplayFormat; instruments(universe: unknown): Instrument[] }>
> = {
  hyperliquid: {
    format: "hyperliquid",
    instruments: (universe) =>
      [...marketsFromMeta("hyperliquid", MetaSchema.parse({ universe })).values()].map((m) => m.instrument),
  },
};

interface FileHeader {
  readonly path: string;
  readonly venue: string;
  readonly universe: unknown;
  readonly firstMs: number;
  /** the listing was guessed from the data (a recording without perpbot record's header) */
  readonly inferred: boolean;
}

/** what a listing guessed from a header-less Hyperliquid recording assumes for max leverage */
const INFERRED_MAX_LEVERAGE = 20;
/** lines read to guess a header-less recording's listing */
const INFER_LINES = 2_000;

/**
 * A Hyperliquid recording made by other means (../shared/data's, for one) has no header: each
 * coin of its `l2Book` lines is listed with the most size decimals seen (the venue writes sizes
 * on szDecimals) and a max leverage of INFERRED_MAX_LEVERAGE. Undefined when no book is found.
 */
function inferHyperliquidUniverse(lines: readonly string[]): Record<string, unknown>[] | undefined {
  const decimals = new Map<string, number>();
  for (const line of lines) {
    const split = splitRecordedLine(line);
    if (typeof split === "string") continue;
    let msg: { channel?: unknown; data?: { coin?: unknown; levels?: unknown } };
    try {
      msg = JSON.parse(split.json) as typeof msg;
    } catch {
      continue;
    }
    const coin = msg.data?.coin;
    const levels = msg.data?.levels;
    if (msg.channel !== "l2Book" || typeof coin !== "string" || !Array.isArray(levels)) continue;
    for (const side of levels as { sz?: unknown }[][])
      for (const l of side) {
        const d = typeof l.sz === "string" && l.sz.includes(".") ? l.sz.length - l.sz.indexOf(".") - 1 : 0;
        decimals.set(coin, Math.min(6, Math.max(decimals.get(coin) ?? 0, d)));
      }
  }
  if (decimals.size === 0) return undefined;
  return [...decimals].map(([name, szDecimals]) => ({
    name,
    szDecimals,
    maxLeverage: INFERRED_MAX_LEVERAGE,
  }));
}

/** The recordings at `path`: the file itself, or every `.gz` of the folder in name (= time) order. */
export function recordingFiles(path: string): string[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new InvalidValueError(`--data ${path}: no such file or folder`);
  }
  if (!st.isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => f.endsWith(".gz"))
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0) throw new InvalidValueError(`--data ${path}: no .gz recordings in the folder`);
  return files;
}

async function readHeader(path: string): Promise<FileHeader> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(path)) {
    if (lines.length === 0) {
      const split = splitRecordedLine(batch[0]);
      let msg: Record<string, unknown> | undefined;
      try {
        msg = typeof split === "string" ? undefined : (JSON.parse(split.json) as Record<string, unknown>);
      } catch {
        msg = undefined;
      }
      const data = msg?.data as { event?: string; venue?: string; universe?: unknown } | undefined;
      if (typeof split !== "string" && msg?.channel === RECORDER_CHANNEL && data?.event === "file")
        return {
          path,
          venue: String(data.venue),
          universe: data.universe,
          firstMs: split.localMs,
          inferred: false,
        };
    }
    lines.push(...batch);
    if (lines.length >= INFER_LINES) break;
  }
  const universe = inferHyperliquidUniverse(lines);
  const first = lines.length > 0 ? splitRecordedLine(lines[0]) : "empty";
  if (universe === undefined || typeof first === "string")
    throw new InvalidValueError(
      `--data ${path}: neither perpbot record's header (venue and listing) nor Hyperliquid l2Book lines in its first ${INFER_LINES} lines, so its instruments are unknown: record it with perpbot record`,
    );
  return { path, venue: "hyperliquid", universe, firstMs: first.localMs, inferred: true };
}

export interface RecordedWorld {
  readonly venues: ReadonlyMap<string, SimVenue>;
  readonly wallets: readonly PaperWallet[];
  readonly files: readonly string[];
  /** the receive time of the first recorded line */
  readonly startMs: number;
  /** what the report's assumptions should add (a guessed listing) */
  readonly notes: readonly string[];
  /** Feed every recorded event at its time, running the clock up to each; resolves with the counts. */
  play(onFile?: (path: string, stats: ReplayStats) => void): Promise<ReplayStats[]>;
  close(): void;
}

/** Read the headers of the recordings (one venue), and describe the world they make. */
export async function loadRecordings(path: string): Promise<{ files: FileHeader[]; venue: string }> {
  const files = await Promise.all(recordingFiles(path).map(readHeader));
  const venues = new Set(files.map((f) => f.venue));
  if (venues.size !== 1)
    throw new InvalidValueError(
      `--data ${path}: recordings of several venues (${[...venues].join(", ")}): give one`,
    );
  const venue = files[0].venue;
  if (RECORDED_VENUES[venue] === undefined)
    throw new InvalidValueError(`--data ${path}: cannot backtest recordings of venue "${venue}"`);
  return { files, venue };
}

/** The simulated venue on `clock` (started at the first file's time) and its wallets. */
export function createRecordedWorld(
  rec: { files: FileHeader[]; venue: string },
  sim: PaperSimConfig,
  clock: SimClock,
  seed: number,
): RecordedWorld {
  const spec = RECORDED_VENUES[rec.venue];
  const bySymbol = new Map<string, Instrument>();
  for (const f of rec.files) for (const i of spec.instruments(f.universe)) bySymbol.set(i.symbol, i);
  const venue = new SimVenue({
    id: rec.venue,
    instruments: [...bySymbol.values()],
    clock,
    seed: `${seed}:${rec.venue}`,
    latencyMs: sim.latency_ms,
  });
  const rng = new Rng(`wallets:${seed}`);
  const wallets = Array.from({ length: sim.wallets }, (_, i) => ({
    id: `paper-${String(i + 1).padStart(2, "0")}`,
    startingBalanceUsd:
      Math.round(rng.uniform(sim.wallet_balance_min_usd, sim.wallet_balance_max_usd) * 100) / 100,
  }));
  for (const w of wallets) venue.deposit(w.id, usd(w.startingBalanceUsd));
  return {
    venues: new Map([[rec.venue, venue]]),
    wallets,
    files: rec.files.map((f) => f.path),
    startMs: Math.min(...rec.files.map((f) => f.firstMs)),
    notes: rec.files.some((f) => f.inferred)
      ? [
          `a recording without perpbot record's header: instruments guessed from its books (size decimals as recorded, max leverage ${INFERRED_MAX_LEVERAGE})`,
        ]
      : [],
    async play(onFile) {
      const all: ReplayStats[] = [];
      for (const f of rec.files) {
        const events = replayEvents({ path: f.path, format: spec.format, venue: rec.venue });
        for (;;) {
          const next = await events.next();
          if (next.done) {
            all.push(next.value);
            onFile?.(f.path, next.value);
            break;
          }
          const e = next.value;
          if (!bySymbol.has(e.symbol)) continue;
          if (e.ts > clock.now()) await clock.runUntil(e.ts);
          venue.feed(e);
        }
      }
      return all;
    },
    close() {
      venue.close();
    },
  };
}
