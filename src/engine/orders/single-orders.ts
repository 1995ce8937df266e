import type { Clock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { Venue } from "../../core/venue.ts";
import type { OrdersRepo } from "../../store/repos/orders.ts";
import { SINGLE_PURPOSE } from "../../store/repos/orders.ts";
import type { AlertBus } from "../alerts.ts";
import type { EngineSettings } from "../config.ts";
import type { RiskGate } from "../risk/risk-gate.ts";
import { COMPACT_32, clientOrderId } from "./client-order-id.ts";
import type { OrderGateway } from "./order-gateway.ts";
import { type EngineOrder, effectiveFilled, posKey } from "./order-records.ts";
import type { OrderEvent } from "./order-state.ts";
import { checkIntent, unsupported } from "./single-order-checks.ts";
import type {
  AmendOutcome,
  AmendRequest,
  CancelOutcome,
  OrderFilter,
  OrderIntent,
  OrderRefusal,
  OrderUpdate,
  OrderView,
  PlaceOutcome,
} from "./single-order-types.ts";

type AmendRefusal = Extract<AmendOutcome, { ok: false }>["reason"];

export interface SingleOrdersHost {
  readonly clock: Clock;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly gateway: OrderGateway;
  readonly risk: RiskGate;
  readonly settings: EngineSettings;
  readonly alerts: AlertBus;
  readonly orders: Pick<OrdersRepo, "exists" | "singleHoldings">;
  /** new intents are accepted (started and not stopping) */
  accepting(): boolean;
  /** the order's account becomes managed (reconciled, summed by the kill switch) */
  addAccount(venue: string, account: string): void;
}

/** The intent id a single order journals: JSON, so no strategy name can imitate another's intent. */
export function singleIntentId(strategy: string, intentId: string): string {
  return JSON.stringify(["single", strategy, intentId]);
}

/**
 * Single-order intents: place, cancel and amend one order, each risk-gated and journaled
 * write-ahead through the OrderGateway exactly like a group's legs; the engine's orders as
 * views; and the order-update listeners. Also the lots single orders hold per (venue, account,
 * symbol), which the reconciler counts as owned so a strategy's position is never an orphan.
 */
export class SingleOrders {
  private readonly host: SingleOrdersHost;
  private readonly listeners = new Set<(u: OrderUpdate) => void>();
  /** signed lots filled by single orders, per posKey */
  readonly holdings = new Map<string, number>();

  constructor(host: SingleOrdersHost) {
    this.host = host;
  }

  /** What single orders hold, from the store (at start, before any venue event is heard). */
  async load(): Promise<void> {
    this.holdings.clear();
    for (const h of await this.host.orders.singleHoldings()) {
      this.holdings.set(posKey(h.venue, h.account, h.symbol), h.lots);
      this.host.addAccount(h.venue, h.account);
    }
  }

  async place(intent: OrderIntent): Promise<PlaceOutcome> {
    const { gateway, risk, venues } = this.host;
    const valid = typeof intent?.strategy === "string" && typeof intent.intentId === "string";
    const cloid =
      valid && intent.strategy !== "" && intent.intentId !== ""
        ? clientOrderId(
            { intentId: singleIntentId(intent.strategy, intent.intentId), leg: 0, attempt: 0 },
            // an unknown venue is refused by checkIntent below; its id format does not matter then
            venues.get(intent.venue)?.capabilities.clientOrderId ?? COMPACT_32,
          )
        : "";
    const refuse = (reason: OrderRefusal, detail: string): PlaceOutcome => ({
      ok: false,
      clientOrderId: cloid,
      reason,
      detail,
    });
    const problem =
      cloid === "" ? "intent: strategy and intentId must be non-empty strings" : checkIntent(intent, venues);
    if (problem !== undefined) return refuse("invalid", problem);
    // the same intent is the same order: never a second one
    const known = gateway.get(cloid);
    if (known !== undefined) return { ok: true, clientOrderId: cloid, status: known.tracked.status };
    if (await this.host.orders.exists(cloid))
      return refuse(
        "invalid",
        `intent ${intent.intentId} of ${intent.strategy} was already placed (order ${cloid}) and has ended`,
      );
    if (risk.state === "HALTED") return refuse("halted", "trading is HALTED");
    if (!this.host.accepting())
      return refuse("halted", "engine is not accepting intents (not started or stopping)");
    const venue = venues.get(intent.venue)!;
    const missing = unsupported(venue, intent);
    if (missing !== undefined) return refuse("unsupported", `${intent.venue} does not support ${missing}`);
    this.host.addAccount(intent.venue, intent.account);
    const r = await gateway.place({
      venue: intent.venue,
      account: intent.account,
      symbol: intent.symbol,
      side: intent.side,
      sizeLots: intent.sizeLots,
      priceTicks: intent.priceTicks,
      tif: intent.tif,
      reduceOnly: intent.reduceOnly,
      type: intent.type,
      purpose: "single",
      groupId: null,
      groupRef: intent.groupId ?? null,
      legIndex: 0,
      intentId: singleIntentId(intent.strategy, intent.intentId),
      strategy: intent.strategy,
      clientOrderId: cloid,
    });
    if (!r.sent) return refuse(risk.halted ? "halted" : "risk_refused", `${r.reason}: ${r.detail}`);
    const o = r.order;
    if (o.tracked.status === "rejected") return refuse("rejected", o.lastReason ?? "rejected by the venue");
    return { ok: true, clientOrderId: cloid, status: o.tracked.status };
  }

  async cancel(clientOrderId: string): Promise<CancelOutcome> {
    const { gateway, clock, settings } = this.host;
    const o = this.single(clientOrderId);
    if (typeof o === "string") return { ok: false, clientOrderId, reason: "invalid", detail: o };
    const outcome = (): CancelOutcome => {
      const status = o.tracked.status;
      if (status === "canceled" || status === "expired") return { ok: true, clientOrderId, status };
      if (status === "filled")
        return {
          ok: false,
          clientOrderId,
          reason: "lost",
          detail: "the order filled before the cancel took effect",
          status,
        };
      if (status === "rejected")
        return {
          ok: false,
          clientOrderId,
          reason: "invalid",
          detail: "the venue refused the order: nothing to cancel",
          status,
        };
      return {
        ok: false,
        clientOrderId,
        reason: "unresolved",
        detail: `the cancel's outcome is not known yet (${status})`,
        status,
      };
    };
    if (o.tracked.terminal) return outcome();
    const deadline = clock.now() + settings.sendExpiryMs;
    o.watchers++;
    try {
      await gateway.cancel(o);
      await gateway.waitTerminal(o, deadline);
      if (!o.tracked.terminal) await gateway.resolve(o, Math.max(deadline, clock.now()));
    } finally {
      o.watchers--;
    }
    return outcome();
  }

  async amend(clientOrderId: string, change: AmendRequest): Promise<AmendOutcome> {
    const { gateway, clock, settings, risk, venues } = this.host;
    const refuse = (reason: AmendRefusal, detail: string): AmendOutcome => ({
      ok: false,
      clientOrderId,
      reason,
      detail,
    });
    const o = this.single(clientOrderId);
    if (typeof o === "string") return refuse("invalid", o);
    const venue = venues.get(o.venue)!;
    if (!venue.capabilities.amend) return refuse("unsupported", `${o.venue} does not support amend`);
    const r = o.tracked.request;
    const status = o.tracked.status;
    if (status === "filled") return { ...refuse("lost", "the order filled before the amend"), status };
    if (status !== "open" && status !== "partially_filled")
      return {
        ...refuse("invalid", `order ${clientOrderId} is ${status}: only a resting order can be amended`),
        status,
      };
    const priceTicks = change?.priceTicks ?? r.priceTicks;
    const sizeLots = change?.sizeLots ?? r.sizeLots;
    if (!Number.isSafeInteger(priceTicks) || priceTicks <= 0)
      return refuse(
        "invalid",
        `amend of ${clientOrderId}: priceTicks ${priceTicks} must be a positive integer`,
      );
    if (!Number.isSafeInteger(sizeLots) || sizeLots <= o.tracked.filledLots)
      return refuse(
        "invalid",
        `amend of ${clientOrderId}: sizeLots ${sizeLots} must be an integer above the ${o.tracked.filledLots} lots filled`,
      );
    if (priceTicks === r.priceTicks && sizeLots === r.sizeLots)
      return { ok: true, clientOrderId, status, priceTicks, sizeLots };
    if (risk.state === "HALTED") return refuse("halted", "trading is HALTED");
    if (!this.host.accepting())
      return refuse("halted", "engine is not accepting intents (not started or stopping)");
    const verdict = this.gateAmend(o, venue, priceTicks, sizeLots);
    if (verdict !== undefined) return refuse("risk_refused", verdict);
    o.watchers++;
    try {
      await gateway.amend(o, { priceTicks, sizeLots });
      if (gateway.needsAnswer(o)) await gateway.resolve(o, clock.now() + settings.sendExpiryMs);
    } finally {
      o.watchers--;
    }
    const now = o.tracked.request;
    const after = o.tracked.status;
    const last = o.tracked.history.at(-1)?.event;
    if (
      (after === "open" || after === "partially_filled") &&
      now.priceTicks === priceTicks &&
      now.sizeLots === sizeLots
    )
      return { ok: true, clientOrderId, status: after, priceTicks, sizeLots };
    if (last === "replace_rejected" || last === "replace_rejected_partial")
      return { ...refuse("rejected", o.lastReason ?? "amend refused by the venue"), status: after };
    if (o.tracked.terminal)
      return { ...refuse("lost", `the order is ${after}: it ended before the amend`), status: after };
    return { ...refuse("unresolved", `the amend's outcome is not known yet (${after})`), status: after };
  }

  /** The engine's orders in memory: every working one, and finished ones until they are forgotten. */
  orders(filter: OrderFilter = {}): OrderView[] {
    const out: OrderView[] = [];
    for (const o of this.host.gateway.all()) {
      const r = o.tracked.request;
      if (filter.openOnly && o.tracked.terminal) continue;
      if (filter.strategy !== undefined && o.strategy !== filter.strategy) continue;
      if (filter.venue !== undefined && o.venue !== filter.venue) continue;
      if (filter.account !== undefined && r.account !== filter.account) continue;
      out.push(viewOf(o));
    }
    return out.sort((a, b) => a.updatedAt - b.updatedAt);
  }

  onUpdate(listener: (u: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The gateway's hook: every applied event of every engine order. */
  orderEvent(o: EngineOrder, event: OrderEvent): void {
    if (event.kind === "fill" && o.purpose === SINGLE_PURPOSE) {
      const key = posKey(o.venue, event.fill.account, event.fill.symbol);
      const lots = event.fill.side === "buy" ? event.fill.sizeLots : -event.fill.sizeLots;
      this.holdings.set(key, (this.holdings.get(key) ?? 0) + lots);
    }
    if (this.listeners.size === 0) return;
    const update: OrderUpdate =
      event.kind === "fill"
        ? { order: viewOf(o), event: event.kind, fill: event.fill }
        : { order: viewOf(o), event: event.kind };
    for (const l of this.listeners) {
      try {
        l(update);
      } catch (err) {
        this.host.alerts.raise({
          severity: "warning",
          key: `engine.order_listener_failed:${o.tracked.clientOrderId}`,
          title: "an order-update listener failed",
          message: `${o.venue} ${o.tracked.clientOrderId} ${event.kind}: ${(err as Error).message}`,
          context: { venue: o.venue },
          ts: this.host.clock.now(),
        });
      }
    }
  }

  /** The single order with this id, or why there is none to act on. */
  private single(clientOrderId: string): EngineOrder | string {
    const o = this.host.gateway.get(clientOrderId);
    if (o === undefined)
      return `no order ${clientOrderId} in this engine (unknown, or finished and forgotten)`;
    if (o.purpose !== SINGLE_PURPOSE)
      return `order ${clientOrderId} is a ${o.purpose} order of group ${o.groupId ?? "-"}: the group's procedures own it`;
    return o;
  }

  /** The risk gate on the amended remainder, with this order's own working lots taken out. */
  private gateAmend(o: EngineOrder, venue: Venue, priceTicks: number, sizeLots: number): string | undefined {
    const r = o.tracked.request;
    if (r.reduceOnly) return undefined;
    const { gateway, risk, clock } = this.host;
    const inst: Instrument = o.inst;
    const exp = gateway.exposure(posKey(o.venue, r.account, r.symbol));
    const mine = o.tracked.workingLots;
    const verdict = risk.check(
      {
        inst,
        book: venue.book(r.symbol),
        side: r.side,
        sizeLots: sizeLots - o.tracked.filledLots,
        priceTicks,
        reduceOnly: false,
        strategy: o.strategy,
      },
      {
        positionLots: exp.positionLots,
        workingBuyLots: exp.workingBuyLots - (r.side === "buy" ? mine : 0),
        workingSellLots: exp.workingSellLots - (r.side === "sell" ? mine : 0),
      },
      clock.now(),
    );
    return verdict.ok ? undefined : `${verdict.reason}: ${verdict.detail}`;
  }
}

function viewOf(o: EngineOrder): OrderView {
  const r = o.tracked.request;
  return {
    clientOrderId: r.clientOrderId,
    strategy: o.strategy,
    venue: o.venue,
    account: r.account,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    tif: r.tif,
    reduceOnly: r.reduceOnly,
    priceTicks: r.priceTicks,
    sizeLots: r.sizeLots,
    filledLots: effectiveFilled(o),
    status: o.tracked.status,
    purpose: o.purpose,
    groupId: o.groupId ?? o.groupRef,
    venueOrderId: o.tracked.venueOrderId ?? null,
    avgFillPriceTicks: o.tracked.avgFillPriceTicks ?? null,
    reason: o.lastReason ?? null,
    updatedAt: o.updatedAt,
  };
}
