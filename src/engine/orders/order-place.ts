import type { Clock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { OrderRequest } from "../../core/types.ts";
import { type Venue, VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { Journal } from "../journal/journal.ts";
import type { RateLimiter } from "../risk/rate-limiter.ts";
import type { RiskGate } from "../risk/risk-gate.ts";
import { clientOrderId } from "./client-order-id.ts";
import { type EngineOrder, type PlaceResult, type PlaceSpec, posKey } from "./order-records.ts";
import type { OrderEvent } from "./order-state.ts";
import { TrackedOrder, unknownOutcomeEvent } from "./order-tracker.ts";

/** What placing an order needs of the OrderGateway (declared here so the two files do not import each other). */
export interface PlaceHost {
  readonly clock: Clock;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly journal: Journal;
  readonly risk: RiskGate;
  readonly limits: RateLimiter;
  readonly settings: { readonly iocEmulationMs: number };
  exposure(key: string): { positionLots: number; workingBuyLots: number; workingSellLots: number };
  /** the attempt number after the highest one of this (intent, leg) */
  nextAttempt(intentId: string, legIndex: number): number;
  register(o: EngineOrder): void;
  apply(o: EngineOrder, event: OrderEvent): void;
  notify(o: EngineOrder): void;
  /** cancel the order at `at` if it is still working then (an emulated IOC's end) */
  cancelAt(o: EngineOrder, at: number): void;
}

/**
 * Risk-check, journal (durably) and send one order. The attempt number moves on from the
 * highest one of this (intent, leg): a new attempt is only ever made after the previous one
 * ended definitely, which the caller guarantees by resolving it first.
 */
function priceRuleText(inst: Instrument): string {
  const r = inst.priceRule;
  return r.kind === "significant_figures"
    ? `at most ${r.figures} significant figures and ${r.maxDecimals} decimals`
    : `a multiple of ${inst.spec.tickSize}`;
}

export async function placeOrder(gw: PlaceHost, spec: PlaceSpec): Promise<PlaceResult> {
  const venue = gw.venues.get(spec.venue);
  if (venue === undefined)
    return { sent: false, reason: "invalid_order", detail: `unknown venue ${spec.venue}` };
  // IOC is a capability, emulated where absent (STRATEGIES.md 2.3): a GTC limit at the IOC's
  // price, cancelled once its window has passed; what it filled by then is the IOC's fill
  const emulateIoc = emulatesIoc(venue, spec);
  const unsupported = emulateIoc ? undefined : unsupportedBy(venue, spec);
  if (unsupported !== undefined) return { sent: false, reason: "unsupported", detail: unsupported };
  const inst = venue.instrument(spec.symbol);
  if (!inst.isAllowedPrice(spec.priceTicks))
    return {
      sent: false,
      reason: "invalid_order",
      detail: `wallet ${spec.account}, ${spec.symbol}, field priceTicks: ${spec.priceTicks} ticks (${inst.priceValue(spec.priceTicks)}) breaks the ${inst.key} price rule (${priceRuleText(inst)}): nothing was sent`,
    };
  const key = posKey(spec.venue, spec.account, spec.symbol);
  const riskCheck = () =>
    gw.risk.check({ ...spec, inst, book: venue.book(spec.symbol) }, gw.exposure(key), gw.clock.now());
  let verdict = riskCheck();
  if (!verdict.ok) return { sent: false, reason: verdict.reason, detail: verdict.detail };
  const waitMs = gw.limits.reserve(spec.venue, spec.account, "submit");
  if (waitMs > 0) {
    // the book and the exposure may have moved while the order waited for its rate budget
    await gw.clock.sleep(waitMs);
    verdict = riskCheck();
    if (!verdict.ok) return { sent: false, reason: verdict.reason, detail: verdict.detail };
  }
  const attempt = spec.clientOrderId === undefined ? gw.nextAttempt(spec.intentId, spec.legIndex) : 0;
  const cloid =
    spec.clientOrderId ??
    clientOrderId({ intentId: spec.intentId, leg: spec.legIndex, attempt }, venue.capabilities.clientOrderId);
  const now = gw.clock.now();
  const request: OrderRequest = {
    clientOrderId: cloid,
    account: spec.account,
    symbol: spec.symbol,
    side: spec.side,
    type: spec.type ?? "limit",
    priceTicks: spec.priceTicks,
    sizeLots: spec.sizeLots,
    tif: emulateIoc ? "gtc" : spec.tif,
    reduceOnly: spec.reduceOnly,
  };
  const o: EngineOrder = {
    tracked: new TrackedOrder(request),
    venue: spec.venue,
    inst,
    groupId: spec.groupId,
    legIndex: spec.legIndex,
    intentId: spec.intentId,
    attempt,
    purpose: spec.purpose,
    strategy: spec.strategy,
    groupRef: spec.groupRef ?? null,
    createdAt: now,
    sentAt: now,
    updatedAt: now,
    realisedPnl: 0n,
    awaitingAnswer: true,
    watchers: 0,
    lastReason: undefined,
  };
  gw.register(o);
  gw.journal.order(o);
  gw.apply(o, { kind: "submit_sent", ts: now });
  // write-ahead: the order and its submit_sent are durable before the request leaves
  await gw.journal.sync();
  try {
    const { venueOrderId } = await venue.submit(request);
    gw.apply(o, { kind: "ack", ts: gw.clock.now(), venueOrderId });
  } catch (err) {
    if (err instanceof VenueRejectError)
      gw.apply(o, { kind: "reject", ts: gw.clock.now(), reason: err.reason });
    else if (err instanceof VenueUnknownOutcomeError) gw.apply(o, unknownOutcomeEvent(err, gw.clock.now()));
    else gw.apply(o, { kind: "server_error", ts: gw.clock.now(), detail: String(err) });
  } finally {
    o.awaitingAnswer = false;
    gw.notify(o);
  }
  if (emulateIoc && !o.tracked.terminal)
    gw.cancelAt(o, o.sentAt + (spec.iocEmulationMs ?? gw.settings.iocEmulationMs));
  return { sent: true, order: o };
}

/**
 * Whether an IOC goes as a GTC limit that the engine cancels: the venue has no IOC but rests
 * limits. A market order is the venue's own; a strategy's single order is not emulated (after a
 * restart nothing would know its GTC was meant to end, and the reconciler leaves singles alone).
 */
function emulatesIoc(venue: Venue, spec: PlaceSpec): boolean {
  const caps = venue.capabilities;
  return (
    spec.tif === "ioc" &&
    !caps.ioc &&
    (spec.type ?? "limit") === "limit" &&
    spec.purpose !== "single" &&
    caps.timeInForce.includes("gtc") &&
    (!spec.reduceOnly || caps.reduceOnly)
  );
}

/** Why the venue cannot take this order as asked (its capabilities), or undefined when it can. */
function unsupportedBy(venue: Venue, spec: PlaceSpec): string | undefined {
  const caps = venue.capabilities;
  if (spec.tif === "post_only" && !caps.postOnly) return `${venue.id} does not support post-only orders`;
  if (spec.tif === "ioc" && !caps.ioc)
    return `${venue.id} does not support IOC orders${caps.timeInForce.includes("gtc") ? "" : ", nor GTC limits to emulate them with"}`;
  if (spec.reduceOnly && !caps.reduceOnly) return `${venue.id} does not support reduce-only orders`;
  if (!caps.timeInForce.includes(spec.tif))
    return `${venue.id} does not support time in force "${spec.tif}" (it offers ${caps.timeInForce.join(", ")})`;
  return undefined;
}
