import { oppositeSide } from "../../core/types.ts";
import type { AlertSeverity } from "../alerts.ts";
import { type EngineOrder, type OrderPurpose, posKey } from "../orders/order-gateway.ts";
import { isBalanced, makerPriceTicks, protectionPriceTicks, trimsToBalance } from "../orders/pricing.ts";
import type { EngineCore } from "./engine-core.ts";
import { flattenGroup } from "./group-flatten.ts";
import { type GroupEvent, groupTransition } from "./group-state.ts";
import {
  type EntrySequence,
  entryFilledLots,
  type GroupState,
  hedgeLegs,
  isActive,
  type LegFailure,
  type LegState,
  legHeldLots,
  legSummary,
  type OpenFailureReason,
  type OpenOutcome,
} from "./group-types.ts";

export type { EngineCore } from "./engine-core.ts";

/**
 * The executor's procedures on one group: entry (IOC or maker-first), the all-or-nothing verdict
 * with trims of a partial-fill imbalance, and the reduce-only flatten loop shared by unwind and
 * close. The caller holds the group (Engine.withGroup), so two procedures never interleave on it.
 */
export class GroupOps {
  private readonly core: EngineCore;

  constructor(core: EngineCore) {
    this.core = core;
  }

  /**
   * The one place a group's status changes: the group table (group-state.ts) says where `event`
   * takes it. An arm that keeps the status changes nothing and journals nothing.
   */
  setStatus(g: GroupState, event: GroupEvent, more: Partial<Pick<GroupState, "detail">> = {}): void {
    const status = groupTransition(g.status, event, g.id).to;
    if (status === g.status && more.detail === undefined) return;
    const now = this.core.clock.now();
    g.status = status;
    g.updatedAt = now;
    if (more.detail !== undefined) g.detail = more.detail;
    if (!isActive(status)) {
      g.closedAt = now;
      // what the group's closes (or a late fill of its entries) leave on the venue may show in
      // a position read for a while yet: not an orphan (orphan-guard.ts)
      this.core.orphanGuard.noteEnd(
        g.legs.map((l) => posKey(l.spec.venue, l.spec.account, l.spec.symbol)),
        now,
      );
    }
    this.core.journal.updateGroup(g.id, {
      status,
      updatedAt: now,
      closeReason: g.closeReason,
      failureReason: g.failureReason,
      detail: g.detail,
      closedAt: g.closedAt,
    });
  }

  /**
   * Send every leg's entry concurrently and wait until each is done or the fill timeout passes;
   * or, for a sequential entry (g.sequence), the first leg alone, then the others for its fill.
   */
  async enter(g: GroupState): Promise<void> {
    const deadline = this.core.clock.now() + g.fillTimeoutMs;
    if (g.sequence !== undefined) return this.enterSequentially(g, g.sequence);
    await Promise.all(
      g.legs.map((leg) => this.enterLeg(g, leg, deadline, g.entry.kind === "maker_first", leg.spec.sizeLots)),
    );
  }

  /**
   * STRATEGIES.md 1.1 "Entry": the first leg with the entry style (maker-first included), within
   * the fill timeout; nothing filled (or its outcome unknown) ends the entry there, and finishOpen
   * fails the group flat (or unwinds what an unknown order left). Otherwise the strategy's
   * `beforeHedge` is asked, then the other legs go, IOC only, for the first leg's fill in their own
   * lots, within the IOC window: the fill timeout less the maker rest the first leg had.
   */
  private async enterSequentially(g: GroupState, seq: EntrySequence): Promise<void> {
    const { clock } = this.core;
    const first = g.legs[seq.first];
    const maker = g.entry.kind === "maker_first";
    await this.enterLeg(g, first, clock.now() + g.fillTimeoutMs, maker, first.spec.sizeLots);
    const filled = entryFilledLots(first);
    if (filled === 0 || first.orders.some((o) => !o.tracked.terminal)) return;
    if (seq.beforeHedge !== undefined) {
      let go: boolean;
      let why = "the strategy's re-pricing said the edge is gone";
      try {
        go = await seq.beforeHedge(legSummary(first));
      } catch (e) {
        go = false;
        why = `the strategy's re-pricing failed (${(e as Error).message})`;
      }
      if (!go) {
        first.failure = {
          reason: "edge_decayed",
          detail: `${why} after ${filled} lots: the hedge was not sent`,
        };
        return;
      }
    }
    const targets = hedgeTargets(g, first, filled);
    const window =
      g.entry.kind === "maker_first" && g.fillTimeoutMs > g.entry.makerTimeoutMs
        ? g.fillTimeoutMs - g.entry.makerTimeoutMs
        : g.fillTimeoutMs;
    const deadline = clock.now() + window;
    await Promise.all(
      g.legs
        .filter((l) => l !== first)
        .map(async (leg) => {
          const lots = targets.get(leg.index)!;
          if (lots > 0) return this.enterLeg(g, leg, deadline, false, lots);
          leg.failure = {
            reason: "not_filled",
            detail: `leg ${first.index} filled ${filled} lots, under half a lot of ${leg.inst.key}: no hedge to send`,
          };
        }),
    );
  }

  private async enterLeg(
    g: GroupState,
    leg: LegState,
    deadline: number,
    maker: boolean,
    targetLots: number,
  ): Promise<void> {
    const { clock, venues } = this.core;
    const venue = venues.get(leg.spec.venue)!;
    const book = venue.book(leg.spec.symbol);
    if (maker && g.entry.kind === "maker_first") {
      const price = makerPriceTicks(book, leg.spec.side);
      if (price !== undefined) {
        const o = await this.send(g, leg, "entry", leg.spec.side, targetLots, price, "post_only", false);
        if (o === undefined) return;
        await this.settle(o, Math.min(clock.now() + g.entry.makerTimeoutMs, deadline), deadline);
        if (!o.tracked.terminal) {
          leg.failure = {
            reason: "venue_unavailable",
            detail: `post-only ${o.tracked.clientOrderId} unresolved`,
          };
          return;
        }
      }
    }
    // IOCs for what is still unfilled, each re-priced at the touch, within the fill timeout
    const attempts = Math.max(1, Math.floor(g.entry.iocAttempts ?? 1));
    for (let attempt = 0; attempt < attempts; attempt++) {
      const remaining = targetLots - entryFilledLots(leg);
      if (remaining <= 0 || clock.now() >= deadline) {
        if (remaining > 0 && entryFilledLots(leg) === 0)
          leg.failure = { reason: "not_filled", detail: "fill timeout before the IOC" };
        return;
      }
      const price = protectionPriceTicks(leg.inst, book, leg.spec.side, g.entry.maxSlippageBps);
      if (price === undefined) {
        if (entryFilledLots(leg) > 0) return;
        leg.failure = {
          reason: "not_filled",
          detail: `${leg.inst.key}: no ${leg.spec.side === "buy" ? "ask" : "bid"} in the book`,
        };
        return;
      }
      const o = await this.send(g, leg, "entry", leg.spec.side, remaining, price, "ioc", false);
      if (o === undefined) return;
      await this.settle(o, deadline, deadline);
      if (!o.tracked.terminal) {
        leg.failure = { reason: "venue_unavailable", detail: `${o.tracked.clientOrderId} unresolved` };
        return;
      }
      // a rejected order is not retried (the venue said no); an expired remainder is
      const rejected = o.tracked.status === "rejected";
      if (entryFilledLots(leg) === 0 && (rejected || attempt === attempts - 1)) leg.failure = failureOf(o);
      if (rejected) return;
    }
  }

  /** Place one order of a leg; a refusal is recorded on the leg and returns undefined. */
  async send(
    g: GroupState,
    leg: LegState,
    purpose: OrderPurpose,
    side: "buy" | "sell",
    sizeLots: number,
    priceTicks: number,
    tif: "ioc" | "post_only" | "gtc",
    reduceOnly: boolean,
  ): Promise<EngineOrder | undefined> {
    const r = await this.core.gateway.place({
      venue: leg.spec.venue,
      account: leg.spec.account,
      symbol: leg.spec.symbol,
      side,
      sizeLots,
      priceTicks,
      tif,
      reduceOnly,
      purpose,
      groupId: g.id,
      legIndex: leg.index,
      intentId: `${g.id}:${purpose}`,
      strategy: g.strategy,
      // the entry's own emulation window; unwinds, trims and closes take the engine's
      ...(purpose === "entry" && g.entry.iocEmulationMs !== undefined
        ? { iocEmulationMs: g.entry.iocEmulationMs }
        : {}),
    });
    if (!r.sent) {
      leg.failure = { reason: "risk_refused", detail: `${r.reason}: ${r.detail}` };
      return undefined;
    }
    leg.orders.push(r.order);
    return r.order;
  }

  /**
   * Wait for the order to finish until `waitUntil`; then cancel what still rests and ask the
   * venue about anything unknown, until `deadline`. Never resends: that is the caller's call,
   * and only after a definite end.
   */
  async settle(o: EngineOrder, waitUntil: number, deadline: number): Promise<void> {
    const { gateway, clock } = this.core;
    o.watchers++;
    try {
      await gateway.waitTerminal(o, waitUntil);
      if (o.tracked.terminal) return;
      if (!gateway.needsAnswer(o)) {
        await gateway.cancel(o);
        await gateway.waitTerminal(o, Math.max(deadline, clock.now() + 1));
      }
      if (!o.tracked.terminal) await gateway.resolve(o, Math.max(deadline, clock.now()));
    } finally {
      o.watchers--;
    }
  }

  /**
   * The all-or-nothing verdict once every entry has ended: open (trimmed to within one lot if
   * hedged), or unwound. `flattenAttempts` bounds how long an unwind is tried before returning
   * with the group still `unwinding` (the reconciler carries on).
   */
  async finishOpen(g: GroupState, flattenAttempts: number): Promise<OpenOutcome> {
    const { clock, settings } = this.core;
    const unresolved = g.legs.some((l) => l.orders.some((o) => !o.tracked.terminal));
    const allFilled = g.legs.every((l) => entryFilledLots(l) > 0);
    if (!unresolved && allFilled) {
      if (g.hedged && !(await this.trim(g))) {
        return this.failOpen(
          g,
          "imbalance_unresolved",
          "partial fills left an imbalance beyond one lot",
          flattenAttempts,
        );
      }
      g.failureReason = null;
      // Returned once queued; the journal commits it by the end of this event-loop turn, or
      // sooner with whatever the caller queues next (a close's "closing" shares its commit).
      // Nothing that can reach a venue overtakes it: every send first waits for all queued
      // writes. A crash before it commits leaves the group "opening" with filled legs, which
      // recovery's finishOpen turns into this same "open".
      this.setStatus(g, "opened", { detail: "" });
      return { ok: true, groupId: g.id, legs: g.legs.map(legSummary) };
    }
    const failure = pickFailure(g.legs, unresolved);
    if (settings.cooldownAfterFailureMs > 0)
      for (const l of g.legs)
        this.core.risk.coolDown(l.inst.key, clock.now() + settings.cooldownAfterFailureMs);
    return this.failOpen(g, failure.reason, failure.detail, flattenAttempts);
  }

  private async failOpen(
    g: GroupState,
    reason: OpenFailureReason,
    detail: string,
    flattenAttempts: number,
  ): Promise<OpenOutcome> {
    g.failureReason = reason;
    const sent = g.legs.some((l) => l.orders.length > 0);
    const exposed = g.legs.some((l) => legHeldLots(l) > 0 || l.orders.some((o) => !o.tracked.terminal));
    if (!exposed) {
      this.setStatus(g, "failed_flat", { detail });
      await this.core.journal.sync();
      return { ok: false, groupId: g.id, reason, detail, status: "failed", sent };
    }
    this.setStatus(g, "failed_exposed", { detail });
    this.alert("warning", `engine.unwinding:${g.id}`, "group unwinding", `${g.id}: ${reason}: ${detail}`, g);
    await this.core.journal.sync();
    const flat = await this.flatten(g, "unwind", flattenAttempts);
    if (flat) this.setStatus(g, "flat");
    await this.core.journal.sync();
    return { ok: false, groupId: g.id, reason, detail, status: g.status, sent };
  }

  /** Trim the heavy side of each hedged underlying until within one lot; false if it will not. */
  private async trim(g: GroupState): Promise<boolean> {
    const deadlineSpan = Math.max(g.fillTimeoutMs, 1_000);
    for (let attempt = 0; attempt < this.core.settings.trimMaxAttempts; attempt++) {
      const trims = trimsToBalance(hedgeLegs(g));
      if (trims.length === 0) return true;
      const deadline = this.core.clock.now() + deadlineSpan;
      await Promise.all(
        trims.map(async (t) => {
          const leg = g.legs[t.legIndex];
          const o = await this.reduce(g, leg, "trim", t.lots);
          if (o !== undefined) await this.settle(o, deadline, deadline);
        }),
      );
      if (g.legs.some((l) => l.orders.some((o) => !o.tracked.terminal))) return false;
    }
    return isBalanced(hedgeLegs(g));
  }

  /**
   * The protection of a reduce-only IOC beyond the touch: the strategy's close pricing while it
   * closes (escalated, with one alert, once the close has run `escalateAfterMs`), else the
   * engine's `close_slippage_bps` (unwinds, trims, a close without pricing).
   */
  private closeSlippageBps(g: GroupState, purpose: OrderPurpose): number {
    const p = g.closePricing;
    if (p === undefined || purpose === "trim") return this.core.settings.closeSlippageBps;
    const since = g.closeRequestedAt ?? this.core.clock.now();
    if (
      p.escalateAfterMs !== undefined &&
      p.escalatedSlippageBps !== undefined &&
      this.core.clock.now() - since >= p.escalateAfterMs
    ) {
      if (g.closeEscalated !== true) {
        g.closeEscalated = true;
        this.alert(
          "warning",
          `engine.close_escalated:${g.id}`,
          "close not flat: priced wider",
          `${g.id}: not flat ${Math.round((this.core.clock.now() - since) / 1000)} s after the close was asked for; its IOCs now go ${p.escalatedSlippageBps} bps beyond the touch (were ${p.slippageBps})`,
          g,
        );
      }
      return p.escalatedSlippageBps;
    }
    return p.slippageBps;
  }

  /** A reduce-only IOC taking `lots` off a leg, at the close protection price. */
  async reduce(
    g: GroupState,
    leg: LegState,
    purpose: OrderPurpose,
    lots: number,
  ): Promise<EngineOrder | undefined> {
    const side = oppositeSide(leg.spec.side);
    const book = this.core.venues.get(leg.spec.venue)!.book(leg.spec.symbol);
    const price = protectionPriceTicks(leg.inst, book, side, this.closeSlippageBps(g, purpose));
    if (price === undefined) {
      leg.failure = {
        reason: "not_filled",
        detail: `${leg.inst.key}: empty book, cannot price a reduce-only ${side}`,
      };
      return undefined;
    }
    return this.send(g, leg, purpose, side, lots, price, "ioc", true);
  }

  /**
   * Reduce-only IOCs on every leg until each is flat on the venue (group-flatten.ts). True when
   * every leg is flat.
   */
  flatten(g: GroupState, purpose: "unwind" | "close", maxAttempts: number): Promise<boolean> {
    return flattenGroup(this, this.core, g, purpose, maxAttempts);
  }

  alert(severity: AlertSeverity, key: string, title: string, message: string, g: GroupState): void {
    this.core.alerts.raise({
      severity,
      key,
      title,
      message,
      context: { group: g.id },
      ts: this.core.clock.now(),
    });
  }
}

/**
 * The lots each other leg of a sequential entry is sent for: its target, less what the hedge trim
 * would take off it were the first leg to hold `filled` and it its whole target (trimsToBalance
 * converts across lot sizes: base units = lots x the instrument's lot). The first leg itself is
 * never re-targeted; legs on another underlying keep their targets.
 */
function hedgeTargets(g: GroupState, first: LegState, filled: number): Map<number, number> {
  const legs = g.legs.map((l) => ({
    legIndex: l.index,
    inst: l.inst,
    side: l.spec.side,
    heldLots: l === first ? filled : l.spec.sizeLots,
  }));
  const out = new Map(g.legs.map((l) => [l.index, l.spec.sizeLots]));
  for (const t of trimsToBalance(legs))
    if (t.legIndex !== first.index) out.set(t.legIndex, out.get(t.legIndex)! - t.lots);
  return out;
}

/** Why an order that ended without a fill failed, for the open outcome. */
function failureOf(o: EngineOrder): LegFailure {
  const events = o.tracked.history.map((h) => h.event);
  const reason = o.lastReason ?? "";
  if (o.tracked.status === "rejected") {
    const lostSend = events.some((e) => e === "server_error" || e === "timeout" || e === "rate_limited");
    return lostSend
      ? {
          reason: "venue_unavailable",
          detail: `${o.tracked.clientOrderId}: venue unavailable, order never arrived`,
        }
      : { reason: "rejected", detail: `${o.inst.key}: rejected${reason ? ` (${reason})` : ""}` };
  }
  return {
    reason: "not_filled",
    detail: `${o.inst.key}: ${o.tracked.status} without a fill${reason ? ` (${reason})` : ""}`,
  };
}

const FAILURE_PRIORITY: readonly OpenFailureReason[] = [
  "risk_refused",
  "rejected",
  "venue_unavailable",
  "edge_decayed",
  "not_filled",
  "imbalance_unresolved",
];

function pickFailure(legs: readonly LegState[], unresolved: boolean): LegFailure {
  const sent = legs.some((l) => l.orders.length > 0);
  const failures = legs.flatMap((l) =>
    l.failure
      ? [{ ...l.failure, detail: `leg ${l.index}: ${l.failure.detail}` }]
      : // a sequential entry recovered between its legs: the hedge was never sent
        sent && l.orders.length === 0
        ? [
            {
              reason: "not_filled" as const,
              detail: `leg ${l.index}: never sent (the entry stopped before it)`,
            },
          ]
        : [],
  );
  if (unresolved && failures.length === 0)
    return { reason: "venue_unavailable", detail: "an entry order's outcome is still unknown" };
  failures.sort((a, b) => FAILURE_PRIORITY.indexOf(a.reason) - FAILURE_PRIORITY.indexOf(b.reason));
  if (failures.length === 0) return { reason: "not_filled", detail: "a leg did not fill" };
  return { reason: failures[0].reason, detail: failures.map((f) => f.detail).join("; ") };
}
