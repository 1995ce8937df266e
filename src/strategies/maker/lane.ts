import type { Instrument } from "../../core/instrument.ts";
import type { Side } from "../../core/types.ts";
import type { OpenOrderView, OrderUpdate, PlaceOrderIntent, StrategyContext } from "../contract.ts";
import type { MakerConfig } from "./config.ts";
import {
  gridOk,
  iocPriceValue,
  keepMaker,
  movedAway,
  openPriceTicks,
  priceState,
  type ReconcilePlan,
  reconcilePlan,
  type Touch,
  tpPriceValue,
  tpSide,
  waitMs,
} from "./logic.ts";
import { addFill, emptyStats, type LaneStats } from "./report.ts";

/** a mismatch must be seen twice this far apart before it is repaired (events still on their way) */
export const CONFIRM_MS = 2_000;
const TERMINAL = new Set(["filled", "canceled", "rejected", "expired"]);
/** the label of boost closes: their updates say what they are even before `placeOrder` answers */
export const BOOST_LABEL = "maker.boost";

export interface LaneHost {
  readonly ctx: StrategyContext;
  readonly config: MakerConfig;
  readonly venue: string;
  readonly account: string;
  readonly inst: Instrument;
  alert(severity: "info" | "warning" | "critical", key: string, title: string, message: string): void;
  log(level: "info" | "warn" | "error", msg: string): void;
}

/** What a lane keeps in the instance's state slot (`lane:<account>:<symbol>`). */
interface Persisted {
  seq: number;
  lastOpenAt: number;
  tpFilledSinceOpen: boolean;
  stopped: boolean;
  stats: LaneStats;
}

interface Pending {
  lots: number;
  /** sum of price ticks x lots, for the fill VWAP */
  tickLots: number;
  lastFillId: string;
  attempts: number;
}

/**
 * One account x market of a maker instance (STRATEGIES.md 3.2). Everything it does runs one step
 * at a time on its own chain (fills, the re-price tick, reconcile), so no two of its decisions
 * see the same take-profits and act twice. Fills arrive as the engine's order updates (each fill
 * id once); the take-profit for them is capped by the position not yet covered, so a fill the
 * reconcile already covered never gets a second take-profit.
 */
export class MakerLane {
  readonly key: string;
  private readonly h: LaneHost;
  private readonly dir: Side;
  private readonly closeSide: Side;
  private readonly qtyLots: number;
  private readonly maxPosLots: number;
  private s: Persisted = {
    seq: 0,
    lastOpenAt: 0,
    tpFilledSinceOpen: false,
    stopped: false,
    stats: emptyStats(),
  };
  private pending: Pending = { lots: 0, tickLots: 0, lastFillId: "", attempts: 0 };
  private boostPending: Pending = { lots: 0, tickLots: 0, lastFillId: "", attempts: 0 };
  /** boost closes still working (registered at the answer, or by an update before it) */
  private readonly boostOrders = new Set<string>();
  /** boost closes whose terminal update came before their answer: never registered after it */
  private readonly boostDone = new Set<string>();
  private readonly seenFills = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private suspect: string | undefined;
  private repairing = false;
  private stuck = false;
  private attempts = 0;
  private episodeAlerted = false;
  private dirty = false;

  constructor(h: LaneHost) {
    this.h = h;
    this.key = `${h.account}:${h.inst.symbol}`;
    this.dir = h.config.direction;
    this.closeSide = tpSide(this.dir);
    this.qtyLots = h.inst.roundSize(h.config.quantity, "down");
    if (this.qtyLots < 1)
      throw new Error(
        `maker: quantity ${h.config.quantity} is below one lot (${h.inst.spec.lotSize}) of ${h.inst}`,
      );
    const maxQty = h.config.max_position_qty ?? h.config.max_orders * h.config.quantity;
    this.maxPosLots = h.inst.roundSize(maxQty, "down");
  }

  get stats(): LaneStats {
    return this.s.stats;
  }
  get stopped(): boolean {
    return this.s.stopped;
  }
  get paused(): boolean {
    return this.repairing || this.stuck;
  }

  /** Run one step after the ones queued; an error is logged and the lane goes on. */
  run(what: string, fn: () => Promise<void> | void): Promise<void> {
    this.chain = this.chain
      .then(fn)
      .catch((e) => this.h.log("error", `maker ${this.key}: ${what} failed: ${(e as Error).message}`))
      .then(() => this.save());
    return this.chain;
  }

  async start(): Promise<void> {
    const raw = await this.h.ctx.state.get(`lane:${this.key}`);
    if (raw !== undefined) this.s = { ...this.s, ...(JSON.parse(raw) as Persisted) };
    // an open left resting by the last run is adopted; a second one (a crash mid re-price) goes
    const opens = this.opens();
    for (const extra of opens.slice(1)) await this.h.ctx.intents.cancelOrder(extra.clientOrderId);
    // reconcile first: whatever the restart missed is repaired before the next open
    this.repairing = true;
    await this.run("start reconcile", () => this.reconcile());
  }

  // ---- views -----------------------------------------------------------------------------------

  touch(): Touch | undefined {
    const b = this.h.ctx.market.bbo(this.h.venue, this.h.inst.symbol);
    if (b.bidTicks === undefined || b.askTicks === undefined) return undefined;
    return { bidTicks: b.bidTicks, askTicks: b.askTicks };
  }
  private orders(): readonly OpenOrderView[] {
    return this.h.ctx.portfolio
      .openOrders(this.h.venue, this.h.account)
      .filter((o) => o.symbol === this.h.inst.symbol);
  }
  /** resting and in-flight take-profits (and boost closes): reduce-only on the close side */
  tps(): OpenOrderView[] {
    return this.orders().filter((o) => o.reduceOnly && o.side === this.closeSide);
  }
  opens(): OpenOrderView[] {
    return this.orders().filter((o) => !o.reduceOnly && o.side === this.dir);
  }
  /** position lots in the bot's direction (negative: the wrong side) */
  positionLots(): number {
    const p = this.h.ctx.portfolio.position(this.h.venue, this.h.account, this.h.inst.symbol);
    const lots = p?.sizeLots ?? 0;
    return this.dir === "buy" ? lots : -lots;
  }
  private tpLots(): number {
    return this.tps().reduce((s, o) => s + o.workingLots, 0);
  }

  // ---- events ----------------------------------------------------------------------------------

  onUpdate(u: OrderUpdate): void {
    const o = u.order;
    const boost = o.groupId === BOOST_LABEL;
    if (u.event === "fill" && u.fill !== undefined && !this.seenFills.has(u.fill.fillId)) {
      const f = u.fill;
      this.seenFills.add(f.fillId);
      addFill(this.s.stats, f, this.h.inst);
      this.dirty = true;
      if (!o.reduceOnly) {
        const into = this.h.config.boost ? this.boostPending : this.pending;
        into.lots += f.sizeLots;
        into.tickLots += f.sizeLots * f.priceTicks;
        into.lastFillId = f.fillId;
        this.s.lastOpenAt = f.ts;
        this.s.tpFilledSinceOpen = false;
      } else if (boost) {
        const b = this.boostPending;
        const avg = b.lots > 0 ? b.tickLots / b.lots : 0;
        b.lots = Math.max(0, b.lots - f.sizeLots);
        b.tickLots = b.lots * avg;
        // all closed: the next open's fills get their own two tries
        if (b.lots === 0) this.boostPending = { lots: 0, tickLots: 0, lastFillId: "", attempts: 0 };
      } else {
        this.s.tpFilledSinceOpen = true;
      }
    }
    if (boost && TERMINAL.has(o.status)) {
      this.boostOrders.delete(o.clientOrderId);
      this.boostDone.add(o.clientOrderId);
    } else if (boost) this.boostOrders.add(o.clientOrderId);
    if (!o.reduceOnly && (u.event === "fill" || TERMINAL.has(o.status))) {
      if (this.h.config.boost) void this.run("boost close", () => this.boostClose());
      else void this.run("take-profit", () => this.flushPending(TERMINAL.has(o.status)));
    } else if (this.h.config.boost && this.boostPending.lots > 0 && TERMINAL.has(o.status)) {
      void this.run("boost close", () => this.boostClose());
    }
  }

  // ---- the loop --------------------------------------------------------------------------------

  async tick(): Promise<void> {
    const c = this.h.config;
    const t = this.touch();
    if (t === undefined) return;
    const bid = this.h.inst.priceValue(t.bidTicks);
    const ask = this.h.inst.priceValue(t.askTicks);
    const ps = priceState(this.dir, bid, ask, c.stop_price, c.pause_price);
    if (ps === "stop" && !this.s.stopped) return this.stopLane(t);
    if (!c.boost) await this.flushPending(this.opens().length === 0);
    if (this.s.stopped) return;
    const tpTicks = this.tps().map((o) => o.priceTicks);
    const [open] = this.opens();
    if (open !== undefined) {
      if (ps !== "pause" && !movedAway(this.dir, open.priceTicks, t, tpTicks)) return;
      const out = await this.h.ctx.intents.cancelOrder(open.clientOrderId);
      // lost: the fill won the race, its events bring the take-profit; unresolved: the engine resolves it
      if (!out.ok || this.opens().length > 0) return;
    }
    if (ps === "pause" || this.paused || this.suspect !== undefined) return;
    const wait = waitMs(this.tps().length, c.max_orders, c.wait_time_s, this.s.tpFilledSinceOpen);
    if (wait === null || this.h.ctx.clock.now() < this.s.lastOpenAt + wait) return;
    if (Math.abs(this.positionLots()) + this.qtyLots > this.maxPosLots) return;
    if (!c.boost && !gridOk(this.dir, t, tpTicks, c.take_profit_bps, c.grid_step_bps)) return;
    const px = openPriceTicks(this.dir, t, tpTicks);
    if (px === undefined || !this.h.inst.isAllowedPrice(px)) return;
    await this.place("open", {
      side: this.dir,
      sizeLots: this.qtyLots,
      priceTicks: px,
      tif: "post_only",
      reduceOnly: false,
    });
  }

  /** A take-profit for the fills not covered yet: at their VWAP x (1 +- tp), kept maker. */
  async flushPending(openEnded: boolean): Promise<void> {
    const p = this.pending;
    if (p.lots === 0) return;
    const t = this.touch();
    if (t === undefined) return;
    const vwap = p.tickLots / p.lots;
    const notional = this.h.inst.sizeValue(p.lots) * this.h.inst.priceValue(Math.round(vwap));
    if (!openEnded && notional < this.h.inst.spec.minNotionalUsd) return;
    const lots = Math.min(p.lots, this.positionLots() - this.tpLots());
    if (lots <= 0) return;
    const px = this.tpTicks(this.h.inst.priceValue(vwap), t);
    const id = `tp:${p.lastFillId}:${p.attempts}`;
    p.attempts++;
    p.lots -= lots;
    p.tickLots = p.lots * vwap;
    const ok = await this.place(
      id,
      { side: this.closeSide, sizeLots: lots, priceTicks: px, tif: "post_only", reduceOnly: true },
      true,
    );
    if (ok) {
      this.s.stats.tpPlaced++;
      if (p.lots === 0) this.pending = { lots: 0, tickLots: 0, lastFillId: "", attempts: 0 };
      return;
    }
    p.lots += lots;
    p.tickLots = p.lots * vwap;
    if (p.attempts > this.h.config.post_only_retries) {
      // reconcile posts it at the entry price instead
      this.h.log(
        "warn",
        `maker ${this.key}: take-profit of ${lots} lots refused ${p.attempts} times; left to reconcile`,
      );
      this.pending = { lots: 0, tickLots: 0, lastFillId: "", attempts: 0 };
    }
  }

  /** Boost: the open's fills closed at once by a reduce-only IOC; two failures: a take-profit. */
  async boostClose(): Promise<void> {
    const b = this.boostPending;
    if (b.lots === 0 || this.boostOrders.size > 0) return;
    // no boost close is being placed now (one step at a time): what ended before its answer is known
    this.boostDone.clear();
    const t = this.touch();
    const lots = Math.min(b.lots, this.positionLots() - this.tpLots());
    if (t === undefined || lots <= 0) return;
    if (b.attempts >= 2) {
      this.pending = { ...b, attempts: 0 };
      this.boostPending = { lots: 0, tickLots: 0, lastFillId: "", attempts: 0 };
      return this.flushPending(true);
    }
    const id = `boost:${b.lastFillId}:${b.attempts}`;
    b.attempts++;
    const price = this.iocTicks(this.closeSide, t);
    const cloid = await this.place(id, {
      side: this.closeSide,
      sizeLots: lots,
      priceTicks: price,
      tif: "ioc",
      reduceOnly: true,
      groupId: BOOST_LABEL,
    });
    // an IOC may fill (and end) before the answer: its terminal update already came, do not wait on it
    if (cloid !== undefined && !this.boostDone.has(cloid)) this.boostOrders.add(cloid);
  }

  private async stopLane(t: Touch): Promise<void> {
    const c = this.h.config;
    this.s.stopped = true;
    this.dirty = true;
    for (const o of this.opens()) await this.h.ctx.intents.cancelOrder(o.clientOrderId);
    this.h.alert(
      "warning",
      `maker.stop:${this.key}`,
      "Maker stopped at stop_price",
      `${this.key}: stop_price ${c.stop_price} reached (on_stop ${c.on_stop})`,
    );
    if (c.on_stop === "close_all") {
      for (const o of this.tps()) await this.h.ctx.intents.cancelOrder(o.clientOrderId);
      this.pending = { lots: 0, tickLots: 0, lastFillId: "", attempts: 0 };
      const lots = this.positionLots();
      if (lots > 0)
        await this.place("stop", {
          side: this.closeSide,
          sizeLots: lots,
          priceTicks: this.iocTicks(this.closeSide, t),
          tif: "ioc",
          reduceOnly: true,
        });
    }
  }

  // ---- reconcile -------------------------------------------------------------------------------

  /** Compare position and take-profits; a mismatch seen twice CONFIRM_MS apart is repaired. */
  async reconcile(): Promise<void> {
    if (this.stuck) return;
    const tps = this.tps().map((o) => ({
      clientOrderId: o.clientOrderId,
      priceTicks: o.priceTicks,
      lots: o.workingLots,
    }));
    const waiting = this.pending.lots + (this.boostOrders.size > 0 ? 0 : this.boostPending.lots);
    const plan = reconcilePlan(this.dir, this.positionLots(), tps, waiting, this.touch());
    if (plan.kind === "ok") {
      this.suspect = undefined;
      this.repairing = false;
      this.attempts = 0;
      this.episodeAlerted = false;
      return;
    }
    const sig = JSON.stringify(plan);
    if (this.suspect !== sig) {
      this.suspect = sig;
      this.h.ctx.clock.after(CONFIRM_MS, () => void this.run("reconcile", () => this.reconcile()));
      return;
    }
    this.suspect = undefined;
    this.repairing = true;
    this.attempts++;
    const size =
      plan.kind === "post"
        ? plan.lots
        : plan.kind === "wrong_side"
          ? plan.lots
          : tps.reduce((s, t) => s + t.lots, 0) + waiting - this.positionLots();
    if (!this.episodeAlerted) {
      this.episodeAlerted = true;
      this.h.alert(
        "warning",
        `maker.mismatch:${this.key}`,
        "Position and take-profits disagree",
        `${this.key}: ${describe(plan)}; repairing`,
      );
    }
    if (size > 2 * this.qtyLots && this.attempts > this.h.config.max_repair_attempts) {
      this.stuck = true;
      this.h.alert(
        "critical",
        `maker.repair_failed:${this.key}`,
        "Maker repair failed",
        `${this.key}: ${describe(plan)} after ${this.attempts - 1} repairs; opens stay paused`,
      );
      return;
    }
    await this.repair(plan);
    this.s.stats.repairs++;
    this.h.ctx.clock.after(CONFIRM_MS, () => void this.run("reconcile", () => this.reconcile()));
  }

  private async repair(plan: ReconcilePlan): Promise<void> {
    const t = this.touch();
    if (plan.kind === "ok" || t === undefined) return;
    if (plan.kind === "wrong_side") {
      for (const id of plan.cancel) await this.h.ctx.intents.cancelOrder(id);
      this.pending = { lots: 0, tickLots: 0, lastFillId: "", attempts: 0 };
      await this.place("fix", {
        side: this.dir,
        sizeLots: plan.lots,
        priceTicks: this.iocTicks(this.dir, t),
        tif: "ioc",
        reduceOnly: true,
      });
      return;
    }
    let post = plan.kind === "post" ? plan.lots : plan.thenPost;
    if (plan.kind === "cancel") {
      this.pending.lots -= plan.dropPending;
      this.pending.tickLots = this.pending.lots === 0 ? 0 : this.pending.tickLots;
      for (const id of plan.cancel) {
        const before = this.tps().find((o) => o.clientOrderId === id)?.workingLots ?? 0;
        const out = await this.h.ctx.intents.cancelOrder(id);
        if (out.ok) this.s.stats.excessCancelledLots += before;
        else post = 0; // it filled or is unresolved: the next check sees the truth
      }
    }
    // the plan is from before the cancels, which can take the engine's send expiry each (a cancel
    // whose answer was lost): post no more than the position still uncovered now
    post = Math.min(post, this.positionLots() - this.tpLots() - this.pending.lots);
    const p = this.h.ctx.portfolio.position(this.h.venue, this.h.account, this.h.inst.symbol);
    if (post > 0 && p !== undefined && p.entryPrice > 0) {
      const px = this.tpTicks(p.entryPrice, t);
      if (
        await this.place("rc", {
          side: this.closeSide,
          sizeLots: post,
          priceTicks: px,
          tif: "post_only",
          reduceOnly: true,
        })
      )
        this.s.stats.tpPlaced++;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private tpTicks(entry: number, t: Touch): number {
    const raw = this.h.inst.roundPrice(
      tpPriceValue(this.dir, entry, this.h.config.take_profit_bps),
      this.closeSide,
      "away_from_touch",
    );
    return keepMaker(this.dir, raw, t);
  }

  private iocTicks(side: Side, t: Touch): number {
    const v = iocPriceValue(
      side,
      this.h.inst.priceValue(t.bidTicks),
      this.h.inst.priceValue(t.askTicks),
      this.h.config.max_slippage_bps,
    );
    return this.h.inst.roundPrice(v, side, "toward_touch");
  }

  /**
   * Place one order; `name` is either a fixed intent id (take-profits derive theirs from the fill)
   * or a kind numbered from the persisted sequence. Returns the client order id when sent.
   */
  private async place(
    name: string,
    o: Pick<PlaceOrderIntent, "side" | "sizeLots" | "priceTicks" | "tif" | "reduceOnly" | "groupId">,
    fixedId = false,
  ): Promise<string | undefined> {
    let intentId = `${this.key}:${name}`;
    if (!fixedId) {
      this.s.seq++;
      intentId = `${this.key}:${name}:${this.s.seq}`;
      // the sequence is stored before the order leaves, so a restart never reuses an intent id
      await this.save(true);
    }
    const out = await this.h.ctx.intents.placeOrder({
      intentId,
      venue: this.h.venue,
      account: this.h.account,
      symbol: this.h.inst.symbol,
      type: "limit",
      ...o,
    });
    if (!out.ok) {
      this.h.log(
        "warn",
        `maker ${this.key}: ${name} ${o.side} ${o.sizeLots} lots refused (${out.reason}: ${out.detail})`,
      );
      return undefined;
    }
    if (out.status === "unknown") {
      this.h.ctx.clock.after(CONFIRM_MS, () => void this.run("reconcile", () => this.reconcile()));
    }
    return out.clientOrderId;
  }

  async save(force = false): Promise<void> {
    if (!force && !this.dirty) return;
    this.dirty = false;
    await this.h.ctx.state.put(`lane:${this.key}`, JSON.stringify(this.s));
  }

  view() {
    return {
      account: this.h.account,
      symbol: this.h.inst.symbol,
      positionLots: this.positionLots(),
      takeProfits: this.tps().length,
      takeProfitLots: this.tpLots(),
      open: this.opens()[0]?.priceTicks ?? null,
      pendingLots: this.pending.lots,
      stopped: this.s.stopped,
      paused: this.paused,
    };
  }
}

function describe(plan: ReconcilePlan): string {
  switch (plan.kind) {
    case "ok":
      return "ok";
    case "post":
      return `${plan.lots} lots of position without a take-profit`;
    case "cancel":
      return `take-profits exceed the position (${plan.cancel.length} to cancel, ${plan.dropPending} pending lots dropped)`;
    case "wrong_side":
      return `position of ${plan.lots} lots on the wrong side`;
  }
}
