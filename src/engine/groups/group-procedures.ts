import type { Store } from "../../store/store.ts";
import { posKey } from "../orders/order-gateway.ts";
import { makerPriceTicks, protectionPriceTicks } from "../orders/pricing.ts";
import type { EngineCore, GroupOps } from "./group-ops.ts";
import { groupTransition } from "./group-state.ts";
import type {
  CloseOutcome,
  ClosePricing,
  CloseReason,
  GroupFilter,
  GroupRecord,
  GroupState,
  LegSpec,
  OpenGroupOptions,
  OpenOutcome,
} from "./group-types.ts";
import { encodeEntry, isActive, legHeldLots, legSummary } from "./group-types.ts";

/**
 * The engine's two group procedures, open (all or nothing) and close, outside the Engine class:
 * validation, the gate's verdict on every leg, the write-ahead journaling of the group, and the
 * hand-over to GroupOps under the group's lock. See docs/engine.md, "Open" and "Close".
 */
export interface ProcedureHost extends EngineCore {
  readonly store: Store;
  readonly ops: GroupOps;
  /** new intents are accepted (started and not stopping) */
  accepting(): boolean;
  started(): boolean;
  /** registers a new group in memory (and its accounts as managed) */
  addGroup(g: GroupState): void;
  withGroup<T>(g: GroupState, fn: () => Promise<T>): Promise<T>;
  /** persisted groups (for a group no longer in memory) */
  records(filter: GroupFilter): Promise<GroupRecord[]>;
}

export async function openGroupProcedure(
  host: ProcedureHost,
  legs: LegSpec[],
  options: OpenGroupOptions,
): Promise<OpenOutcome> {
  const { groupId } = options;
  const refuse = (detail: string): OpenOutcome => ({
    ok: false,
    groupId,
    reason: "risk_refused",
    detail,
    status: "failed",
    sent: false,
  });
  if (!host.accepting())
    return refuse(host.started() ? "engine is stopping: no new intents" : "engine not started");
  if (host.groups.has(groupId) || (await host.store.journal.groupExists(groupId)))
    return {
      ok: false,
      groupId,
      reason: "rejected",
      detail: `group id ${groupId} already used`,
      status: "failed",
      sent: false,
    };
  const problem = validateLegs(host, legs, options) ?? keyConflict(host, legs, options);
  if (problem !== undefined)
    return { ok: false, groupId, reason: "rejected", detail: problem, status: "failed", sent: false };
  const now = host.clock.now();
  const g: GroupState = {
    id: groupId,
    strategy: options.strategy,
    status: "opening",
    entry: options.entry,
    fillTimeoutMs: options.fillTimeoutMs,
    hedged: options.hedged ?? true,
    ...(options.sequence === undefined ? {} : { sequence: options.sequence }),
    meta: options.meta ?? null,
    closeReason: null,
    failureReason: null,
    detail: null,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    legs: legs.map((spec, index) => ({
      index,
      spec,
      inst: host.venues.get(spec.venue)!.instrument(spec.symbol),
      orders: [],
      externalLots: 0,
      externalReason: null,
    })),
    busy: false,
    chain: Promise.resolve(),
  };
  // all or nothing at the gate too: every leg is checked before any is sent
  const refusal = precheck(host, g);
  host.addGroup(g);
  const journalGroup = () =>
    host.journal.insertGroup(
      {
        groupId,
        strategy: g.strategy,
        status: refusal === undefined ? "opening" : "failed",
        entry: encodeEntry(g.entry, g.sequence),
        fillTimeoutMs: g.fillTimeoutMs,
        hedged: g.hedged,
        meta: g.meta === null ? null : JSON.stringify(g.meta),
        closeReason: null,
        failureReason: refusal === undefined ? null : "risk_refused",
        detail: refusal ?? null,
        createdAt: now,
        updatedAt: now,
        closedAt: refusal === undefined ? null : now,
      },
      g.legs.map((l) => ({
        groupId,
        legIndex: l.index,
        venue: l.spec.venue,
        account: l.spec.account,
        symbol: l.spec.symbol,
        side: l.spec.side,
        targetLots: l.spec.sizeLots,
        externalLots: 0,
        externalReason: null,
      })),
    );
  if (refusal !== undefined) {
    journalGroup();
    g.status = groupTransition(g.status, "failed_flat", g.id).to;
    g.failureReason = "risk_refused";
    g.detail = refusal;
    g.closedAt = now;
    await host.journal.sync();
    return { ok: false, groupId, reason: "risk_refused", detail: refusal, status: "failed", sent: false };
  }
  // the entry lock: a position these legs leave before their outcome is known is not an orphan
  host.orphanGuard.noteEntry(
    legs.map((l) => posKey(l.venue, l.account, l.symbol)),
    now,
  );
  return host.withGroup(g, async () => {
    // queued in the same turn as the entries' order rows: group, legs and orders are one commit,
    // and every one of them is durable before any entry is sent (place() syncs)
    journalGroup();
    await host.ops.enter(g);
    return host.ops.finishOpen(g, host.settings.closeMaxAttempts);
  });
}

export async function closeGroupProcedure(
  host: ProcedureHost,
  groupId: string,
  reason: CloseReason,
  detail?: string,
  pricing?: ClosePricing,
): Promise<CloseOutcome> {
  const g = host.groups.get(groupId);
  if (g === undefined) {
    const rec = (await host.records({ groupIds: [groupId] }))[0];
    if (rec !== undefined && !isActive(rec.status))
      return { ok: true, groupId, legs: rec.legs.map((l) => ({ ...l })) };
    return { ok: false, groupId, reason: "legs_not_flat", detail: `unknown group ${groupId}` };
  }
  return host.withGroup(g, async () => {
    if (!isActive(g.status)) return { ok: true as const, groupId, legs: g.legs.map(legSummary) };
    // the first close decides the reason, and its words go with it (a later close adds nothing)
    const first = g.closeReason === null;
    if (pricing !== undefined) g.closePricing = pricing;
    g.closeRequestedAt ??= host.clock.now();
    g.closeReason ??= reason;
    // an unwinding group stays unwinding (and ends failed): the group table says so
    host.ops.setStatus(g, "close_requested", first && detail ? { detail } : {});
    const unwinding = g.status === "unwinding";
    await host.journal.sync();
    const flat = await host.ops.flatten(g, unwinding ? "unwind" : "close", host.settings.closeMaxAttempts);
    if (flat) host.ops.setStatus(g, "flat");
    await host.journal.sync();
    if (flat) return { ok: true as const, groupId, legs: g.legs.map(legSummary) };
    const held = g.legs
      .filter((l) => legHeldLots(l) > 0)
      .map((l) => `leg ${l.index}: ${legHeldLots(l)} lots`);
    return {
      ok: false as const,
      groupId,
      reason: "legs_not_flat" as const,
      detail: `${g.status}: ${held.join(", ") || "orders unresolved"}`,
    };
  });
}

function validateLegs(
  host: ProcedureHost,
  legs: readonly LegSpec[],
  o: OpenGroupOptions,
): string | undefined {
  if (legs.length === 0) return "a group needs at least one leg";
  if (!(o.fillTimeoutMs > 0)) return `fillTimeoutMs ${o.fillTimeoutMs} must be > 0`;
  const em = o.entry.iocEmulationMs;
  if (em !== undefined && !(Number.isFinite(em) && em > 0))
    return `entry.iocEmulationMs ${em} must be a finite number > 0`;
  const seq = o.sequence;
  if (seq !== undefined) {
    if (legs.length < 2) return "sequence: a sequential entry needs at least two legs";
    if (!Number.isSafeInteger(seq.first) || seq.first < 0 || seq.first >= legs.length)
      return `sequence.first ${seq.first} must be a leg index from 0 to ${legs.length - 1}`;
  }
  for (const [i, l] of legs.entries()) {
    // what was wrong and where: the leg, its wallet, its symbol and the field
    const where = (field: string) => `leg ${i} (wallet ${l.account}, ${l.symbol}, field ${field})`;
    const venue = host.venues.get(l.venue);
    if (venue === undefined) return `${where("venue")}: unknown venue ${l.venue}`;
    try {
      venue.instrument(l.symbol);
    } catch (e) {
      return `${where("symbol")}: ${(e as Error).message}`;
    }
    if (!Number.isSafeInteger(l.sizeLots) || l.sizeLots <= 0)
      return `${where("sizeLots")}: size ${l.sizeLots} lots must be a positive integer`;
    if (l.side !== "buy" && l.side !== "sell") return `leg ${i}: side ${String(l.side)}`;
  }
  return undefined;
}

/**
 * One active group per (venue, account, instrument): a venue nets an account's positions in an
 * instrument, so two groups on one key could neither be told apart on the venue nor closed
 * with reduce-only orders (a long and a short of two groups net to zero there). The exception
 * is a group that `extends` an open group of its strategy (a scale-up): it may share keys with
 * that strategy's active groups on the same side, since all of them hold one direction, so each
 * closes reduce-only without crossing zero, and the reconciler already sums what the groups on a
 * key hold.
 */
function keyConflict(host: ProcedureHost, legs: readonly LegSpec[], o: OpenGroupOptions): string | undefined {
  const mine = new Set<string>();
  for (const [i, l] of legs.entries()) {
    const key = `${l.venue}\u0000${l.account}\u0000${l.symbol}`;
    if (mine.has(key)) return `leg ${i}: ${l.venue} ${l.account} ${l.symbol} appears twice in the group`;
    mine.add(key);
  }
  const base = o.extends === undefined ? undefined : host.groups.get(o.extends);
  const extending = base !== undefined && base.strategy === o.strategy && base.status === "open";
  const side = new Map(legs.map((l) => [`${l.venue}\u0000${l.account}\u0000${l.symbol}`, l.side]));
  for (const g of host.groups.values()) {
    if (!isActive(g.status)) continue;
    for (const l of g.legs) {
      const k = `${l.spec.venue}\u0000${l.spec.account}\u0000${l.spec.symbol}`;
      if (!mine.has(k)) continue;
      const extension = extending && g.strategy === o.strategy;
      if (extension && side.get(k) === l.spec.side) continue;
      return `${l.spec.venue} ${l.spec.account} ${l.spec.symbol} is held by active group ${g.id}${
        extension ? " on the other side" : ""
      }`;
    }
  }
  return undefined;
}

/** The gate's verdict on every entry before any is sent; the reason of the first refusal. */
function precheck(host: ProcedureHost, g: GroupState): string | undefined {
  for (const leg of g.legs) {
    const venue = host.venues.get(leg.spec.venue)!;
    const book = venue.book(leg.spec.symbol);
    const price =
      g.entry.kind === "maker_first"
        ? (makerPriceTicks(book, leg.spec.side) ??
          protectionPriceTicks(leg.inst, book, leg.spec.side, g.entry.maxSlippageBps))
        : protectionPriceTicks(leg.inst, book, leg.spec.side, g.entry.maxSlippageBps);
    const verdict = host.risk.check(
      {
        inst: leg.inst,
        book,
        side: leg.spec.side,
        sizeLots: leg.spec.sizeLots,
        priceTicks: price ?? 1,
        reduceOnly: false,
        strategy: g.strategy,
      },
      host.gateway.exposure(`${leg.spec.venue}\u0000${leg.spec.account}\u0000${leg.spec.symbol}`),
      host.clock.now(),
    );
    if (!verdict.ok) return `leg ${leg.index}: ${verdict.reason}: ${verdict.detail}`;
    if (price === undefined) return `leg ${leg.index}: ${leg.inst.key} has no book to price against`;
    // a leg the venue would refuse for its size is known now: refuse the group before any leg goes
    const min = leg.inst.spec.minNotionalUsd;
    const size = leg.inst.sizeValue(leg.spec.sizeLots);
    const notional = size * leg.inst.priceValue(price);
    if (notional < min)
      return `leg ${leg.index} (wallet ${leg.spec.account}, ${leg.spec.symbol}, field sizeLots): ${size} at ${leg.inst.priceValue(price)} is $${notional.toFixed(2)}, below the venue's minimum of $${min}: no leg was sent`;
  }
  return undefined;
}
