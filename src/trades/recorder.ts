import { closeSync, fsync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { pino } from "pino";
import { InvalidValueError, PerpbotError } from "../core/errors.ts";
import { moneyText } from "../core/money.ts";
import type { Side } from "../core/types.ts";
import type { Logger } from "../log/logger.ts";
import type { FillRecord } from "../store/records.ts";
import { csvLine, TimestampFormatter } from "./csv.ts";

/**
 * The trade log: every order event and fill appended to `<dir>/<venue>_<symbol>.csv`, the columns
 * of seed 003's order log plus who and why. It is a human-readable audit trail beside the store
 * (which stays the truth): append-only, header written once, rows written straight to the file
 * (a process crash loses nothing) and fsynced at most every `fsyncIntervalMs` (an OS crash loses
 * at most that much; 0 syncs every row).
 */

export const TRADE_CSV_HEADER = [
  "Timestamp",
  "OrderID",
  "Side",
  "Quantity",
  "Price",
  "Status",
  "Wallet",
  "Group",
  "Fee",
  "Reason",
] as const;

/** What the engine tells the recorder about one order event or fill. */
export interface TradeEvent {
  readonly venue: string;
  readonly symbol: string;
  /** the wallet's label (never its address' key) */
  readonly wallet: string;
  readonly group: string | null;
  readonly clientOrderId: string;
  readonly side: Side;
  /** exact decimal text, e.g. "0.015" */
  readonly size: string;
  /** exact decimal text; null for a market order without a price */
  readonly price: string | null;
  /** the order's state after the event ("open", "filled", "canceled", …) */
  readonly status: string;
  /** exact decimal USD, positive paid, negative rebate; null when the event has no fee */
  readonly fee: string | null;
  readonly reason: string | null;
  /** epoch ms */
  readonly ts: number;
}

export class TradeLogError extends PerpbotError {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super("trade_log", message, options);
  }
}

export interface TradeRecorderOptions {
  readonly dir: string;
  /** IANA zone of the Timestamp column; default "UTC" */
  readonly timeZone?: string;
  /** default 1000; 0 fsyncs every row */
  readonly fsyncIntervalMs?: number;
  /** epoch ms, for the fsync interval (default Date.now) */
  readonly now?: () => number;
  readonly logger?: Logger;
}

interface OpenFile {
  readonly path: string;
  readonly fd: number;
  lastSync: number;
  syncing: boolean;
  dirty: boolean;
}

const DECIMAL_RE = /^-?\d+(?:\.\d+)?$/;
const SIDES = new Set(["buy", "sell"]);

/** `<venue>_<symbol>.csv`, with characters a file name should not hold replaced by "-". */
export function tradeFileName(venue: string, symbol: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^\.+/, "-");
  return `${safe(venue)}_${safe(symbol)}.csv`;
}

/** A stored fill as a trade event (OrderID: our client order id, else the venue's ids). */
export function tradeFromFill(
  fill: FillRecord,
  meta: { group?: string | null; reason?: string | null; status?: string } = {},
): TradeEvent {
  return {
    venue: fill.venue,
    symbol: fill.symbol,
    wallet: fill.account,
    group: meta.group ?? null,
    clientOrderId: fill.clientOrderId ?? fill.venueOrderId ?? fill.fillId,
    side: fill.side,
    size: fill.size,
    price: fill.price,
    status: meta.status ?? "filled",
    fee: moneyText(fill.fee),
    reason: meta.reason ?? null,
    ts: fill.ts,
  };
}

export class TradeRecorder {
  readonly dir: string;
  readonly timestamps: TimestampFormatter;
  private readonly fsyncIntervalMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly files = new Map<string, OpenFile>();
  private closed = false;
  /** rows that could not be written (disk full, permissions): logged, never thrown at the engine */
  writeFailures = 0;

  constructor(options: TradeRecorderOptions) {
    this.dir = resolve(options.dir);
    this.timestamps = new TimestampFormatter(options.timeZone ?? "UTC");
    const interval = options.fsyncIntervalMs ?? 1000;
    if (!Number.isSafeInteger(interval) || interval < 0)
      throw new InvalidValueError(`fsync interval ${interval} ms must be a whole number >= 0`);
    this.fsyncIntervalMs = interval;
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? pino({ enabled: false });
  }

  /** The file a venue and symbol's rows go to. */
  fileFor(venue: string, symbol: string): string {
    return join(this.dir, tradeFileName(venue, symbol));
  }

  /** The CSV fields of an event, in header order. Throws on an impossible value. */
  row(e: TradeEvent): string[] {
    const what = `trade ${e.venue}/${e.symbol}/${e.clientOrderId}`;
    if (!SIDES.has(e.side)) throw new InvalidValueError(`${what}: side ${JSON.stringify(e.side)}`);
    if (!DECIMAL_RE.test(e.size)) throw new InvalidValueError(`${what}: size ${JSON.stringify(e.size)}`);
    if (e.price !== null && !DECIMAL_RE.test(e.price))
      throw new InvalidValueError(`${what}: price ${JSON.stringify(e.price)}`);
    if (e.fee !== null && !DECIMAL_RE.test(e.fee))
      throw new InvalidValueError(`${what}: fee ${JSON.stringify(e.fee)}`);
    if (e.venue === "" || e.symbol === "" || e.clientOrderId === "" || e.status === "")
      throw new InvalidValueError(`${what}: venue, symbol, order id and status must not be empty`);
    return [
      this.timestamps.format(e.ts),
      e.clientOrderId,
      e.side,
      e.size,
      e.price ?? "",
      e.status,
      e.wallet,
      e.group ?? "",
      e.fee ?? "",
      e.reason ?? "",
    ];
  }

  /**
   * Appends one row. Bad input throws (a bug in the caller); a failing disk is logged and
   * counted, never thrown, because the trade log must not stop trading. Returns whether the row
   * was written.
   */
  record(e: TradeEvent): boolean {
    if (this.closed) throw new TradeLogError("trade recorder is closed");
    const line = csvLine(this.row(e));
    const path = this.fileFor(e.venue, e.symbol);
    try {
      const f = this.open(path);
      writeSync(f.fd, line);
      f.dirty = true;
      this.maybeSync(f);
      return true;
    } catch (err) {
      this.writeFailures++;
      this.log.error({ err, file: path, row: line.trimEnd() }, "trade log row not written");
      return false;
    }
  }

  recordFill(
    fill: FillRecord,
    meta?: { group?: string | null; reason?: string | null; status?: string },
  ): boolean {
    return this.record(tradeFromFill(fill, meta));
  }

  /** fsyncs every file with unsynced rows (call before a clean shutdown or a backup). */
  flush(): void {
    for (const f of this.files.values()) {
      if (!f.dirty) continue;
      fsyncSync(f.fd);
      f.dirty = false;
      f.lastSync = this.now();
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    for (const f of this.files.values()) closeSync(f.fd);
    this.files.clear();
  }

  private open(path: string): OpenFile {
    const existing = this.files.get(path);
    if (existing) return existing;
    mkdirSync(this.dir, { recursive: true });
    const fd = openSync(path, "a+");
    try {
      const header = csvLine(TRADE_CSV_HEADER);
      const head = Buffer.alloc(header.length);
      const n = readSync(fd, head, 0, head.length, 0);
      if (n === 0) writeSync(fd, header);
      else if (head.toString("utf8", 0, n) !== header)
        throw new TradeLogError(
          `${path} exists with other columns than ${TRADE_CSV_HEADER.join(",")}: move it away to start a new log`,
        );
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    const f: OpenFile = { path, fd, lastSync: this.now(), syncing: false, dirty: true };
    this.files.set(path, f);
    return f;
  }

  private maybeSync(f: OpenFile): void {
    if (this.fsyncIntervalMs === 0) {
      fsyncSync(f.fd);
      f.dirty = false;
      return;
    }
    const now = this.now();
    if (f.syncing || now - f.lastSync < this.fsyncIntervalMs) return;
    // in the background: the engine's event handler does not wait for the disk
    f.syncing = true;
    f.dirty = false;
    f.lastSync = now;
    fsync(f.fd, (err) => {
      f.syncing = false;
      if (err && !this.closed) this.log.warn({ err, file: f.path }, "trade log fsync failed");
    });
  }
}
