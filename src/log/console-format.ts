import { redactText } from "./redact.ts";

/**
 * The readable console view of the JSON log lines: `HH:MM:SS.mmm LEVEL [module] message k=v`,
 * with an error's stack below it. A few lines of our own instead of pino-pretty.
 */

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO ",
  40: "WARN ",
  50: "ERROR",
  60: "FATAL",
};

/** Fields shown in the prefix or dropped because every line has them. */
const SKIPPED = new Set(["level", "time", "msg", "module", "pid", "hostname", "err"]);

function two(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function fieldText(v: unknown): string {
  if (typeof v === "string") return /\s/.test(v) || v === "" ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** One JSON log line as readable text (with a trailing newline); unparseable input passes through. */
export function formatLogLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`;
  }
  const t = new Date(typeof rec.time === "number" ? rec.time : Date.now());
  const time = `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}.${two(t.getMilliseconds(), 3)}`;
  const level = LEVEL_NAMES[rec.level as number] ?? String(rec.level);
  const module = typeof rec.module === "string" ? ` [${rec.module}]` : "";
  const fields = Object.entries(rec)
    .filter(([k]) => !SKIPPED.has(k))
    .map(([k, v]) => `${k}=${fieldText(v)}`);
  let out = `${time} ${level}${module} ${String(rec.msg ?? "")}${fields.length ? ` ${fields.join(" ")}` : ""}\n`;
  const err = rec.err as { stack?: string; message?: string } | undefined;
  if (err && typeof err === "object") {
    const text = err.stack ?? err.message ?? JSON.stringify(err);
    out += `${text
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n")}\n`;
  }
  return out;
}

/** A pino destination that writes the readable view to `out` (stderr by default). */
export function consoleStream(out: { write(s: string): unknown } = process.stderr): {
  write(s: string): void;
} {
  return {
    write(chunk: string): void {
      // pino writes whole lines; split defensively in case several arrive at once
      for (const line of chunk.split("\n")) {
        if (line.trim() !== "") out.write(redactText(formatLogLine(line)));
      }
    },
  };
}
