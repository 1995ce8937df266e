import type { Fill } from "../../core/types.ts";
import type { ChangeSet, FundingPayment, FundingRatePoint, OrderState, SimState, Sinks } from "./state.ts";

/**
 * Where the simulated venue keeps its books of record. The live state sits in memory (SimState);
 * the store receives each request's or event's changes in one `commit` and answers the history
 * queries (old orders, fills, funding payments).
 */
export interface SimStore {
  /** load the venue's persisted state into `state`; false when there is none yet */
  load(state: SimState): boolean;
  /** write one change set atomically (one transaction); the caller clears it afterwards */
  commit(changes: ChangeSet, state: SimState): void;
  findOrder(account: string, clientOrderId: string): OrderState | undefined;
  fills(account: string): Fill[];
  fundingPayments(account: string): FundingPayment[];
  close(): void;
}

/** Sequences, sinks, funding clock, marks and funding rates: the venue's scalar state. */
export interface VenueMeta {
  readonly sinks: Record<keyof Sinks, string>;
  readonly orderSeq: number;
  readonly fillSeq: number;
  readonly fundingClock: Record<string, number>;
  readonly marks: Record<string, number>;
  readonly fundingRates: Record<string, FundingRatePoint[]>;
}

export function metaOf(state: SimState): VenueMeta {
  const s = state.sinks;
  return {
    sinks: {
      fees: s.fees.toString(),
      insurance: s.insurance.toString(),
      funding: s.funding.toString(),
      counterparty: s.counterparty.toString(),
      deposits: s.deposits.toString(),
    },
    orderSeq: state.orderSeq,
    fillSeq: state.fillSeq,
    fundingClock: Object.fromEntries(state.fundingClock),
    marks: Object.fromEntries(state.marks),
    fundingRates: Object.fromEntries(state.fundingRates),
  };
}

export function restoreMeta(state: SimState, meta: VenueMeta): void {
  const s = meta.sinks;
  state.sinks = {
    fees: BigInt(s.fees),
    insurance: BigInt(s.insurance),
    funding: BigInt(s.funding),
    counterparty: BigInt(s.counterparty),
    deposits: BigInt(s.deposits),
  };
  state.orderSeq = meta.orderSeq;
  state.fillSeq = meta.fillSeq;
  for (const [k, v] of Object.entries(meta.fundingClock)) state.fundingClock.set(k, v);
  for (const [k, v] of Object.entries(meta.marks)) state.marks.set(k, v);
  for (const [k, v] of Object.entries(meta.fundingRates)) state.fundingRates.set(k, [...v]);
}

/**
 * In-memory store for backtests and benches: nothing survives the process. The live state is
 * already in memory (SimState keeps every order this process saw), so it only keeps the fills
 * and funding payments the history queries need.
 */
export class MemoryStore implements SimStore {
  private readonly fillsByAccount = new Map<string, Fill[]>();
  private readonly fundingByAccount = new Map<string, FundingPayment[]>();

  load(): boolean {
    return false;
  }

  commit(changes: ChangeSet): void {
    for (const f of changes.fills) push(this.fillsByAccount, f.account, f);
    for (const f of changes.funding) push(this.fundingByAccount, f.account, f);
  }

  findOrder(): OrderState | undefined {
    return undefined;
  }

  fills(account: string): Fill[] {
    return [...(this.fillsByAccount.get(account) ?? [])];
  }

  fundingPayments(account: string): FundingPayment[] {
    return [...(this.fundingByAccount.get(account) ?? [])];
  }

  close(): void {}
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}
