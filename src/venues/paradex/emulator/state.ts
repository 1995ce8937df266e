/**
 * The Paradex emulator's books of record: onboarded accounts (Starknet address → Stark public
 * key), markets as `/v1/markets` lists them, orders as `/v1/orders` answers them and the XP
 * balance `/v1/xp/account-balance` reads. Payload shapes follow ccxt@4.5.84 `js/src/paradex.js`
 * (`parseMarket`, `parseOrder` sample answers) and VENUES.md §5.
 */
export interface PdxMarket {
  readonly symbol: string;
  readonly base_currency: string;
  readonly quote_currency: "USD";
  readonly settlement_currency: "USDC";
  readonly order_size_increment: string;
  readonly price_tick_size: string;
  readonly min_notional: string;
  readonly asset_kind: "PERP";
  readonly max_open_orders: string;
  readonly funding_period_hours: string;
}

export interface PdxOrder {
  account: string;
  id: string;
  client_id: string;
  market: string;
  side: "BUY" | "SELL";
  type: "LIMIT" | "MARKET";
  instruction: "GTC" | "IOC" | "POST_ONLY";
  flags: string[];
  size: string;
  price: string;
  remaining_size: string;
  status: "NEW" | "OPEN" | "CLOSED";
  cancel_reason: string;
  created_at: number;
  last_updated_at: number;
  timestamp: number;
}

export const DEFAULT_MARKETS: readonly PdxMarket[] = [
  {
    symbol: "BTC-USD-PERP",
    base_currency: "BTC",
    quote_currency: "USD",
    settlement_currency: "USDC",
    order_size_increment: "0.001",
    price_tick_size: "0.1",
    min_notional: "10",
    asset_kind: "PERP",
    max_open_orders: "100",
    funding_period_hours: "8",
  },
  {
    symbol: "ETH-USD-PERP",
    base_currency: "ETH",
    quote_currency: "USD",
    settlement_currency: "USDC",
    order_size_increment: "0.01",
    price_tick_size: "0.01",
    min_notional: "10",
    asset_kind: "PERP",
    max_open_orders: "100",
    funding_period_hours: "8",
  },
];

export class PdxState {
  /** account address (0x-hex, lowercase) → Stark public key (0x-hex) */
  readonly accounts = new Map<string, string>();
  readonly xp = new Map<string, string>();
  readonly orders = new Map<string, PdxOrder>();
  readonly markets: readonly PdxMarket[];
  #nextId = 1;

  constructor(markets: readonly PdxMarket[] = DEFAULT_MARKETS) {
    this.markets = markets;
  }

  market(symbol: string): PdxMarket | undefined {
    return this.markets.find((m) => m.symbol === symbol);
  }

  nextOrderId(): string {
    return String(this.#nextId++);
  }

  openOrders(account: string, market: string): number {
    let n = 0;
    for (const o of this.orders.values())
      if (o.account === account && o.market === market && o.status !== "CLOSED") n++;
    return n;
  }

  byClientId(account: string, clientId: string): PdxOrder | undefined {
    for (const o of this.orders.values()) if (o.account === account && o.client_id === clientId) return o;
    return undefined;
  }
}
