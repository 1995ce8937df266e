/**
 * `perpbot record`: a venue's public market channels into gzip files of `<ts_ns> <json>` lines
 * (receive time in nanoseconds, then the exact text received: the format of
 * ../shared/data/hyperliquid-btcusd_20250126.gz, read by data/replay). Files rotate by size or age
 * and are named `<venue>_<SYMBOLS>_<start, UTC>_<n>.gz`; each is complete (see rotating-gzip.ts).
 *
 * Besides the venue's messages the recorder writes lines on its own channel, `perpbotRecorder`,
 * which replay ignores: at the top of every file what it holds (venue, coins, source, the
 * venue's listing of the coins, which backtests build their instruments from), and after a
 * reconnect the gap (from, to) during which nothing could be received.
 */
import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import type { ConfigValues } from "../config/registry.ts";
import { InvalidValueError, PerpbotError } from "../core/errors.ts";
import { RotatingGzipWriter } from "../data/record/rotating-gzip.ts";
import { endpointsOf } from "../venues/hyperliquid/config.ts";
import { hyperliquidVenueFactory } from "../venues/hyperliquid/factory.ts";
import { openHlRecordSource, RECORDED_CHANNELS } from "../venues/hyperliquid/record-source.ts";
import { venueConfigOf } from "../venues/registry.ts";

/** A flag of `perpbot record` that cannot work (the message names it): a usage error, exit 2. */
export class RecordFlagError extends PerpbotError {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super("usage", message);
  }
}

/** The recorder's own channel in a recording. */
export const RECORDER_CHANNEL = "perpbotRecorder";

interface OpenedSource {
  readonly url: string;
  readonly universe: readonly Record<string, unknown>[];
  connects(): number;
  close(): Promise<void>;
}

interface SourceHooks {
  readonly onText: (text: string) => void;
  readonly onState: (up: boolean) => void;
  readonly onProblem: (message: string) => void;
  readonly ws?: { minBackoffMs?: number; maxBackoffMs?: number };
}

/** The venues that can be recorded, and how each is opened from the config. */
const RECORDABLE: Readonly<
  Record<string, (config: ConfigValues, symbols: readonly string[], h: SourceHooks) => Promise<OpenedSource>>
> = {
  hyperliquid: (config, symbols, h) => {
    const hl = venueConfigOf(config, hyperliquidVenueFactory);
    return openHlRecordSource({ endpoints: endpointsOf(hl), symbols, timeoutMs: hl.timeout_ms, ...h });
  },
};

export function recordableVenues(): string[] {
  return Object.keys(RECORDABLE);
}

export interface RecordOptions {
  readonly config: ConfigValues;
  readonly venue: string;
  readonly symbols: readonly string[];
  readonly outDir: string;
  readonly rotateBytes?: number;
  readonly rotateMs?: number;
  /** a progress line every this many ms (default 5000) */
  readonly progressMs?: number;
  readonly progress?: (line: string) => void;
  /** reconnect delays of the socket (tests shorten them) */
  readonly ws?: { minBackoffMs?: number; maxBackoffMs?: number };
}

export interface RecordingSummary {
  readonly files: readonly { readonly path: string; readonly lines: number; readonly bytes: number }[];
  readonly messages: number;
  readonly gaps: number;
}

export interface Recording {
  readonly url: string;
  /** resolves when a line could not be written (full disk, folder gone): stop the recording */
  readonly failure: Promise<Error>;
  /** messages received so far (the recorder's own lines not counted) */
  messages(): number;
  currentFile(): string | undefined;
  /** Stop receiving and finish the open file (flushed, closed, renamed). */
  stop(): Promise<RecordingSummary>;
}

/** Wall-clock nanoseconds, monotone within the process: the wall time at start plus hrtime since. */
function nanoClock(): () => bigint {
  const wall0 = BigInt(Date.now()) * 1_000_000n;
  const hr0 = process.hrtime.bigint();
  return () => wall0 + (process.hrtime.bigint() - hr0);
}

/** `20261201T114502Z` */
function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** Check the flags that need no network: venue, symbols, the output folder. */
function checkOptions(o: RecordOptions): void {
  if (RECORDABLE[o.venue] === undefined)
    throw new RecordFlagError(
      `--venue: cannot record venue "${o.venue}" (recordable: ${recordableVenues().join(", ")})`,
    );
  if (o.symbols.length === 0) throw new RecordFlagError("--symbols: give at least one coin, e.g. BTC,ETH");
  const bad = o.symbols.filter((s) => !/^[A-Za-z0-9]+$/.test(s));
  if (bad.length > 0)
    throw new RecordFlagError(`--symbols: ${bad.map((s) => `"${s}"`).join(", ")} is not a coin name`);
  try {
    mkdirSync(o.outDir, { recursive: true });
    if (!statSync(o.outDir).isDirectory()) throw new Error("not a directory");
    accessSync(o.outDir, constants.W_OK);
  } catch (e) {
    throw new RecordFlagError(
      `--out ${o.outDir}: cannot write recordings there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/** Start recording: resolves once the coins are checked and the socket is subscribing. */
export async function startRecording(o: RecordOptions): Promise<Recording> {
  checkOptions(o);
  const now = nanoClock();
  const say = o.progress ?? (() => {});
  let writer: RotatingGzipWriter | undefined;
  const early: string[] = [];
  let messages = 0;
  let gaps = 0;
  let downSince: bigint | undefined;
  let everUp = false;
  let closing = false;
  const startNs = now();
  let lastNs = startNs;
  let failed: (err: Error) => void = () => {};
  let failure: Error | undefined;
  const failurePromise = new Promise<Error>((resolve) => {
    failed = (err) => {
      failure ??= err;
      resolve(failure);
    };
  });
  const line = (text: string) => {
    if (failure) return;
    lastNs = now();
    // JSON needs no raw line break (inside strings they are escaped): one message, one line
    const l = `${lastNs} ${/[\r\n]/.test(text) ? text.replace(/[\r\n]+/g, " ") : text}`;
    if (writer === undefined) {
      early.push(l);
      return;
    }
    try {
      writer.write(l);
    } catch (e) {
      // a full disk, a removed folder: the recording cannot go on, the caller stops it
      failed(e as Error);
    }
  };
  const own = (data: Record<string, unknown>) => line(JSON.stringify({ channel: RECORDER_CHANNEL, data }));
  const open = RECORDABLE[o.venue](o.config, o.symbols, {
    onText(text) {
      messages++;
      line(text);
    },
    onState(up) {
      if (closing) return;
      if (!up) {
        downSince ??= now();
        if (everUp) say(`record: ${o.venue} socket down, reconnecting`);
        return;
      }
      if (downSince !== undefined && everUp) {
        gaps++;
        own({ event: "gap", from_ns: String(downSince), to_ns: String(now()) });
        say(`record: ${o.venue} reconnected; the gap is marked in the file`);
      }
      everUp = true;
      downSince = undefined;
    },
    onProblem: (m) => say(`record: ${m}`),
    ws: o.ws,
  });
  const source = await open.catch((e: unknown) => {
    // the venue's listing refused a coin: that is the flag's fault
    if (e instanceof InvalidValueError && e.message.startsWith("--symbols"))
      throw new RecordFlagError(e.message);
    throw e;
  });
  const symbolsPart = o.symbols.join("-");
  try {
    writer = new RotatingGzipWriter({
      dir: o.outDir,
      nameFor: (ms, n) => `${o.venue}_${symbolsPart}_${stamp(ms)}_${String(n).padStart(4, "0")}`,
      rotateBytes: o.rotateBytes,
      rotateMs: o.rotateMs,
      // the first file's header precedes every line; a later one takes the time of the line that
      // rotated it, so times never go back
      header: (ms, n) =>
        `${n === 1 ? startNs : lastNs} ${JSON.stringify({
          channel: RECORDER_CHANNEL,
          data: {
            event: "file",
            venue: o.venue,
            symbols: o.symbols,
            channels: RECORDED_CHANNELS,
            source: source.url,
            file: n,
            started: new Date(ms).toISOString(),
            universe: source.universe,
          },
        })}`,
    });
  } catch (e) {
    await source.close();
    throw new RecordFlagError(`--out ${o.outDir}: cannot write recordings there (${(e as Error).message})`);
  }
  for (const l of early.splice(0)) writer.write(l);
  const w = writer;
  let lastMessages = 0;
  let lastAt = Date.now();
  const progressMs = o.progressMs ?? 5000;
  const timer = setInterval(() => {
    const t = Date.now();
    const rate = ((messages - lastMessages) * 1000) / Math.max(1, t - lastAt);
    lastMessages = messages;
    lastAt = t;
    say(
      `record: ${rate.toFixed(1)} msg/s, ${messages} messages, file ${w.currentPath ?? "-"} ${kb(w.currentBytes)}, total ${kb(w.totalBytes)} in ${w.finished.length + 1} files${downSince !== undefined ? ", socket DOWN" : ""}`,
    );
  }, progressMs);
  let stopping: Promise<RecordingSummary> | undefined;
  return {
    url: source.url,
    failure: failurePromise,
    messages: () => messages,
    currentFile: () => w.currentPath,
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        closing = true;
        await source.close();
        if (downSince !== undefined && everUp) {
          gaps++;
          own({ event: "gap", from_ns: String(downSince), to_ns: String(now()), open: true });
        }
        await w.close();
        return { files: w.finished, messages, gaps };
      })();
      return stopping;
    },
  };
}

function kb(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}
