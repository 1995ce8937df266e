import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type DestinationStream, type Level, type Logger, pino } from "pino";
import { consoleStream } from "./console-format.ts";
import { REDACTED, redactText, secretFieldPaths } from "./redact.ts";

export type { Logger } from "pino";
export type LogLevel = Level | "silent";

export interface LoggingOptions {
  /** level of every module without its own entry */
  readonly level?: LogLevel;
  /** per-module levels, e.g. { engine: "debug" } */
  readonly modules?: Readonly<Record<string, LogLevel>>;
  /** directory of the JSON-lines file; null for no file */
  readonly dir?: string | null;
  readonly fileName?: string;
  /** the readable view: true for stderr, false for none, or a stream of your own */
  readonly console?: boolean | { write(s: string): unknown };
}

export interface Logging {
  readonly root: Logger;
  /** the JSON-lines file, or null */
  readonly file: string | null;
  /** A child logger for a module, at that module's configured level. */
  forModule(module: string): Logger;
  /** Flushes and closes the file. */
  close(): void;
}

/** A stream that scrubs registered secrets out of each serialised line before passing it on. */
function scrubbing(dest: { write(s: string): unknown }): DestinationStream {
  return { write: (line: string) => void dest.write(redactText(line)) };
}

/**
 * pino writing JSON lines to `<dir>/perpbot.jsonl` and a readable view to the console. Secrets
 * are removed twice: by field name (pino `redact`) and by value (the registered-secret scrubber
 * on every line, which also covers error messages and stacks).
 */
export function createLogging(options: LoggingOptions = {}): Logging {
  const level = options.level ?? "info";
  const modules = options.modules ?? {};
  const streams: { level: Level; stream: DestinationStream }[] = [];
  let file: string | null = null;
  let fileDest: ReturnType<typeof pino.destination> | null = null;
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    file = join(options.dir, options.fileName ?? "perpbot.jsonl");
    // synchronous: the last lines before a crash are the ones that matter most
    fileDest = pino.destination({ dest: file, sync: true, append: true });
    streams.push({ level: "trace", stream: scrubbing(fileDest) });
  }
  if (options.console) {
    const out = options.console === true ? process.stderr : options.console;
    streams.push({ level: "trace", stream: consoleStream(out) });
  }
  const root = pino(
    {
      level,
      redact: { paths: secretFieldPaths(), censor: REDACTED },
      serializers: { err: pino.stdSerializers.err },
      base: undefined,
    },
    streams.length > 0 ? pino.multistream(streams) : scrubbing({ write: () => undefined }),
  );
  const children = new Map<string, Logger>();
  return {
    root,
    file,
    forModule(module: string): Logger {
      let child = children.get(module);
      if (!child) {
        child = root.child({ module }, { level: modules[module] ?? level });
        children.set(module, child);
      }
      return child;
    },
    close(): void {
      if (fileDest) {
        fileDest.flushSync();
        fileDest.end();
        fileDest = null;
      }
    },
  };
}
