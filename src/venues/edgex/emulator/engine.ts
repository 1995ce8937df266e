/**
 * The EdgeX emulator's exchange: the venue's order, fill and funding records over the simulated
 * exchange core (matching, margin, funding, liquidation; built by the emulator kit). Accounts are
 * EdgeX account ids; the core knows each order by the venue's order id, the record here carries
 * the client's `clientOrderId`. Every change is queued as a Change for the sockets (drain()).
 */
import type { Clock } from "../../../core/clock.ts";
import type { MarketEvent } from "../../../core/market.ts";
import { toUsd } from "../../../core/money.ts";
import type { OrderRequest } from "../../../core/types.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import { SimCoreEngine } from "../../kit/sim-core.ts";

export const VENUE_ID = "edgex-emulator";

/** One contract of the emulated venue, as getMetaData lists it. */
export interface ContractSpec {
  readonly contractId: string;
  readonly symbol: string;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minOrderSize: string;
  /** amountSynthetic units per 1 of size */
  readonly resolution: string;
  readonly maxLeverage: number;
  readonly fundingIntervalMin: number;
  readonly takerFeeRate: string;
  readonly makerFeeRate: string;
  readonly markPx: number;
}

export const QUOTE_COIN = {
  coinId: "1000",
  coinName: "USD",
  stepSize: "0.000001",
  resolution: "1000000",
} as const;
/** edgex-python-sdk tests: nativeChainId 33431, contractAddress 0x1ae1…19b1 */
export const DOMAIN = {
  chainId: "33431",
  contractAddress: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
} as const;

export const DEFAULT_CONTRACTS: readonly ContractSpec[] = [
  {
    contractId: "10000001",
    symbol: "BTCUSD",
    tickSize: "0.1",
    stepSize: "0.001",
    minOrderSize: "0.001",
    resolution: "1000",
    maxLeverage: 100,
    fundingIntervalMin: 240,
    takerFeeRate: "0.00038",
    makerFeeRate: "0.00015",
    markPx: 60_000,
  },
  {
    contractId: "10000002",
    symbol: "ETHUSD",
    tickSize: "0.01",
    stepSize: "0.01",
    minOrderSize: "0.01",
    resolution: "100",
    maxLeverage: 100,
    fundingIntervalMin: 240,
    takerFeeRate: "0.00038",
    makerFeeRate: "0.00015",
    markPx: 3_000,
  },
];

export type OrderStatus = "OPEN" | "FILLED" | "CANCELED";

export interface OrderRecord {
  readonly id: string;
  readonly accountId: string;
  readonly contractId: string;
  readonly symbol: string;
  readonly side: "BUY" | "SELL";
  readonly clientOrderId: string;
  readonly timeInForce: string;
  readonly reduceOnly: boolean;
  readonly priceTicks: number;
  readonly lots: number;
  filledLots: number;
  filledValue: number;
  filledFee: number;
  status: OrderStatus;
  cancelReason: string;
  readonly createdTime: number;
  updatedTime: number;
}

export type OrderState = Pick<
  OrderRecord,
  "filledLots" | "filledValue" | "filledFee" | "status" | "cancelReason" | "updatedTime"
>;

const stateOf = (o: OrderRecord): OrderState => ({
  filledLots: o.filledLots,
  filledValue: o.filledValue,
  filledFee: o.filledFee,
  status: o.status,
  cancelReason: o.cancelReason,
  updatedTime: o.updatedTime,
});

export interface FillRecord {
  readonly id: string;
  readonly order: OrderRecord;
  readonly priceTicks: number;
  readonly lots: number;
  readonly fee: number;
  readonly maker: boolean;
  readonly ts: number;
}

export interface FundingRecord {
  readonly id: string;
  readonly contractId: string;
  readonly symbol: string;
  /** signed: negative = the account paid */
  readonly amount: number;
  readonly ratePerInterval: number;
  readonly positionLots: number;
  readonly mark: number;
  readonly ts: number;
}

export type Change =
  /** `at`: the order as it stood right after this change (several can queue before a flush) */
  | {
      readonly kind: "order";
      readonly order: OrderRecord;
      readonly at: OrderState;
      readonly fill?: FillRecord;
    }
  | { readonly kind: "funding"; readonly accountId: string; readonly record: FundingRecord }
  | { readonly kind: "position"; readonly accountId: string }
  /** full: the book was replaced (a Snapshot goes out), else only changed levels (Changed) */
  | { readonly kind: "book"; readonly symbol: string; readonly full?: boolean }
  | { readonly kind: "mark"; readonly symbol: string }
  | { readonly kind: "trade"; readonly fill: FillRecord };

export class EdgexEngine extends SimCoreEngine<ContractSpec> {
  readonly orders = new Map<string, OrderRecord>();
  readonly fills = new Map<string, FillRecord[]>();
  readonly funding = new Map<string, FundingRecord[]>();
  readonly fundingRate = new Map<string, number>();
  #nextOrder = 564_843_290_148_536_000n;
  #nextFill = 1;
  #changes: Change[] = [];

  constructor(contracts: readonly ContractSpec[], clock: Clock) {
    super(
      VENUE_ID,
      clock,
      contracts,
      (c) => ({
        base: c.symbol.replace(/USD$/, ""),
        quote: "USD",
        tickSize: c.tickSize,
        lotSize: c.stepSize,
        minNotionalUsd: 0,
        maxLeverage: c.maxLeverage,
        fundingIntervalHours: c.fundingIntervalMin / 60,
        makerFeeBps: Number(c.makerFeeRate) * 10_000,
        takerFeeBps: Number(c.takerFeeRate) * 10_000,
      }),
      (inst) => Math.min(20, inst.spec.maxLeverage),
    );
    this.seed(() => 0.0000125);
    this.drain();
  }

  get contracts(): readonly ContractSpec[] {
    return this.markets;
  }

  contractOf(contractId: string): ContractSpec | undefined {
    return this.contracts.find((c) => c.contractId === contractId);
  }

  bySymbol(symbol: string): ContractSpec | undefined {
    return this.contracts.find((c) => c.symbol === symbol);
  }

  inst(symbol: string) {
    const i = this.instruments.get(symbol);
    if (i === undefined) throw new RangeError(`edgex emulator: unknown contract "${symbol}"`);
    return i;
  }

  market(e: MarketEvent): void {
    if (e.type === "funding") this.fundingRate.set(e.symbol, e.ratePerHour);
    this.absorb(this.exchange.onMarket(e, this.clock.now()));
    this.#changes.push(
      e.type === "book" || e.type === "bbo"
        ? { kind: "book", symbol: e.symbol, full: e.type === "book" && e.snapshot }
        : { kind: "mark", symbol: e.symbol },
    );
  }

  /** Place an order already checked (signature, fields); a refusal is the core's reason. */
  place(
    o: Pick<
      OrderRecord,
      | "accountId"
      | "contractId"
      | "symbol"
      | "side"
      | "clientOrderId"
      | "timeInForce"
      | "reduceOnly"
      | "priceTicks"
      | "lots"
    >,
  ): { order: OrderRecord } | { reason: string; message: string } {
    const id = String(this.#nextOrder++);
    const now = this.clock.now();
    const rec: OrderRecord = {
      ...o,
      id,
      filledLots: 0,
      filledValue: 0,
      filledFee: 0,
      status: "OPEN",
      cancelReason: "UNKNOWN_ORDER_CANCEL_REASON",
      createdTime: now,
      updatedTime: now,
    };
    const req: OrderRequest = {
      clientOrderId: id,
      account: o.accountId,
      symbol: o.symbol,
      side: o.side === "BUY" ? "buy" : "sell",
      type: "limit",
      priceTicks: o.priceTicks,
      sizeLots: o.lots,
      tif: o.timeInForce === "POST_ONLY" ? "post_only" : o.timeInForce === "GOOD_TIL_CANCEL" ? "gtc" : "ioc",
      reduceOnly: o.reduceOnly,
    };
    this.orders.set(id, rec);
    const out = this.exchange.submit(req, now, undefined);
    if (out.rejectReason !== undefined) {
      this.orders.delete(id);
      return { reason: out.rejectReason, message: out.rejectMessage ?? out.rejectReason };
    }
    this.#changes.push({ kind: "order", order: rec, at: stateOf(rec) });
    this.absorb(out.events);
    this.#changes.push({ kind: "book", symbol: o.symbol });
    return { order: rec };
  }

  cancel(rec: OrderRecord): boolean {
    if (rec.status !== "OPEN") return false;
    this.absorb(this.exchange.cancel(rec.accountId, rec.symbol, rec.id, this.clock.now()));
    return true;
  }

  byClientId(accountId: string, clientOrderId: string): OrderRecord | undefined {
    let found: OrderRecord | undefined;
    for (const o of this.orders.values())
      if (o.accountId === accountId && o.clientOrderId === clientOrderId) found = o;
    return found;
  }

  openOrders(accountId: string): OrderRecord[] {
    return [...this.orders.values()].filter((o) => o.accountId === accountId && o.status === "OPEN");
  }

  drain(): Change[] {
    const out = this.#changes;
    this.#changes = [];
    return out;
  }

  /** The core's account events as the venue's records and changes. */
  absorb(events: readonly VenueEvent[]): void {
    for (const e of events) {
      if (e.type === "fill") {
        const f = e.fill;
        const o = this.orders.get(f.clientOrderId);
        if (o === undefined) continue;
        const inst = this.inst(f.symbol);
        const value = inst.sizeValue(f.sizeLots) * inst.priceValue(f.priceTicks);
        const fee = toUsd(f.fee);
        o.filledLots += f.sizeLots;
        o.filledValue += value;
        o.filledFee += fee;
        o.updatedTime = e.ts;
        if (e.remainingLots === 0) o.status = "FILLED";
        const rec: FillRecord = {
          id: String(this.#nextFill++),
          order: o,
          priceTicks: f.priceTicks,
          lots: f.sizeLots,
          fee,
          maker: f.liquidity === "maker",
          ts: e.ts,
        };
        const list = this.fills.get(o.accountId) ?? [];
        list.push(rec);
        this.fills.set(o.accountId, list);
        this.#changes.push({ kind: "order", order: o, at: stateOf(o), fill: rec });
        this.#changes.push({ kind: "trade", fill: rec });
        this.#changes.push({ kind: "position", accountId: o.accountId });
      } else if (e.type === "canceled") {
        const o = this.orders.get(e.clientOrderId);
        if (o === undefined) continue;
        o.status = "CANCELED";
        o.updatedTime = e.ts;
        o.cancelReason =
          e.reason === "user"
            ? "USER_CANCELED"
            : e.reason === "ioc_remainder"
              ? "CANCELED_BY_IOC"
              : "SYSTEM_CANCELED";
        this.#changes.push({ kind: "order", order: o, at: stateOf(o) });
      } else if (e.type === "funding") {
        const c = this.bySymbol(e.symbol);
        if (c === undefined) continue;
        const inst = this.inst(e.symbol);
        const pos = this.exchange.state.position(e.account, e.symbol);
        const record: FundingRecord = {
          id: String(this.#nextFill++),
          contractId: c.contractId,
          symbol: e.symbol,
          amount: toUsd(e.amount),
          ratePerInterval: e.ratePerHour * inst.spec.fundingIntervalHours,
          positionLots: pos?.sizeLots ?? 0,
          mark: this.exchange.markOf(e.symbol),
          ts: e.ts,
        };
        const list = this.funding.get(e.account) ?? [];
        list.push(record);
        this.funding.set(e.account, list);
        this.#changes.push({ kind: "funding", accountId: e.account, record });
        this.#changes.push({ kind: "position", accountId: e.account });
      } else if (e.type === "liquidation") this.#changes.push({ kind: "position", accountId: e.account });
    }
  }
}
