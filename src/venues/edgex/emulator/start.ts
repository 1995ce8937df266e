/**
 * `startEdgexEmulator`: the EdgeX V2 emulator on a loopback port, with its driver (the control
 * interface tests, the conformance suite and `perpbot emulate edgex` use). Prices and sizes are
 * the venue's decimals; accounts are EdgeX account ids registered with their API credentials and
 * trading-key address. Every driver call publishes what it changed at once.
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { Instrument } from "../../../core/instrument.ts";
import { usd } from "../../../core/money.ts";
import { L2Book } from "../../../data/book.ts";
import type { ExchangeFault } from "../../backpack/emulator/faults.ts";
import { SimExchange } from "../../sim/exchange.ts";
import { settleFunding } from "../../sim/funding.ts";
import { FundingClock } from "../../sim/funding-clock.ts";
import { checkLiquidations } from "../../sim/liquidation.ts";
import { SimState } from "../../sim/state.ts";
import {
  type ContractSpec,
  DEFAULT_CONTRACTS,
  EdgexEngine,
  type FillRecord,
  type OrderRecord,
  VENUE_ID,
} from "./engine.ts";
import { EdgexFront } from "./server.ts";
import type { ApiAccount } from "./verify.ts";
import { EdgexSockets } from "./ws.ts";

export type { ContractSpec } from "./engine.ts";

export interface EdgexEmulatorOptions {
  readonly port?: number;
  readonly clock?: Clock;
  readonly contracts?: readonly ContractSpec[];
  /** per-account request budget (default rate-limit.ts: 20 burst, 10/s) */
  readonly budget?: { capacity: number; perSecond: number };
  /** settle funding on the clock at each contract's interval (default true) */
  readonly scheduledFunding?: boolean;
}

export interface EdgexEmulatorDriver {
  /** Register an account (its API key, passphrase, secret and trading address) and credit it USD. */
  register(a: ApiAccount & { readonly usd: number }): void;
  setBook(b: {
    symbol: string;
    bidPx: number;
    askPx: number;
    qty: number;
    levels?: number;
    stepPx?: number;
  }): void;
  moveMark(m: { symbol: string; markPx: number }): void;
  /** Set the funding rate in force (per hour) and settle one interval now. */
  settleFunding(f: { symbol: string; ratePerHour: number }): void;
  /** Cut a wire stream ("depth.10000001.15", "ticker.10000001", "trade-event"). */
  freezeStream(channel: string): void;
  thawStream(channel: string): void;
  dropSockets(): void;
  inject(fault: ExchangeFault, count?: number): void;
  loseAcks(count: number): void;
  faultsApplied(): Readonly<Record<string, number>>;
  orders(accountId: string): readonly OrderRecord[];
  fills(accountId: string): readonly FillRecord[];
  /** signed position, decimal text */
  position(accountId: string, symbol: string): string;
  contracts(): readonly ContractSpec[];
  connections(): number;
}

export interface EdgexEmulator {
  readonly url: string;
  readonly wsUrl: string;
  readonly driver: EdgexEmulatorDriver;
  close(): Promise<void>;
}

function instrumentOf(c: ContractSpec): Instrument {
  return new Instrument({
    venue: VENUE_ID,
    symbol: c.contractName,
    base: c.contractName.replace(/USD$/, ""),
    quote: "USD",
    tickSize: c.tickSize,
    lotSize: c.stepSize,
    minNotionalUsd: 0,
    maxLeverage: c.maxLeverage,
    marginTiers: [],
    fundingIntervalHours: c.fundingIntervalMin / 60,
    makerFeeBps: Number(c.makerFeeRate) * 10_000,
    takerFeeBps: Number(c.takerFeeRate) * 10_000,
  });
}

export async function startEdgexEmulator(opts: EdgexEmulatorOptions = {}): Promise<EdgexEmulator> {
  const clock = opts.clock ?? new WallClock();
  const contracts = opts.contracts ?? DEFAULT_CONTRACTS;
  const instruments = new Map<string, Instrument>();
  const books = new Map<string, L2Book>();
  for (const c of contracts) {
    const inst = instrumentOf(c);
    instruments.set(inst.symbol, inst);
    books.set(inst.symbol, new L2Book(inst));
  }
  const exchange = new SimExchange(
    {
      venueId: VENUE_ID,
      instruments,
      books,
      defaultSetting: (inst) => ({ leverage: Math.min(20, inst.spec.maxLeverage), mode: "cross" }),
      liquidationFeeBps: 0,
      findStoredOrder: () => undefined,
    },
    new SimState(),
  );
  exchange.state.trackChanges = false;
  const engine = new EdgexEngine({ instruments, books, exchange }, contracts, clock);
  const now = clock.now();
  for (const c of contracts) {
    engine.market({
      type: "mark",
      venue: VENUE_ID,
      symbol: c.contractName,
      ts: now,
      markPrice: c.markPx,
      oraclePrice: c.markPx,
    });
    engine.market({
      type: "funding",
      venue: VENUE_ID,
      symbol: c.contractName,
      ts: now,
      ratePerHour: 0.0000125,
    });
  }
  engine.drain();
  const accounts = new Map<string, ApiAccount>();
  const byKey = (k: string) => accounts.get(k);
  const sockets = new EdgexSockets(engine, byKey);
  const front = new EdgexFront(engine, sockets, byKey, opts.budget);
  const host = await front.listen(opts.port ?? 0);
  let funding: FundingClock | undefined;
  if (opts.scheduledFunding ?? true) {
    funding = new FundingClock(clock, exchange, (events) => {
      engine.absorb(events);
      sockets.flush();
    });
    for (const inst of instruments.values()) funding.start(inst);
  }
  const market = (symbol: string): Instrument => {
    const inst = instruments.get(symbol);
    if (inst === undefined)
      throw new RangeError(
        `edgex emulator: unknown contract "${symbol}" (${contracts.map((c) => c.contractName).join(", ")})`,
      );
    return inst;
  };
  const changed = (fn: () => void) => {
    fn();
    sockets.flush();
  };
  const driver: EdgexEmulatorDriver = {
    register(a) {
      if (!/^\d+$/.test(a.accountId))
        throw new RangeError(`edgex emulator: account id "${a.accountId}" is not decimal`);
      if (!/^0x[0-9a-f]{40}$/.test(a.tradingAddress))
        throw new RangeError(`edgex emulator: trading address "${a.tradingAddress}" is not lowercase 0x hex`);
      const { usd: amount, ...account } = a;
      accounts.set(a.apiKey, account);
      if (amount > 0) exchange.state.deposit(a.accountId, usd(amount));
    },
    setBook(b) {
      const inst = market(b.symbol);
      const n = b.levels ?? 5;
      const step = b.stepPx ?? inst.priceValue(1);
      const side = (from: number, dir: number) =>
        Array.from({ length: n }, (_, i) => ({ price: from + dir * i * step, size: b.qty }));
      changed(() =>
        engine.market({
          type: "book",
          venue: VENUE_ID,
          symbol: inst.symbol,
          ts: clock.now(),
          snapshot: true,
          bids: side(b.bidPx, -1),
          asks: side(b.askPx, 1),
        }),
      );
    },
    moveMark(m) {
      market(m.symbol);
      changed(() =>
        engine.market({
          type: "mark",
          venue: VENUE_ID,
          symbol: m.symbol,
          ts: clock.now(),
          markPrice: m.markPx,
          oraclePrice: m.markPx,
        }),
      );
    },
    settleFunding(f) {
      const inst = market(f.symbol);
      changed(() => {
        engine.market({
          type: "funding",
          venue: VENUE_ID,
          symbol: f.symbol,
          ts: clock.now() - 1,
          ratePerHour: f.ratePerHour,
        });
        const mark = exchange.markOf(f.symbol);
        const events = settleFunding(exchange.state, inst, clock.now(), mark > 0 ? mark : undefined);
        events.push(...checkLiquidations(exchange, f.symbol, clock.now()));
        engine.absorb(events);
      });
    },
    freezeStream: (c) => sockets.freeze(c),
    thawStream: (c) => sockets.thaw(c),
    dropSockets: () => sockets.dropAll(),
    inject: (fault, count = 1) => front.faults.add(fault, count),
    loseAcks: (count) => front.faults.add({ kind: "loseAck" }, count),
    faultsApplied: () => Object.fromEntries(front.faults.applied),
    orders: (id) => [...engine.orders.values()].filter((o) => o.accountId === id),
    fills: (id) => engine.fills.get(id) ?? [],
    position: (id, s) => market(s).sizeText(exchange.state.position(id, s)?.sizeLots ?? 0),
    contracts: () => contracts,
    connections: () => sockets.connections,
  };
  return {
    url: `http://${host}`,
    wsUrl: `ws://${host}`,
    driver,
    async close() {
      funding?.stop();
      await front.close();
    },
  };
}
