/**
 * The Hyperliquid connector: the Venue contract (src/core/venue.ts) over the venue's REST and
 * WebSocket protocol. Market data on one shared socket (market-streams.ts), each bound account's
 * user streams on a socket of its own (orderUpdates carries no user field, so one user per
 * socket keeps the routing certain), account reads in reads.ts, signed actions in exchange.ts.
 *
 * Errors (VENUES.md §1.8): an answer with `status: "err"` or a per-order `{error}` is a definite
 * VenueRejectError whose reason is a stable code (parse.ts `errorCode`); a timeout, reset, 5xx,
 * 429, unreadable answer, or "waitingForFill" is VenueUnknownOutcomeError: the order may exist,
 * the engine asks `orderStatus` by cloid. Orders are signed with `expiresAfter`, so once it has
 * passed an `unknownOid` answer is final.
 */
import type { Clock } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BookView, MarketEvent } from "../../core/market.ts";
import type {
  AccountReport,
  Fill,
  MarginMode,
  OrderReport,
  OrderRequest,
  PositionReport,
} from "../../core/types.ts";
import {
  type AmendChange,
  type AmendResult,
  type FundingPaymentReport,
  type Unsubscribe,
  type Venue,
  type VenueEvent,
  VenueRejectError,
  VenueUnknownOutcomeError,
} from "../../core/venue.ts";
import type { AccountBinding } from "../../core/venue-account.ts";
import type { MarketSubscription, StreamStatus, StreamStatusChange } from "../../core/venue-streams.ts";
import { AccountEvents } from "./account-events.ts";
import { accountOfBinding, accountStreamStatus, type Bound, checkSignerRole } from "./accounts.ts";
import { HYPERLIQUID_CAPABILITIES } from "./capabilities.ts";
import type { Endpoints } from "./config.ts";
import { HlExchange } from "./exchange.ts";
import { HlHttp } from "./http.ts";
import { type HlMarket, marketsFromMeta } from "./instruments.ts";
import { isProblem, lotsOf, orderInput } from "./mapping.ts";
import { MarketStreams } from "./market-streams.ts";
import type { NonceManager } from "./nonce.ts";
import { MetaAndAssetCtxsSchema } from "./parse.ts";
import type { WeightLimiter } from "./rate-limit.ts";
import { HlReads } from "./reads.ts";
import { answerOf, cancelAnswer, modifyAnswer } from "./venue-answers.ts";
import { batchModifyAction, cancelByCloidAction, orderAction, updateLeverageAction } from "./wire.ts";
import { HlWs } from "./ws.ts";

export interface HyperliquidVenueOptions {
  readonly id?: string;
  readonly endpoints: Endpoints;
  readonly clock: Clock;
  readonly nonces: NonceManager;
  readonly timeoutMs?: number;
  /** ms after signing at which an order expires on the venue; 0: never */
  readonly orderExpiryMs?: number;
  readonly staleAfterMs?: number;
  readonly limiter?: WeightLimiter;
  /** where transport problems (socket errors, unparsable stream messages) are reported */
  readonly onProblem?: (message: string) => void;
  /** WebSocket ping interval and reconnect delays (tests shorten them) */
  readonly ws?: { pingMs?: number; minBackoffMs?: number; maxBackoffMs?: number };
}

export class HyperliquidVenue implements Venue {
  readonly id: string;
  readonly capabilities = HYPERLIQUID_CAPABILITIES;
  readonly #o: HyperliquidVenueOptions;
  readonly #http: HlHttp;
  readonly #exchange: HlExchange;
  readonly #reads: HlReads;
  readonly #marketWs: HlWs;
  readonly #markets = new Map<string, HlMarket>();
  readonly #streams: MarketStreams;
  readonly #accounts = new Map<string, Bound>();
  readonly #eventListeners = new Set<(e: VenueEvent) => void>();
  readonly #problem: (m: string) => void;
  #state: "new" | "open" | "closed" = "new";

  constructor(o: HyperliquidVenueOptions) {
    this.#o = o;
    this.id = o.id ?? "hyperliquid";
    this.#problem = o.onProblem ?? (() => {});
    this.#http = new HlHttp({ baseUrl: o.endpoints.url, timeoutMs: o.timeoutMs, limiter: o.limiter });
    this.#exchange = new HlExchange({
      http: this.#http,
      nonces: o.nonces,
      clock: o.clock,
      mainnet: o.endpoints.mainnet,
      expiryMs: o.orderExpiryMs ?? 20_000,
    });
    this.#reads = new HlReads(this.#http, (s) => this.#markets.get(s));
    this.#marketWs = this.#newWs();
    this.#streams = new MarketStreams({
      venueId: this.id,
      clock: o.clock,
      ws: this.#marketWs,
      staleAfterMs: o.staleAfterMs ?? 15_000,
      markets: this.#markets,
    });
    this.#streams.setAccountSource({ status: () => accountStreamStatus(this.#accounts.values()) });
  }

  #newWs(): HlWs {
    return new HlWs({
      url: this.#o.endpoints.wsUrl,
      clock: this.#o.clock,
      onProblem: this.#problem,
      ...this.#o.ws,
    });
  }

  async connect(): Promise<void> {
    if (this.#state === "open") return;
    if (this.#state === "closed") throw new VenueUnknownOutcomeError("unavailable", `${this.id}: closed`);
    // meta with the asset contexts: the instruments, and a mark and funding rate for each before
    // any stream speaks (the engine's market cache reads them when it is built)
    const out = await this.#http.info({ type: "metaAndAssetCtxs" }, MetaAndAssetCtxsSchema);
    if (out.kind !== "answered")
      throw new VenueUnknownOutcomeError(
        out.kind === "unavailable" ? "unavailable" : out.reason,
        `${this.id}: cannot load the instruments (metaAndAssetCtxs) from ${this.#o.endpoints.url}: ${out.detail}`,
      );
    const [meta, ctxs] = out.value;
    for (const [k, m] of marketsFromMeta(this.id, meta)) {
      this.#markets.set(k, m);
      const c = ctxs[m.asset];
      const n = (x: string | null | undefined) => (x == null ? undefined : Number(x));
      if (c) this.#streams.setCtx(k, { mark: n(c.markPx), oracle: n(c.oraclePx), funding: n(c.funding) });
    }
    this.#state = "open";
    await this.#marketWs.start();
    this.#streams.start();
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#streams.stop();
    await Promise.all([this.#marketWs.close(), ...[...this.#accounts.values()].map((b) => b.ws.close())]);
  }

  streams(): readonly StreamStatus[] {
    return this.#streams.streams();
  }
  onStreamStatus(listener: (change: StreamStatusChange) => void): Unsubscribe {
    return this.#streams.onStatus(listener);
  }
  subscribe(subscription: MarketSubscription): Unsubscribe {
    return this.#streams.subscribe(subscription);
  }
  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.#streams.onMarket(listener);
  }
  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }
  #emit(e: VenueEvent): void {
    for (const l of this.#eventListeners) l(e);
  }

  /** On a connected venue the key's role is checked first (accounts.ts `checkSignerRole`). */
  async bindAccount(binding: AccountBinding): Promise<void> {
    const a = accountOfBinding(this.id, binding);
    if (this.#state === "open") checkSignerRole(this.id, a, await this.#reads.signerRole(a));
    const old = this.#accounts.get(binding.account);
    if (old) await old.ws.close();
    const events = new AccountEvents({
      account: a.account,
      since: this.#o.clock.now(),
      market: (s) => this.#markets.get(s),
      emit: (e) => this.#emit(e),
      problem: this.#problem,
    });
    const ws = this.#newWs();
    ws.subscribe({ type: "orderUpdates", user: a.user }, (d) => events.onOrderUpdates(d));
    ws.subscribe({ type: "userFills", user: a.user }, (d) => events.onUserFills(d));
    ws.subscribe({ type: "userFundings", user: a.user }, (d) => events.onUserFundings(d));
    this.#accounts.set(a.account, { a, events, ws });
    if (this.#state === "open") await ws.start();
    else if (this.#state === "new") void ws.start();
  }

  instruments(): readonly Instrument[] {
    return [...this.#markets.values()].map((m) => m.instrument);
  }
  instrument(symbol: string): Instrument {
    return this.#market(symbol).instrument;
  }
  #market(symbol: string): HlMarket {
    const m = this.#markets.get(symbol);
    if (m === undefined)
      throw new InvalidValueError(
        `${this.id}: no instrument "${symbol}"${this.#state === "new" ? " (connect() loads them)" : ""}`,
      );
    return m;
  }

  book(symbol: string): BookView {
    this.#market(symbol);
    return this.#streams.book(symbol);
  }
  markPrice(symbol: string): number {
    const mark = this.#streams.ctx(this.#market(symbol).instrument.symbol)?.mark;
    if (mark === undefined || !Number.isFinite(mark))
      throw new InvalidValueError(`${this.id}: no mark price for ${symbol} yet (subscribe its mark channel)`);
    return mark;
  }
  fundingRatePerHour(symbol: string): number {
    const f = this.#streams.ctx(this.#market(symbol).instrument.symbol)?.funding;
    if (f === undefined || !Number.isFinite(f))
      throw new InvalidValueError(
        `${this.id}: no funding rate for ${symbol} yet (subscribe its funding channel)`,
      );
    return f;
  }

  #bound(account: string): Bound {
    if (this.#state === "closed") throw new VenueUnknownOutcomeError("unavailable", `${this.id}: closed`);
    const b = this.#accounts.get(account);
    if (b === undefined)
      throw new VenueRejectError("unknown_account", `${this.id}: account "${account}" is not bound`);
    return b;
  }
  #marketFor(account: string, symbol: string): HlMarket {
    const m = this.#markets.get(symbol);
    if (m === undefined)
      throw new VenueRejectError(
        "unknown_symbol",
        `hyperliquid wallet ${account}, field symbol: no instrument "${symbol}"`,
      );
    return m;
  }

  async submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    const { a, events } = this.#bound(order.account);
    const m = this.#marketFor(order.account, order.symbol);
    const input = orderInput(order, m);
    if (isProblem(input)) throw new VenueRejectError(input.reason, input.message);
    events.track({
      cloid: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      sizeLots: order.sizeLots,
      priceTicks: order.priceTicks,
      tif: order.type === "market" ? "ioc" : order.tif,
      reduceOnly: order.reduceOnly,
    });
    const what = `order ${order.clientOrderId} on ${order.symbol}`;
    const resp = await this.#exchange.send(a, orderAction([input]), what);
    const ts = this.#o.clock.now();
    const r = answerOf(resp, `hyperliquid wallet ${a.account}, ${order.symbol}: ${what}`);
    if (r.kind === "rejected") {
      events.end(order.clientOrderId, "reject", r.reason, ts);
      throw new VenueRejectError(r.reason, r.message);
    }
    if (r.kind === "pending") throw new VenueUnknownOutcomeError("timeout", r.message);
    events.ack(order.clientOrderId, r.oid, ts);
    if (r.kind === "filled" && (order.tif === "ioc" || order.type === "market")) {
      const filled = lotsOf(
        m.instrument,
        r.totalSz,
        { account: a.account, symbol: order.symbol },
        "filled.totalSz",
      );
      if (filled < order.sizeLots) events.end(order.clientOrderId, "canceled", "ioc_remainder", ts);
    }
    return { venueOrderId: String(r.oid) };
  }

  async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    const { a, events } = this.#bound(account);
    const m = this.#marketFor(account, symbol);
    const action = cancelByCloidAction([{ asset: m.asset, cloid: clientOrderId.toLowerCase() }]);
    const resp = await this.#exchange.send(a, action, `cancel ${clientOrderId} on ${symbol}`);
    const ts = this.#o.clock.now();
    const r = cancelAnswer(resp, `hyperliquid wallet ${account}, ${symbol}: cancel ${clientOrderId}`);
    if (r.kind === "rejected") {
      this.#emit({ type: "cancel_reject", ts, account, clientOrderId, reason: r.reason });
      throw new VenueRejectError(r.reason, r.message);
    }
    if (!events.byCloid.has(clientOrderId))
      events.track({
        cloid: clientOrderId,
        symbol,
        side: "buy",
        sizeLots: 0,
        priceTicks: 0,
        tif: "gtc",
        reduceOnly: false,
      });
    events.end(clientOrderId, "canceled", "user", ts);
  }

  async amend(
    account: string,
    symbol: string,
    clientOrderId: string,
    change: AmendChange,
  ): Promise<AmendResult> {
    const { a, events } = this.#bound(account);
    const m = this.#marketFor(account, symbol);
    let t = events.byCloid.get(clientOrderId);
    if (t === undefined || t.priceTicks === 0) {
      const now = await this.#reads.orderStatus(a, clientOrderId, t);
      if (now === undefined || (now.status !== "open" && now.status !== "partially_filled"))
        throw new VenueRejectError(
          "not_found",
          `hyperliquid wallet ${account}, ${symbol}: amend ${clientOrderId}: no open order`,
        );
      t = events.track({
        cloid: clientOrderId,
        symbol,
        side: now.side,
        sizeLots: now.sizeLots,
        priceTicks: now.priceTicks,
        tif: now.tif,
        reduceOnly: now.reduceOnly,
        oid: Number(now.venueOrderId),
      });
      t.priceTicks = now.priceTicks;
      t.sizeLots = now.sizeLots;
    }
    const next: OrderRequest = {
      clientOrderId,
      account,
      symbol,
      side: t.side,
      type: "limit",
      priceTicks: change.priceTicks ?? t.priceTicks,
      sizeLots: change.sizeLots ?? t.sizeLots,
      tif: t.tif,
      reduceOnly: t.reduceOnly,
    };
    const input = orderInput(next, m);
    const ts = () => this.#o.clock.now();
    if (isProblem(input)) {
      this.#emit({ type: "replace_reject", ts: ts(), account, clientOrderId, reason: input.reason });
      throw new VenueRejectError(input.reason, input.message);
    }
    const resp = await this.#exchange.send(
      a,
      batchModifyAction([{ oid: clientOrderId, order: input }]),
      `amend ${clientOrderId}`,
    );
    const r = modifyAnswer(resp, `hyperliquid wallet ${account}, ${symbol}: amend ${clientOrderId}`);
    if (r.kind === "rejected") {
      this.#emit({ type: "replace_reject", ts: ts(), account, clientOrderId, reason: r.reason });
      throw new VenueRejectError(r.reason, r.message);
    }
    if (r.kind === "pending") throw new VenueUnknownOutcomeError("timeout", r.message);
    // a modified order gets a new oid on Hyperliquid; the cloid stays
    const oid = r.oid ?? t.oid ?? 0;
    t.priceTicks = next.priceTicks;
    t.sizeLots = next.sizeLots;
    events.ack(clientOrderId, oid, ts());
    const result = { venueOrderId: String(oid), priceTicks: next.priceTicks, sizeLots: next.sizeLots };
    this.#emit({ type: "replaced", ts: ts(), account, clientOrderId, ...result });
    return result;
  }

  orderStatus(account: string, clientOrderId: string): Promise<OrderReport | undefined> {
    const { a, events } = this.#bound(account);
    return this.#reads.orderStatus(a, clientOrderId.toLowerCase(), events.byCloid.get(clientOrderId));
  }
  openOrders(account: string): Promise<readonly OrderReport[]> {
    const { a, events } = this.#bound(account);
    return this.#reads.openOrders(a, (c) => events.byCloid.get(c));
  }
  positions(account: string): Promise<readonly PositionReport[]> {
    return this.#reads.positions(this.#bound(account).a);
  }
  accountState(account: string): Promise<AccountReport> {
    return this.#reads.accountState(this.#bound(account).a);
  }

  async setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    const { a } = this.#bound(account);
    const m = this.#marketFor(account, symbol);
    const where = `hyperliquid wallet ${account}, ${symbol}`;
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > m.instrument.spec.maxLeverage)
      throw new VenueRejectError(
        "invalid_leverage",
        `${where}, field leverage: ${leverage} must be an integer in [1, ${m.instrument.spec.maxLeverage}]`,
      );
    if (mode === "cross" && m.onlyIsolated)
      throw new VenueRejectError(
        "isolated_only",
        `${where}, field mode: the venue trades ${symbol} isolated only`,
      );
    const resp = await this.#exchange.send(
      a,
      updateLeverageAction(m.asset, mode === "cross", leverage),
      `leverage ${leverage}x ${mode}`,
    );
    if (resp.status === "err")
      throw new VenueRejectError("leverage_refused", `${where}: updateLeverage refused: ${resp.response}`);
  }

  fills(account: string, sinceTs: number): Promise<readonly Fill[]> {
    const { a, events } = this.#bound(account);
    return this.#reads.fills(a, sinceTs, (oid) => events.cloidOf(oid));
  }
  fundingPayments(account: string, sinceTs: number): Promise<readonly FundingPaymentReport[]> {
    return this.#reads.fundingPayments(this.#bound(account).a, sinceTs);
  }
}
