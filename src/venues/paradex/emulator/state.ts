/**
 * The Paradex emulator's books of record: onboarded accounts (Starknet address → Stark public
 * key), markets as `/v1/markets` lists them, the record shapes of orders, fills and funding
 * payments (kept by engine.ts) and the XP balance `/v1/xp/account-balance` reads. Payload shapes follow ccxt@4.5.84 `js/src/paradex.js`
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
  readonly max_open_orders: number;
  readonly funding_period_hours: number;
  readonly open_at: number;
  readonly expiry_at: number;
  readonly position_limit: string;
  readonly max_order_size: string;
  readonly max_funding_rate: string;
  readonly price_bands_width: string;
  /** Paradex's cross-margin parameters: initial fraction imf_base, maintenance = imf × mmf_factor */
  readonly delta1_cross_margin_params: {
    readonly imf_base: string;
    readonly imf_shift: string;
    readonly imf_factor: string;
    readonly mmf_factor: string;
  };
}

/** Emulator-only settings of a market (not listed by /v1/markets). */
export interface PdxMarketSeed {
  readonly markPx: number;
  /** funding rate per `funding_period_hours` */
  readonly fundingRate: number;
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
  avg_fill_price: string;
  created_at: number;
  received_at: number;
  last_updated_at: number;
  timestamp: number;
  seq_no: number;
}

/** A fill as GET /v1/fills and `fills.{m}` carry it (ccxt@4.5.84 paradex.js parseTrade sample). */
export interface PdxFill {
  readonly id: string;
  readonly account: string;
  readonly side: "BUY" | "SELL";
  readonly liquidity: "MAKER" | "TAKER";
  readonly market: string;
  readonly order_id: string;
  readonly price: string;
  readonly size: string;
  readonly fee: string;
  readonly fee_currency: "USDC";
  readonly created_at: number;
  readonly remaining_size: string;
  readonly client_id: string;
  readonly fill_type: "FILL" | "LIQUIDATION";
  readonly realized_pnl: string;
}

/** A funding payment as GET /v1/funding/payments lists it (ccxt@4.5.84 paradex.js fetchFundingHistory sample). */
export interface PdxFundingPayment {
  readonly id: string;
  readonly account: string;
  readonly market: string;
  readonly payment: string;
  readonly index: string;
  readonly fill_id: string;
  readonly created_at: number;
}

/** A perp market with the emulator's common terms (8 h funding, 20× at imf_base 0.05, mmf 0.5). */
export function perpMarket(base: string, sizeIncrement: string, tickSize: string): PdxMarket {
  return {
    symbol: `${base}-USD-PERP`,
    base_currency: base,
    quote_currency: "USD",
    settlement_currency: "USDC",
    order_size_increment: sizeIncrement,
    price_tick_size: tickSize,
    min_notional: "10",
    asset_kind: "PERP",
    max_open_orders: 100,
    funding_period_hours: 8,
    open_at: 1_700_000_000_000,
    expiry_at: 0,
    position_limit: "1000000",
    max_order_size: "1000000",
    max_funding_rate: "0.05",
    price_bands_width: "0.2",
    delta1_cross_margin_params: { imf_base: "0.05", imf_shift: "0", imf_factor: "0", mmf_factor: "0.5" },
  };
}

export const DEFAULT_MARKETS: readonly PdxMarket[] = [
  perpMarket("BTC", "0.001", "0.1"),
  perpMarket("ETH", "0.01", "0.01"),
];

export const DEFAULT_SEEDS: Readonly<Record<string, PdxMarketSeed>> = {
  "BTC-USD-PERP": { markPx: 60_000, fundingRate: 0.0001 },
  "ETH-USD-PERP": { markPx: 3_000, fundingRate: 0.0001 },
};

export class PdxState {
  /** account address (0x-hex, lowercase) → Stark public key (0x-hex) */
  readonly accounts = new Map<string, string>();
  readonly xp = new Map<string, string>();
  readonly markets: readonly PdxMarket[];

  constructor(markets: readonly PdxMarket[] = DEFAULT_MARKETS) {
    this.markets = markets;
  }

  market(symbol: string): PdxMarket | undefined {
    return this.markets.find((m) => m.symbol === symbol);
  }
}
