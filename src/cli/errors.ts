import { CommanderError } from "commander";
import { DB_FILE_EXIT_CODE } from "../core/db-file-error.ts";
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

/** What a file-system error code means for the user, for the ones that are theirs to fix. */
const FS_PROBLEMS: Readonly<Record<string, string>> = {
  EACCES: "permission denied: make it (and its directory) writable, or set data_dir to a writable place",
  EPERM: "not permitted: make it (and its directory) writable, or set data_dir to a writable place",
  EROFS: "the file system is read-only: set data_dir to a writable place",
  ENOSPC: "the disk is full: free some space and run again",
  ENOTDIR: "a part of the path is a file, not a directory",
  EISDIR: "it is a directory, not a file",
};

/**
 * A file-system error the user can fix (a read-only data directory, a full disk) that reached
 * the top without a message of its own, such as the log directory's mkdir: the path and what to
 * do, exit code 6 as for a damaged or read-only database (DbFileError).
 */
function fileSystemProblem(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { code?: unknown; syscall?: unknown; path?: unknown };
  if (typeof e.code !== "string" || typeof e.path !== "string") return undefined;
  const problem = FS_PROBLEMS[e.code];
  if (problem === undefined) return undefined;
  return `cannot ${typeof e.syscall === "string" ? e.syscall : "use"} ${e.path}: ${problem}`;
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
  const fsProblem = fileSystemProblem(err);
  if (fsProblem !== undefined) {
    stderr.write(`perpbot: ${redactText(fsProblem)}\n`);
    return DB_FILE_EXIT_CODE;
  }
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  stderr.write(`perpbot: unexpected error (a bug; please report it)\n${redactText(text)}\n`);
  return 1;
}
