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
import type { AccountBinding, AccountSigner } from "../../core/venue-account.ts";
import type { VenueNotice } from "../../core/venue-notices.ts";
import { ACCOUNT_STREAM, type MarketSubscription, streamName } from "../../core/venue-streams.ts";
import { OrderTracker } from "../kit/order-tracker.ts";
import { StreamHealth } from "../kit/stream-health.ts";
import { BoundAccounts, VenueListeners } from "../kit/venue-accounts.ts";
import { orderUpdateEvents } from "./account-stream.ts";
import { BookSync } from "./book-sync.ts";
import { BACKPACK_CAPABILITIES, instrumentOf, perpMarkets } from "./capabilities.ts";
import { type BackpackConfig, wsUrlOf } from "./config.ts";
import { type FrameData, ScannedDepth } from "./depth-scan.ts";
import { FundingWatch } from "./funding-watch.ts";
import { BackpackHttp, BackpackRejectError } from "./http.ts";
import { orderBody, wireOf } from "./orders.ts";
import {
  MarkEventSchema,
  MarketsSchema,
  MarkPricesSchema,
  OrderSchema,
  parseAs,
  TradeEventSchema,
} from "./parse.ts";
import * as reads from "./reads.ts";
import { apiKeyOf, subscribeSignature } from "./signing.ts";
import { BackpackSocket } from "./ws.ts";

interface Bound {
  readonly signer: AccountSigner;
  readonly socket: BackpackSocket;
}

/**
 * The Backpack connector (perps). Market data over one public socket, each account's orders and
 * fills over its own signed socket (`account.orderUpdate`, `account.positionUpdate`); orders, cancels
 * and reads over signed REST (http.ts says which failure is a refusal and which an unknown outcome).
 */
export class BackpackVenue implements Venue {
  readonly id: string;
  readonly capabilities = BACKPACK_CAPABILITIES;
  readonly config: BackpackConfig;
  readonly clock: Clock;
  readonly http: BackpackHttp;
  readonly health: StreamHealth;
  readonly #instruments = new Map<string, Instrument>();
  readonly #marks = new Map<string, number>();
  readonly #funding = new Map<string, number>();
  readonly #books = new Map<string, BookSync>();
  readonly #subs = new Map<string, number>();
  readonly #wires = new Map<string, number>();
  readonly #market = new VenueListeners<MarketEvent>();
  readonly #events = new VenueListeners<VenueEvent>();
  readonly #accounts: BoundAccounts<Bound>;
  readonly #tracker = new OrderTracker();
  readonly #fundingWatch: FundingWatch;
  readonly #public: BackpackSocket;
  readonly #ctx: reads.ReadContext;
  /** the last stream message that did not parse, per stream (shown by `perpbot status`) */
  readonly #problems = new Map<string, VenueNotice>();

  constructor(config: BackpackConfig, clock: Clock) {
    this.config = config;
    this.id = config.id;
    this.clock = clock;
    this.#accounts = new BoundAccounts<Bound>(this.id, "account");
    this.http = new BackpackHttp({
      baseUrl: config.rest_url,
      windowMs: config.window_ms,
      timeoutMs: config.request_timeout_ms,
      clock,
    });
    this.health = new StreamHealth(clock, this.id, config.stale_after_ms);
    this.#ctx = {
      http: this.http,
      known: (s) => this.#instruments.get(s),
      signerOf: (a) => this.#bound(a).signer,
    };
    this.#fundingWatch = new FundingWatch(this.#ctx, (e) => this.#emit([e]));
    this.#public = new BackpackSocket(wsUrlOf(config), {
      onFrame: (stream, data) => this.#publicFrame(stream, data),
      onUp: () => this.#publicUp(),
      onDown: () => {
        for (const s of this.#subs.keys()) this.health.down(s);
      },
      onProblem: (stream, e) => this.#problem(stream, e),
    });
  }

  // ------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    const markets = parseAs(
      MarketsSchema,
      await this.http.request({ method: "GET", path: "/api/v1/markets" }),
      "markets",
    );
    for (const m of perpMarkets(markets, this.config.symbols))
      this.#instruments.set(
        m.symbol,
        instrumentOf(this.id, m, {
          makerFeeBps: this.config.maker_fee_bps,
          takerFeeBps: this.config.taker_fee_bps,
        }),
      );
    const marks = parseAs(
      MarkPricesSchema,
      await this.http.request({ method: "GET", path: "/api/v1/markPrices" }),
      "mark prices",
    );
    for (const m of marks) this.#setMark(m.symbol, Number(m.markPrice), m.fundingRate);
    this.#accounts.closed = false;
    await this.#public.connect();
    this.health.start();
  }

  async close(): Promise<void> {
    this.#accounts.closed = true;
    this.health.stop();
    this.#fundingWatch.stop();
    await Promise.all([this.#public.close(), ...[...this.#accounts.values()].map((b) => b.socket.close())]);
  }

  streams() {
    return this.health.list();
  }

  /** Stream messages that did not parse (dropped; the stream goes on), the last one per stream. */
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

  // ------------------------------------------------------------------ market data

  subscribe(sub: MarketSubscription): Unsubscribe {
    const inst = this.instrument(sub.symbol);
    const name = streamName(sub);
    const wire = wireOf(sub);
    this.#subs.set(name, (this.#subs.get(name) ?? 0) + 1);
    this.health.add(name, this.#public.isOpen);
    const n = (this.#wires.get(wire) ?? 0) + 1;
    this.#wires.set(wire, n);
    if (n === 1) {
      if (sub.channel === "book")
        this.#bookOf(inst)
          .resync()
          .catch(() => undefined);
      this.#public.subscribe(wire);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#subs.get(name) ?? 1) - 1;
      if (left === 0) {
        this.#subs.delete(name);
        this.health.remove(name);
      } else this.#subs.set(name, left);
      const w = (this.#wires.get(wire) ?? 1) - 1;
      if (w === 0) {
        this.#wires.delete(wire);
        this.#public.unsubscribe(wire);
      } else this.#wires.set(wire, w);
    };
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.#market.on(listener);
  }

  instruments(): readonly Instrument[] {
    return [...this.#instruments.values()];
  }

  instrument(symbol: string): Instrument {
    const inst = this.#instruments.get(symbol);
    if (inst === undefined)
      throw new VenueRejectError(
        "unknown_symbol",
        `venue ${this.id}: unknown symbol "${symbol}" (perp markets are named like BTC_USDC_PERP)`,
      );
    return inst;
  }

  book(symbol: string): BookView {
    return this.#bookOf(this.instrument(symbol)).book;
  }

  markPrice(symbol: string): number {
    return this.#marks.get(this.instrument(symbol).symbol) ?? Number.NaN;
  }

  fundingRatePerHour(symbol: string): number {
    return this.#funding.get(this.instrument(symbol).symbol) ?? 0;
  }

  #bookOf(inst: Instrument): BookSync {
    let b = this.#books.get(inst.symbol);
    if (b === undefined) {
      b = new BookSync(
        inst,
        this.id,
        () => this.http.request({ method: "GET", path: "/api/v1/depth", query: { symbol: inst.symbol } }),
        (u) => {
          if (this.#subs.has(`book:${inst.symbol}`)) this.#publish(u);
        },
      );
      this.#books.set(inst.symbol, b);
    }
    return b;
  }

  #setMark(symbol: string, mark: number, fundingRate: string | undefined): void {
    const inst = this.#instruments.get(symbol);
    if (inst === undefined) return;
    this.#marks.set(symbol, mark);
    // the venue's rate is per funding interval; the contract's is per hour
    if (fundingRate !== undefined)
      this.#funding.set(symbol, Number(fundingRate) / inst.spec.fundingIntervalHours);
  }

  #publicUp(): void {
    for (const s of this.#subs.keys()) this.health.up(s);
    // diffs missed while down cannot be replayed: every book starts again from a snapshot
    for (const [symbol, b] of this.#books)
      if (this.#subs.has(`book:${symbol}`)) b.resync().catch(() => undefined);
  }

  #publicFrame(stream: string, data: FrameData): void {
    const dot = stream.indexOf(".");
    const kind = stream.slice(0, dot);
    const symbol = stream.slice(dot + 1);
    const inst = this.#instruments.get(symbol);
    if (inst === undefined) return;
    const now = this.clock.now();
    if (kind === "depth") {
      this.health.message(`book:${symbol}`, now);
      this.#bookOf(inst).onDepth(data);
    } else if (kind === "markPrice") {
      const m = parseAs(MarkEventSchema, data, `markPrice.${symbol}`);
      const ts = Math.floor(m.E / 1000);
      this.#setMark(symbol, Number(m.p), m.f);
      for (const ch of ["mark", "funding"] as const) this.health.message(`${ch}:${symbol}`, now);
      if (this.#subs.has(`mark:${symbol}`)) {
        const index = m.i == null ? Number(m.p) : Number(m.i);
        this.#publish({
          type: "mark",
          venue: this.id,
          symbol,
          ts,
          markPrice: Number(m.p),
          oraclePrice: index,
        });
      }
      if (this.#subs.has(`funding:${symbol}`) && m.f !== undefined)
        this.#publish({
          type: "funding",
          venue: this.id,
          symbol,
          ts,
          ratePerHour: this.#funding.get(symbol) ?? 0,
        });
    } else if (kind === "trade") {
      const t = parseAs(TradeEventSchema, data, `trade.${symbol}`);
      this.health.message(`trades:${symbol}`, now);
      // m: the buyer was the maker, so the aggressor sold
      this.#publish({
        type: "trade",
        venue: this.id,
        symbol,
        ts: Math.floor(t.E / 1000),
        price: Number(t.p),
        size: Number(t.q),
        side: t.m ? "sell" : "buy",
      });
    }
  }

  #publish(e: MarketEvent): void {
    this.#market.emitOne(e);
  }

  // ------------------------------------------------------------------ accounts

  async bindAccount(binding: AccountBinding): Promise<void> {
    if (binding.account === "")
      throw new VenueRejectError(
        "invalid_binding",
        `venue ${this.id}: an account binding needs a non-empty account id`,
      );
    const signer = binding.signer;
    if (signer === undefined || signer.scheme !== "ed25519")
      throw new VenueRejectError(
        "no_signer",
        `venue ${this.id}: account ${binding.account} needs an ed25519 API key signer (got ${signer === undefined ? "none" : signer.scheme})`,
      );
    if (this.#accounts.has(binding.account)) return;
    const wanted = binding.identity.apiKeyId;
    if (wanted !== undefined && wanted !== apiKeyOf(signer))
      throw new VenueRejectError(
        "wrong_key",
        `venue ${this.id}: account ${binding.account}: the keystore secret is the private half of API key ${apiKeyOf(signer)}, not of the configured api_key ${wanted}`,
      );
    // a signed read proves the key is registered before anything trades with it
    await this.http
      .request({ method: "GET", path: "/api/v1/capital/collateral", signer })
      .catch((e: unknown) => {
        if (e instanceof BackpackRejectError)
          throw new VenueRejectError(
            e.reason,
            `venue ${this.id}: account ${binding.account}: API key refused: ${e.message}`,
          );
        throw e;
      });
    const account = binding.account;
    const socket = new BackpackSocket(
      wsUrlOf(this.config),
      {
        // the account socket carries no depth streams: a diff read directly is not its frame
        onFrame: (stream, data) => {
          if (!(data instanceof ScannedDepth)) this.#accountFrame(account, stream, data);
        },
        onUp: () => this.#accountHealth(),
        onDown: () => this.#accountHealth(),
        onProblem: (stream, e) => this.#problem(`${stream} of account ${account}`, e),
      },
      () => subscribeSignature(signer, this.clock.now(), this.config.window_ms),
    );
    socket.subscribe("account.orderUpdate");
    socket.subscribe("account.positionUpdate");
    this.#accounts.set(account, { signer, socket });
    this.health.add(ACCOUNT_STREAM, false);
    await this.#fundingWatch.seed(account);
    await socket.connect();
  }

  #accountHealth(): void {
    this.#accounts.reportHealth(this.health, this.clock.now(), (b) => b.socket.isOpen);
  }

  #accountFrame(account: string, stream: string, data: Record<string, unknown>): void {
    if (stream === "account.orderUpdate")
      this.#emit(orderUpdateEvents(this.#tracker, account, data, (s) => this.#instruments.get(s)));
    else if (stream === "account.positionUpdate") this.#fundingWatch.poke(account);
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
    const { signer } = this.#bound(order.account);
    const inst = this.instrument(order.symbol);
    const clientId = Number(order.clientOrderId);
    if (!/^\d+$/.test(order.clientOrderId) || !(clientId >= 1 && clientId < 2 ** 32))
      throw new VenueRejectError(
        "invalid_client_order_id",
        `venue ${this.id}: clientOrderId "${order.clientOrderId}" is not a u32 (1 … 2^32−1)`,
      );
    const body = orderBody(inst, order, clientId);
    this.#tracker.track(order.account, order.clientOrderId, inst.symbol);
    let raw: unknown;
    try {
      raw = await this.http.request({ method: "POST", path: "/api/v1/order", body, signer });
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
    const o = parseAs(OrderSchema, raw, "order execute answer");
    this.#emit(this.#tracker.ack(order.account, order.clientOrderId, inst.symbol, o.id, this.clock.now()));
    return { venueOrderId: o.id };
  }

  async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    const { signer } = this.#bound(account);
    const inst = this.instrument(symbol);
    try {
      const raw = await this.http.request({
        method: "DELETE",
        path: "/api/v1/order",
        body: { clientId: Number(clientOrderId), symbol: inst.symbol },
        signer,
      });
      const o = parseAs(OrderSchema, raw, "order cancel answer");
      this.#emit(this.#tracker.end(account, clientOrderId, inst.symbol, o.id, "user", this.clock.now()));
    } catch (e) {
      if (e instanceof VenueRejectError)
        this.#emit([
          { type: "cancel_reject", ts: this.clock.now(), account, clientOrderId, reason: e.reason },
        ]);
      throw e;
    }
  }

  async amend(): Promise<AmendResult> {
    throw new VenueRejectError("amend_unsupported", `venue ${this.id}: Backpack has no in-place amend`);
  }

  async setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    const { signer } = this.#bound(account);
    const inst = this.instrument(symbol);
    if (mode !== "cross")
      throw new VenueRejectError(
        "invalid_margin_mode",
        `venue ${this.id}: ${inst.symbol}: Backpack margins cross only`,
      );
    // the venue's leverage limit is account-wide: it applies to every market at once
    await this.http.request({
      method: "PATCH",
      path: "/api/v1/account",
      body: { leverageLimit: String(leverage) },
      signer,
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
