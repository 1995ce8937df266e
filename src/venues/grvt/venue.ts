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
import { ACCOUNT_STREAM, type MarketSubscription, streamName } from "../../core/venue-streams.ts";
import { StreamHealth } from "../kit/stream-health.ts";
import { BoundAccounts, VenueListeners } from "../kit/venue-accounts.ts";
import { OrderTracker } from "./account-events.ts";
import { GRVT_CAPABILITIES, instrumentOf, perpetuals, scaleOf } from "./capabilities.ts";
import { chainIdOf, type GrvtConfig, hostsOf } from "./config.ts";
import { GrvtHttp } from "./http.ts";
import { GrvtMarketData, wireOf } from "./market-data.ts";
import { type GrvtFeedFrame, InstrumentsAnswer, OrderAnswer, parseAs, TickerAnswer } from "./parse.ts";
import * as reads from "./reads.ts";
import { createOrderBody, type InstrumentScale, type OrderInput, randomNonce, signOrder } from "./signing.ts";
import { GrvtSocket } from "./ws.ts";

interface Bound {
  readonly signer: AccountSigner;
  readonly subAccountId: string;
  readonly socket: GrvtSocket;
  /** funding payments already reported, by event time (ns text) */
  readonly fundingSeen: Set<string>;
}

/**
 * The GRVT connector (perpetuals). Market data over one public socket (`v1.book.s` snapshots,
 * `v1.ticker.s` for mark and funding), each account's orders and fills over its own private
 * socket (`v1.order`, `v1.fill`, `v1.position` on its sub-account), orders signed EIP-712 and
 * sent over REST with the wallet-login session (http.ts says which failure is a refusal and
 * which an unknown outcome).
 */
export class GrvtVenue implements Venue {
  readonly id: string;
  readonly capabilities = GRVT_CAPABILITIES;
  readonly config: GrvtConfig;
  readonly clock: Clock;
  readonly http: GrvtHttp;
  readonly health: StreamHealth;
  readonly chainId: number;
  readonly #instruments = new Map<string, Instrument>();
  readonly #scales = new Map<string, InstrumentScale>();
  readonly #data: GrvtMarketData;
  readonly #subs = new Map<string, number>();
  readonly #market = new VenueListeners<MarketEvent>();
  readonly #events = new VenueListeners<VenueEvent>();
  readonly #accounts: BoundAccounts<Bound>;
  readonly #tracker = new OrderTracker();
  readonly #public: GrvtSocket;
  readonly #ctx: reads.ReadContext;

  constructor(config: GrvtConfig, clock: Clock) {
    this.config = config;
    this.id = config.id;
    this.clock = clock;
    this.chainId = chainIdOf(config.network);
    this.#accounts = new BoundAccounts<Bound>(this.id, "account");
    this.#data = new GrvtMarketData(
      this.id,
      (s) => this.#instruments.get(s),
      (stream, selector) => this.#public.resubscribe(stream, selector),
    );
    const hosts = hostsOf(config);
    this.http = new GrvtHttp({ hosts, timeoutMs: config.request_timeout_ms, clock, chainId: this.chainId });
    this.health = new StreamHealth(clock, this.id, config.stale_after_ms);
    this.#ctx = {
      http: this.http,
      known: (s) => this.#instruments.get(s),
      boundOf: (a) => this.#accounts.bound(a),
    };
    this.#public = new GrvtSocket(`${hosts.marketWs}/ws/full`, {
      onFrame: (f) => this.#publicFrame(f),
      onUp: () => {
        for (const s of this.#subs.keys()) this.health.up(s);
      },
      onDown: () => {
        this.#data.resetDeltas();
        for (const s of this.#subs.keys()) this.health.down(s);
      },
      onSubscribed: (stream, subs, first) => this.#data.onSubscribed(stream, subs, first),
    });
  }

  // ------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    const list = parseAs(
      InstrumentsAnswer,
      await this.http.publicCall("/full/v1/all_instruments", { kind: ["PERPETUAL"], is_active: true }),
      "all_instruments",
    );
    const fees = { makerFeeBps: this.config.maker_fee_bps, takerFeeBps: this.config.taker_fee_bps };
    for (const m of perpetuals(list.result, this.config.symbols)) {
      this.#instruments.set(m.instrument, instrumentOf(this.id, m, fees, this.config.max_leverage));
      this.#scales.set(m.instrument, scaleOf(m));
    }
    await Promise.all(
      [...this.#instruments.keys()].map(async (instrument) => {
        const t = parseAs(
          TickerAnswer,
          await this.http.publicCall("/full/v1/ticker", { instrument }),
          `ticker ${instrument}`,
        );
        this.#data.setTicker(t.result);
      }),
    );
    this.#accounts.closed = false;
    await this.#public.connect();
    this.health.start();
  }

  async close(): Promise<void> {
    this.#accounts.closed = true;
    this.health.stop();
    await Promise.all([this.#public.close(), ...[...this.#accounts.values()].map((b) => b.socket.close())]);
  }

  streams() {
    return this.health.list();
  }

  onStreamStatus(listener: Parameters<StreamHealth["onChange"]>[0]): Unsubscribe {
    return this.health.onChange(listener);
  }

  // ------------------------------------------------------------------ market data

  subscribe(sub: MarketSubscription): Unsubscribe {
    this.instrument(sub.symbol);
    const name = streamName(sub);
    const [stream, selector] = wireOf(sub, this.config.book_feed);
    this.#subs.set(name, (this.#subs.get(name) ?? 0) + 1);
    this.health.add(name, this.#public.isOpen);
    this.#public.subscribe(stream, selector);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#subs.get(name) ?? 1) - 1;
      if (left > 0) return void this.#subs.set(name, left);
      this.#subs.delete(name);
      this.health.remove(name);
      const shared = [...this.#subs.keys()].some((n) => {
        const [ch, sym] = n.split(":");
        return (
          wireOf(
            { symbol: sym, channel: ch as MarketSubscription["channel"] },
            this.config.book_feed,
          ).join() === [stream, selector].join()
        );
      });
      if (!shared) this.#public.unsubscribe(stream, selector);
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
        `venue ${this.id}: unknown symbol "${symbol}" (perpetuals are named like BTC_USDT_Perp)`,
      );
    return inst;
  }

  book(symbol: string): BookView {
    return this.#data.book(this.instrument(symbol));
  }

  markPrice(symbol: string): number {
    return this.#data.marks.get(this.instrument(symbol).symbol) ?? Number.NaN;
  }

  fundingRatePerHour(symbol: string): number {
    return this.#data.funding.get(this.instrument(symbol).symbol) ?? 0;
  }

  #publicFrame(f: GrvtFeedFrame): void {
    const { fed, events } = this.#data.onFrame(f);
    const now = this.clock.now();
    for (const s of fed) this.health.message(s, now);
    for (const e of events) {
      const channel = e.type === "trade" ? "trades" : e.type;
      if (this.#subs.has(`${channel}:${e.symbol}`)) this.#market.emitOne(e);
    }
  }

  // ------------------------------------------------------------------ accounts

  async bindAccount(binding: AccountBinding): Promise<void> {
    const signer = binding.signer;
    if (binding.account === "")
      throw new VenueRejectError(
        "invalid_binding",
        `venue ${this.id}: an account binding needs a non-empty account id`,
      );
    if (signer === undefined || signer.scheme !== "secp256k1")
      throw new VenueRejectError(
        "no_signer",
        `venue ${this.id}: account ${binding.account} needs a secp256k1 wallet signer (got ${signer === undefined ? "none" : signer.scheme})`,
      );
    const sub = binding.identity.subAccount;
    if (sub === undefined || !/^\d+$/.test(sub))
      throw new VenueRejectError(
        "invalid_binding",
        `venue ${this.id}: account ${binding.account}: identity.subAccount must be the trading sub-account id (digits), got ${String(sub)}`,
      );
    if (this.#accounts.has(binding.account)) return;
    const account = binding.account;
    // a login and a read prove the wallet may trade the sub-account before anything is sent
    await this.http
      .privateCall(signer, "/full/v1/account_summary", { sub_account_id: sub })
      .catch((e: unknown) => {
        if (e instanceof VenueRejectError)
          throw new VenueRejectError(
            e.reason,
            `venue ${this.id}: account ${account}: sub-account ${sub} refused: ${e.message}`,
          );
        throw e;
      });
    const socket = new GrvtSocket(
      `${hostsOf(this.config).tradesWs}/ws/full`,
      {
        onFrame: (f) => this.#accountFrame(account, f),
        onUp: () => this.#accountHealth(),
        onDown: () => this.#accountHealth(),
      },
      async () => {
        const s = await this.http.session(signer);
        return { Cookie: s.cookie, "X-Grvt-Account-Id": s.accountId };
      },
    );
    for (const stream of ["v1.order", "v1.fill", "v1.position"]) socket.subscribe(stream, sub);
    const bound: Bound = { signer, subAccountId: sub, socket, fundingSeen: new Set() };
    this.#accounts.set(account, bound);
    this.health.add(ACCOUNT_STREAM, false);
    for (const p of await reads.fundingPayments(this.#ctx, account, 0)) bound.fundingSeen.add(String(p.ts));
    await socket.connect();
  }

  #accountHealth(): void {
    this.#accounts.reportHealth(this.health, this.clock.now(), (b) => b.socket.isOpen);
  }

  #accountFrame(account: string, f: GrvtFeedFrame): void {
    this.health.message(ACCOUNT_STREAM, this.clock.now());
    if (f.stream === "v1.order") this.#events.emit(this.#tracker.onOrder(account, f));
    else if (f.stream === "v1.fill")
      this.#events.emit(this.#tracker.onFill(account, f, (i) => this.#instruments.get(i)));
    else if (f.stream === "v1.position") void this.#pollFunding(account).catch(() => undefined);
  }

  /** A position changed: report funding payments not seen before as funding events. */
  async #pollFunding(account: string): Promise<void> {
    const b = this.#accounts.get(account);
    if (b === undefined) return;
    for (const p of await reads.fundingPayments(this.#ctx, account, 0)) {
      if (b.fundingSeen.has(String(p.ts))) continue;
      b.fundingSeen.add(String(p.ts));
      const rate = this.#data.funding.get(p.symbol) ?? 0;
      this.#events.emitOne({
        type: "funding",
        ts: p.ts,
        account,
        symbol: p.symbol,
        amount: p.amount,
        ratePerHour: rate,
        hours: p.hours,
      });
    }
  }

  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    return this.#events.on(listener);
  }

  // ------------------------------------------------------------------ orders

  async submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    const b = this.#accounts.bound(order.account);
    const inst = this.instrument(order.symbol);
    const cid = Number(order.clientOrderId);
    if (!/^\d+$/.test(order.clientOrderId) || !(cid >= 1 && cid < 2 ** 32))
      throw new VenueRejectError(
        "invalid_client_order_id",
        `venue ${this.id}: clientOrderId "${order.clientOrderId}" is not a u32 (1 … 2^32−1)`,
      );
    const market = order.type === "market";
    const input: OrderInput = {
      subAccountId: b.subAccountId,
      isMarket: market,
      timeInForce: market || order.tif === "ioc" ? "IMMEDIATE_OR_CANCEL" : "GOOD_TILL_TIME",
      postOnly: order.tif === "post_only",
      reduceOnly: order.reduceOnly,
      legs: [
        {
          instrument: inst.symbol,
          size: inst.sizeText(order.sizeLots),
          limitPrice: market ? undefined : inst.priceText(order.priceTicks),
          isBuyingAsset: order.side === "buy",
        },
      ],
      nonce: randomNonce(),
      expirationNs: BigInt(this.clock.now() + this.config.order_expiry_ms) * 1_000_000n,
      clientOrderId: order.clientOrderId,
    };
    const body = createOrderBody(input, await signOrder(b.signer, input, this.#scales, this.chainId));
    this.#tracker.track(order.account, order.clientOrderId, inst.symbol, order.sizeLots);
    let raw: unknown;
    try {
      raw = await this.http.privateCall(b.signer, "/full/v1/create_order", body);
    } catch (e) {
      if (e instanceof VenueRejectError)
        this.#events.emitOne({
          type: "reject",
          ts: this.clock.now(),
          account: order.account,
          clientOrderId: order.clientOrderId,
          reason: e.reason,
        });
      throw e;
    }
    const o = parseAs(OrderAnswer, raw, "create_order answer").result;
    this.#events.emit(this.#tracker.ack(order.account, order.clientOrderId, o.order_id, this.clock.now()));
    return { venueOrderId: o.order_id };
  }

  async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    const b = this.#accounts.bound(account);
    this.instrument(symbol);
    this.#tracker.cancelRequested(account, clientOrderId);
    try {
      await this.http.privateCall(b.signer, "/full/v1/cancel_order", {
        sub_account_id: b.subAccountId,
        client_order_id: clientOrderId,
      });
    } catch (e) {
      if (e instanceof VenueRejectError)
        this.#events.emitOne({
          type: "cancel_reject",
          ts: this.clock.now(),
          account,
          clientOrderId,
          reason: e.reason,
        });
      throw e;
    }
  }

  async amend(): Promise<AmendResult> {
    throw new VenueRejectError("amend_unsupported", `venue ${this.id}: GRVT has no in-place amend`);
  }

  async setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    const b = this.#accounts.bound(account);
    const inst = this.instrument(symbol);
    if (mode !== "cross")
      throw new VenueRejectError(
        "invalid_margin_mode",
        `venue ${this.id}: ${inst.symbol}: this connector margins cross only`,
      );
    await this.http.privateCall(b.signer, "/full/v1/set_initial_leverage", {
      sub_account_id: b.subAccountId,
      instrument: inst.symbol,
      leverage: String(leverage),
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
