import type { TimerHandle } from "../../core/clock.ts";
import type {
  CloseReason,
  CloseTarget,
  GroupLegIntent,
  InstanceSpec,
  OpenOutcome,
  Strategy,
  StrategyContext,
  StrategyView,
} from "../contract.ts";
import type { ScalpInstanceConfig } from "./config.ts";
import {
  computeEdge,
  edgeAt,
  edgeInRange,
  entrySlipBps,
  firstRejection,
  type GateInput,
  notionalUsd,
  passesDecay,
  quantityOn,
  type Rejection,
  spreadBps,
} from "./entry.ts";
import { decideExit, entryEdgeBps, liquidationDistance, netBps, type ScalpLeg } from "./exits.ts";
import { buildUniverse, type LegSlot, type PairSlot, readTouch, vwapFor } from "./market.ts";
import { type Blocks, deserialise, parseBlocks, type ScalpPosition, serialise } from "./position.ts";

const ACTIVE = new Set(["opening", "open", "unwinding", "closing"]);
const WATCH_MS = 1000;
/**
 * How long an entry waits, after its fill window, for the venues' last answers: the cancel of an
 * emulated IOC, the status of an order whose outcome is unknown.
 */
const ANSWER_MS = 2000;
/** exits that do not wait for a venue's circuit to close: staying in costs more than a naked leg */
const URGENT: ReadonlySet<CloseReason> = new Set(["liquidation_guard", "stop_loss", "stale_data"]);

/**
 * Perp-perp spread arbitrage (STRATEGIES.md section 2) on the strategy contract. Event-driven:
 * every book update of a paired instrument re-prices that pair's edge from the two touches and
 * either runs the entry gates (pure, src/strategies/scalp/entry.ts) or the exit rules of the
 * position holding the base (exits.ts). An entry is one all-or-nothing group of two IOC legs
 * with one base quantity; the engine unwinds a lone fill and trims an unequal one. A one-second
 * watch on the injected clock catches what no book update can: a stale book, the time limit.
 */
export class ScalpStrategy implements Strategy {
  readonly kind = "scalp";
  readonly instance: string;
  readonly spec: InstanceSpec;
  readonly config: ScalpInstanceConfig;
  private c: StrategyContext | undefined;
  /** venue -> symbol -> pairs that leg belongs to */
  private index = new Map<string, Map<string, PairSlot[]>>();
  private slots = new Map<string, PairSlot>();
  readonly positions = new Map<string, ScalpPosition>();
  /** bases with an open or opening scalp */
  readonly held = new Set<string>();
  private readonly closing = new Set<string>();
  /** `venue:symbol` -> the leverage set there this run, or "pending" while it is being set */
  private readonly leverageSet = new Map<string, number | "pending">();
  /** positions whose exit waits for a venue's circuit breaker to close: since when, on which venues */
  private readonly waitingForCircuit = new Map<string, { since: number; venues: Set<string> }>();
  private openNotional = 0;
  blocks: Blocks = parseBlocks(undefined);
  lastEntryAt = Number.NEGATIVE_INFINITY;
  readonly rejections: Record<string, number> = {};
  readonly exits: Record<string, number> = {};
  readonly entryFailures: Record<string, number> = {};
  readonly droppedPairs: Record<string, string> = {};
  /** entries sent, whatever their outcome */
  entries = 0;
  private startedAt = 0;
  private running = false;
  private readonly pending = new Set<Promise<unknown>>();
  private unsubscribe: (() => void) | undefined;
  private watch: TimerHandle | undefined;
  private refresh: TimerHandle | undefined;
  private seq = 0;
  private readonly gate: GateInput = {
    now: 0,
    lastEntryAt: 0,
    rangeBps: 0,
    momentumBpsPerS: 0,
    confirms: 0,
    held: false,
    cooldownUntil: 0,
    badUntil: 0,
    notionalUsd: 0,
  };
  private readonly sizing = { equityA: 0, equityB: 0, openNotionalUsd: 0 };

  constructor(spec: InstanceSpec, config: ScalpInstanceConfig) {
    this.spec = spec;
    this.instance = spec.name;
    this.config = config;
  }

  get ctx(): StrategyContext {
    if (this.c === undefined) throw new Error(`scalp ${this.instance}: not started`);
    return this.c;
  }

  get account(): string {
    const w = this.spec.wallets[0];
    if (w === undefined) throw new Error(`scalp ${this.instance}: no wallet`);
    return w;
  }

  async start(ctx: StrategyContext): Promise<void> {
    this.c = ctx;
    this.startedAt = ctx.clock.now();
    this.blocks = parseBlocks(await ctx.state.get("blocks"));
    this.refreshPairs();
    for (const g of await ctx.groups()) {
      if (!ACTIVE.has(g.status)) continue;
      const saved = await ctx.state.get(`pos:${g.id}`);
      if (saved !== undefined) this.adopt(deserialise(saved));
      else this.held.add(String(g.meta.base ?? ""));
      if (g.status !== "open") this.track(this.closeNow(g.id, g.closeReason ?? "failed", "resumed"));
    }
    this.running = true;
    for (const slot of this.slots.values()) this.leverageReady(slot);
    this.unsubscribe = ctx.events.onBook((e) => this.onBook(e.venue, e.symbol));
    this.armWatch();
    const again = () => {
      if (!this.running) return;
      this.refreshPairs();
      this.refresh = ctx.clock.after(this.config.pairs_refresh_s * 1000, again);
    };
    this.refresh = ctx.clock.after(this.config.pairs_refresh_s * 1000, again);
    ctx.logger.log(
      "info",
      `scalp started: ${this.slots.size} venue pairs, ${this.positions.size} positions resumed`,
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const h of [this.watch, this.refresh]) if (h) this.ctx.clock.cancel(h);
    this.unsubscribe?.();
    await Promise.allSettled([...this.pending]);
  }

  async close(target: CloseTarget, reason: CloseReason = "manual"): Promise<void> {
    const ids = target === "all" ? [...this.positions.keys()] : [target];
    await Promise.all(ids.map((id) => this.closeNow(id, reason, "on command")));
  }

  view(): StrategyView {
    return {
      instance: this.instance,
      kind: this.kind,
      running: this.running,
      groups: [...this.positions.values()].map((p) => ({
        id: p.groupId,
        base: p.base,
        long: `${p.long.venue}:${p.long.symbol}`,
        short: `${p.short.venue}:${p.short.symbol}`,
        notionalUsd: p.long.qty * p.long.entryPrice,
        predictedEdgeBps: p.predictedEdgeBps,
        entryEdgeBps: p.entryEdgeBps,
        netBps: p.lastNetBps,
        peakBps: p.peakBps,
        openedAt: p.openedAt,
      })),
      pairs: [...this.slots.keys()],
      bestEdgeBps: this.bestEdges(),
      edgeBps: this.currentEdges(),
      droppedPairs: { ...this.droppedPairs },
      entries: this.entries,
      rejections: { ...this.rejections },
      entryFailures: { ...this.entryFailures },
      exits: { ...this.exits },
      waitingForCircuit: [...this.waitingForCircuit.keys()],
      blocked: {
        cooldown: Object.keys(this.blocks.cooldownUntil).filter(
          (b) => this.blocks.cooldownUntil[b] > this.ctx.clock.now(),
        ),
        bad: Object.keys(this.blocks.badUntil).filter((b) => this.blocks.badUntil[b] > this.ctx.clock.now()),
      },
    };
  }

  /** the edge per venue pair at its last book update (bps, net of taker fees and the buffer) */
  currentEdges(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, s] of this.slots) if (Number.isFinite(s.edge.edge)) out[k] = s.edge.edge;
    return out;
  }

  /** best edge seen per venue pair (bps, net of taker fees and the buffer) */
  bestEdges(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, s] of this.slots) if (Number.isFinite(s.bestEdgeBps)) out[k] = s.bestEdgeBps;
    return out;
  }

  // ---- universe --------------------------------------------------------------------------------

  /** Rebuild the pair slots from discovery, keeping each surviving slot's history. */
  refreshPairs(): void {
    const ctx = this.ctx;
    const held = new Set([...this.positions.values()].map((p) => p.pairKey));
    const u = buildUniverse(ctx.market, this.spec.venues, this.config, {
      previous: this.slots,
      held,
      dropped: this.droppedPairs,
      waitedMs: ctx.clock.now() - this.startedAt,
    });
    this.slots = u.slots;
    this.index = u.index;
    // every tradable pair's legs get their leverage now, in the background: a spread lasts a few
    // updates, and one first seen while its leverage is still being set would be missed
    if (this.running) for (const slot of this.slots.values()) this.leverageReady(slot);
  }

  // ---- the decision ------------------------------------------------------------------------------

  /** One book update: every pair of that instrument is re-priced and decided. */
  onBook(venue: string, symbol: string): void {
    if (!this.running) return;
    const slots = this.index.get(venue)?.get(symbol);
    if (slots === undefined) return;
    const now = this.ctx.clock.now();
    for (let i = 0; i < slots.length; i++) this.decide(slots[i], now);
  }

  private decide(s: PairSlot, now: number): void {
    const c = this.config;
    const a = readTouch(s.a);
    const b = readTouch(s.b);
    const e = computeEdge(a, b, c.slippage_bps_buffer, s.edge);
    s.history.push(now, e.mid);
    if (e.edge > s.bestEdgeBps) s.bestEdgeBps = e.edge;
    const held = this.held.has(s.base);
    if (held) this.checkExits(s, now);
    const g = this.gate;
    g.now = now;
    g.lastEntryAt = this.lastEntryAt;
    g.rangeBps = s.history.rangeBps(now);
    g.momentumBpsPerS = s.history.momentumBpsPerS(now);
    s.confirms = edgeInRange(c, e.edge, g.rangeBps) ? s.confirms + 1 : 0;
    g.confirms = s.confirms;
    g.held = held;
    g.cooldownUntil = this.blocks.cooldownUntil[s.base] ?? 0;
    g.badUntil = this.blocks.badUntil[s.base] ?? 0;
    const z = this.sizing;
    z.equityA = this.ctx.portfolio.account(s.a.venue, this.account)?.equityUsd ?? 0;
    z.equityB = this.ctx.portfolio.account(s.b.venue, this.account)?.equityUsd ?? 0;
    z.openNotionalUsd = this.openNotional;
    g.notionalUsd = notionalUsd(c, z);
    let why: Rejection | null = this.firstRejection(s, g);
    let qty = 0;
    if (why === null) {
      // gate 10 and the instruments' own minimums, at the quantity both legs will trade
      const [buy, sell] = e.dir === 1 ? [s.a, s.b] : [s.b, s.a];
      qty = quantityOn(g.notionalUsd, (buy.touch.ask + sell.touch.bid) / 2, buy.lotBase, sell.lotBase);
      const minUsd = Math.max(buy.inst.spec.minNotionalUsd, sell.inst.spec.minNotionalUsd);
      if (!(qty > 0) || qty * buy.touch.ask < Math.max(minUsd, c.notional_per_trade_min))
        why = "no_allocation";
      else {
        const vw = edgeAt(
          vwapFor(buy, "ask", qty),
          buy.touch.takerFee,
          vwapFor(sell, "bid", qty),
          sell.touch.takerFee,
          e.mid,
          c.slippage_bps_buffer,
        );
        if (!passesDecay(c, vw)) why = "edge_decay";
      }
    }
    if (why === null && !this.leverageReady(s)) why = "leverage_pending";
    if (why !== null) {
      this.rejections[why] = (this.rejections[why] ?? 0) + 1;
      return;
    }
    this.enter(s, qty, now);
  }

  /**
   * The `leverage` key, isolated, on each leg before the first entry there (capped at that
   * market's max; once per leg and run). Set in the background when discovery lists the pair
   * (and again from an update that passes every gate, if it is still not set), so no decision
   * waits for a round trip: an entry before it is set is held back (`leverage_pending`) for a
   * later update. A refusal (counted `leverage_refused`) cools the base down for
   * symbol_cooldown_s, after which it is tried again.
   */
  private leverageReady(s: PairSlot): boolean {
    const set = this.ctx.intents.setLeverage;
    if (set === undefined) return true;
    const ready = (l: LegSlot): boolean => {
      const k = `${l.venue}:${l.symbol}`;
      const lev = Math.min(this.config.leverage, l.inst.spec.maxLeverage);
      const state = this.leverageSet.get(k);
      if (state === lev) return true;
      if (state === "pending") return false;
      this.leverageSet.set(k, "pending");
      this.track(
        set(l.venue, this.account, l.symbol, lev, "isolated").then(
          () => {
            this.leverageSet.set(k, lev);
          },
          async (e) => {
            this.leverageSet.delete(k);
            this.rejections.leverage_refused = (this.rejections.leverage_refused ?? 0) + 1;
            this.blocks.cooldownUntil[s.base] = this.ctx.clock.now() + this.config.symbol_cooldown_s * 1000;
            this.log("warn", `scalp: ${k} refused leverage ${lev}x isolated: ${(e as Error).message}`);
            await this.ctx.state.put("blocks", JSON.stringify(this.blocks));
          },
        ),
      );
      return false;
    };
    const a = ready(s.a);
    return ready(s.b) && a;
  }

  private firstRejection(s: PairSlot, g: GateInput): Rejection | null {
    return firstRejection(this.config, s.a.touch, s.b.touch, s.edge, g);
  }

  // ---- entry -------------------------------------------------------------------------------------

  private enter(s: PairSlot, qty: number, now: number): void {
    const c = this.config;
    const ctx = this.ctx;
    const e = s.edge;
    const [buy, sell] = e.dir === 1 ? [s.a, s.b] : [s.b, s.a];
    const slip = entrySlipBps(c, Math.max(spreadBps(buy.touch), spreadBps(sell.touch)), e.edge);
    this.held.add(s.base);
    this.lastEntryAt = now;
    s.confirms = 0;
    this.entries++;
    const notional = qty * buy.touch.ask;
    this.openNotional += notional;
    const groupId = `${ctx.instance}-${now.toString(36)}-${(this.seq++).toString(36)}`;
    const legs: GroupLegIntent[] = [
      {
        venue: buy.venue,
        account: this.account,
        symbol: buy.symbol,
        side: "buy",
        sizeLots: Math.round(qty / buy.lotBase),
      },
      {
        venue: sell.venue,
        account: this.account,
        symbol: sell.symbol,
        side: "sell",
        sizeLots: Math.round(qty / sell.lotBase),
      },
    ];
    const meta = {
      kind: "scalp",
      base: s.base,
      long: buy.venue,
      short: sell.venue,
      predictedEdgeBps: e.edge,
      touchBuy: buy.touch.ask,
      touchSell: sell.touch.bid,
      takerFeeBuyBps: buy.touch.takerFee * 10_000,
      takerFeeSellBps: sell.touch.takerFee * 10_000,
      bufferBps: c.slippage_bps_buffer,
      decidedAt: now,
      slipBps: slip,
      qty,
    };
    const sent = ctx.intents.openGroup(legs, {
      groupId,
      // an IOC where the venue has one; elsewhere the engine sends a GTC limit at the same price
      // and cancels it after ioc_emulation_ms (its fills are the leg's)
      entry: { kind: "ioc", maxSlippageBps: slip, iocEmulationMs: c.ioc_emulation_ms },
      fillTimeoutMs: c.ioc_emulation_ms + ANSWER_MS,
      hedged: true,
      meta,
    });
    this.track(
      sent
        .then((out) => this.opened(s, buy, sell, e.edge, notional, out))
        .catch((err) => {
          this.openNotional -= notional;
          this.held.delete(s.base);
          this.log("error", `scalp entry ${groupId} failed: ${(err as Error).message}`);
        }),
    );
  }

  private async opened(
    s: PairSlot,
    buy: LegSlot,
    sell: LegSlot,
    predicted: number,
    notional: number,
    out: OpenOutcome,
  ): Promise<void> {
    const ctx = this.ctx;
    this.openNotional -= notional;
    if (!out.ok) {
      // the engine unwound whatever filled; the group record says why
      this.held.delete(s.base);
      this.entryFailures[out.reason] = (this.entryFailures[out.reason] ?? 0) + 1;
      this.blocks.cooldownUntil[s.base] = ctx.clock.now() + this.config.symbol_cooldown_s * 1000;
      await ctx.state.put("blocks", JSON.stringify(this.blocks));
      this.log("warn", `scalp entry ${out.groupId} not opened: ${out.reason}: ${out.detail}`);
      return;
    }
    const g = (await ctx.groups({ activeOnly: true })).find((x) => x.id === out.groupId);
    const held = (venue: string, side: "buy" | "sell", l: LegSlot) => {
      const r = g?.legs.find((x) => x.venue === venue && x.side === side);
      const f = out.legs.find((x) => x.venue === venue && x.side === side)!;
      const lots = r !== undefined ? Math.abs(r.netLots) : f.filledLots;
      return {
        qty: l.inst.sizeValue(lots) * l.multiplier,
        price: f.avgPrice / l.multiplier,
        fees: f.feesUsd,
      };
    };
    const lb = held(buy.venue, "buy", buy);
    const ss = held(sell.venue, "sell", sell);
    const leg = (l: LegSlot, x: { qty: number; price: number }): ScalpLeg => ({
      venue: l.venue,
      symbol: l.symbol,
      multiplier: l.multiplier,
      qty: x.qty,
      entryPrice: x.price,
      takerFee: l.touch.takerFee,
    });
    const long = leg(buy, lb);
    const short = leg(sell, ss);
    const fees = g?.feesUsd ?? lb.fees + ss.fees;
    const p: ScalpPosition = {
      groupId: out.groupId,
      base: s.base,
      pairKey: s.key,
      long,
      short,
      openedAt: ctx.clock.now(),
      predictedEdgeBps: predicted,
      entryEdgeBps: entryEdgeBps(long, short, fees),
      feesPaidUsd: fees,
      peakBps: Number.NEGATIVE_INFINITY,
      lastNetBps: Number.NaN,
      deferredSince: null,
    };
    this.adopt(p);
    await ctx.state.put(`pos:${p.groupId}`, serialise(p));
  }

  private adopt(p: ScalpPosition): void {
    this.positions.set(p.groupId, p);
    this.held.add(p.base);
    this.openNotional += p.long.qty * p.long.entryPrice;
  }

  // ---- exits -------------------------------------------------------------------------------------

  private checkExits(s: PairSlot, now: number): void {
    for (const p of this.positions.values()) if (p.pairKey === s.key) this.checkOne(p, s, now);
  }

  /** Mark one position at its executable exit prices and apply the exit rules in order. */
  checkOne(p: ScalpPosition, s: PairSlot, now: number): void {
    if (this.closing.has(p.groupId)) return;
    const longSlot = s.a.venue === p.long.venue ? s.a : s.b;
    const shortSlot = longSlot === s.a ? s.b : s.a;
    const lt = readTouch(longSlot);
    const st = readTouch(shortSlot);
    const net = netBps(p.long, p.short, p.feesPaidUsd, lt.bid, st.ask);
    const age = now - Math.min(lt.ts, st.ts);
    if (Number.isFinite(net) && age <= this.config.max_bbo_age_ms) {
      p.lastNetBps = net;
      if (net > p.peakBps) p.peakBps = net;
    }
    const pf = this.ctx.portfolio;
    const liq = Math.min(
      liquidationDistance(
        "long",
        lt.bid,
        pf.position(p.long.venue, this.account, p.long.symbol)?.liquidationPrice ?? null,
      ),
      liquidationDistance(
        "short",
        st.ask,
        pf.position(p.short.venue, this.account, p.short.symbol)?.liquidationPrice ?? null,
      ),
    );
    const d = decideExit(this.config, {
      now,
      openedAt: p.openedAt,
      netBps: Number.isFinite(net) ? net : p.lastNetBps,
      peakBps: p.peakBps,
      entryEdgeBps: p.entryEdgeBps,
      liqDistance: liq,
      bboAgeMs: Number.isFinite(net) ? age : Number.POSITIVE_INFINITY,
    });
    if (d.kind === "defer") p.deferredSince ??= now;
    else p.deferredSince = null;
    if (d.kind !== "close") return;
    let detail = d.detail;
    if (!URGENT.has(d.reason)) {
      // closing one leg while the other venue cannot be reached leaves that leg naked: a
      // non-urgent exit waits for both venues' circuits to close (the next check repeats it)
      const down = [p.long.venue, p.short.venue].filter((v) => this.ctx.venueCircuit(v) !== "closed");
      if (down.length > 0) {
        const w = this.waitingForCircuit.get(p.groupId);
        if (w === undefined) {
          this.waitingForCircuit.set(p.groupId, { since: now, venues: new Set(down) });
          this.log("info", `scalp ${p.groupId}: ${d.reason} waits, circuit not closed on ${down.join(", ")}`);
        } else for (const v of down) w.venues.add(v);
        return;
      }
      const w = this.waitingForCircuit.get(p.groupId);
      if (w !== undefined) {
        const names = [...w.venues].map((v) => `${v}'s`).join(" and ");
        detail = `${d.detail}; waited ${Math.round((now - w.since) / 1000)} s for ${names} circuit`;
      }
    }
    this.waitingForCircuit.delete(p.groupId);
    this.track(this.closeNow(p.groupId, d.reason, detail));
  }

  /** The watch: stale books and the time limit need no book update to fire. */
  private armWatch(): void {
    this.watch = this.ctx.clock.after(WATCH_MS, () => {
      if (!this.running) return;
      const now = this.ctx.clock.now();
      for (const p of this.positions.values()) {
        const s = this.slots.get(p.pairKey);
        if (s !== undefined) this.checkOne(p, s, now);
      }
      this.armWatch();
    });
  }

  async closeNow(groupId: string, reason: CloseReason, detail: string): Promise<void> {
    if (this.closing.has(groupId)) return;
    const ctx = this.ctx;
    this.closing.add(groupId);
    try {
      this.log("info", `scalp closing ${groupId}: ${reason} ${detail}`);
      // reduce-only IOCs at the touch +- exit_slippage_bps, re-priced on every retry, then
      // +- max_slippage_bps (and an alert) once flatten_timeout_s has passed without going flat
      const out = await ctx.intents.closeGroup(groupId, reason, detail, {
        slippageBps: this.config.exit_slippage_bps,
        escalateAfterMs: this.config.flatten_timeout_s * 1000,
        escalatedSlippageBps: this.config.max_slippage_bps,
      });
      if (!out.ok) {
        ctx.alerts.raise({
          severity: "critical",
          key: `scalp.close_failed:${groupId}`,
          title: "Scalp position not flat yet",
          message: `${groupId}: ${out.detail}`,
          context: {},
          ts: ctx.clock.now(),
        });
        return;
      }
      const p = this.positions.get(groupId);
      this.positions.delete(groupId);
      this.waitingForCircuit.delete(groupId);
      this.exits[reason] = (this.exits[reason] ?? 0) + 1;
      const now = ctx.clock.now();
      if (p !== undefined) {
        this.held.delete(p.base);
        this.openNotional -= p.long.qty * p.long.entryPrice;
        this.blocks.cooldownUntil[p.base] = now + this.config.symbol_cooldown_s * 1000;
        if (reason === "stop_loss") this.blocks.badUntil[p.base] = now + this.config.bad_symbol_s * 1000;
        await ctx.state.put("blocks", JSON.stringify(this.blocks));
        await ctx.state.put(`closed:${groupId}`, serialise(p));
      }
    } finally {
      this.closing.delete(groupId);
    }
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((e) => this.log("error", (e as Error).message)).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  private log(level: "info" | "warn" | "error", msg: string): void {
    this.c?.logger.log(level, msg);
  }
}
