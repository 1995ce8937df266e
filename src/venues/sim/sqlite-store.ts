import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dbFileError } from "../../core/db-file-error.ts";
import { PerpbotError } from "../../core/errors.ts";
import type { Fill, MarginMode, OrderType, Side, TimeInForce, VenueOrderStatus } from "../../core/types.ts";
import type { ChangeSet, FundingPayment, OrderState, SimState } from "./state.ts";
import { metaOf, restoreMeta, type SimStore, type VenueMeta } from "./store.ts";

/**
 * Durable store in one SQLite file (node:sqlite, WAL). Every table is keyed by venue id, so
 * several SimVenues may share a file (each with its own connection) or use one each.
 * Money is stored as decimal text of the bigint pico-dollars: SQLite integers stop at 2^63.
 *
 * synchronous=NORMAL in WAL mode: a committed transaction survives the process being killed
 * (SIGKILL); only a power loss or OS crash can drop the last few commits.
 *
 * One venue's rows have one writer: opening a store takes the venue over (`sim_owner.epoch` + 1)
 * before loading, and every commit first checks, inside its write transaction, that the epoch is
 * still its own. A copy that a newer one superseded (a worker paused while another took its unit
 * over, then resumed with its timers and in-flight requests) writes nothing more: its commit fails
 * with SimStateTakenError and the venue goes down. Without this, two in-memory copies of one
 * venue each wrote their own sequences and orders into the file and left it inconsistent.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS sim_meta (venue TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sim_owner (venue TEXT PRIMARY KEY, epoch INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sim_accounts (
  venue TEXT NOT NULL, account TEXT NOT NULL, cash TEXT NOT NULL, PRIMARY KEY (venue, account));
CREATE TABLE IF NOT EXISTS sim_positions (
  venue TEXT NOT NULL, account TEXT NOT NULL, symbol TEXT NOT NULL, size_lots INTEGER NOT NULL,
  entry_notional TEXT NOT NULL, isolated_margin TEXT NOT NULL, funding_paid TEXT NOT NULL,
  mode TEXT NOT NULL, leverage REAL NOT NULL, PRIMARY KEY (venue, account, symbol));
CREATE TABLE IF NOT EXISTS sim_settings (
  venue TEXT NOT NULL, account TEXT NOT NULL, symbol TEXT NOT NULL, leverage REAL NOT NULL,
  mode TEXT NOT NULL, PRIMARY KEY (venue, account, symbol));
CREATE TABLE IF NOT EXISTS sim_orders (
  venue TEXT NOT NULL, venue_order_id TEXT NOT NULL, client_order_id TEXT NOT NULL,
  account TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, type TEXT NOT NULL,
  price_ticks INTEGER NOT NULL, size_lots INTEGER NOT NULL, filled_lots INTEGER NOT NULL,
  status TEXT NOT NULL, tif TEXT NOT NULL, reduce_only INTEGER NOT NULL, seq INTEGER NOT NULL,
  created_ts INTEGER NOT NULL, reason TEXT NOT NULL,
  PRIMARY KEY (venue, venue_order_id), UNIQUE (venue, account, client_order_id));
CREATE INDEX IF NOT EXISTS sim_orders_open ON sim_orders (venue, status);
CREATE TABLE IF NOT EXISTS sim_fills (
  venue TEXT NOT NULL, fill_id TEXT NOT NULL, account TEXT NOT NULL, seq INTEGER NOT NULL,
  json TEXT NOT NULL, PRIMARY KEY (venue, fill_id));
CREATE INDEX IF NOT EXISTS sim_fills_account ON sim_fills (venue, account, seq);
CREATE TABLE IF NOT EXISTS sim_funding (
  venue TEXT NOT NULL, account TEXT NOT NULL, symbol TEXT NOT NULL, ts INTEGER NOT NULL,
  amount TEXT NOT NULL, rate_per_hour REAL NOT NULL, hours REAL NOT NULL, mark_price REAL NOT NULL,
  size_lots INTEGER NOT NULL, PRIMARY KEY (venue, account, symbol, ts));
`;

interface OrderRow {
  venue_order_id: string;
  client_order_id: string;
  account: string;
  symbol: string;
  side: string;
  type: string;
  price_ticks: number;
  size_lots: number;
  filled_lots: number;
  status: string;
  tif: string;
  reduce_only: number;
  seq: number;
  created_ts: number;
  reason: string;
}

/**
 * Resolves once no other connection holds the write lock of the state file at `path` (at once when
 * there is no file yet), polling every `pollMs` without blocking the event loop; after `limitMs` it
 * resolves anyway and the opening itself waits (busy_timeout) and reports. Opening a SimVenue
 * waits synchronously for that lock: a worker taking over a unit from a process that was paused
 * inside a commit froze its whole event loop, every other unit and lease renewal included.
 *
 * Resolves to `release`: call it once the venues on the file are open. Until then the check's
 * connection stays open, so that its close is not the file's last: the last connection to close
 * checkpoints the write-ahead log, and a killed holder's log (up to 4 MB) made each takeover's
 * check cost 4-11 ms more, and the venues' opening then created a fresh log.
 */
export async function simStateWritable(path: string, limitMs = 10_000, pollMs = 20): Promise<() => void> {
  const none = () => {};
  if (!existsSync(path)) return none;
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch {
    return none; // the opening reports what is wrong with the file
  }
  const release = () => {
    if (db.isOpen) db.close();
  };
  try {
    db.exec("PRAGMA busy_timeout = 0");
    for (const t0 = performance.now(); ; ) {
      try {
        db.exec("BEGIN IMMEDIATE");
        db.exec("ROLLBACK");
        return release;
      } catch (e) {
        const code = (e as { errcode?: unknown }).errcode;
        const busy = typeof code === "number" && ((code & 0xff) === 5 || (code & 0xff) === 6);
        if (!busy || performance.now() - t0 >= limitMs) {
          release();
          return none;
        }
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } catch (e) {
    release();
    throw e;
  }
}

/** A commit from a copy of the venue that a newer opening of the same file superseded. */
export class SimStateTakenError extends PerpbotError {
  constructor(venue: string, path: string, mine: number, now: number | undefined) {
    super(
      "sim_state_taken",
      `sim venue ${venue}: its state in ${path} was opened again by another SimVenue (owner epoch ${now ?? "none"}, this copy's ${mine}); this copy is stale and saves nothing more`,
    );
  }
}

export class SqliteStore implements SimStore {
  private readonly db: DatabaseSync;
  private readonly venue: string;
  private readonly stmt: Record<string, StatementSync>;
  /** this copy's owner epoch of the venue's rows (sim_owner) */
  private readonly epoch: number;

  private readonly path: string;

  constructor(path: string, venue: string) {
    this.venue = venue;
    this.path = path;
    try {
      this.db = new DatabaseSync(path);
    } catch (cause) {
      throw (
        this.explain(cause) ?? new Error(`sim venue ${venue}: cannot open SQLite file "${path}"`, { cause })
      );
    }
    try {
      this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
      this.db.exec(SCHEMA);
      this.stmt = this.prepareAll();
      this.epoch = (this.stmt.takeOver.get(venue) as { epoch: number }).epoch;
    } catch (cause) {
      this.db.close();
      throw this.explain(cause) ?? cause;
    }
  }

  /** A damaged, foreign, read-only, locked or full sim.db as a DbFileError naming it (exit 6). */
  private explain(cause: unknown) {
    return dbFileError(
      cause,
      this.path,
      `sim venue ${this.venue}'s state`,
      "the simulated venues start again from fresh paper balances at the next run",
    );
  }

  private prepareAll(): Record<string, StatementSync> {
    const p = (sql: string) => this.db.prepare(sql);
    return {
      meta: p(
        "INSERT INTO sim_meta (venue, json) VALUES (?, ?) ON CONFLICT (venue) DO UPDATE SET json = excluded.json",
      ),
      getMeta: p("SELECT json FROM sim_meta WHERE venue = ?"),
      // one statement, so it is its own write transaction (busy_timeout waits for a commit in flight)
      takeOver: p(
        "INSERT INTO sim_owner (venue, epoch) VALUES (?, 1) ON CONFLICT (venue) DO UPDATE SET epoch = epoch + 1 RETURNING epoch",
      ),
      owner: p("SELECT epoch FROM sim_owner WHERE venue = ?"),
      account: p(
        "INSERT INTO sim_accounts (venue, account, cash) VALUES (?, ?, ?) ON CONFLICT (venue, account) DO UPDATE SET cash = excluded.cash",
      ),
      position: p(
        `INSERT INTO sim_positions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (venue, account, symbol) DO UPDATE SET
         size_lots = excluded.size_lots, entry_notional = excluded.entry_notional, isolated_margin = excluded.isolated_margin,
         funding_paid = excluded.funding_paid, mode = excluded.mode, leverage = excluded.leverage`,
      ),
      deletePosition: p("DELETE FROM sim_positions WHERE venue = ? AND account = ? AND symbol = ?"),
      setting: p(
        "INSERT INTO sim_settings VALUES (?, ?, ?, ?, ?) ON CONFLICT (venue, account, symbol) DO UPDATE SET leverage = excluded.leverage, mode = excluded.mode",
      ),
      order: p(
        `INSERT INTO sim_orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (venue, venue_order_id) DO UPDATE SET
         filled_lots = excluded.filled_lots, status = excluded.status, reason = excluded.reason,
         price_ticks = excluded.price_ticks, size_lots = excluded.size_lots, seq = excluded.seq`,
      ),
      fill: p("INSERT INTO sim_fills VALUES (?, ?, ?, ?, ?)"),
      funding: p("INSERT INTO sim_funding VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      findOrder: p("SELECT * FROM sim_orders WHERE venue = ? AND account = ? AND client_order_id = ?"),
      fills: p("SELECT json FROM sim_fills WHERE venue = ? AND account = ? ORDER BY seq"),
      funding_of: p("SELECT * FROM sim_funding WHERE venue = ? AND account = ? ORDER BY ts, symbol"),
    };
  }

  load(state: SimState): boolean {
    try {
      return this.loadRows(state);
    } catch (cause) {
      throw this.explain(cause) ?? cause;
    }
  }

  private loadRows(state: SimState): boolean {
    const v = this.venue;
    const meta = this.stmt.getMeta.get(v) as { json: string } | undefined;
    if (meta === undefined) return false;
    restoreMeta(state, JSON.parse(meta.json) as VenueMeta);
    for (const r of this.db.prepare("SELECT account, cash FROM sim_accounts WHERE venue = ?").all(v)) {
      state.accounts.set(r.account as string, {
        account: r.account as string,
        cash: BigInt(r.cash as string),
      });
    }
    for (const r of this.db
      .prepare("SELECT * FROM sim_positions WHERE venue = ? ORDER BY account, symbol")
      .all(v)) {
      state.indexPosition({
        account: r.account as string,
        symbol: r.symbol as string,
        sizeLots: r.size_lots as number,
        entryNotional: BigInt(r.entry_notional as string),
        isolatedMargin: BigInt(r.isolated_margin as string),
        fundingPaid: BigInt(r.funding_paid as string),
        mode: r.mode as MarginMode,
        leverage: r.leverage as number,
      });
    }
    for (const r of this.db.prepare("SELECT * FROM sim_settings WHERE venue = ?").all(v)) {
      state.setSetting(r.account as string, r.symbol as string, {
        leverage: r.leverage as number,
        mode: r.mode as MarginMode,
      });
    }
    const open = this.db
      .prepare(
        "SELECT * FROM sim_orders WHERE venue = ? AND status IN ('open', 'partially_filled') ORDER BY seq",
      )
      .all(v) as unknown as OrderRow[];
    for (const r of open) {
      const o = orderOf(r);
      state.addOpenOrder(o);
      state.rememberOrder(o);
    }
    return true;
  }

  commit(changes: ChangeSet, state: SimState): void {
    const v = this.venue;
    const s = this.stmt;
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const owner = this.stmt.owner.get(v) as { epoch: number } | undefined;
      if (owner?.epoch !== this.epoch) throw new SimStateTakenError(v, this.path, this.epoch, owner?.epoch);
      for (const a of new Set(changes.accounts)) s.account.run(v, a.account, a.cash.toString());
      for (const p of new Set(changes.positions)) {
        if (p.sizeLots === 0) s.deletePosition.run(v, p.account, p.symbol);
        else {
          s.position.run(
            v,
            p.account,
            p.symbol,
            p.sizeLots,
            p.entryNotional.toString(),
            p.isolatedMargin.toString(),
            p.fundingPaid.toString(),
            p.mode,
            p.leverage,
          );
        }
      }
      for (const key of new Set(changes.settings)) {
        const [account, symbol] = key.split("\u0000");
        const st = state.settings.get(key);
        if (st !== undefined) s.setting.run(v, account, symbol, st.leverage, st.mode);
      }
      for (const o of new Set(changes.orders)) {
        s.order.run(
          v,
          o.venueOrderId,
          o.clientOrderId,
          o.account,
          o.symbol,
          o.side,
          o.type,
          o.priceTicks,
          o.sizeLots,
          o.filledLots,
          o.status,
          o.tif,
          o.reduceOnly ? 1 : 0,
          o.seq,
          o.createdTs,
          o.reason,
        );
      }
      for (const f of changes.fills) {
        s.fill.run(
          v,
          f.fillId,
          f.account,
          Number(f.fillId.slice(f.fillId.lastIndexOf("f") + 1)),
          fillJson(f),
        );
      }
      for (const f of changes.funding) {
        s.funding.run(
          v,
          f.account,
          f.symbol,
          f.ts,
          f.amount.toString(),
          f.ratePerHour,
          f.hours,
          f.markPrice,
          f.sizeLots,
        );
      }
      if (changes.meta) s.meta.run(v, JSON.stringify(metaOf(state)));
      this.db.exec("COMMIT");
    } catch (cause) {
      // SQLite has already rolled back by itself after some failures (SQLITE_FULL, SQLITE_IOERR
      // during COMMIT): a ROLLBACK then fails with "no transaction is active" and hid the cause
      if (this.db.isTransaction) {
        try {
          this.db.exec("ROLLBACK");
        } catch {
          // the connection is unusable either way; the cause below is what the user needs
        }
      }
      if (cause instanceof SimStateTakenError) throw cause;
      throw (
        this.explain(cause) ??
        new Error(`sim venue ${v}: could not persist a state change: ${(cause as Error).message}`, { cause })
      );
    }
  }

  findOrder(account: string, clientOrderId: string): OrderState | undefined {
    const r = this.stmt.findOrder.get(this.venue, account, clientOrderId) as OrderRow | undefined;
    return r === undefined ? undefined : orderOf(r);
  }

  fills(account: string): Fill[] {
    return this.stmt.fills.all(this.venue, account).map((r) => parseFill(r.json as string));
  }

  fundingPayments(account: string): FundingPayment[] {
    return this.stmt.funding_of.all(this.venue, account).map((r) => ({
      account: r.account as string,
      symbol: r.symbol as string,
      ts: r.ts as number,
      amount: BigInt(r.amount as string),
      ratePerHour: r.rate_per_hour as number,
      hours: r.hours as number,
      markPrice: r.mark_price as number,
      sizeLots: r.size_lots as number,
    }));
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

function orderOf(r: OrderRow): OrderState {
  return {
    venueOrderId: r.venue_order_id,
    clientOrderId: r.client_order_id,
    account: r.account,
    symbol: r.symbol,
    side: r.side as Side,
    type: r.type as OrderType,
    priceTicks: r.price_ticks,
    sizeLots: r.size_lots,
    tif: r.tif as TimeInForce,
    reduceOnly: r.reduce_only === 1,
    seq: r.seq,
    createdTs: r.created_ts,
    filledLots: r.filled_lots,
    status: r.status as VenueOrderStatus,
    reason: r.reason,
  };
}

function fillJson(f: Fill): string {
  return JSON.stringify({ ...f, fee: f.fee.toString(), realisedPnl: f.realisedPnl.toString() });
}

function parseFill(json: string): Fill {
  const o = JSON.parse(json) as Fill & { fee: string; realisedPnl: string };
  return { ...o, fee: BigInt(o.fee), realisedPnl: BigInt(o.realisedPnl) };
}
