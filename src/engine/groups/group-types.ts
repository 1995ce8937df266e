import type { Instrument } from "../../core/instrument.ts";
import type { Side } from "../../core/types.ts";
import { type EngineOrder, effectiveFilled } from "../orders/order-gateway.ts";
import type { HedgeLeg } from "../orders/pricing.ts";

/**
 * The executor's public vocabulary (re-exported by executor.ts) and the in-memory model of a
 * hedge group: its legs, each with every order the engine sent for it.
 */

export interface LegSpec {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly sizeLots: number;
}

/**
 * How a group's legs are entered. `iocAttempts` (default 1): IOCs each leg may send for what is
 * still unfilled, each re-priced at the touch, all within the group's fill timeout.
 * `iocEmulationMs` (default `engine.ioc_emulation_ms`): on a venue without IOC, how long an entry
 * IOC's stand-in (a GTC limit at the IOC's price) rests before it is cancelled.
 */
export type EntryStyle =
  | {
      readonly kind: "ioc";
      readonly maxSlippageBps: number;
      readonly iocAttempts?: number;
      readonly iocEmulationMs?: number;
    }
  | {
      readonly kind: "maker_first";
      readonly makerTimeoutMs: number;
      readonly maxSlippageBps: number;
      readonly iocAttempts?: number;
      readonly iocEmulationMs?: number;
    };

/**
 * A sequential entry (STRATEGIES.md 1.1 "Entry"): leg `first` is entered alone with the group's
 * entry style; once it is done, the other legs are sent, IOC only (the style's `iocAttempts`),
 * for what it filled converted to their own lots (the hedge trim's conversion, pricing.ts
 * trimsToBalance). `beforeHedge` is asked between the legs, with the first leg's fill; false (or a throw) unwinds the first
 * leg with the failure `edge_decayed`.
 */
export interface EntrySequence {
  readonly first: number;
  /** asked with the first leg's fill once it is done (not when it filled nothing) */
  readonly beforeHedge?: (first: LegFillSummary) => boolean | Promise<boolean>;
}

export interface OpenGroupOptions {
  readonly groupId: string;
  readonly strategy: string;
  readonly entry: EntryStyle;
  readonly fillTimeoutMs: number;
  readonly meta?: Record<string, unknown>;
  /**
   * Balance long against short per underlying after partial fills (default: true whenever an
   * underlying has legs on both sides; a one-sided group is never trimmed).
   */
  readonly hedged?: boolean;
  /**
   * An open group of the same strategy this one adds to (a scale-up): it may hold the same
   * (venue, account, instrument) keys, on the same side. Otherwise a key held by an active group
   * is refused.
   */
  readonly extends?: string;
  /** enter leg `sequence.first` alone first, then the others for its fill (absent: all at once) */
  readonly sequence?: EntrySequence;
}

export type CloseReason =
  | "time_limit"
  | "liquidation_guard"
  | "emergency"
  | "manual"
  | "kill_switch"
  | "shutdown"
  | "orphan"
  | "failed"
  /** a leg's position was liquidated on the venue; the rest of the group is closed */
  | "liquidated"
  /** a leg's position left the venue without an order of ours (closed by hand, another bot) */
  | "closed_externally"
  /** carry exits (STRATEGIES.md 1.1): no usable BBO on a leg for too many checks */
  | "stale_data"
  | "stop_loss"
  | "trailing_stop"
  | "take_profit"
  | "low_yield"
  /** the funding differential flipped (early, or after the minimum hold) */
  | "reversal"
  /** carry at its allocation cap: the worst position gave way to a better candidate */
  | "optimization"
  /** carry: one scale-up slice of a position closed (the yield or a cap no longer holds it) */
  | "scale_down";

export type OpenFailureReason =
  | "rejected"
  | "not_filled"
  | "risk_refused"
  | "venue_unavailable"
  | "imbalance_unresolved"
  /** a sequential entry's `beforeHedge` said the edge was gone after the first leg: unwound */
  | "edge_decayed"
  /** the instance runs dry (`dry_run`): the open was logged as "would place", nothing was sent */
  | "dry_run";

export type GroupStatus = "opening" | "open" | "unwinding" | "closing" | "closed" | "failed";

export interface LegFillSummary {
  readonly legIndex: number;
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly targetLots: number;
  /** lots the entry filled (before any trim) */
  readonly filledLots: number;
  /** average entry price (float: analytics), 0 when nothing filled */
  readonly avgPrice: number;
  /** fees of every order of the leg, USD (float) */
  readonly feesUsd: number;
}

export type OpenOutcome =
  | { readonly ok: true; readonly groupId: string; readonly legs: LegFillSummary[] }
  | {
      readonly ok: false;
      readonly groupId: string;
      readonly reason: OpenFailureReason;
      readonly detail: string;
      readonly status: GroupStatus;
      /**
       * whether any entry order of the group left the process: false for a refusal before the
       * first send (risk gate, validation, dry run), so the attempt cost nothing on any venue
       */
      readonly sent: boolean;
    };

export type CloseOutcome =
  | { readonly ok: true; readonly groupId: string; readonly legs: LegFillSummary[] }
  | {
      readonly ok: false;
      readonly groupId: string;
      readonly reason: "legs_not_flat";
      readonly detail: string;
    };

/** A persisted group as groups() returns it. */
export interface GroupRecord {
  readonly groupId: string;
  /** the same as groupId (the name the farm's port uses) */
  readonly id: string;
  readonly strategy: string;
  readonly status: GroupStatus;
  readonly entry: EntryStyle;
  /** the leg a sequential entry sent first; absent when every leg went at once */
  readonly sequenceFirst?: number;
  readonly fillTimeoutMs: number;
  /** the strategy's own data given at open ({} when none) */
  readonly meta: Record<string, unknown>;
  readonly closeReason: CloseReason | null;
  readonly failureReason: OpenFailureReason | null;
  readonly detail: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly closedAt: number | null;
  readonly legs: readonly LegRecord[];
  readonly feesUsd: number;
  readonly realisedPnlUsd: number;
}

export interface LegRecord extends LegFillSummary {
  /** signed lots the leg holds now by the journal (entry - trims - closes - external) */
  readonly netLots: number;
  readonly realisedPnlUsd: number;
  readonly externalLots: number;
  readonly externalReason: string | null;
}

export interface GroupFilter {
  readonly status?: readonly GroupStatus[];
  readonly strategy?: string;
  readonly groupIds?: readonly string[];
  /** only groups not closed or failed */
  readonly activeOnly?: boolean;
}

export interface FlattenResult {
  readonly groupsClosed: readonly string[];
  readonly groupsNotFlat: readonly string[];
  /** positions no group owned that were sent a reduce-only close */
  readonly positionsFlattened: number;
  readonly positionsNotFlat: number;
}

/** Why an entry leg did not fill, as the open outcome reports it. */
export interface LegFailure {
  readonly reason: OpenFailureReason;
  readonly detail: string;
}

export interface LegState {
  readonly index: number;
  readonly spec: LegSpec;
  readonly inst: Instrument;
  readonly orders: EngineOrder[];
  /** signed lots removed from the venue without an order of ours */
  externalLots: number;
  externalReason: string | null;
  failure?: LegFailure;
}

export interface GroupState {
  readonly id: string;
  readonly strategy: string;
  status: GroupStatus;
  readonly entry: EntryStyle;
  readonly fillTimeoutMs: number;
  readonly hedged: boolean;
  /**
   * a sequential entry: which leg goes first (journaled with the entry style); `beforeHedge`
   * lives in memory only, so a group recovered between its legs is unwound, never hedged late
   */
  readonly sequence?: EntrySequence;
  readonly meta: Record<string, unknown> | null;
  closeReason: CloseReason | null;
  failureReason: OpenFailureReason | null;
  detail: string | null;
  readonly createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  readonly legs: LegState[];
  /** an operation holds the group (open, close, a reconcile step) */
  busy: boolean;
  /** the tail of the group's operation chain: operations on one group run one at a time */
  chain: Promise<unknown>;
  /** how the strategy asked its close to be priced (in memory; after a restart the engine's own) */
  closePricing?: ClosePricing;
  /** when the close was first asked for (ms), the start of `escalateAfterMs` */
  closeRequestedAt?: number;
  /** the close went to its escalated pricing (alerted once) */
  closeEscalated?: boolean;
}

/**
 * How a close's reduce-only IOCs are priced, beyond the touch: `slippageBps` first (each retry
 * re-priced at the touch then), and once the close has run `escalateAfterMs` without going flat,
 * `escalatedSlippageBps` with an alert. Absent: the engine's `close_slippage_bps` throughout.
 */
export interface ClosePricing {
  readonly slippageBps: number;
  readonly escalateAfterMs?: number;
  readonly escalatedSlippageBps?: number;
}

/**
 * The entry column of a group row: the entry style, with `sequenceFirst` when the entry is
 * sequential (so recovery knows a group stopped between its legs).
 */
export function encodeEntry(entry: EntryStyle, sequence: EntrySequence | undefined): string {
  return JSON.stringify(sequence === undefined ? entry : { ...entry, sequenceFirst: sequence.first });
}

export function decodeEntry(json: string): { entry: EntryStyle; sequence?: EntrySequence } {
  const { sequenceFirst, ...entry } = JSON.parse(json) as EntryStyle & { sequenceFirst?: number };
  return sequenceFirst === undefined ? { entry } : { entry, sequence: { first: sequenceFirst } };
}

export const ACTIVE_STATUSES: readonly GroupStatus[] = ["opening", "open", "unwinding", "closing"];

export function isActive(status: GroupStatus): boolean {
  return status !== "closed" && status !== "failed";
}

const sign = (side: Side) => (side === "buy" ? 1 : -1);

/** Signed lots the leg holds by the journal: every order's fills, plus external changes. */
export function legNetLots(leg: LegState): number {
  let net = leg.externalLots;
  for (const o of leg.orders) net += sign(o.tracked.request.side) * effectiveFilled(o);
  return net;
}

/** Lots the leg holds in its own direction (never negative). */
export function legHeldLots(leg: LegState): number {
  return Math.max(0, sign(leg.spec.side) * legNetLots(leg));
}

export function entryFilledLots(leg: LegState): number {
  let n = 0;
  for (const o of leg.orders) if (o.purpose === "entry") n += effectiveFilled(o);
  return n;
}

export function hedgeLegs(g: GroupState): HedgeLeg[] {
  return g.legs.map((l) => ({
    legIndex: l.index,
    inst: l.inst,
    side: l.spec.side,
    heldLots: legHeldLots(l),
  }));
}

export function legSummary(leg: LegState): LegFillSummary {
  let tickLots = 0;
  let lots = 0;
  let fees = 0n;
  for (const o of leg.orders) {
    fees += o.tracked.fees;
    if (o.purpose !== "entry") continue;
    const avg = o.tracked.avgFillPriceTicks;
    if (avg !== undefined) {
      tickLots += avg * o.tracked.filledLots;
      lots += o.tracked.filledLots;
    }
  }
  return {
    legIndex: leg.index,
    venue: leg.spec.venue,
    account: leg.spec.account,
    symbol: leg.spec.symbol,
    side: leg.spec.side,
    targetLots: leg.spec.sizeLots,
    filledLots: entryFilledLots(leg),
    avgPrice: lots === 0 ? 0 : leg.inst.priceValue(tickLots / lots),
    feesUsd: Number(fees) / 1e12,
  };
}
