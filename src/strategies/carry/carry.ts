import type { TimerHandle } from "../../core/clock.ts";
import { toUsd } from "../../core/money.ts";
import type {
  CloseReason,
  CloseTarget,
  FundingEvent,
  InstanceSpec,
  Strategy,
  StrategyContext,
  StrategyView,
} from "../contract.ts";
import { type BlockState, parseBlocks, recordClose } from "./blocks.ts";
import type { CarryInstanceConfig } from "./config.ts";
import { decideExit, isForcedExit, mtmBps, spikeProtectUntil } from "./exits.ts";
import { scaleDown } from "./grow.ts";
import {
  bboAge,
  type CarryPosition,
  currentYieldBps,
  decisionYieldBps,
  deserialise,
  groupIdsOf,
  heldStamp,
  heldText,
  liquidationDistance,
  markToMarket,
  sameStamp,
  serialise,
  watchedText,
} from "./position.ts";
import { scaleDownWhy } from "./scale.ts";
import { type ScanHost, type ScannedOpportunity, scanOnce } from "./scan.ts";
import { ScanRepeat } from "./scan-repeat.ts";

const ACTIVE = new Set(["opening", "open", "unwinding", "closing"]);
/** exits that do not wait for a venue's circuit to close: staying in costs more than a naked leg */
const URGENT: ReadonlySet<CloseReason> = new Set(["liquidation_guard", "stop_loss", "stale_data"]);

/**
 * Cross-venue funding carry (STRATEGIES.md section 1) on the strategy contract: a scan every
 * `funding_check_interval_s` opens the best confirmed differential through one all-or-nothing
 * group (long the lower rate, short the higher); a check every `mtm_check_interval_s` marks each
 * position to market from the views and applies the exit rules in order, storing the reason on
 * the group. Funding is accounted per leg from the venue's settled payments, estimated between.
 */
export class CarryStrategy implements Strategy {
  readonly kind = "carry";
  readonly instance: string;
  readonly spec: InstanceSpec;
  readonly config: CarryInstanceConfig;
  private c: StrategyContext | undefined;
  readonly positions = new Map<string, CarryPosition>();
  private readonly closing = new Set<string>();
  /** positions whose exit waits for a venue's circuit breaker to close */
  private readonly deferredForCircuit = new Set<string>();
  blocks: BlockState = parseBlocks(undefined);
  /** opportunity key -> scans in a row it passed */
  readonly confirms = new Map<string, number>();
  /** opportunity key -> net bps at its first confirmation (edge_decay_ratio) */
  readonly detected = new Map<string, number>();
  /** `venue:symbol` -> leverage set there this run */
  readonly leverageSet = new Map<string, number>();
  /** entry outcomes of the last scans (the stress rule) */
  readonly entries: { ts: number; hedged: boolean }[] = [];
  /** rejection reason -> count, for the status view and reports */
  readonly rejections: Record<string, number> = {};
  /** the same counts by venue pair, `<long venue>><short venue>:<reason>` (the backtest report) */
  readonly rejectionsByPair: Record<string, number> = {};
  /** scale-up refusal reason -> count, `done` for slices opened (scan.ts) */
  readonly scaleUps: Record<string, number> = {};
  /** the last scan's evaluated pairs (best net first, at most 50), for the opportunity scanner */
  private lastScan: { ts: number; list: readonly ScannedOpportunity[] } | null = null;
  readonly exits: Record<string, number> = {};
  peakEquityUsd = 0;
  private scanLoop: TimerHandle | undefined;
  private checkLoop: TimerHandle | undefined;
  private running = false;
  private busy: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  seq = 0;
  /**
   * the heldStamp of each held position's `held` text (serialiseParts) as last handed to a save
   * under `pos:<group>` (in the same transaction as the `watch` text, StateSlot.putMany): a check
   * writes the text again only when the stamp moved; a failed save forgets the stamps it carried
   */
  private readonly heldStamps = new Map<string, unknown[]>();
  /**
   * each held position's `watched` text as last computed: saved together, as one JSON object by
   * group id under `watch` (one row a check, not one per position), by every save after a change
   */
  private readonly watchedTexts = new Map<string, string>();
  private watchedChanged = false;
  /** what the last scan read, so an identical one repeats it instead of re-scanning */
  readonly scanRepeat = new ScanRepeat<ScannedOpportunity>();

  constructor(spec: InstanceSpec, config: CarryInstanceConfig) {
    this.spec = spec;
    this.instance = spec.name;
    this.config = config;
  }

  get ctx(): StrategyContext {
    if (this.c === undefined) throw new Error(`carry ${this.instance}: not started`);
    return this.c;
  }

  /** the account carry trades on every venue: the instance's first wallet */
  get account(): string {
    const w = this.spec.wallets[0];
    if (w === undefined) throw new Error(`carry ${this.instance}: no wallet`);
    return w;
  }

  async start(ctx: StrategyContext): Promise<void> {
    this.c = ctx;
    this.blocks = parseBlocks(await ctx.state.get("blocks"));
    this.host = undefined;
    this.peakEquityUsd = Number((await ctx.state.get("peak_equity")) ?? 0);
    const all = await ctx.groups();
    const active = all.filter((g) => ACTIVE.has(g.status));
    let watched: Record<string, unknown> | undefined;
    const readWatched = async () => {
      const text = await ctx.state.get("watch");
      return text === undefined ? {} : (JSON.parse(text) as Record<string, unknown>);
    };
    for (const g of active) {
      if (g.meta.scaleUpOf !== undefined) continue;
      // held and watched parts (serialiseParts); a state saved before the two has one text
      const saved = await ctx.state.get(`pos:${g.id}`);
      if (saved !== undefined) {
        watched ??= await readWatched();
        this.positions.set(g.id, deserialise(saved, watched[g.id]));
      }
      if (g.status !== "open") this.closeInBackground(g.id, g.closeReason ?? "failed");
    }
    // a scale-up group its position does not hold (stopped before the merge) is closed: nothing
    // the strategy does not account for stays open
    const merged = new Set([...this.positions.values()].flatMap((p) => groupIdsOf(p)));
    for (const g of active)
      if (g.meta.scaleUpOf !== undefined && !merged.has(g.id)) {
        const id = g.id;
        ctx.intents
          .closeGroup(id, g.closeReason ?? "failed", "scale-up slice not held by its position at start", {
            slippageBps: this.config.max_slippage_bps,
          })
          .catch((e) => this.log("error", `close of ${id} failed: ${(e as Error).message}`));
      }
    // a held slice whose group is no longer open was being scaled down: finish that (the full
    // close of a position whose entry group is not open closes every slice already)
    const status = new Map(all.map((g) => [g.id, g.status]));
    for (const p of this.positions.values()) {
      if (status.get(p.groupId) !== "open") continue;
      for (const sl of p.slices.filter((x) => status.get(x.groupId) !== "open"))
        this.busy = this.busy
          .then(() => scaleDown(this.scanHost, p, "scale-down resumed at start", sl))
          .then(() => undefined)
          .catch((e) => this.log("error", `scale-down of ${sl.groupId} failed: ${(e as Error).message}`));
    }
    this.unsubscribe = ctx.events.onFunding((e) => this.onFunding(e));
    this.running = true;
    this.log(
      "info",
      `carry started: ${this.positions.size} positions resumed on ${this.spec.venues.join(", ")}`,
    );
    this.arm("scan", 0);
    this.arm("check", this.config.mtm_check_interval_s * 1000);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const h of [this.scanLoop, this.checkLoop]) if (h) this.ctx.clock.cancel(h);
    this.scanLoop = this.checkLoop = undefined;
    this.unsubscribe?.();
    await this.busy;
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
        sizeUsd: p.sizeUsd,
        slices: p.slices.map((s) => s.groupId),
        entryYieldBps: p.entryYieldBps,
        yieldBps: p.lastCy,
        mtmUsd: p.lastMtmUsd,
        fundingSettledUsd: p.ledgers.long.settledUsd + p.ledgers.short.settledUsd,
        fundingEstimatedUsd: p.ledgers.long.estimatedUsd + p.ledgers.short.estimatedUsd,
      })),
      rejections: { ...this.rejections },
      scaleUps: { ...this.scaleUps },
      waitingForCircuit: [...this.deferredForCircuit],
      exits: { ...this.exits },
      opportunities: this.lastScan,
      blocked: Object.keys(this.blocks.blocked).filter(
        (b) => this.blocks.blocked[b].until > this.ctx.clock.now(),
      ),
    };
  }

  // ---- loops -----------------------------------------------------------------------------------

  /** Both loops run on the injected clock, one step at a time (a scan never overlaps a check). */
  private arm(which: "scan" | "check", delayMs: number): void {
    if (!this.running) return;
    const everyMs =
      (which === "scan" ? this.config.funding_check_interval_s : this.config.mtm_check_interval_s) * 1000;
    const handle = this.ctx.clock.after(delayMs, () => {
      if (!this.running) return;
      this.busy = this.busy
        .then(() => (which === "scan" ? this.scan() : this.check()))
        .catch((e) => this.log("error", `carry ${which} failed: ${(e as Error).message}`));
      this.arm(which, everyMs);
    });
    if (which === "scan") this.scanLoop = handle;
    else this.checkLoop = handle;
  }

  /** One entry scan (src/strategies/carry/scan.ts). */
  scan(): Promise<void> {
    return scanOnce(this.scanHost);
  }

  /** One MTM check of every position: accrue funding, mark, decide, close. */
  async check(): Promise<void> {
    // each position's text, written together (one transaction on SQLite) before anything that
    // writes state itself, and at the end, also when a position's check throws
    const saves: [string, string][] = [];
    try {
      await this.checkEach(saves);
    } finally {
      await this.save(saves);
    }
  }

  private async checkEach(saves: [string, string][]): Promise<void> {
    const ctx = this.ctx;
    const now = ctx.clock.now();
    const equity = this.spec.venues.reduce(
      (s, v) => s + (ctx.portfolio.account(v, this.account)?.equityUsd ?? 0),
      0,
    );
    for (const p of this.positions.values()) {
      if (this.closing.has(p.groupId)) continue;
      if (await this.closedByEngine(p, saves)) continue;
      for (const [leg, ledger] of [
        [p.long, p.ledgers.long],
        [p.short, p.ledgers.short],
      ] as const) {
        ledger.accrue(
          now,
          ctx.market.fundingRatePerHour(leg.venue, leg.symbol),
          ctx.market.mark(leg.venue, leg.symbol),
        );
      }
      const ages = [bboAge(ctx.market, p.long, now), bboAge(ctx.market, p.short, now)];
      p.missingBboChecks = ages.some((a) => a === Number.POSITIVE_INFINITY) ? p.missingBboChecks + 1 : 0;
      const stale = ages.some((a) => !(a <= this.config.exit_max_bbo_age_ms));
      if (stale && p.deferredSince === null) p.deferredSince = now;
      if (!stale) {
        p.deferredSince = null;
        p.deferredChecks = 0;
      }
      const { mtmUsd } = markToMarket(ctx.market, p);
      const cy = currentYieldBps(ctx.market, p);
      const usable = Number.isFinite(mtmUsd);
      if (usable) {
        const bps = mtmBps(mtmUsd, p.sizeUsd);
        const spike = spikeProtectUntil(this.config, p.samples, now, bps);
        if (spike > 0) p.spikeUntil = spike;
        p.samples = [
          ...p.samples.filter((s) => s.ts >= now - this.config.spike_window_s * 1000),
          { ts: now, bps },
        ];
        p.peakBps = Math.max(p.peakBps, bps);
        p.lastMtmUsd = mtmUsd;
        p.lastMtmBps = bps;
      }
      p.lastCy = cy;
      const decision = decideExit(this.config, {
        now,
        openedAt: p.openedAt,
        entryYieldBps: p.entryYieldBps,
        cy,
        mtmUsd: usable ? mtmUsd : p.lastMtmUsd,
        sizeUsd: p.sizeUsd,
        fundingUsd: p.ledgers.long.totalUsd + p.ledgers.short.totalUsd,
        peakBps: p.peakBps,
        liqDistances: [
          liquidationDistance(ctx.portfolio, ctx.market, p.long),
          liquidationDistance(ctx.portfolio, ctx.market, p.short),
        ],
        bboAgesMs: ages,
        missingBboChecks: p.missingBboChecks,
        deferredSince: p.deferredSince,
        spikeProtectUntil: p.spikeUntil,
      });
      if (decision.kind === "defer") p.deferredChecks++;
      // closing one leg while the other venue cannot be reached leaves that leg naked: a
      // non-urgent exit waits for both venues' circuits to close (the check repeats it); the
      // wait is kept on the position (circuitWait) until the exit goes or no longer holds
      const exit = decision.kind === "close" ? decision : undefined;
      const down =
        exit !== undefined && !URGENT.has(exit.reason)
          ? [p.long.venue, p.short.venue].filter((v) => ctx.venueCircuit(v) !== "closed")
          : [];
      if (exit !== undefined && down.length > 0) {
        const w = p.circuitWait;
        p.circuitWait = {
          reason: w?.reason ?? exit.reason,
          since: w?.since ?? now,
          checks: (w?.checks ?? 0) + 1,
          venues: w === null ? down : [...new Set([...w.venues, ...down])],
        };
      } else if (decision.kind === "hold") p.circuitWait = null;
      // what every check changes, and the rest only when what it is made of moved
      this.watch(p.groupId, watchedText(p));
      const stamp = heldStamp(p);
      const last = this.heldStamps.get(p.groupId);
      if (last === undefined || !sameStamp(last, stamp)) this.hold(saves, p, stamp);
      if (exit !== undefined && down.length > 0) {
        this.deferredForCircuit.add(p.groupId);
        this.log("info", `${p.groupId}: ${exit.reason} waits, circuit not closed on ${down.join(", ")}`);
        continue;
      }
      this.deferredForCircuit.delete(p.groupId);
      // a close or a scale-down writes state of its own: what this check saved goes first
      if (decision.kind === "close") {
        await this.save(saves);
        this.closeInBackground(
          p.groupId,
          decision.reason,
          decision.detail + delayNote(this.config, p, ages, now),
        );
      } else if (decision.kind === "hold") {
        // scale-down: the newest slice goes when the yield or a cap no longer holds it, one a check
        const openTotal = [...this.positions.values()].reduce((s, x) => s + x.sizeUsd, 0);
        // the yield scale-ups were decided on: predicted rates where the venues publish them
        const why = scaleDownWhy(this.config, p, {
          cy: decisionYieldBps(ctx.market, p),
          equityUsd: equity,
          openTotalUsd: openTotal,
        });
        const up = [p.long.venue, p.short.venue].every((v) => ctx.venueCircuit(v) === "closed");
        if (why !== undefined && up && equity > 0) {
          await this.save(saves);
          await scaleDown(this.scanHost, p, why);
        }
        for (const w of decision.warnings)
          this.alert(
            "warning",
            `carry.liquidation_warn:${p.groupId}`,
            "Carry leg near liquidation",
            `${p.groupId}: ${w}`,
          );
      }
    }
  }

  /**
   * Whether the engine closed the position's entry group without carry asking (the reconciler
   * found its legs gone from the venues: `closed_externally`, `liquidated`); then carry lets the
   * position go as it would after its own close (exit counted, blocks, `closed:<group>`), under
   * the group's reason. Only asked of the store when a leg no longer shows on its venue.
   */
  private async closedByEngine(p: CarryPosition, saves: [string, string][]): Promise<boolean> {
    const { portfolio } = this.ctx;
    const held = (l: CarryPosition["long"]) =>
      Math.sign(portfolio.position(l.venue, l.account, l.symbol)?.sizeLots ?? 0) === l.side;
    if (held(p.long) && held(p.short)) return false;
    const [g] = await this.ctx.groups({ groupIds: [p.groupId] });
    if (g === undefined || ACTIVE.has(g.status)) return false;
    const reason = g.closeReason ?? "failed";
    await this.save(saves);
    this.closeInBackground(
      p.groupId,
      reason,
      `group ${g.status} by the engine (${reason}): carry lets it go`,
    );
    return true;
  }

  /** The check's position writes so far, in one go (StateSlot.putMany where there is one); empties `saves`. */
  private async save(saves: [string, string][]): Promise<void> {
    if (this.watchedChanged) {
      saves.push(["watch", this.watchedDoc()]);
      this.watchedChanged = false;
    }
    if (saves.length === 0) return;
    const batch = saves.splice(0);
    const state = this.ctx.state;
    try {
      if (state.putMany !== undefined) await state.putMany(batch);
      else for (const [k, v] of batch) await state.put(k, v);
    } catch (e) {
      // not written: the next check writes those held texts and the watched ones again
      for (const [k] of batch) if (k.startsWith("pos:")) this.heldStamps.delete(k.slice(4));
      this.watchedChanged = true;
      throw e;
    }
  }

  /** The position's held text, for the next save, and the stamp it is written at. */
  private hold(saves: [string, string][], p: CarryPosition, stamp = heldStamp(p)): void {
    saves.push([`pos:${p.groupId}`, heldText(p)]);
    this.heldStamps.set(p.groupId, stamp);
  }

  /** A position's watched text now (saved with the next save, with its held text if that changed). */
  private watch(groupId: string, text: string): void {
    this.watchedTexts.set(groupId, text);
    this.watchedChanged = true;
  }

  /** Every held position's watched text, one JSON object by group id. */
  private watchedDoc(): string {
    let out = "{";
    for (const [id, text] of this.watchedTexts)
      out += `${out.length > 1 ? "," : ""}${JSON.stringify(id)}:${text}`;
    return `${out}}`;
  }

  // ---- funding ---------------------------------------------------------------------------------

  private onFunding(e: FundingEvent): void {
    for (const p of this.positions.values()) {
      for (const [leg, ledger] of [
        [p.long, p.ledgers.long],
        [p.short, p.ledgers.short],
      ] as const) {
        if (leg.venue === e.venue && leg.account === e.account && leg.symbol === e.symbol) {
          // the estimate runs up to the settlement at the rate in force, then the payment replaces it
          ledger.settle(e.ts, toUsd(e.amount), e.ratePerHour, this.ctx.market.mark(e.venue, e.symbol));
        }
      }
    }
  }

  // ---- closing ---------------------------------------------------------------------------------

  closeInBackground(groupId: string, reason: CloseReason, detail = ""): void {
    this.closeNow(groupId, reason, detail).catch((e) =>
      this.log("error", `close of ${groupId} failed: ${(e as Error).message}`),
    );
  }

  async closeNow(groupId: string, reason: CloseReason, detail: string): Promise<void> {
    if (this.closing.has(groupId)) return;
    const ctx = this.ctx;
    this.closing.add(groupId);
    try {
      this.log("info", `closing ${groupId}: ${reason} ${detail}`);
      // reduce-only IOCs at the touch +- max_slippage_bps (STRATEGIES.md 1.1 "Close"), on the
      // entry's group and every scale-up slice the position holds
      const held = this.positions.get(groupId);
      const outs = await Promise.all(
        (held ? groupIdsOf(held) : [groupId]).map((id) =>
          ctx.intents.closeGroup(id, reason, detail, { slippageBps: this.config.max_slippage_bps }),
        ),
      );
      const bad = outs.filter((o) => !o.ok);
      if (bad.length > 0) {
        this.alert(
          "critical",
          `carry.close_failed:${groupId}`,
          "Carry position not flat yet",
          `${groupId}: ${bad.map((o) => (o.ok ? "" : o.detail)).join("; ")}`,
        );
        return;
      }
      const p = this.positions.get(groupId);
      this.positions.delete(groupId);
      this.heldStamps.delete(groupId);
      if (this.watchedTexts.delete(groupId)) this.watchedChanged = true;
      this.exits[reason] = (this.exits[reason] ?? 0) + 1;
      if (p !== undefined) {
        // every group of the position: the entry's and its scale-ups' (scaled down and failed
        // ones too); only those are read where the position lists them (a state saved before
        // it did: every group of the instance)
        const own = p.sliceGroups === undefined ? undefined : [groupId, ...p.sliceGroups];
        const gs = (await ctx.groups(own === undefined ? {} : { groupIds: own })).filter(
          (x) => x.id === groupId || x.meta.scaleUpOf === groupId,
        );
        const funding = p.ledgers.long.settledUsd + p.ledgers.short.settledUsd;
        const realised = gs.reduce((s, g) => s + g.realisedPnlUsd - g.feesUsd, 0) + funding;
        recordClose(this.blocks, this.config, {
          base: p.base,
          direction: `${p.long.venue}>${p.short.venue}`,
          reason,
          realisedUsd: realised,
          forced: isForcedExit(reason),
          now: ctx.clock.now(),
        });
        await ctx.state.put("blocks", JSON.stringify(this.blocks));
        await ctx.state.put(`closed:${groupId}`, serialise(p));
      }
    } finally {
      this.closing.delete(groupId);
    }
  }

  /** built once a start (every field is a reference the strategy keeps, or reads through `this`) */
  private host: ScanHost | undefined;

  private get scanHost(): ScanHost {
    this.host ??= this.buildScanHost();
    return this.host;
  }

  private buildScanHost(): ScanHost {
    return {
      ctx: this.ctx,
      config: this.config,
      venues: this.spec.venues,
      account: this.account,
      positions: this.positions,
      blocks: this.blocks,
      confirms: this.confirms,
      detected: this.detected,
      entries: this.entries,
      leverageSet: this.leverageSet,
      rejections: this.rejections,
      rejectionsByPair: this.rejectionsByPair,
      scaleUps: this.scaleUps,
      peakEquity: (e) => {
        this.peakEquityUsd = Math.max(this.peakEquityUsd, e);
        return this.peakEquityUsd;
      },
      nextSeq: () => this.seq++,
      isHeld: (p) => this.positions.get(p.groupId) === p && !this.closing.has(p.groupId),
      adopt: async (p) => {
        this.positions.set(p.groupId, p);
        const saves: [string, string][] = [];
        this.watch(p.groupId, watchedText(p));
        this.hold(saves, p);
        await this.save(saves);
        await this.ctx.state.put("peak_equity", String(this.peakEquityUsd));
      },
      saveBlocks: () => this.ctx.state.put("blocks", JSON.stringify(this.blocks)),
      closeNow: (id, reason, detail) => this.closeNow(id, reason, detail),
      alert: (sev, key, title, msg) => this.alert(sev, key, title, msg),
      log: (level, msg) => this.log(level, msg),
      repeat: this.scanRepeat,
      recordScan: (ts, list) => {
        this.lastScan = { ts, list: list.slice(0, 50) };
      },
    };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  alert(severity: "info" | "warning" | "critical", key: string, title: string, message: string): void {
    this.ctx.alerts.raise({ severity, key, title, message, context: {}, ts: this.ctx.clock.now() });
  }

  log(level: "info" | "warn" | "error", msg: string): void {
    this.c?.logger.log(level, msg);
  }
}

/**
 * What held an exit back, for the group's record (appended to the close detail, which the engine
 * keeps from the first close): the checks its decisions were deferred for a stale BBO (and
 * whether the exit was forced past deferred_exit_max_s on that BBO), and the wait for a venue's
 * circuit to close. Empty when nothing did.
 */
export function delayNote(
  c: CarryInstanceConfig,
  p: CarryPosition,
  /** each leg's BBO age at this check (long, short) */
  ages: readonly number[],
  now: number,
): string {
  let out = "";
  if (p.deferredSince !== null && p.deferredChecks > 0) {
    const legs: string[] = [];
    for (const [i, l] of [p.long, p.short].entries()) {
      const a = ages[i];
      if (a <= c.exit_max_bbo_age_ms) continue;
      legs.push(`${l.venue}:${l.symbol} ${Number.isFinite(a) ? `${(a / 1000).toFixed(1)} s old` : "empty"}`);
    }
    const s = Math.round((now - p.deferredSince) / 1000);
    out += `; deferred ${p.deferredChecks} checks over ${s} s for a stale BBO (${legs.join(", ")})`;
    if (now - p.deferredSince >= c.deferred_exit_max_s * 1000)
      out += `, forced past deferred_exit_max_s ${c.deferred_exit_max_s}`;
  }
  const w = p.circuitWait;
  if (w !== null) {
    const s = Math.round((now - w.since) / 1000);
    out += `; ${w.reason} waited ${w.checks} checks over ${s} s for the circuit of ${w.venues.join(", ")} to close`;
  }
  return out;
}
