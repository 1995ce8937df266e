/**
 * `startEdgexEmulator`: the EdgeX V2 emulator on a loopback port, with its driver (the control
 * interface tests, the conformance suite and `perpbot emulate edgex` use). Prices and sizes are
 * the venue's decimals; accounts are EdgeX account ids registered with their API credentials and
 * trading-key address. Every driver call publishes what it changed at once.
 */
import { type Clock, WallClock } from "../../../core/clock.ts";
import { usd } from "../../../core/money.ts";
import type { ExchangeFault } from "../../kit/faults.ts";
import {
  marketLookup,
  type SimMarketDriver,
  simMarketDriver,
  startFundingClock,
} from "../../kit/sim-core.ts";
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
  /** how often the server pings each socket (default 20 s); 5 unanswered close it */
  readonly pingMs?: number;
  /** settle funding on the clock at each contract's interval (default true) */
  readonly scheduledFunding?: boolean;
}

/** The kit's market driver (setBook, moveMark, settleFunding) plus the venue's own controls. */
export interface EdgexEmulatorDriver extends SimMarketDriver {
  /** Register an account (its API key, passphrase, secret and trading address) and credit it USD. */
  register(a: ApiAccount & { readonly usd: number }): void;
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

export async function startEdgexEmulator(opts: EdgexEmulatorOptions = {}): Promise<EdgexEmulator> {
  const clock = opts.clock ?? new WallClock();
  const contracts = opts.contracts ?? DEFAULT_CONTRACTS;
  const engine = new EdgexEngine(contracts, clock);
  const exchange = engine.exchange;
  const accounts = new Map<string, ApiAccount>();
  const byKey = (k: string) => accounts.get(k);
  const sockets = new EdgexSockets(engine, byKey, opts.pingMs);
  const front = new EdgexFront(engine, sockets, byKey, opts.budget);
  const host = await front.listen(opts.port ?? 0);
  const flush = () => sockets.flush();
  const funding = startFundingClock(opts.scheduledFunding ?? true, clock, engine, flush);
  const market = marketLookup(
    "edgex",
    "contract",
    contracts.map((c) => c.symbol),
    (s) => engine.instruments.get(s),
  );
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
    ...simMarketDriver({ venueId: VENUE_ID, engine, now: () => clock.now(), lookup: market, flush }),
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
