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
} from "../../core/venue.ts";
import type { AccountBinding } from "../../core/venue-account.ts";
import type { VenueNotice } from "../../core/venue-notices.ts";
import { ACCOUNT_STREAM, type MarketSubscription } from "../../core/venue-streams.ts";
import { OrderTracker } from "../kit/order-tracker.ts";
import { StreamHealth } from "../kit/stream-health.ts";
import { BoundAccounts, VenueListeners } from "../kit/venue-accounts.ts";
import { ASTER_CAPABILITIES, CLIENT_ORDER_ID } from "./capabilities.ts";
import type { AsterConfig } from "./config.ts";
import { AsterHttp, AsterRejectError, type RequestSpec } from "./http.ts";
import { MarketFeed } from "./market-feed.ts";
import { OrderSchema, parseAs } from "./parse.ts";
import * as reads from "./reads.ts";
import { signerAddress } from "./signing.ts";
import { isFundingUpdate, orderTradeEvents, UserStream } from "./user-stream.ts";

type Auth = NonNullable<RequestSpec["auth"]>;

interface Bound {
  readonly auth: Auth;
  readonly stream: UserStream;
  /** funding rows already reported ("symbol|ts") */
  readonly fundingSeen: Set<string>;
}

/**
 * The Aster connector (V3 API). Market data over one combined-stream socket (`/stream`), each
 * account's orders and fills over its user data stream (listen key), orders, cancels and reads
 * over signed REST (http.ts says which failure is a refusal and which an unknown outcome).
 */
export class AsterVenue implements Venue {
  readonly id: string;
  readonly capabilities = ASTER_CAPABILITIES;
  readonly config: AsterConfig;
  readonly clock: Clock;
  readonly http: AsterHttp;
  readonly health: StreamHealth;
  readonly market: MarketFeed;
  readonly #events = new VenueListeners<VenueEvent>();
  readonly #accounts: BoundAccounts<Bound>;
  readonly #tracker = new OrderTracker();
  readonly #clientIds = new Map<string, string>();
  readonly #ctx: reads.ReadContext;
  /** the last problem of each kind (a stream message that did not parse), for `perpbot status` */
  readonly #problems = new Map<string, string>();

  constructor(config: AsterConfig, clock: Clock) {
    this.config = config;
    this.id = config.id;
    this.clock = clock;
    this.#accounts = new BoundAccounts<Bound>(this.id);
    this.http = new AsterHttp({ baseUrl: config.rest_url, timeoutMs: config.request_timeout_ms, clock });
    this.health = new StreamHealth(clock, this.id, config.stale_after_ms);
    this.market = new MarketFeed(config, clock, this.http, this.health, (k, fn) => this.#guard(k, fn));
    this.#ctx = {
      http: this.http,
      known: (s) => this.market.instruments.get(s),
      instruments: () => this.instruments(),
      authOf: (a) => this.#bound(a).auth,
      symbolOf: (a, c) => this.#tracker.get(a, c)?.symbol,
      clientIds: this.#clientIds,
      fundingRatePerHour: (s) => this.market.ratePerHour(s),
      markPrice: (s) => this.market.mark(s),
    };
  }

  // ------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    this.#accounts.closed = false;
    await this.market.connect();
    this.health.start();
  }

  async close(): Promise<void> {
    this.#accounts.closed = true;
    this.health.stop();
    await Promise.all([this.market.close(), ...[...this.#accounts.values()].map((b) => b.stream.close())]);
  }

  streams() {
    return this.health.list();
  }

  /** Stream messages that did not parse (skipped, the stream goes on), for `perpbot status`. */
  notices(): VenueNotice[] {
    return [...this.#problems].map(([key, text]) => ({ venue: this.id, key, text }));
  }

  /** Run a stream handler; a message it cannot read is reported, never thrown into the socket. */
  #guard(key: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const text = `venue ${this.id}: ${(e as Error).message}`;
      if (this.#problems.size >= 50 && !this.#problems.has(key)) return;
      this.#problems.set(key, text);
    }
  }

  onStreamStatus(listener: Parameters<StreamHealth["onChange"]>[0]): Unsubscribe {
    return this.health.onChange(listener);
  }

  // ------------------------------------------------------------------ market data (market-feed.ts)

  subscribe(sub: MarketSubscription): Unsubscribe {
    return this.market.subscribe(sub);
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.market.onMarket(listener);
  }

  instruments(): readonly Instrument[] {
    return [...this.market.instruments.values()];
  }

  instrument(symbol: string): Instrument {
    return this.market.instrument(symbol);
  }

  book(symbol: string): BookView {
    return this.market.bookOf(this.instrument(symbol)).book;
  }

  markPrice(symbol: string): number {
    return this.market.mark(this.instrument(symbol).symbol);
  }

  fundingRatePerHour(symbol: string): number {
    return this.market.ratePerHour(this.instrument(symbol).symbol);
  }

  // ------------------------------------------------------------------ accounts

  async bindAccount(binding: AccountBinding): Promise<void> {
    const where = `venue ${this.id}: wallet ${binding.account || "(empty)"}`;
    if (binding.account === "")
      throw new VenueRejectError("invalid_binding", `${where}: a binding needs an account id`);
    const signer = binding.signer;
    if (signer === undefined || signer.scheme !== "secp256k1")
      throw new VenueRejectError(
        "no_signer",
        `${where}: needs a secp256k1 API wallet signer (got ${signer === undefined ? "none" : signer.scheme})`,
      );
    const user = binding.identity.address;
    if (user === undefined || !/^0x[0-9a-fA-F]{40}$/.test(user))
      throw new VenueRejectError(
        "no_user",
        `${where}: identity.address (the main wallet, V3 "user") must be a 0x address, got ${String(user)}`,
      );
    if (this.#accounts.has(binding.account)) return;
    const auth: Auth = {
      account: binding.account,
      user,
      signerAddress: signerAddress(signer),
      signer,
      egress: binding.egress,
    };
    // a signed read proves the API wallet is registered for the user before anything trades
    await this.http.request({ method: "GET", endpoint: "balance", auth }).catch((e: unknown) => {
      if (e instanceof AsterRejectError)
        throw new VenueRejectError(
          e.reason,
          `${where}: API wallet ${auth.signerAddress} refused for user ${user}: ${e.message}`,
        );
      throw e;
    });
    const account = binding.account;
    const stream = new UserStream(this.config.ws_url, this.http, auth, this.config.listen_key_renew_ms, {
      onEvent: (json) => this.#guard(`user:${account}`, () => this.#userEvent(account, json)),
      onUp: () => this.#accountHealth(),
      onDown: () => this.#accountHealth(),
    });
    const bound: Bound = { auth, stream, fundingSeen: new Set() };
    this.#accounts.set(account, bound);
    this.health.add(ACCOUNT_STREAM, false);
    for (const p of await reads.fundingPayments(this.#ctx, account, 0))
      bound.fundingSeen.add(`${p.symbol}|${p.ts}`);
    await stream.start();
  }

  /** The user data stream of a bound account (tests renew and inspect it). */
  userStream(account: string): UserStream | undefined {
    return this.#accounts.get(account)?.stream;
  }

  #accountHealth(): void {
    this.#accounts.reportHealth(this.health, this.clock.now(), (b) => b.stream.socket.isOpen);
  }

  #userEvent(account: string, json: Record<string, unknown>): void {
    if (json.e === "ORDER_TRADE_UPDATE") {
      const events = orderTradeEvents(this.#tracker, account, json, (s) => this.market.instruments.get(s));
      for (const e of events)
        if (e.type === "ack") this.#clientIds.set(`${account}|${e.venueOrderId}`, e.clientOrderId);
      this.#emit(events);
    } else if (json.e === "ACCOUNT_UPDATE" && isFundingUpdate(json, account))
      void this.#readFunding(account).catch(() => undefined);
  }

  async #readFunding(account: string): Promise<void> {
    const b = this.#accounts.get(account);
    if (b === undefined) return;
    for (const p of await reads.fundingPayments(this.#ctx, account, 0)) {
      const key = `${p.symbol}|${p.ts}`;
      if (b.fundingSeen.has(key)) continue;
      b.fundingSeen.add(key);
      this.#emit([
        {
          type: "funding",
          ts: p.ts,
          account,
          symbol: p.symbol,
          amount: p.amount,
          ratePerHour: p.ratePerHour,
          hours: p.hours,
        },
      ]);
    }
  }

  #bound(account: string): Bound {
    return this.#accounts.bound(account);
  }

  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    return this.#events.on(listener);
  }

  #emit(events: readonly VenueEvent[]): void {
    this.#events.emit(events);
  }

  // ------------------------------------------------------------------ orders

  async submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    const { auth } = this.#bound(order.account);
    const inst = this.instrument(order.symbol);
    if (!CLIENT_ORDER_ID.test(order.clientOrderId))
      throw new VenueRejectError(
        "invalid_client_order_id",
        `venue ${this.id}: wallet ${order.account}: clientOrderId "${order.clientOrderId}" does not match ${CLIENT_ORDER_ID}`,
      );
    const ioc = order.type === "market" || order.tif === "ioc";
    this.#tracker.track(order.account, order.clientOrderId, inst.symbol);
    let raw: unknown;
    try {
      raw = await this.http.request({
        method: "POST",
        endpoint: "order",
        order: true,
        auth,
        params: [
          ["symbol", inst.symbol],
          ["side", order.side === "buy" ? "BUY" : "SELL"],
          ["type", "LIMIT"],
          ["timeInForce", ioc ? "IOC" : order.tif === "post_only" ? "GTX" : "GTC"],
          ["quantity", inst.sizeText(order.sizeLots)],
          ["price", inst.priceText(order.priceTicks)],
          ["reduceOnly", order.reduceOnly ? "true" : undefined],
          ["newClientOrderId", order.clientOrderId],
          ["newOrderRespType", "RESULT"],
        ],
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
    const o = parseAs(OrderSchema, raw, `order answer for wallet ${order.account}`);
    this.#clientIds.set(`${order.account}|${o.orderId}`, order.clientOrderId);
    this.#emit(
      this.#tracker.ack(order.account, order.clientOrderId, inst.symbol, o.orderId, this.clock.now()),
    );
    return { venueOrderId: o.orderId };
  }

  async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    const { auth } = this.#bound(account);
    const inst = this.instrument(symbol);
    try {
      const raw = await this.http.request({
        method: "DELETE",
        endpoint: "order",
        auth,
        params: [
          ["symbol", inst.symbol],
          ["origClientOrderId", clientOrderId],
        ],
      });
      const o = parseAs(OrderSchema, raw, `cancel answer for wallet ${account}`);
      this.#emit(this.#tracker.end(account, clientOrderId, inst.symbol, o.orderId, "user", this.clock.now()));
    } catch (e) {
      if (e instanceof VenueRejectError)
        this.#emit([
          { type: "cancel_reject", ts: this.clock.now(), account, clientOrderId, reason: e.reason },
        ]);
      throw e;
    }
  }

  async amend(): Promise<AmendResult> {
    throw new VenueRejectError(
      "amend_unsupported",
      `venue ${this.id}: this connector does not amend (cancel and replace)`,
    );
  }

  async setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    const { auth } = this.#bound(account);
    const inst = this.instrument(symbol);
    if (mode !== "cross")
      throw new VenueRejectError(
        "invalid_margin_mode",
        `venue ${this.id}: ${inst.symbol}: this connector margins cross only`,
      );
    await this.http.request({
      method: "POST",
      endpoint: "leverage",
      auth,
      params: [
        ["symbol", inst.symbol],
        ["leverage", leverage],
      ],
    });
  }

  orderStatus(account: string, clientOrderId: string) {
    return reads.orderStatus(this.#ctx, account, clientOrderId);
  }
  openOrders(account: string) {
    return reads.openOrders(this.#ctx, account);
  }
  positions(account: string) {
    return reads.positions(this.#ctx, account);
  }
  accountState(account: string) {
    return reads.accountState(this.#ctx, account);
  }
  fills(account: string, sinceTs: number) {
    return reads.fills(this.#ctx, account, sinceTs);
  }
  fundingPayments(account: string, sinceTs: number) {
    return reads.fundingPayments(this.#ctx, account, sinceTs);
  }
}
