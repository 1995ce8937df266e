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
import type { VenueNotice } from "../../core/venue-notices.ts";
import type { MarketSubscription, StreamStatus, StreamStatusChange } from "../../core/venue-streams.ts";
import { AccountEvents } from "./account-events.ts";
import { accountOfBinding, accountStreamStatus, type Bound, checkSignerRole } from "./accounts.ts";
import { HYPERLIQUID_CAPABILITIES, RATE_LIMITS } from "./capabilities.ts";
import type { Endpoints } from "./config.ts";
import { type DeadManOptions, type DeadManState, DeadMansSwitch } from "./dead-man.ts";
import { HlExchange } from "./exchange.ts";
import { HlHttp } from "./http.ts";
import { type HlMarket, marketsFromMeta } from "./instruments.ts";
import { isProblem, lotsOf, orderInput } from "./mapping.ts";
import { MarketStreams } from "./market-streams.ts";
import type { NonceManager } from "./nonce.ts";
import { MetaAndAssetCtxsSchema } from "./parse.ts";
import { HlPredictedFunding, type PredictedFunding } from "./predicted-funding.ts";
import { limiterFor, type WeightLimiter } from "./rate-limit.ts";
import { HlReads } from "./reads.ts";
import { hyperliquidNotices, UserFeeds } from "./user-feeds.ts";
import { type PolledAccount, type PollOptions, UserPoller } from "./user-poller.ts";
import { amendOrder, setLeverageOn, type VenueOps } from "./venue-admin.ts";
import { answerOf, cancelAnswer } from "./venue-answers.ts";
import { cancelByCloidAction, orderAction } from "./wire.ts";
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
  /** the dead man's switch (scheduleCancel renewed while running); absent: off */
  readonly deadMan?: DeadManOptions;
  /** distinct users with user streams before accounts are polled (default 10, the venue's per IP) */
  readonly userStreamLimit?: number;
  readonly poll?: PollOptions;
  /** WebSocket ping interval and reconnect delays (tests shorten them) */
  readonly ws?: { pingMs?: number; minBackoffMs?: number; maxBackoffMs?: number };
  /** how often `predictedFundings` is read (default 60 s; predicted-funding.ts) */
  readonly predictedFundingMs?: number;
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
  readonly #deadMan: DeadMansSwitch | undefined;
  readonly #poller: UserPoller;
  readonly #feeds: UserFeeds;
  readonly #ops: VenueOps;
  readonly #predicted: HlPredictedFunding;
  #state: "new" | "open" | "closed" = "new";

  constructor(o: HyperliquidVenueOptions) {
    this.#o = o;
    this.id = o.id ?? "hyperliquid";
    this.#problem = o.onProblem ?? (() => {});
    const limiter = o.limiter ?? limiterFor();
    this.#http = new HlHttp({ baseUrl: o.endpoints.url, timeoutMs: o.timeoutMs, limiter });
    this.#exchange = new HlExchange({
      http: this.#http,
      nonces: o.nonces,
      clock: o.clock,
      mainnet: o.endpoints.mainnet,
      expiryMs: o.orderExpiryMs ?? 20_000,
    });
    this.#reads = new HlReads(this.#http, (s) => this.#markets.get(s));
    this.#ops = {
      bound: (account) => this.#bound(account),
      marketFor: (account, symbol) => this.#marketFor(account, symbol),
      reads: this.#reads,
      exchange: this.#exchange,
      emit: (e) => this.#emit(e),
      now: () => o.clock.now(),
    };
    this.#marketWs = this.#newWs();
    this.#streams = new MarketStreams({
      venueId: this.id,
      clock: o.clock,
      ws: this.#marketWs,
      staleAfterMs: o.staleAfterMs ?? 15_000,
      markets: this.#markets,
      problem: this.#problem,
    });
    this.#streams.setAccountSource({ status: () => accountStreamStatus(this.#accounts.values()) });
    this.#deadMan =
      o.deadMan &&
      new DeadMansSwitch(o.deadMan, {
        clock: o.clock,
        send: (a, action, what) => this.#exchange.send(a, action, what),
        problem: this.#problem,
      });
    this.#poller = new UserPoller({
      http: this.#http,
      clock: o.clock,
      perMinute: limiter.perMinute,
      problem: this.#problem,
      poll: o.poll,
    });
    this.#predicted = new HlPredictedFunding({
      http: this.#http,
      clock: o.clock,
      periodMs: o.predictedFundingMs,
      problem: this.#problem,
    });
    this.#feeds = new UserFeeds({
      accounts: this.#accounts,
      poller: this.#poller,
      limit: o.userStreamLimit ?? RATE_LIMITS.ws.uniqueUsersInUserStreams,
      newWs: (problem) => this.#newWs(problem),
      problem: this.#problem,
    });
  }

  /** The accounts read by polling (over the user-stream limit), with the period. */
  polledAccounts(): PolledAccount[] {
    return this.#feeds.polled();
  }

  /** For `perpbot status` (src/core/venue-notices.ts). */
  notices(): VenueNotice[] {
    return hyperliquidNotices(this.id, this.polledAccounts(), this.deadManStates());
  }

  /** Each account's dead man's switch (empty when it is off). */
  deadManStates(): DeadManState[] {
    return this.#deadMan?.states() ?? [];
  }

  #newWs(problem = this.#problem): HlWs {
    return new HlWs({
      url: this.#o.endpoints.wsUrl,
      clock: this.#o.clock,
      onProblem: problem,
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
    this.#deadMan?.start();
    this.#poller.start();
    this.#predicted.start();
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    // before the sockets go: disarming is a signed action over HTTP
    await Promise.all([this.#deadMan?.stop(), this.#poller.stop(), this.#predicted.stop()]);
    this.#state = "closed";
    this.#streams.stop();
    await Promise.all([this.#marketWs.close(), ...[...this.#accounts.values()].map((b) => b.ws?.close())]);
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
    if (old) await old.ws?.close();
    const since = this.#o.clock.now();
    const events = new AccountEvents({
      account: a.account,
      since,
      market: (s) => this.#markets.get(s),
      emit: (e) => this.#emit(e),
      problem: this.#problem,
    });
    const ws = this.#feeds.open(a, events, since);
    this.#accounts.set(a.account, { a, events, ws, since });
    // armed in the background: its answer does not hold up the binding
    void this.#deadMan?.add(a);
    if (this.#state === "open") await ws?.start();
    else if (this.#state === "new") void ws?.start();
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

  /** The last `predictedFundings` read for the symbol (undefined before the first answer). */
  predictedFundingRatePerHour(symbol: string): number | undefined {
    return this.predictedFunding(symbol)?.ratePerHour;
  }
  /** The same with the settlement time it predicts and when it was read. */
  predictedFunding(symbol: string): PredictedFunding | undefined {
    return this.#predicted.get(this.#market(symbol).instrument.symbol);
  }
  /** Read `predictedFundings` now (the timer does it every minute; tests and startup may wait). */
  refreshPredictedFunding(): Promise<void> {
    return this.#predicted.refresh();
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

  amend(account: string, symbol: string, clientOrderId: string, change: AmendChange): Promise<AmendResult> {
    return amendOrder(this.#ops, account, symbol, clientOrderId, change);
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

  setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    return setLeverageOn(this.#ops, account, symbol, leverage, mode);
  }

  fills(account: string, sinceTs: number): Promise<readonly Fill[]> {
    const { a, events } = this.#bound(account);
    return this.#reads.fills(a, sinceTs, (oid) => events.cloidOf(oid));
  }
  fundingPayments(account: string, sinceTs: number): Promise<readonly FundingPaymentReport[]> {
    return this.#reads.fundingPayments(this.#bound(account).a, sinceTs);
  }
}
