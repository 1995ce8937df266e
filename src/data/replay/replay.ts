import type { Readable } from "node:stream";
import { InvalidValueError } from "../../core/errors.ts";
import type { MarketEvent } from "../../core/market.ts";
import { BinanceParser } from "./binance.ts";
import { FeedFormatError, type ParseContext, type ParseOutcome } from "./context.ts";
import { parseHyperliquid } from "./hyperliquid.ts";
import { readLineBatches, splitRecordedLine } from "./lines.ts";

export type ReplayFormat = "binance" | "hyperliquid";

/** Where a recording comes from and how to name what is in it. */
export interface ReplaySource {
  /** a recording in `<ns-timestamp> <raw JSON>` lines, gzipped when it ends in .gz */
  readonly path: string;
  readonly format: ReplayFormat;
  /** venue id stamped on every event */
  readonly venue: string;
  /** raw venue symbol ("BTCUSDT", "BTC") -> our symbol; when given, other symbols are skipped */
  readonly symbols?: Readonly<Record<string, string>>;
  /** "local" (default): receipt time of the line, monotone; "exchange": the venue's own time */
  readonly timestamps?: "local" | "exchange";
  /** interval of printed funding rates; default 8 for binance, 1 for hyperliquid */
  readonly fundingIntervalHours?: number;
}

export interface MalformedLine {
  readonly line: number;
  readonly reason: string;
}

export interface ReplayStats {
  lines: number;
  events: number;
  byKind: Record<MarketEvent["type"], number>;
  /** well-formed messages of channels or symbols not replayed */
  ignored: number;
  malformed: number;
  /** depth diffs that did not follow on from the previous one (a message was lost) */
  sequenceGaps: number;
  /** the first `maxMalformedKept` malformed lines, with line numbers (1-based) */
  malformedLines: MalformedLine[];
}

interface FormatParser {
  parse(message: unknown, ctx: ParseContext, out: MarketEvent[]): ParseOutcome;
  readonly sequenceGaps?: number;
}

const PARSERS: Record<ReplayFormat, () => FormatParser> = {
  binance: () => new BinanceParser(),
  hyperliquid: () => ({ parse: parseHyperliquid }),
};

/**
 * Turns recorded lines into MarketEvents, one line at a time, counting what it could not read.
 * It never throws on bad input: a malformed line is counted with its number and skipped.
 */
export class RecordedLineParser {
  readonly stats: ReplayStats = {
    lines: 0,
    events: 0,
    byKind: { book: 0, trade: 0, bbo: 0, funding: 0, mark: 0 },
    ignored: 0,
    malformed: 0,
    sequenceGaps: 0,
    malformedLines: [],
  };
  private readonly format: FormatParser;
  private readonly ctx: { -readonly [K in keyof ParseContext]: ParseContext[K] };
  private readonly maxMalformedKept: number;

  constructor(source: Omit<ReplaySource, "path">, maxMalformedKept = 100) {
    const make = PARSERS[source.format];
    if (make === undefined)
      throw new InvalidValueError(`replay source ${source.venue}: unknown format "${String(source.format)}"`);
    this.format = make();
    this.maxMalformedKept = maxMalformedKept;
    const symbols = source.symbols;
    this.ctx = {
      venue: source.venue,
      localMs: 0,
      timestamps: source.timestamps ?? "local",
      fundingIntervalHours: source.fundingIntervalHours ?? (source.format === "binance" ? 8 : 1),
      symbolFor: symbols === undefined ? (raw) => raw : (raw) => symbols[raw],
    };
  }

  /** Parse one line (its 1-based number for reports), appending events to `out`. */
  parseLine(line: string, lineNo: number, out: MarketEvent[]): void {
    this.stats.lines++;
    const split = splitRecordedLine(line);
    if (typeof split === "string") {
      this.malformed(lineNo, split);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(split.json);
    } catch (e) {
      this.malformed(lineNo, `invalid JSON: ${(e as Error).message}`);
      return;
    }
    this.ctx.localMs = split.localMs;
    const before = out.length;
    try {
      if (this.format.parse(message, this.ctx, out) === "ignored") this.stats.ignored++;
      this.stats.sequenceGaps = this.format.sequenceGaps ?? 0;
    } catch (e) {
      if (!(e instanceof FeedFormatError)) throw e;
      out.length = before; // a half-parsed message must not leak events
      this.malformed(lineNo, e.message);
      return;
    }
    for (let i = before; i < out.length; i++) this.stats.byKind[out[i].type]++;
    this.stats.events += out.length - before;
  }

  private malformed(line: number, reason: string): void {
    this.stats.malformed++;
    if (this.stats.malformedLines.length < this.maxMalformedKept)
      this.stats.malformedLines.push({ line, reason });
  }
}

/**
 * Replay a recording: stream it, parse every line and hand the events to `onEvents` in batches
 * (one per decoded chunk, in file order). Resolves with the counts once the file is done.
 */
export async function replayRecording(
  source: ReplaySource,
  onEvents: (events: MarketEvent[]) => void,
  input?: Readable,
): Promise<ReplayStats> {
  const parser = new RecordedLineParser(source);
  let lineNo = 0;
  for await (const lines of readLineBatches(input ?? source.path)) {
    const out: MarketEvent[] = [];
    for (const line of lines) parser.parseLine(line, ++lineNo, out);
    if (out.length > 0) onEvents(out);
  }
  return parser.stats;
}

/** The same as an async iterable of single events, for code that prefers `for await`. */
export async function* replayEvents(source: ReplaySource): AsyncGenerator<MarketEvent, ReplayStats> {
  const parser = new RecordedLineParser(source);
  let lineNo = 0;
  for await (const lines of readLineBatches(source.path)) {
    const out: MarketEvent[] = [];
    for (const line of lines) parser.parseLine(line, ++lineNo, out);
    yield* out;
  }
  return parser.stats;
}
