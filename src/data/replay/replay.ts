import type { Readable } from "node:stream";
import { InvalidValueError } from "../../core/errors.ts";
import type { MarketEvent } from "../../core/market.ts";
import { BinanceParser } from "./binance.ts";
import { BinanceLineScanner, FALLBACK } from "./binance-scan.ts";
import { FeedFormatError, type ParseContext, type ParseOutcome } from "./context.ts";
import { parseHyperliquid } from "./hyperliquid.ts";
import { readLineChunks, splitRecordedLine } from "./lines.ts";

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
  /** hyperliquid: replay `bbo` lines as "bbo" events too (default false: they are ignored) */
  readonly bbo?: boolean;
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

type MutableContext = { -readonly [K in keyof ParseContext]: ParseContext[K] };

interface FormatParser {
  parse(message: unknown, ctx: ParseContext, out: MarketEvent[]): ParseOutcome;
  readonly sequenceGaps?: number;
}

/** Reads a line straight from its bytes, or returns FALLBACK (having done nothing) for JSON.parse. */
interface LineScanner {
  scan(
    bytes: Uint8Array,
    start: number,
    end: number,
    ctx: MutableContext,
    out: MarketEvent[],
  ): ParseOutcome | typeof FALLBACK;
}

const PARSERS: Record<ReplayFormat, () => { parser: FormatParser; scanner?: LineScanner }> = {
  binance: () => {
    const parser = new BinanceParser();
    return { parser, scanner: new BinanceLineScanner(parser) };
  },
  hyperliquid: () => ({ parser: { parse: parseHyperliquid } }),
};

export interface RecordedLineParserOptions {
  /** how many malformed lines to keep with their reasons (default 100) */
  readonly maxMalformedKept?: number;
  /**
   * read the common line kinds straight from bytes when the format has a scanner (default true;
   * false sends every line through JSON.parse, which the scanner must match)
   */
  readonly scan?: boolean;
}

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
  /** lines read by the byte scanner (the rest went through JSON.parse) */
  scannedLines = 0;
  private readonly format: FormatParser;
  private readonly scanner: LineScanner | undefined;
  private readonly ctx: MutableContext;
  private readonly maxMalformedKept: number;

  constructor(source: Omit<ReplaySource, "path">, options: RecordedLineParserOptions = {}) {
    const make = PARSERS[source.format];
    if (make === undefined)
      throw new InvalidValueError(`replay source ${source.venue}: unknown format "${String(source.format)}"`);
    const { parser, scanner } = make();
    this.format = parser;
    this.scanner = options.scan === false ? undefined : scanner;
    this.maxMalformedKept = options.maxMalformedKept ?? 100;
    const symbols = source.symbols;
    this.ctx = {
      venue: source.venue,
      localMs: 0,
      timestamps: source.timestamps ?? "local",
      fundingIntervalHours: source.fundingIntervalHours ?? (source.format === "binance" ? 8 : 1),
      bbo: source.bbo === true,
      symbolFor: symbols === undefined ? (raw) => raw : (raw) => symbols[raw],
    };
  }

  /**
   * Parse the line in `bytes[start, end)` (without its line terminator; 1-based number for
   * reports), appending events to `out`. Lines the format's scanner takes never become strings;
   * the others are decoded as UTF-8 and go through `parseLine`. Same results either way.
   */
  parseLineBytes(bytes: Buffer, start: number, end: number, lineNo: number, out: MarketEvent[]): void {
    if (this.scanner !== undefined) {
      const before = out.length;
      const outcome = this.scanner.scan(bytes, start, end, this.ctx, out);
      if (outcome !== FALLBACK) {
        this.scannedLines++;
        this.stats.lines++;
        if (outcome === "ignored") this.stats.ignored++;
        this.stats.sequenceGaps = this.format.sequenceGaps ?? 0;
        this.count(out, before);
        return;
      }
    }
    this.parseLine(bytes.toString("utf8", start, end), lineNo, out);
  }

  /** Parse one line (its 1-based number for reports) with JSON.parse, appending events to `out`. */
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
    this.count(out, before);
  }

  /** Parse every line of a chunk of whole lines (see readLineChunks); returns the last line number. */
  parseChunk(bytes: Buffer, lineNo: number, out: MarketEvent[]): number {
    const n = bytes.length;
    let start = 0;
    while (start < n) {
      let nl = bytes.indexOf(10, start);
      if (nl < 0) nl = n;
      let e = nl;
      if (e > start && bytes[e - 1] === 13) e--;
      if (e > start) this.parseLineBytes(bytes, start, e, ++lineNo, out);
      start = nl + 1;
    }
    return lineNo;
  }

  private count(out: MarketEvent[], before: number): void {
    const byKind = this.stats.byKind;
    for (let i = before; i < out.length; i++) byKind[out[i].type]++;
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
  for await (const chunk of readLineChunks(input ?? source.path)) {
    const out: MarketEvent[] = [];
    lineNo = parser.parseChunk(chunk, lineNo, out);
    if (out.length > 0) onEvents(out);
  }
  return parser.stats;
}

/** The same as an async iterable of single events, for code that prefers `for await`. */
export async function* replayEvents(source: ReplaySource): AsyncGenerator<MarketEvent, ReplayStats> {
  const parser = new RecordedLineParser(source);
  let lineNo = 0;
  for await (const chunk of readLineChunks(source.path)) {
    const out: MarketEvent[] = [];
    lineNo = parser.parseChunk(chunk, lineNo, out);
    yield* out;
  }
  return parser.stats;
}
