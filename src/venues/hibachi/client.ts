import type { Clock } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import { VenueRejectError } from "../../core/venue.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import type { HibachiHttp } from "./http.ts";
import {
  AccountInfoSchema,
  AccountTradesSchema,
  ExchangeInfoSchema,
  type HibachiContract,
  type HibachiOrder,
  OrderBookSchema,
  OrderSchema,
  PendingOrdersSchema,
  PlaceAnswerSchema,
  PricesSchema,
  parseAs,
  SettlementsSchema,
} from "./parse.ts";
import {
  cancelPayload,
  type HibachiSide,
  hmacSignature,
  managedSignature,
  type OrderFields,
  type OrderFlag,
  orderBody,
  orderPayload,
  walletSignature,
} from "./signing.ts";

/**
 * One Hibachi account's REST calls (hibachi_sdk api.py endpoints): market data from the data host,
 * orders and account state from the trade host. Signs with the account's secp256k1 signer
 * (trustless account) or, for an exchange-managed account, HMAC with its API secret.
 */
export type AccountAuth =
  | { readonly kind: "trustless"; readonly signer: AccountSigner }
  /** an exchange-managed account: its HMAC signer (scheme "hmac"), or the secret text (emulator tests) */
  | { readonly kind: "managed"; readonly signer: AccountSigner }
  | { readonly kind: "managed"; readonly secret: string };

/**
 * How a bound account signs: a secp256k1 signer is a trustless account, an HMAC-only signer
 * (scheme "hmac", from `kind = "managed"`) an exchange-managed one. Anything else is refused with
 * the account named (`where`).
 */
export function authOf(signer: AccountSigner | undefined, where: string): AccountAuth {
  if (signer?.scheme === "secp256k1") return { kind: "trustless", signer };
  if (signer?.scheme === "hmac" && signer.hmacSha256 !== undefined) return { kind: "managed", signer };
  throw new VenueRejectError(
    "no_signer",
    `${where} needs a secp256k1 trading key signer (trustless account) or an API-secret HMAC signer (kind = "managed"), got ${signer === undefined ? "none" : signer.scheme}`,
  );
}

/**
 * Nonces in µs since the epoch (the sdk's `time_ns() // 1000`), strictly increasing within the
 * process even when the clock stands still or steps back: the venue refuses a reused nonce, and a
 * cancel-by-nonce must name one order.
 */
export class NonceSource {
  readonly clock: Clock;
  #last = 0n;
  constructor(clock: Clock) {
    this.clock = clock;
  }
  next(): bigint {
    const now = BigInt(Math.floor(this.clock.now())) * 1000n;
    this.#last = now > this.#last ? now : this.#last + 1n;
    return this.#last;
  }
}

export interface PlaceOrder {
  readonly symbol: string;
  readonly side: HibachiSide;
  readonly quantity: string;
  /** absent: a market order */
  readonly price?: string;
  readonly maxFeesPercent: string;
  readonly orderFlags?: OrderFlag;
}

export class HibachiClient {
  readonly http: HibachiHttp;
  readonly accountId: number;
  readonly apiKey: string;
  readonly auth: AccountAuth;
  readonly nonces: NonceSource;
  readonly contracts = new Map<string, HibachiContract>();

  constructor(opts: {
    http: HibachiHttp;
    accountId: number;
    apiKey: string;
    auth: AccountAuth;
    clock: Clock;
  }) {
    this.http = opts.http;
    this.accountId = opts.accountId;
    this.apiKey = opts.apiKey;
    this.auth = opts.auth;
    this.nonces = new NonceSource(opts.clock);
  }

  async loadExchangeInfo() {
    const raw = await this.http.request({ method: "GET", host: "data", path: "/market/exchange-info" });
    const info = parseAs(ExchangeInfoSchema, raw, "GET /market/exchange-info");
    for (const c of info.futureContracts) this.contracts.set(c.symbol, c);
    return info;
  }

  contract(symbol: string): HibachiContract {
    const c = this.contracts.get(symbol);
    if (c === undefined)
      throw new InvalidValueError(
        `hibachi: unknown symbol "${symbol}" (known: ${[...this.contracts.keys()].join(", ") || "none loaded"})`,
      );
    return c;
  }

  async prices(symbol: string) {
    const raw = await this.http.request({
      method: "GET",
      host: "data",
      path: "/market/data/prices",
      query: { symbol },
    });
    return parseAs(PricesSchema, raw, `GET /market/data/prices ${symbol}`);
  }

  async orderbook(symbol: string, depth: number, granularity: string) {
    const raw = await this.http.request({
      method: "GET",
      host: "data",
      path: "/market/data/orderbook",
      query: { symbol, depth, granularity },
    });
    return parseAs(OrderBookSchema, raw, `GET /market/data/orderbook ${symbol}`);
  }

  async sign(payload: Uint8Array): Promise<string> {
    const a = this.auth;
    if (a.kind === "trustless") return walletSignature(a.signer, payload);
    return "secret" in a ? hmacSignature(a.secret, payload) : managedSignature(a.signer, payload);
  }

  /** Place an order; resolves with the nonce it was signed with and the venue's order id. */
  async place(o: PlaceOrder, nonce = this.nonces.next()): Promise<{ nonce: bigint; orderId: string }> {
    const c = this.contract(o.symbol);
    const fields: OrderFields = {
      nonce,
      quantity: o.quantity,
      side: o.side,
      price: o.price,
      maxFeesPercent: o.maxFeesPercent,
    };
    const sig = await this.sign(orderPayload(c, fields));
    const raw = await this.http.request({
      method: "POST",
      host: "trade",
      path: "/trade/order",
      body: orderBody(c, fields, this.accountId, sig, o.orderFlags),
      apiKey: this.apiKey,
    });
    return {
      nonce,
      orderId: parseAs(PlaceAnswerSchema, raw, `POST /trade/order ${o.symbol} (account ${this.accountId})`)
        .orderId,
    };
  }

  /**
   * Update a resting limit order's price and total quantity (PUT /trade/order), signed as an
   * order of the same side with a fresh nonce (sdk `_update_order_generate_sig`).
   */
  async update(
    u: {
      orderId: string;
      symbol: string;
      side: HibachiSide;
      quantity: string;
      price: string;
      maxFeesPercent: string;
    },
    nonce = this.nonces.next(),
  ): Promise<{ nonce: bigint }> {
    const c = this.contract(u.symbol);
    const fields: OrderFields = {
      nonce,
      quantity: u.quantity,
      side: u.side,
      price: u.price,
      maxFeesPercent: u.maxFeesPercent,
    };
    const signature = await this.sign(orderPayload(c, fields));
    await this.http.request({
      method: "PUT",
      host: "trade",
      path: "/trade/order",
      body: {
        accountId: this.accountId,
        orderId: u.orderId,
        nonce: Number(nonce),
        quantity: u.quantity,
        updatedQuantity: u.quantity,
        price: u.price,
        updatedPrice: u.price,
        maxFeesPercent: u.maxFeesPercent,
        signature,
      },
      apiKey: this.apiKey,
    });
    return { nonce };
  }

  /** Cancel by the venue's order id or by the nonce the order was placed with. */
  async cancel(by: { orderId: string } | { nonce: bigint }): Promise<void> {
    const key = "orderId" in by ? BigInt(by.orderId) : by.nonce;
    const signature = await this.sign(cancelPayload(key));
    const body =
      "orderId" in by
        ? { accountId: this.accountId, orderId: by.orderId, signature }
        : { accountId: this.accountId, nonce: String(by.nonce), signature };
    await this.http.request({
      method: "DELETE",
      host: "trade",
      path: "/trade/order",
      body,
      apiKey: this.apiKey,
    });
  }

  /** One order by id or by nonce; undefined when the venue says it has none (HTTP 404). */
  async order(by: { orderId: string } | { nonce: bigint }): Promise<HibachiOrder | undefined> {
    const sel = "orderId" in by ? { orderId: by.orderId } : { nonce: String(by.nonce) };
    try {
      const raw = await this.http.request({
        method: "GET",
        host: "trade",
        path: "/trade/order",
        query: { accountId: this.accountId, ...sel },
        apiKey: this.apiKey,
      });
      return parseAs(OrderSchema, raw, `GET /trade/order (account ${this.accountId})`);
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
  }

  async pendingOrders(): Promise<HibachiOrder[]> {
    const raw = await this.http.request({
      method: "GET",
      host: "trade",
      path: "/trade/orders",
      query: { accountId: this.accountId },
      apiKey: this.apiKey,
    });
    return parseAs(PendingOrdersSchema, raw, `GET /trade/orders (account ${this.accountId})`);
  }

  async accountInfo() {
    const raw = await this.http.request({
      method: "GET",
      host: "trade",
      path: "/trade/account/info",
      query: { accountId: this.accountId },
      apiKey: this.apiKey,
    });
    return parseAs(AccountInfoSchema, raw, `GET /trade/account/info (account ${this.accountId})`);
  }

  async trades() {
    const raw = await this.http.request({
      method: "GET",
      host: "trade",
      path: "/trade/account/trades",
      query: { accountId: this.accountId },
      apiKey: this.apiKey,
    });
    return parseAs(AccountTradesSchema, raw, `GET /trade/account/trades (account ${this.accountId})`).trades;
  }

  async settlements() {
    const raw = await this.http.request({
      method: "GET",
      host: "trade",
      path: "/trade/account/settlements_history",
      query: { accountId: this.accountId },
      apiKey: this.apiKey,
    });
    return parseAs(
      SettlementsSchema,
      raw,
      `GET /trade/account/settlements_history (account ${this.accountId})`,
    ).settlements;
  }
}
