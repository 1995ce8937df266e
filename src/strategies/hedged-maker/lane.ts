import type { Instrument } from "../../core/instrument.ts";
import type { Side } from "../../core/types.ts";
import type { OpenOrderView, OrderUpdate, PlaceOrderIntent } from "../contract.ts";
import { addFill } from "../maker/report.ts";
import { type HedgeLaneHost, LaneViews } from "./lane-views.ts";
import { executableTicks, hedgeOrder, nextPhase, type Phase, quoteFits } from "./logic.ts";
import { emptyHedgeStats, type HedgeStats } from "./report.ts";

const TERMINAL = new Set(["filled", "canceled", "rejected", "expired"]);
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 5_000;

/** What a lane keeps in the instance's state slot (`lane:<account>:<symbolA>`). */
interface Persisted {
  seq: number;
  phase: Phase;
  cyclesDone: number;
  phaseSince: number;
  /** since when a delta B should take (or the bound blocks) has stood unhedged; null: none */
  unhedgedSince: number | null;
  stats: HedgeStats;
}

/**
 * One account x market of a hedged maker: quotes post-only on A, hedges by IOC on B. The hedge is
 * driven by positions, never by order outcomes: the unhedged delta D = pos_A + pos_B (base units)
 * is recomputed from the engine's portfolio before every hedge, and no hedge is sent while one is
 * in flight on B. So a fill that won a cancel's race, a late or duplicated fill event and a
 * restart all end the same way: D is hedged once. Every step runs on the lane's own chain.
 */
export class HedgeLane {
  readonly key: string;
  private readonly h: HedgeLaneHost;
  private readonly v: LaneViews;
  private readonly maxPos: number;
  private s: Persisted = {
    seq: 0,
    phase: "buy",
    cyclesDone: 0,
    phaseSince: 0,
    unhedgedSince: null,
    stats: emptyHedgeStats(),
  };
  private chain: Promise<void> = Promise.resolve();
  private readonly seenFills = new Set<string>();
  /** cancels sent, outcome not back yet */
  private readonly cancelling = new Set<string>();
  /** quotes a cancel was sent for, until they end: a fill on one won the race */
  private readonly raced = new Set<string>();
  private readonly placedAt = new Map<string, number>();
  /** hedge orders sent and the executable price (B ticks) expected for them */
  private readonly expected = new Map<string, number>();
  private hedgeAttempts = 0;
  private nextHedgeAt = 0;
  /** B refused the last hedge: no other before this */
  private refusedUntil = 0;
  private capBlocked = false;
  private lastExposureAt = 0;
  private lastExposureUsd = 0;
  private dirty = false;

  constructor(h: HedgeLaneHost) {
    this.h = h;
    this.v = new LaneViews(h);
    this.key = `${h.account}:${h.instA.symbol}`;
    const q = h.config.quantity;
    if (h.instA.roundSize(q, "down") < 1)
      throw new Error(`hedged_maker: quantity ${q} is below one lot (${h.instA.spec.lotSize}) of ${h.instA}`);
    this.maxPos = h.config.max_position_qty > 0 ? h.config.max_position_qty : q;
  }

  get stats(): HedgeStats {
    return this.s.stats;
  }

  run(what: string, fn: () => Promise<void> | void): Promise<void> {
    this.chain = this.chain
      .then(fn)
      .catch((e) => this.h.log("error", `hedged_maker ${this.key}: ${what} failed: ${(e as Error).message}`))
      .then(() => this.save());
    return this.chain;
  }

  async start(): Promise<void> {
    const raw = await this.h.ctx.state.get(`lane:${this.key}`);
    if (raw !== undefined) this.s = { ...this.s, ...(JSON.parse(raw) as Persisted) };
    // quotes left by the last run go (their fills, if any won the race, are hedged below)
    for (const q of this.v.quotes()) this.cancel(q.clientOrderId);
    await this.run("start hedge", () => this.hedge());
  }

  /** resting post-only quotes on A */
  quotes(): OpenOrderView[] {
    return this.v.quotes();
  }

  // ---- events ----------------------------------------------------------------------------------

  onUpdate(u: OrderUpdate): void {
    const o = u.order;
    const onA = o.venue === this.h.config.venue;
    if (u.event === "fill" && u.fill !== undefined && !this.seenFills.has(u.fill.fillId)) {
      const f = u.fill;
      this.seenFills.add(f.fillId);
      this.dirty = true;
      if (onA) {
        addFill(this.s.stats.a, f, this.h.instA);
        if (o.tif === "post_only") {
          this.s.stats.makerFills++;
          if (this.raced.has(o.clientOrderId)) this.s.stats.raceFills++;
        }
      } else {
        addFill(this.s.stats.b, f, this.h.instB);
        this.s.stats.hedgeFills++;
        const want = this.expected.get(o.clientOrderId);
        if (want !== undefined) {
          const sign = o.side === "sell" ? 1 : -1;
          this.s.stats.hedgeSlippageBpsSum += (sign * (want - f.priceTicks) * 10_000) / want;
        }
      }
    }
    if (TERMINAL.has(o.status)) {
      this.raced.delete(o.clientOrderId);
      this.placedAt.delete(o.clientOrderId);
      if (!onA && o.filledLots < o.sizeLots) {
        this.s.stats.hedgeShortfalls++;
        this.hedgeAttempts++;
        this.nextHedgeAt =
          this.h.ctx.clock.now() + Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.hedgeAttempts);
      }
      this.expected.delete(o.clientOrderId);
    }
    if (u.event === "fill" || TERMINAL.has(o.status)) void this.run("hedge", () => this.hedge());
  }

  // ---- hedge -----------------------------------------------------------------------------------

  /** Hedge D on B when it reaches B's minimum; unwind it on A after hedge_timeout_s. */
  async hedge(): Promise<void> {
    const now = this.h.ctx.clock.now();
    const d = this.v.delta();
    this.trackExposure(d, now);
    if (this.v.inFlight()) return;
    const markB = this.h.ctx.market.mark(this.h.config.hedge_venue, this.h.instB.symbol);
    const o = hedgeOrder(
      d,
      this.h.instB.sizeValue(1),
      this.h.instB.spec.minNotionalUsd,
      markB > 0 ? markB : this.v.mark(),
    );
    const blocking = o.lots > 0 || (this.capBlocked && d !== 0);
    if (!blocking) {
      this.s.unhedgedSince = null;
      if (o.lots === 0) this.hedgeAttempts = 0;
      return;
    }
    if (this.s.unhedgedSince === null) this.s.unhedgedSince = now;
    this.dirty = true;
    if (now - this.s.unhedgedSince >= this.h.config.hedge_timeout_s * 1000) return this.unwind(d);
    if (o.lots === 0) return;
    const book = this.h.ctx.market.book(this.h.config.hedge_venue, this.h.instB.symbol);
    const exec = executableTicks(book, o.side, this.h.instB.sizeValue(o.lots));
    // the backoff is for a book that could not take the hedge: one that can now is used at once
    if ((now < this.nextHedgeAt && exec === undefined) || now < this.refusedUntil) return;
    const bbo = this.h.ctx.market.bbo(this.h.config.hedge_venue, this.h.instB.symbol);
    const touch = o.side === "sell" ? bbo.bidTicks : bbo.askTicks;
    if (touch === undefined) {
      this.nextHedgeAt = now + BACKOFF_MIN_MS;
      return;
    }
    const slip = this.h.config.hedge_slippage_bps / 10_000;
    const limit = this.h.instB.roundPrice(
      this.h.instB.priceValue(touch) * (o.side === "sell" ? 1 - slip : 1 + slip),
      o.side,
      "toward_touch",
    );
    const id = await this.place("hedge", this.h.config.hedge_venue, this.h.instB, {
      side: o.side,
      sizeLots: o.lots,
      priceTicks: limit,
      tif: "ioc",
      reduceOnly: false,
    });
    if (id === undefined) {
      this.hedgeAttempts++;
      this.refusedUntil = now + Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.hedgeAttempts);
      return;
    }
    this.s.stats.hedgesPlaced++;
    this.expected.set(id, exec ?? touch);
  }

  /** hedge_timeout_s passed: what B would not take is closed on A by IOC (when A's minimum allows). */
  private async unwind(d: number): Promise<void> {
    const side: Side = d > 0 ? "sell" : "buy";
    const lots = this.h.instA.roundSize(Math.abs(d), "down");
    const b = this.h.ctx.market.bbo(this.h.config.venue, this.h.instA.symbol);
    const touch = side === "sell" ? b.bidTicks : b.askTicks;
    const px = touch === undefined ? 0 : this.h.instA.priceValue(touch);
    if (
      lots < 1 ||
      touch === undefined ||
      this.h.instA.sizeValue(lots) * px < this.h.instA.spec.minNotionalUsd
    )
      return;
    for (const q of this.v.quotes()) this.cancel(q.clientOrderId);
    const slip = this.h.config.hedge_slippage_bps / 10_000;
    const limit = this.h.instA.roundPrice(px * (side === "sell" ? 1 - slip : 1 + slip), side, "toward_touch");
    this.h.alert(
      "warning",
      `hedged_maker.unwind:${this.key}`,
      "Hedge timed out: unwinding on the maker venue",
      `${this.key}: ${Math.abs(d)} unhedged for ${this.h.config.hedge_timeout_s} s; closing ${this.h.instA.sizeText(lots)} on ${this.h.config.venue}`,
    );
    if (
      await this.place("unwind", this.h.config.venue, this.h.instA, {
        side,
        sizeLots: lots,
        priceTicks: limit,
        tif: "ioc",
        reduceOnly: false,
      })
    ) {
      this.s.stats.unwinds++;
      this.s.unhedgedSince = null;
    }
  }

  private trackExposure(d: number, now: number): void {
    const usd = Math.abs(d) * this.v.mark();
    const st = this.s.stats;
    // the delta held since the last look, for the time since
    if (this.lastExposureAt > 0)
      st.unhedgedUsdSeconds += (this.lastExposureUsd * (now - this.lastExposureAt)) / 1000;
    this.lastExposureAt = now;
    this.lastExposureUsd = Number.isFinite(usd) ? usd : 0;
    if (Math.abs(d) > st.maxAbsDeltaBase) st.maxAbsDeltaBase = Math.abs(d);
    if (Number.isFinite(usd) && usd > st.maxUnhedgedUsd) st.maxUnhedgedUsd = usd;
  }

  // ---- quoting ---------------------------------------------------------------------------------

  /** Every reprice_interval_s: hedge what is due, then keep one quote priced from B's depth. */
  async tick(): Promise<void> {
    await this.hedge();
    const c = this.h.config;
    const now = this.h.ctx.clock.now();
    const posA = this.v.posA();
    const minA = this.h.instA.spec.minNotionalUsd;
    let ph = nextPhase(this.s, posA, this.maxPos, c.cycles);
    // what is left to the target is below A's minimum order: the target counts as reached
    if (ph.phase !== "done" && Math.abs(ph.target - posA) * this.v.mark() < minA)
      ph = nextPhase(ph, ph.target, this.maxPos, c.cycles);
    if (ph.phase !== this.s.phase) {
      this.s = { ...this.s, phase: ph.phase, cyclesDone: ph.cyclesDone, phaseSince: now };
      this.dirty = true;
      if (ph.phase === "done") this.h.log("info", `hedged_maker ${this.key}: ${ph.cyclesDone} cycles done`);
    }
    const want = this.v.desired(ph.phase, ph.target, posA);
    const d = this.v.delta();
    const blocked =
      this.v.inFlight() ||
      hedgeOrder(d, this.h.instB.sizeValue(1), this.h.instB.spec.minNotionalUsd, this.v.mark()).lots > 0;
    for (const q of this.v.quotes()) {
      const age = now - (this.placedAt.get(q.clientOrderId) ?? now);
      const fits = quoteFits(
        d,
        q.side,
        this.h.instA.sizeValue(q.workingLots),
        this.v.mark(),
        this.v.maxUnhedgedUsd(),
      );
      const keep =
        want !== undefined &&
        fits &&
        q.side === want.side &&
        q.priceTicks === want.priceTicks &&
        age < c.fill_timeout_s * 1000;
      if (!keep) this.cancel(q.clientOrderId);
    }
    if (want === undefined || blocked || this.v.quotes().length > 0) return;
    if (now < this.s.phaseSince + c.phase_sleep_s * 1000) return;
    const size = this.h.instA.sizeValue(want.sizeLots);
    if (!quoteFits(d, want.side, size, this.v.mark(), this.v.maxUnhedgedUsd())) {
      if (!this.capBlocked) {
        this.capBlocked = true;
        this.s.stats.capStops++;
        this.h.log("warn", `hedged_maker ${this.key}: unhedged ${d} at the bound; quoting stops`);
      }
      return;
    }
    this.capBlocked = false;
    const id = await this.place("quote", c.venue, this.h.instA, {
      ...want,
      tif: "post_only",
      reduceOnly: false,
    });
    if (id !== undefined) {
      this.placedAt.set(id, now);
      this.s.stats.quotesPlaced++;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /**
   * Cancel without waiting on the lane's chain: a cancel whose outcome takes long to resolve (a
   * lost race seen through a dropped stream) must not hold up the hedge of the fill that won it.
   */
  private cancel(clientOrderId: string): void {
    if (this.cancelling.has(clientOrderId)) return;
    this.cancelling.add(clientOrderId);
    this.raced.add(clientOrderId);
    void this.h.ctx.intents
      .cancelOrder(clientOrderId)
      .then((out) => {
        this.cancelling.delete(clientOrderId);
        // the quote is gone: the next one need not wait for the tick
        if (out.ok) void this.run("re-quote", () => this.tick());
      })
      .catch((e) => {
        this.cancelling.delete(clientOrderId);
        this.h.log("warn", `hedged_maker ${this.key}: cancel failed: ${(e as Error).message}`);
      });
  }

  /** Place one order with an intent id from the persisted sequence (stored before it leaves). */
  private async place(
    name: string,
    venue: string,
    inst: Instrument,
    o: Pick<PlaceOrderIntent, "side" | "sizeLots" | "priceTicks" | "tif" | "reduceOnly">,
  ): Promise<string | undefined> {
    this.s.seq++;
    const intentId = `${this.key}:${name}:${this.s.seq}`;
    await this.save(true);
    const out = await this.h.ctx.intents.placeOrder({
      intentId,
      venue,
      account: this.h.account,
      symbol: inst.symbol,
      type: "limit",
      ...o,
    });
    if (!out.ok) {
      this.h.log(
        "warn",
        `hedged_maker ${this.key}: ${name} ${o.side} ${o.sizeLots} lots on ${venue} refused (${out.reason}: ${out.detail})`,
      );
      return undefined;
    }
    return out.clientOrderId;
  }

  async save(force = false): Promise<void> {
    if (!force && !this.dirty) return;
    this.dirty = false;
    await this.h.ctx.state.put(`lane:${this.key}`, JSON.stringify(this.s));
  }

  view() {
    const q = this.v.quotes()[0];
    return {
      account: this.h.account,
      symbol: this.h.instA.symbol,
      hedgeSymbol: this.h.instB.symbol,
      phase: this.s.phase,
      cyclesDone: this.s.cyclesDone,
      posA: this.v.posA(),
      posB: this.v.posB(),
      delta: this.v.delta(),
      quote: q === undefined ? null : { side: q.side, priceTicks: q.priceTicks, lots: q.workingLots },
      capBlocked: this.capBlocked,
      hedgeInFlight: this.v.inFlight(),
      nextHedgeAt: this.nextHedgeAt,
      unhedgedSince: this.s.unhedgedSince,
    };
  }
}
