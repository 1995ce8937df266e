/**
 * One account's events from the venue's user streams (VENUES.md §1.5) and from the answers of its
 * own requests, each delivered once:
 *
 * - `orderUpdates` `[{order, status, statusTimestamp}]` (no snapshot): "open" is an ack (also when
 *   the order's answer was lost), a cancel status a `canceled` event, a reject status a `reject`;
 * - `userFills` `{user, fills, isSnapshot?}`: deduped by `tid`. The first message is a snapshot
 *   of history; its fills older than the binding are history, not events, while a snapshot
 *   after a reconnect may hold fills made while the socket was down: those are delivered;
 * - `userFundings` `{user, fundings, isSnapshot?}`: deduped by time and coin, the same rule.
 *
 * Acks and terminal events are kept per cloid, so an order's answer and its stream update never
 * produce two acks or two cancels; a fill carries the size still open after it.
 */
import type { TimeInForce } from "../../core/types.ts";
import type { VenueEvent } from "../../core/venue.ts";
import type { HlMarket } from "./instruments.ts";
import { fillOf, fundingOf, type HlFunding, lotsOf } from "./mapping.ts";
import { FillSchema } from "./parse.ts";

export interface TrackedOrder {
  readonly cloid: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  sizeLots: number;
  priceTicks: number;
  filledLots: number;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  oid?: number;
  acked: boolean;
  final: boolean;
}

/** Camel-case venue status to perpbot's reason ("reduceOnlyCanceled" → "reduce_only"). */
export function cancelReason(status: string): string {
  if (status === "canceled") return "user";
  if (status === "scheduledCancel") return "scheduled_cancel";
  const base = status.replace(/(Canceled|Rejected)$/, "");
  return base.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) || status;
}

interface WsOrder {
  order: {
    coin: string;
    side: "A" | "B";
    limitPx: string;
    sz: string;
    oid: number;
    origSz?: string;
    cloid?: string | null;
  };
  status: string;
  statusTimestamp: number;
}

export class AccountEvents {
  readonly account: string;
  readonly #market: (symbol: string) => HlMarket | undefined;
  readonly #emit: (e: VenueEvent) => void;
  readonly #problem: (m: string) => void;
  readonly byCloid = new Map<string, TrackedOrder>();
  readonly #cloidOfOid = new Map<number, string>();
  readonly #fillIds = new Set<string>();
  readonly #fundingIds = new Set<string>();
  /** events before this time (venue ms) are history, not news */
  readonly #since: number;

  constructor(opts: {
    account: string;
    since: number;
    market: (symbol: string) => HlMarket | undefined;
    emit: (e: VenueEvent) => void;
    problem: (m: string) => void;
  }) {
    this.account = opts.account;
    this.#since = opts.since;
    this.#market = opts.market;
    this.#emit = opts.emit;
    this.#problem = opts.problem;
  }

  track(o: Omit<TrackedOrder, "acked" | "final" | "filledLots">): TrackedOrder {
    const prev = this.byCloid.get(o.cloid);
    if (prev) return prev;
    const t: TrackedOrder = { ...o, filledLots: 0, acked: false, final: false };
    this.byCloid.set(o.cloid, t);
    if (o.oid !== undefined) this.#cloidOfOid.set(o.oid, o.cloid);
    return t;
  }

  cloidOf(oid: number): string | undefined {
    return this.#cloidOfOid.get(oid);
  }

  ack(cloid: string, oid: number, ts: number): void {
    const t = this.byCloid.get(cloid);
    if (t === undefined) return;
    if (t.oid !== oid) {
      t.oid = oid;
      this.#cloidOfOid.set(oid, cloid);
    }
    if (t.acked || t.final) return;
    t.acked = true;
    this.#emit({ type: "ack", ts, account: this.account, clientOrderId: cloid, venueOrderId: String(oid) });
  }

  /** The order ended: canceled (with a reason) or, never acknowledged, rejected. */
  end(cloid: string, kind: "canceled" | "reject", reason: string, ts: number): void {
    const t = this.byCloid.get(cloid);
    if (t === undefined || t.final) return;
    t.final = true;
    if (kind === "reject" && !t.acked)
      this.#emit({ type: "reject", ts, account: this.account, clientOrderId: cloid, reason });
    else
      this.#emit({
        type: "canceled",
        ts,
        account: this.account,
        clientOrderId: cloid,
        venueOrderId: String(t.oid ?? ""),
        reason,
      });
  }

  onOrderUpdates(data: unknown): void {
    if (!Array.isArray(data)) {
      this.#problem(`hyperliquid orderUpdates for ${this.account}: not a list`);
      return;
    }
    for (const u of data as WsOrder[]) {
      const o = u?.order;
      if (!o || typeof o.oid !== "number" || typeof u.status !== "string") {
        this.#problem(`hyperliquid orderUpdates for ${this.account}: an entry without order/oid/status`);
        continue;
      }
      const cloid = o.cloid?.toLowerCase() ?? this.#cloidOfOid.get(o.oid);
      if (cloid === undefined) continue; // not an order perpbot placed (or placed before it tracked)
      if (!this.byCloid.has(cloid)) {
        const m = this.#market(o.coin);
        if (m === undefined) continue;
        const size = lotsOf(
          m.instrument,
          o.origSz ?? o.sz,
          { account: this.account, symbol: o.coin },
          "origSz",
        );
        this.track({
          cloid,
          symbol: o.coin,
          side: o.side === "B" ? "buy" : "sell",
          sizeLots: size,
          priceTicks: 0,
          tif: "gtc",
          reduceOnly: false,
          oid: o.oid,
        });
      }
      const ts = u.statusTimestamp;
      if (u.status === "open" || u.status === "triggered") this.ack(cloid, o.oid, ts);
      else if (u.status === "filled") {
        this.ack(cloid, o.oid, ts);
        const t = this.byCloid.get(cloid);
        if (t) t.final = true;
      } else if (u.status === "rejected" || u.status.endsWith("Rejected"))
        this.end(cloid, "reject", cancelReason(u.status), ts);
      else this.end(cloid, "canceled", cancelReason(u.status), ts);
    }
  }

  onUserFills(data: unknown): void {
    const d = data as { fills?: unknown; isSnapshot?: boolean } | null;
    if (!d || !Array.isArray(d.fills)) {
      this.#problem(`hyperliquid userFills for ${this.account}: no fills list`);
      return;
    }
    for (const raw of d.fills) {
      const parsed = FillSchema.safeParse(raw);
      if (!parsed.success) {
        this.#problem(
          `hyperliquid userFills for ${this.account}: a fill does not parse: ${parsed.error.message}`,
        );
        continue;
      }
      const f = parsed.data;
      const m = this.#market(f.coin);
      if (m === undefined) continue;
      const cloid = f.cloid?.toLowerCase() ?? this.#cloidOfOid.get(f.oid) ?? "";
      const fill = fillOf(this.account, f, m, cloid);
      if (this.#fillIds.has(fill.fillId)) continue;
      this.#fillIds.add(fill.fillId);
      if (d.isSnapshot === true && f.time < this.#since) continue;
      const t = cloid === "" ? undefined : this.byCloid.get(cloid);
      let remaining = 0;
      if (t) {
        t.filledLots += fill.sizeLots;
        remaining = Math.max(0, t.sizeLots - t.filledLots);
        if (!t.acked) this.ack(cloid, f.oid, f.time);
        if (remaining === 0) t.final = true;
      }
      this.#emit({ type: "fill", ts: f.time, fill, remainingLots: remaining });
    }
  }

  onUserFundings(data: unknown): void {
    const d = data as { fundings?: unknown; isSnapshot?: boolean } | null;
    if (!d || !Array.isArray(d.fundings)) {
      this.#problem(`hyperliquid userFundings for ${this.account}: no fundings list`);
      return;
    }
    for (const f of d.fundings as HlFunding[]) {
      const m = this.#market(f?.coin);
      if (m === undefined || typeof f.time !== "number") continue;
      const id = `${f.time}:${f.coin}`;
      if (this.#fundingIds.has(id)) continue;
      this.#fundingIds.add(id);
      if (d.isSnapshot === true && f.time < this.#since) continue;
      const p = fundingOf(this.account, f, m);
      this.#emit({
        type: "funding",
        ts: p.ts,
        account: this.account,
        symbol: p.symbol,
        amount: p.amount,
        ratePerHour: p.ratePerHour,
        hours: p.hours,
      });
    }
  }

  /** A fill learnt from the fill history (not the stream): marked seen so the stream skips it. */
  seenFill(fillId: string): void {
    this.#fillIds.add(fillId);
  }
}
