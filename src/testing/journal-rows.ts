import type { EngineOrderRow, GroupRow, LegRow } from "../store/journal/rows.ts";

/**
 * Journal rows for tests and benches, each field written once: a hedge group opening, its legs
 * (leg 0 buys on w0, leg 1 sells on w1) and an entry order of 100 lots of simA:BTC. `over`
 * changes what a case needs; times default to `JOURNAL_T0`.
 */

export const JOURNAL_T0 = 1_760_000_000_000;

export const groupRow = (groupId: string, over: Partial<GroupRow> = {}): GroupRow => ({
  groupId,
  strategy: "farm",
  status: "opening",
  entry: '{"kind":"ioc"}',
  fillTimeoutMs: 5_000,
  hedged: true,
  meta: null,
  closeReason: null,
  failureReason: null,
  detail: null,
  createdAt: JOURNAL_T0,
  updatedAt: JOURNAL_T0,
  closedAt: null,
  ...over,
});

export const legRow = (groupId: string, i: number): LegRow => ({
  groupId,
  legIndex: i,
  venue: "simA",
  account: `w${i}`,
  symbol: "BTC",
  side: i === 0 ? "buy" : "sell",
  targetLots: 100,
  externalLots: 0,
  externalReason: null,
});

export const engineOrderRow = (
  id: string,
  groupId: string,
  over: Partial<EngineOrderRow> = {},
): EngineOrderRow => ({
  clientOrderId: id,
  venue: "simA",
  account: "w0",
  symbol: "BTC",
  side: "buy",
  type: "limit",
  tif: "ioc",
  priceTicks: 600_010,
  sizeLots: 100,
  reduceOnly: false,
  priceText: "60001",
  sizeText: "0.01",
  filledText: "0",
  filledLots: 0,
  status: "in_flight",
  venueOrderId: null,
  groupId,
  intentId: `${groupId}:entry`,
  legIndex: 0,
  purpose: "entry",
  attempt: 0,
  reason: null,
  createdAt: JOURNAL_T0,
  updatedAt: JOURNAL_T0,
  ...over,
});
