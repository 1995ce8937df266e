import type { Instrument } from "../core/instrument.ts";
import type { AccountReport, Fill, PositionReport } from "../core/types.ts";
import type { Venue, VenueEvent } from "../core/venue.ts";
import { ACCOUNT_STREAM } from "../core/venue-streams.ts";
import type { AccountView, OpenOrderView, PortfolioView, PositionView } from "../strategies/contract.ts";
import type { MarketCache } from "./market.ts";
import { accountKey } from "./orders/order-records.ts";

/**
 * Positions, accounts and open orders per venue account, kept by the engine so that no strategy
 * reads a venue. Two sources:
 * - venue events as they arrive: a fill moves the position's size and average entry, a
 *   liquidation its size, funding the account's cash; each marks what it touched `stale` (the
 *   venue's own figures, such as the liquidation price, are from before it);
 * - the venue's reports, read by the engine alone: the reconciler's position reads and the
 *   account refresher (src/engine/account-refresher.ts) replace what events built with the
 *   venue's truth.
 * Marks come from the market cache at read time, so unrealised PnL and equity follow the market
 * without any per-mark work here.
 */

interface PositionState {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly inst: Instrument;
  sizeLots: number;
  entryPrice: number;
  liquidationPrice: number | null;
  maintenanceMarginUsd: number;
  readAt: number;
  stale: boolean;
}

interface AccountState {
  report: AccountReport | undefined;
  /** unrealised PnL of the account's positions when the report was read */
  upnlAtRead: number;
  readAt: number;
  stale: boolean;
  positions: Map<string, PositionState>;
}

export interface WorkingOrderSource {
  /** orders the engine has working, with their venue */
  workingOrders(): Iterable<OpenOrderView>;
}

const FILL_MEMORY = 10_000;

export class Portfolio implements PortfolioView {
  private readonly venues: ReadonlyMap<string, Venue>;
  private readonly market: MarketCache;
  private readonly orders: WorkingOrderSource;
  private readonly accounts = new Map<string, AccountState>();
  /** accounts an event touched since their last read: the refresher reads these first */
  private readonly dirty = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];
  /** fill ids already applied (a stream may deliver a fill twice): the newest FILL_MEMORY */
  private readonly seenFills = new Set<string>();

  constructor(venues: ReadonlyMap<string, Venue>, market: MarketCache, orders: WorkingOrderSource) {
    this.venues = venues;
    this.market = market;
    this.orders = orders;
  }

  /**
   * Follow every venue's events (fills, liquidations, funding), and its account stream: when that
   * drops or comes back, events may have been lost (a fill made outside perpbot has no order to
   * ask about), so every account of the venue is read again at the refresher's next pass.
   */
  attach(): void {
    if (this.unsubscribe.length > 0) return;
    for (const [id, v] of this.venues) {
      this.unsubscribe.push(v.onEvent((e) => this.onEvent(id, e)));
      this.unsubscribe.push(
        v.onStreamStatus((c) => {
          if (c.stream === ACCOUNT_STREAM) this.markVenueDirty(id);
        }),
      );
    }
  }

  detach(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  // ---- reads -----------------------------------------------------------------------------------

  account(venue: string, account: string): AccountView | undefined {
    const a = this.accounts.get(key(venue, account));
    if (a?.report === undefined) return undefined;
    // equity moves with the unrealised PnL since the read; cash moves are flagged by `stale`
    const drift = this.upnlOf(a) - a.upnlAtRead;
    const r = a.report;
    return {
      venue,
      account,
      equityUsd: r.equityUsd + drift,
      availableUsd: Math.max(0, r.availableUsd + drift),
      initialMarginUsd: r.initialMarginUsd,
      maintenanceMarginUsd: r.maintenanceMarginUsd,
      readAt: a.readAt,
      stale: a.stale,
    };
  }

  positions(venue: string, account: string): readonly PositionView[] {
    const a = this.accounts.get(key(venue, account));
    if (a === undefined) return [];
    const out: PositionView[] = [];
    for (const p of a.positions.values()) if (p.sizeLots !== 0) out.push(this.viewOf(p));
    return out;
  }

  position(venue: string, account: string, symbol: string): PositionView | undefined {
    const p = this.accounts.get(key(venue, account))?.positions.get(symbol);
    return p === undefined || p.sizeLots === 0 ? undefined : this.viewOf(p);
  }

  openOrders(venue: string, account: string): readonly OpenOrderView[] {
    const out: OpenOrderView[] = [];
    for (const o of this.orders.workingOrders()) if (o.venue === venue && o.account === account) out.push(o);
    return out;
  }

  /** (venue, account) pairs an event touched since their last account read */
  takeDirty(): Set<string> {
    const out = new Set(this.dirty);
    this.dirty.clear();
    return out;
  }

  hasAccount(venue: string, account: string): boolean {
    return this.accounts.get(key(venue, account))?.report !== undefined;
  }

  // ---- venue reports (the engine's reads) -------------------------------------------------------

  /** The venue's positions of one account, read by the engine: they replace what fills built. */
  applyPositions(venue: string, account: string, reports: readonly PositionReport[], now: number): void {
    const a = this.stateOf(venue, account);
    const seen = new Set<string>();
    for (const r of reports) {
      seen.add(r.symbol);
      const p = this.positionOf(a, venue, account, r.symbol);
      if (p === undefined) continue;
      p.sizeLots = r.sizeLots;
      p.entryPrice = r.entryPrice;
      p.liquidationPrice = r.liquidationPrice;
      p.maintenanceMarginUsd = r.maintenanceMarginUsd;
      p.readAt = now;
      p.stale = false;
    }
    for (const [symbol, p] of a.positions) {
      if (seen.has(symbol)) continue;
      p.sizeLots = 0;
      p.liquidationPrice = null;
      p.maintenanceMarginUsd = 0;
      p.readAt = now;
      p.stale = false;
    }
  }

  /** The venue's account report (and the positions read with it). */
  applyAccount(venue: string, account: string, report: AccountReport, now: number): void {
    const a = this.stateOf(venue, account);
    a.report = report;
    a.upnlAtRead = this.upnlOf(a);
    a.readAt = now;
    a.stale = false;
  }

  // ---- events ----------------------------------------------------------------------------------

  private onEvent(venueId: string, e: VenueEvent): void {
    if (e.type === "fill") {
      this.applyFill(venueId, e.fill, false);
    } else if (e.type === "liquidation") {
      const a = this.stateOf(venueId, e.account);
      const p = a.positions.get(e.symbol);
      if (p !== undefined) p.stale = true;
      a.stale = true;
      this.dirty.add(key(venueId, e.account));
    } else if (e.type === "funding") {
      const a = this.stateOf(venueId, e.account);
      a.stale = true;
      this.dirty.add(key(venueId, e.account));
    }
  }

  /**
   * A fill the engine read from the venue's fill history because its event was lost
   * (src/engine/orders/fill-backfill.ts): it moves the position as its event would have, unless
   * the position was read at or after the fill's time (that read already holds it). Without this
   * the position stayed where the lost events left it while the orders those fills ended were
   * already gone, until the next positions read: a strategy comparing the two saw a gap.
   */
  applyHistoryFill(venueId: string, f: Fill): void {
    this.applyFill(venueId, f, true);
  }

  // ---- internals -------------------------------------------------------------------------------

  private markVenueDirty(venueId: string): void {
    for (const [k, a] of this.accounts) {
      if (!k.startsWith(`${venueId}\u0000`)) continue;
      a.stale = true;
      for (const p of a.positions.values()) p.stale = true;
      this.dirty.add(k);
    }
  }

  private applyFill(venueId: string, f: Fill, fromHistory: boolean): void {
    const id = `${venueId}\u0000${f.account}\u0000${f.fillId}`;
    if (this.seenFills.has(id)) return;
    this.seenFills.add(id);
    if (this.seenFills.size > FILL_MEMORY)
      this.seenFills.delete(this.seenFills.values().next().value as string);
    const a = this.stateOf(venueId, f.account);
    const p = this.positionOf(a, venueId, f.account, f.symbol);
    if (p === undefined) return;
    // the venue's clock against ours: a fill inside the skew of a read is left to the next read
    if (fromHistory && f.ts <= p.readAt) return;
    const signed = f.side === "buy" ? f.sizeLots : -f.sizeLots;
    const price = p.inst.priceValue(f.priceTicks);
    const before = p.sizeLots;
    const after = before + signed;
    if (before === 0 || Math.sign(after) !== Math.sign(before)) {
      // opened, or flipped through zero: the remainder is at this fill's price
      p.entryPrice = after === 0 ? 0 : price;
      p.liquidationPrice = null;
    } else if (Math.abs(after) > Math.abs(before)) {
      p.entryPrice = (p.entryPrice * Math.abs(before) + price * f.sizeLots) / Math.abs(after);
    }
    p.sizeLots = after;
    p.stale = true;
    a.stale = true;
    this.dirty.add(key(venueId, f.account));
  }

  private viewOf(p: PositionState): PositionView {
    const mark = this.market.mark(p.venue, p.symbol);
    return {
      venue: p.venue,
      account: p.account,
      symbol: p.symbol,
      sizeLots: p.sizeLots,
      entryPrice: p.entryPrice,
      markPrice: mark,
      unrealisedPnlUsd: upnl(p, mark),
      liquidationPrice: p.liquidationPrice,
      maintenanceMarginUsd: p.maintenanceMarginUsd,
      readAt: p.readAt,
      stale: p.stale,
    };
  }

  private upnlOf(a: AccountState): number {
    let sum = 0;
    for (const p of a.positions.values()) {
      if (p.sizeLots === 0) continue;
      const u = upnl(p, this.market.mark(p.venue, p.symbol));
      if (Number.isFinite(u)) sum += u;
    }
    return sum;
  }

  private stateOf(venue: string, account: string): AccountState {
    const k = key(venue, account);
    let a = this.accounts.get(k);
    if (a === undefined) {
      a = { report: undefined, upnlAtRead: 0, readAt: 0, stale: false, positions: new Map() };
      this.accounts.set(k, a);
    }
    return a;
  }

  private positionOf(
    a: AccountState,
    venue: string,
    account: string,
    symbol: string,
  ): PositionState | undefined {
    let p = a.positions.get(symbol);
    if (p === undefined) {
      const inst = this.market.findInstrument(venue, symbol);
      if (inst === undefined) return undefined;
      p = {
        venue,
        account,
        symbol,
        inst,
        sizeLots: 0,
        entryPrice: 0,
        liquidationPrice: null,
        maintenanceMarginUsd: 0,
        readAt: 0,
        stale: false,
      };
      a.positions.set(symbol, p);
    }
    return p;
  }
}

function upnl(p: PositionState, mark: number): number {
  if (p.sizeLots === 0) return 0;
  return p.inst.sizeValue(p.sizeLots) * (mark - p.entryPrice);
}

const key = accountKey;
