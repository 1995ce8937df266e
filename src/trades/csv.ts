import { InvalidValueError } from "../core/errors.ts";

/**
 * CSV as RFC 4180 writes it: a field holding a comma, a double quote, CR or LF is enclosed in
 * double quotes, with each quote inside doubled. Lines end with "\n" (every spreadsheet and
 * `csv` module reads that); a line break inside a quoted field stays as written.
 */

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(",")}\n`;
}

/** Parses CSV text into rows of fields (the inverse of csvLine); throws on an unclosed quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  let started = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      started = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      started = true;
      i++;
    } else if (c === "\n" || c === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      started = false;
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += c;
      started = true;
      i++;
    }
  }
  if (quoted) throw new InvalidValueError("CSV: a quoted field is not closed");
  if (started || field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Formats epoch ms as local time in an IANA time zone with its offset, ISO-like:
 * "2026-01-01T08:00:00.000+08:00" ("+00:00" for UTC). Intl.DateTimeFormat supplies the zone rules,
 * daylight saving included.
 */
export class TimestampFormatter {
  readonly timeZone: string;
  private readonly parts: Intl.DateTimeFormat;

  constructor(timeZone: string) {
    if (!isTimeZone(timeZone))
      throw new InvalidValueError(
        `time zone "${timeZone}" is not an IANA name such as "UTC" or "Asia/Shanghai"`,
      );
    this.timeZone = timeZone;
    this.parts = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "longOffset",
    });
  }

  format(ts: number): string {
    if (!Number.isFinite(ts)) throw new InvalidValueError(`timestamp ${ts} is not a time`);
    const p: Record<string, string> = {};
    for (const part of this.parts.formatToParts(ts)) p[part.type] = part.value;
    // "GMT+08:00", "GMT-03:30", or "GMT" for a zero offset; always written as ±HH:MM so every
    // row has the same shape whatever the zone
    const off = (p.timeZoneName ?? "GMT").replace(/^GMT/, "");
    const offset = off === "" ? "+00:00" : off;
    const ms = String(((ts % 1000) + 1000) % 1000).padStart(3, "0");
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${ms}${offset}`;
  }
}

export function isTimeZone(name: string): boolean {
  if (name === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
