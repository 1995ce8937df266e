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
  for await (const batch of readLineBatches(path)) {
    const split = splitRecordedLine(batch[0]);
    const msg = typeof split === "string" ? undefined : (JSON.parse(split.json) as Record<string, unknown>);
    const data = msg?.data as { event?: string; venue?: string; universe?: unknown } | undefined;
    if (typeof split === "string" || msg?.channel !== RECORDER_CHANNEL || data?.event !== "file") break;
    return { path, venue: String(data.venue), universe: data.universe, firstMs: split.localMs };
  }
  throw new InvalidValueError(
    `--data ${path}: the file does not start with perpbot record's header (venue and listing), so its instruments are unknown: record it with perpbot record`,
  );
}

export interface RecordedWorld {
  readonly venues: ReadonlyMap<string, SimVenue>;
  readonly wallets: readonly PaperWallet[];
  readonly files: readonly string[];
  /** the receive time of the first recorded line */
  readonly startMs: number;
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
