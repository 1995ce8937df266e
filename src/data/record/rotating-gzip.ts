/**
 * Lines into gzip files that rotate by compressed size or by age. A file is written as
 * `<name>.gz.part` and renamed to `<name>.gz` once its gzip trailer is on disk, so every `.gz` in
 * the folder is complete and valid; a process killed with SIGKILL leaves only a `.part` behind.
 *
 * The compressed size is what gzip has emitted so far. Deflate holds back up to a block of
 * output, so the writer sync-flushes every `flushMs` (a whole-byte boundary any reader decodes up
 * to): the size check then lags the input by at most that much data.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { constants, createGzip, type Gzip } from "node:zlib";

export interface RotatingGzipOptions {
  readonly dir: string;
  /** the file name for a file opened at `startMs` (the n-th of the session, from 1), without ".gz" */
  readonly nameFor: (startMs: number, n: number) => string;
  /** rotate once a file's compressed bytes reach this (undefined: never by size) */
  readonly rotateBytes?: number;
  /** rotate once a file is this old (undefined: never by age) */
  readonly rotateMs?: number;
  /** written first in every file (e.g. what the recording holds); called at each file's opening */
  readonly header?: (startMs: number, n: number) => string | undefined;
  /** sync-flush interval (default 1000 ms) */
  readonly flushMs?: number;
  readonly now?: () => number;
}

/** One open file of the session. */
interface OpenFile {
  readonly path: string;
  readonly startMs: number;
  readonly gzip: Gzip;
  readonly fd: number;
  readonly done: Promise<void>;
  bytes: number;
  /** lines written, the header included */
  lines: number;
  /** lines written after the header */
  data: number;
}

export interface FinishedFile {
  readonly path: string;
  readonly lines: number;
  readonly bytes: number;
}

export class RotatingGzipWriter {
  readonly #o: RotatingGzipOptions;
  readonly #now: () => number;
  readonly #closing: Promise<void>[] = [];
  readonly #flushTimer: ReturnType<typeof setInterval>;
  #file: OpenFile | undefined;
  #n = 0;
  #closed = false;
  #failure: Error | undefined;
  /** every file finished so far, in order */
  readonly finished: FinishedFile[] = [];
  /** lines and compressed bytes over the whole session */
  totalLines = 0;
  totalBytes = 0;

  constructor(o: RotatingGzipOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#flushTimer = setInterval(() => {
      // a quiet market still rotates on time
      if (this.#due()) this.rotate();
      else this.#file?.gzip.flush(constants.Z_SYNC_FLUSH);
    }, o.flushMs ?? 1000);
    this.#flushTimer.unref();
    // the first file opens at once: an unwritable folder fails here, before any data
    this.#open();
  }

  /** The file being written (its final name, without ".part"). */
  get currentPath(): string | undefined {
    return this.#file?.path;
  }

  get currentBytes(): number {
    return this.#file?.bytes ?? 0;
  }

  /** Append one line (no "\n" inside); rotates first when the current file is due. */
  write(line: string): void {
    if (this.#closed) throw new Error("recording writer: write after close");
    if (this.#failure) throw this.#failure;
    if (this.#due()) this.rotate();
    const f = this.#file!;
    f.gzip.write(`${line}\n`);
    f.lines++;
    f.data++;
    this.totalLines++;
  }

  /** Finish the current file and open the next. */
  rotate(): void {
    if (this.#closed) return;
    const old = this.#file;
    this.#open();
    if (old) this.#finish(old);
  }

  /** Finish the current file (trailer written, file synced and renamed); no writes after. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#flushTimer);
    const last = this.#file;
    this.#file = undefined;
    // a file opened by a rotation just before close holds no data: it is dropped, unless it is
    // the session's only file (a session always leaves one file behind)
    if (last && last.data === 0 && this.#n > 1) this.#discard(last);
    else if (last) this.#finish(last);
    await Promise.all(this.#closing);
    if (this.#failure) throw this.#failure;
  }

  #due(): boolean {
    const f = this.#file;
    if (f === undefined || f.data === 0) return false;
    const { rotateBytes, rotateMs } = this.#o;
    if (rotateBytes !== undefined && f.bytes >= rotateBytes) return true;
    return rotateMs !== undefined && this.#now() - f.startMs >= rotateMs;
  }

  #open(): void {
    const startMs = this.#now();
    const n = ++this.#n;
    const path = join(this.#o.dir, `${this.#o.nameFor(startMs, n)}.gz`);
    const fd = openSync(`${path}.part`, "wx");
    const gzip = createGzip();
    const file: OpenFile = {
      path,
      startMs,
      gzip,
      fd,
      bytes: 0,
      lines: 0,
      data: 0,
      done: new Promise<void>((resolve) => {
        gzip.on("data", (chunk: Buffer) => {
          try {
            writeSync(fd, chunk);
            file.bytes += chunk.length;
            this.totalBytes += chunk.length;
          } catch (e) {
            this.#failure ??= new Error(`recording ${path}: ${(e as Error).message}`, { cause: e });
          }
        });
        gzip.on("end", () => resolve());
        gzip.on("error", (e) => {
          this.#failure ??= e;
          resolve();
        });
      }),
    };
    this.#file = file;
    const header = this.#o.header?.(startMs, n);
    if (header !== undefined) {
      gzip.write(`${header}\n`);
      file.lines++;
    }
  }

  #discard(f: OpenFile): void {
    f.gzip.end();
    this.#closing.push(
      f.done.then(() => {
        closeSync(f.fd);
        unlinkSync(`${f.path}.part`);
      }),
    );
  }

  #finish(f: OpenFile): void {
    f.gzip.end();
    this.#closing.push(
      f.done.then(() => {
        fsyncSync(f.fd);
        closeSync(f.fd);
        renameSync(`${f.path}.part`, f.path);
        this.finished.push({ path: f.path, lines: f.lines, bytes: f.bytes });
      }),
    );
  }
}
