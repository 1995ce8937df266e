import type { Clock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BookView, MarketEvent } from "../../core/market.ts";
import type { MarginMode, OrderRequest } from "../../core/types.ts";
import {
  type AmendResult,
  type Unsubscribe,
  type Venue,
  type VenueEvent,
  VenueRejectError,
  VenueUnknownOutcomeError,
} from "../../core/venue.ts";
import type { AccountBinding, AccountSigner } from "../../core/venue-account.ts";
import type { VenueNotice } from "../../core/venue-notices.ts";
import { ACCOUNT_STREAM, type MarketSubscription } from "../../core/venue-streams.ts";
import { OrderTracker } from "../kit/order-tracker.ts";
import { StreamHealth } from "../kit/stream-health.ts";
import { BoundAccounts, VenueListeners } from "../kit/venue-accounts.ts";
import { type StreamContext, tradeEvents } from "./account.ts";
import { EDGEX_CAPABILITIES, marketsOf } from "./capabilities.ts";
import { bindingParts, type EdgexConfig, wsUrlOf } from "./config.ts";
import { EdgexHttp, EdgexRejectError, type EdgexRequest } from "./http.ts";
import { EdgexMarketFeed } from "./market-feed.ts";
import { orderBody } from "./orders.ts";
import {
  CancelResultSchema,
  CreateOrderSchema,
  EdgexPayloadError,
  MetaDataSchema,
  parseAs,
  TickerSchema,
  TradeEventSchema,
} from "./parse.ts";
import * as reads from "./reads.ts";
import { authHeaders, type EdgexDomain, queryContent } from "./signing.ts";
import { EdgexSocket } from "./ws.ts";

interface Bound {
  readonly signer: AccountSigner;
  readonly accountId: string;
  readonly apiKey: string;
  readonly passphrase: string;
  readonly socket: EdgexSocket;
}

// the V2 docs: "The endpoint continues to use the /api/v1/ path for backward compatibility"
// (https://edgex-1.gitbook.io/edgeX-documentation/api-v2/websocket-api/public-websocket, …/private-websocket)
const PRIVATE_WS = "/api/v1/private/ws";
const PUBLIC_WS = "/api/v1/public/ws";

/**
 * The EdgeX V2 connector. Quotes over one public socket (`depth.<id>.15`, `ticker.<id>`,
 * `trades.<id>`), each account's orders, fills and funding over its own authenticated socket
 * (`trade-event`), orders and reads over HMAC-signed REST with EIP-712-signed orders (http.ts
 * says which failure is a refusal and which an unknown outcome). Symbols are contract names.
 */
export class EdgexVenue implements Venue {
  readonly id: string;
  readonly capabilities = EDGEX_CAPABILITIES;
  readonly config: EdgexConfig;
  readonly clock: Clock;
  readonly http: EdgexHttp;
  readonly health: StreamHealth;
  readonly feed: EdgexMarketFeed;
  #domain: EdgexDomain | undefined;
  readonly #events = new VenueListeners<VenueEvent>();
  readonly #accounts: BoundAccounts<Bound>;
  readonly #stream: StreamContext;
  readonly #ctx: reads.ReadContext;
  readonly #problems = new Map<string, VenueNotice>();

  constructor(config: EdgexConfig, clock: Clock) {
    this.config = config;
    this.id = config.id;
    this.clock = clock;
    this.http = new EdgexHttp(config.rest_url, config.request_timeout_ms, clock);
    this.health = new StreamHealth(clock, this.id, config.stale_after_ms);
    this.#accounts = new BoundAccounts<Bound>(this.id, "account");
    this.feed = new EdgexMarketFeed(
      { id: this.id, clock, http: this.http, health: this.health, url: `${wsUrlOf(config)}${PUBLIC_WS}` },
      (what, e) => this.#problem(what, e),
    );
    const instrumentOf = (c: string) => this.feed.byContract.get(c)?.instrument;
    this.#stream = {
      instrumentOf,
      clientIds: new Map(),
      tracker: new OrderTracker(),
      filled: new Map(),
      orderLots: new Map(),
    };
    this.#ctx = {
      request: (account, r) => this.#signed(account, r),
      accountIdOf: (a) => this.#bound(a).accountId,
      instrumentOf,
      markOf: (s) => this.feed.markPrice(s),
      clientIds: this.#stream.clientIds,
    };
  }

  // ------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    const meta = parseAs(
      MetaDataSchema,
      await this.http.request({ method: "GET", path: "/api/v2/public/meta/getMetaData" }),
      "getMetaData",
    );
    const chain = (meta.global.nativeChainId ?? meta.global.chainId ?? "").trim();
    if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(chain))
      throw new VenueRejectError(
        "bad_metadata",
        `venue ${this.id}: getMetaData global.nativeChainId "${chain}" is not a chain id`,
      );
    this.#domain = { chainId: BigInt(chain), verifyingContract: meta.global.contractAddress };
    this.feed.setMarkets(marketsOf(this.id, meta, this.config.symbols));
    const tickers = await this.http.request({ method: "GET", path: "/api/v2/public/quote/getTicker" });
    for (const [i, t] of (Array.isArray(tickers) ? tickers : []).entries())
      this.feed.ticker(parseAs(TickerSchema, t, `getTicker[${i}]`));
    this.#accounts.closed = false;
    await this.feed.connect();
    this.health.start();
  }

  async close(): Promise<void> {
    this.#accounts.closed = true;
    this.health.stop();
    await Promise.all([this.feed.close(), ...[...this.#accounts.values()].map((b) => b.socket.close())]);
  }

  streams() {
    return this.health.list();
  }

  notices(): readonly VenueNotice[] {
    return [...this.#problems.values()];
  }

  #problem(stream: string, e: Error): void {
    this.#problems.set(stream, {
      venue: this.id,
      key: `payload:${stream}`,
      text: `a ${stream} message was dropped: ${e.message}`,
    });
  }

  onStreamStatus(listener: Parameters<StreamHealth["onChange"]>[0]): Unsubscribe {
    return this.health.onChange(listener);
  }

  // ------------------------------------------------------------------ market data (market-feed.ts)

  subscribe(sub: MarketSubscription): Unsubscribe {
    return this.feed.subscribe(sub);
  }
  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.feed.onMarket(listener);
  }
  instruments(): readonly Instrument[] {
    return this.feed.instruments();
  }
  instrument(symbol: string): Instrument {
    return this.feed.marketOf(symbol).instrument;
  }
  book(symbol: string): BookView {
    return this.feed.book(symbol);
  }
  markPrice(symbol: string): number {
    return this.feed.markPrice(symbol);
  }
  fundingRatePerHour(symbol: string): number {
    return this.feed.fundingRatePerHour(symbol);
  }

  // ------------------------------------------------------------------ accounts

  async bindAccount(binding: AccountBinding): Promise<void> {
    const who = `venue ${this.id}: account ${binding.account}`;
    const { signer, accountId, apiKey, passphrase } = bindingParts(this.id, binding);
    if (this.#accounts.has(binding.account)) return;
    const auth = { signer, apiKey, passphrase };
    const socket = new EdgexSocket(
      `${wsUrlOf(this.config)}${PRIVATE_WS}`,
      {
        onMessage: (m) => this.#accountMessage(binding.account, m),
        onUp: () => this.#accountHealth(),
        onDown: () => this.#accountHealth(),
        onProblem: (what, e) => this.#problem(`${what} of account ${binding.account}`, e),
      },
      () => {
        const ts = String(this.clock.now());
        const query = { accountId, timestamp: ts };
        return { query, headers: authHeaders(auth, ts, "GET", PRIVATE_WS, queryContent(query)) };
      },
    );
    const bound: Bound = { signer, accountId, apiKey, passphrase, socket };
    // a signed read proves the credentials before anything trades with them
    await this.http
      .request({
        method: "GET",
        path: "/api/v2/private/account/getAccountAsset",
        query: { accountId },
        auth,
      })
      .catch((e: unknown) => {
        if (e instanceof EdgexRejectError)
          throw new VenueRejectError(e.reason, `${who}: credentials refused: ${e.message}`);
        throw e;
      });
    this.#accounts.set(binding.account, bound);
    this.health.add(ACCOUNT_STREAM, false);
    await socket.connect();
  }

  #accountHealth(): void {
    this.#accounts.reportHealth(this.health, this.clock.now(), (b) => b.socket.isOpen);
  }

  #accountMessage(account: string, raw: Record<string, unknown>): void {
    if (raw.type !== "trade-event") return;
    this.health.message(ACCOUNT_STREAM, this.clock.now());
    this.#emit(
      tradeEvents(this.#stream, account, parseAs(TradeEventSchema, raw, "trade-event"), this.clock.now()),
    );
  }

  #bound(account: string): Bound {
    return this.#accounts.bound(account);
  }

  #signed(account: string, r: Omit<EdgexRequest, "auth">): Promise<unknown> {
    const b = this.#bound(account);
    return this.http.request({
      ...r,
      auth: { signer: b.signer, apiKey: b.apiKey, passphrase: b.passphrase },
    });
  }

  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    return this.#events.on(listener);
  }

  #emit(events: readonly VenueEvent[]): void {
    this.#events.emit(events);
  }

  // ------------------------------------------------------------------ orders

  async submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    const b = this.#bound(order.account);
    const m = this.feed.marketOf(order.symbol);
    if (!/^[1-9]\d{0,18}$/.test(order.clientOrderId) || BigInt(order.clientOrderId) >= 2n ** 63n)
      throw new VenueRejectError(
        "invalid_client_order_id",
        `venue ${this.id}: clientOrderId "${order.clientOrderId}" is not a decimal u63 (1 … 2^63−1)`,
      );
    const body = await orderBody(m, this.#domain!, b, order, this.clock.now(), this.config.order_expiry_ms);
    const key = `${order.account}|${order.clientOrderId}`;
    this.#stream.tracker.track(order.account, order.clientOrderId, m.instrument.symbol);
    this.#stream.orderLots.set(key, order.sizeLots);
    let raw: unknown;
    try {
      raw = await this.#signed(order.account, {
        method: "POST",
        path: "/api/v2/private/order/createOrder",
        body,
      });
    } catch (e) {
      if (e instanceof VenueRejectError)
        this.#emit([
          {
            type: "reject",
            ts: this.clock.now(),
            account: order.account,
            clientOrderId: order.clientOrderId,
            reason: e.reason,
          },
        ]);
      throw e;
    }
    const answer = CreateOrderSchema.safeParse(raw);
    // the venue said SUCCESS: the order exists even if its answer is unreadable
    if (!answer.success)
      throw new VenueUnknownOutcomeError(
        "server_error",
        `venue ${this.id}: account ${order.account}: createOrder answered SUCCESS without a readable orderId (${answer.error.issues[0]?.message})`,
      );
    const { orderId } = answer.data;
    this.#stream.clientIds.set(orderId, order.clientOrderId);
    this.#emit(
      this.#stream.tracker.ack(
        order.account,
        order.clientOrderId,
        m.instrument.symbol,
        orderId,
        this.clock.now(),
      ),
    );
    return { venueOrderId: orderId };
  }

  async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    const b = this.#bound(account);
    const m = this.feed.marketOf(symbol);
    const reject = (reason: string, message: string) => {
      this.#emit([{ type: "cancel_reject", ts: this.clock.now(), account, clientOrderId, reason }]);
      return new VenueRejectError(reason, message);
    };
    let raw: unknown;
    try {
      raw = await this.#signed(account, {
        method: "POST",
        path: "/api/v2/private/order/cancelOrderByClientOrderId",
        body: { accountId: b.accountId, clientOrderIdList: [clientOrderId] },
      });
    } catch (e) {
      if (e instanceof VenueRejectError) throw reject(e.reason, e.message);
      throw e;
    }
    const result = parseAs(CancelResultSchema, raw, "cancelOrderByClientOrderId answer").cancelResultMap[
      clientOrderId
    ];
    if (result !== "SUCCESS")
      throw reject(
        (result ?? "not_in_answer").toLowerCase(),
        `venue ${this.id}: cancel of ${clientOrderId} on ${m.instrument.symbol}: ${result ?? "not in the answer"}`,
      );
    const t = this.#stream.tracker.get(account, clientOrderId);
    this.#emit(
      this.#stream.tracker.end(
        account,
        clientOrderId,
        m.instrument.symbol,
        t?.venueOrderId ?? "",
        "user",
        this.clock.now(),
      ),
    );
  }

  async amend(): Promise<AmendResult> {
    throw new VenueRejectError("amend_unsupported", `venue ${this.id}: EdgeX has no in-place amend`);
  }

  async setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    const b = this.#bound(account);
    const m = this.feed.marketOf(symbol);
    if (mode !== "cross")
      throw new VenueRejectError(
        "invalid_margin_mode",
        `venue ${this.id}: ${symbol}: EdgeX margins cross only`,
      );
    await this.#signed(account, {
      method: "POST",
      path: "/api/v2/private/account/updateLeverageSetting",
      body: { accountId: b.accountId, contractId: m.contract.contractId, leverage: String(leverage) },
    });
  }

  /** A read whose answer does not parse names the venue, the account and the field. */
  async #read<T>(account: string, work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (e) {
      if (e instanceof EdgexPayloadError)
        throw new EdgexPayloadError(`venue ${this.id}: account ${account}: ${e.message}`);
      throw e;
    }
  }

  orderStatus(account: string, clientOrderId: string) {
    return this.#read(account, reads.orderStatus(this.#ctx, account, clientOrderId));
  }
  openOrders(account: string) {
    return this.#read(account, reads.openOrders(this.#ctx, account));
  }
  positions(account: string) {
    return this.#read(account, reads.positions(this.#ctx, account));
  }
  accountState(account: string) {
    return this.#read(account, reads.accountState(this.#ctx, account));
  }
  fills(account: string, sinceTs: number) {
    return this.#read(account, reads.fills(this.#ctx, account, sinceTs));
  }
  fundingPayments(account: string, sinceTs: number) {
    return this.#read(account, reads.fundingPayments(this.#ctx, account, sinceTs));
  }
}
