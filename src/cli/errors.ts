import { CommanderError } from "commander";
import { PerpbotError } from "../core/errors.ts";
import { redactText } from "../log/redact.ts";

/** A mistake on the command line (a file that exists, a missing flag): exit code 2. */
export class UsageError extends PerpbotError {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super("usage", message);
  }
}

/** The exit code a user error asks for: its own `exitCode` when it has one, else 1. */
function exitCodeOf(err: PerpbotError): number {
  const code = (err as { exitCode?: unknown }).exitCode;
  return typeof code === "number" && Number.isInteger(code) && code > 0 ? code : 1;
}

/**
 * Reports an error the way the CLI promises and returns the exit code. A PerpbotError is the
 * user's to fix: one line, no stack. Anything else is a bug: the stack, to be reported. Every
 * text passes the secret scrubber first, since an error can quote a value it choked on.
 */
export function reportError(err: unknown, stderr: { write(s: string): unknown } = process.stderr): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message or the help; --help and --version end with 0,
    // anything else it stops on (unknown option, missing argument, no command) is a usage error
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof PerpbotError) {
    stderr.write(`perpbot: ${redactText(err.message)}\n`);
    return exitCodeOf(err);
  }
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  stderr.write(`perpbot: unexpected error (a bug; please report it)\n${redactText(text)}\n`);
  return 1;
}
