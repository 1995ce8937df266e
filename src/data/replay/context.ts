import { PerpbotError } from "../../core/errors.ts";

/** A message that does not have the shape its format promises (the reader counts and skips it). */
export class FeedFormatError extends PerpbotError {
  constructor(message: string) {
    super("feed_format", message);
  }
}

/** What a parser needs besides the message: where it came from and how to name things. */
export interface ParseContext {
  readonly venue: string;
  /** receipt time of the line on the recording machine (ms) */
  readonly localMs: number;
  /** "local": stamp events with the receipt time (monotone); "exchange": with the venue's own time */
  readonly timestamps: "local" | "exchange";
  /** funding interval of the venue's printed rates, to normalise them per hour */
  readonly fundingIntervalHours: number;
  /** hyperliquid: also read `bbo` lines (default false: its l2Book lines carry the touch already) */
  readonly bbo?: boolean;
  /** our symbol for a raw venue symbol, or undefined to skip messages for that symbol */
  symbolFor(raw: string): string | undefined;
}

/** What happened to a message that produced no events on purpose. */
export type ParseOutcome = "parsed" | "ignored";

export function str(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== "string")
    throw new FeedFormatError(`${where}: field "${key}" should be a string, got ${typeof v}`);
  return v;
}

/** a decimal string as the venue prints it, e.g. "61800.20", as a finite float */
export function num(obj: Record<string, unknown>, key: string, where: string): number {
  const v = obj[key];
  const n = typeof v === "string" ? Number(v) : typeof v === "number" ? v : Number.NaN;
  if (!Number.isFinite(n) || (typeof v === "string" && v.trim() === ""))
    throw new FeedFormatError(`${where}: field "${key}" should be a number, got ${JSON.stringify(v)}`);
  return n;
}

export function record(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new FeedFormatError(`${where}: expected an object, got ${Array.isArray(v) ? "array" : typeof v}`);
  return v as Record<string, unknown>;
}
