import type { Clock } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BookView, MarketEvent } from "../../core/market.ts";
import type { MarginMode, OrderRequest } from "../../core/types.ts";
import {
  type AmendChange,
  type AmendResult,
  type Unsubscribe,
  type Venue,
  type VenueEvent,
  VenueRejectError,
} from "../../core/venue.ts";
import type { AccountBinding } from "../../core/venue-account.ts";
import type { VenueNotice } from "../../core/venue-notices.ts";
import { ACCOUNT_STREAM, type MarketSubscription, streamName } from "../../core/venue-streams.ts";
import { L2Book } from "../../data/book.ts";
import { StreamHealth } from "../kit/stream-health.ts";
import { BoundAccounts, VenueListeners } from "../kit/venue-accounts.ts";
import { HbAccount } from "./account.ts";
import { HIBACHI_CAPABILITIES, instrumentOf, liveContracts } from "./capabilities.ts";
import { authOf, HibachiClient } from "./client.ts";
import { dataUrlOf, type HibachiConfig, wsUrlOf } from "./config.ts";
import { HibachiHttp, HibachiRejectError } from "./http.ts";
import { MarketFeed } from "./market-feed.ts";
import { OrderJournal } from "./order-journal.ts";
import { StreamStartSchema } from "./parse.ts";
import { HbSocket } from "./ws.ts";

interface Bound {
  readonly acct: HbAccount;
  readonly socket: HbSocket;
}

/**
 * The Hibachi connector (perps). Market data over the public `/ws/market` socket
 * (market-feed.ts), each account's balance and position changes over its own `/ws/account`
 * socket (stream.start, stream.ping), orders and reads over REST (client.ts; http.ts says which
 * failure is a refusal and which an unknown outcome). Fills, cancels and funding come from the
 * venue's lists, read when the account stream says something changed (account.ts).
 */
export class HibachiVenue implements Venue {
  readonly id: string;
  readonly capabilities = HIBACHI_CAPABILITIES;
  readonly config: HibachiConfig;
  readonly clock: Clock;
  readonly http: HibachiHttp;
  readonly health: StreamHealth;
  readonly #public: HibachiClient;
  readonly #instruments = new Map<string, Instrument>();
  readonly #events = new VenueListeners<VenueEvent>();
  readonly #accounts: BoundAccounts<Bound>;
  readonly #problems = new Map<string, VenueNotice>();
  readonly #feed: MarketFeed;
  readonly #journal: OrderJournal;
  #poll: ReturnType<typeof setInterval> | undefined;

  /** `journalPath`: where the client id → nonce of each order is kept (order-journal.ts) */
  constructor(config: HibachiConfig, clock: Clock, journalPath?: string) {
    this.config = config;
    this.#accounts = new BoundAccounts<Bound>(config.id, "account");
    this.#journal = new OrderJournal(journalPath, clock.now());
    this.id = config.id;
    this.clock = clock;
    this.http = new HibachiHttp({
      tradeUrl: config.trade_url,
      dataUrl: dataUrlOf(config),
      timeoutMs: config.request_timeout_ms,
    });
    this.health = new StreamHealth(clock, this.id, config.stale_after_ms);
    // market data and exchange info need no account
    this.#public = new HibachiClient({
      http: this.http,
      accountId: 0,
      apiKey: "",
      auth: { kind: "managed", secret: "" },
      clock,
    });
    this.#feed = new MarketFeed({
      venueId: this.id,
      url: wsUrlOf(dataUrlOf(config), "market"),
      clock,
      health: this.health,
      instrument: (s) => this.#instruments.get(s),
      problem: (stream, e) => this.#problem(stream, e),
    });
  }

  async connect(): Promise<void> {
    const info = await this.#public.loadExchangeInfo();
    for (const c of liveContracts(info, this.config.symbols)) {
      const inst = instrumentOf(this.id, c, info);
      this.#instruments.set(c.symbol, inst);
      this.#feed.add(inst);
      const p = await this.#public.prices(c.symbol);
      this.#feed.setMark(c.symbol, Number(p.markPrice), p.fundingRateEstimation.estimatedFundingRate);
    }
    this.#accounts.closed = false;
    await this.#feed.connect();
    this.health.start();
    this.#poll = setInterval(() => {
      for (const b of this.#accounts.values()) if (b.acct.hasLive) void b.acct.reconcile();
    }, this.config.poll_ms);
    this.#poll.unref?.();
  }

  async close(): Promise<void> {
    this.#accounts.closed = true;
    this.health.stop();
    if (this.#poll !== undefined) clearInterval(this.#poll);
    for (const b of this.#accounts.values()) b.acct.stop();
    await Promise.all([this.#feed.close(), ...[...this.#accounts.values()].map((b) => b.socket.close())]);
  }

  streams() {
    return this.health.list();
  }

  /** Stream messages and reconciliations that failed, the last one per stream. */
  notices(): readonly VenueNotice[] {
    return [...this.#problems.values()];
  }

  #problem(stream: string, e: Error): void {
    this.#problems.set(stream, { venue: this.id, key: `payload:${stream}`, text: `${stream}: ${e.message}` });
  }

  onStreamStatus(listener: Parameters<StreamHealth["onChange"]>[0]): Unsubscribe {
    return this.health.onChange(listener);
  }

  subscribe(sub: MarketSubscription): Unsubscribe {
    this.instrument(sub.symbol);
    return this.#feed.subscribe(sub, streamName(sub));
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.#feed.onMarket(listener);
  }

  instruments(): readonly Instrument[] {
    return [...this.#instruments.values()];
  }

  instrument(symbol: string): Instrument {
    const inst = this.#instruments.get(symbol);
    if (inst === undefined)
      throw new VenueRejectError(
        "unknown_symbol",
        `venue ${this.id}: unknown symbol "${symbol}" (contracts are named like BTC/USDT-P)`,
      );
    return inst;
  }

  book(symbol: string): BookView {
    return this.#feed.book(this.instrument(symbol).symbol) ?? new L2Book(this.instrument(symbol));
  }

  markPrice(symbol: string): number {
    return this.#feed.mark(this.instrument(symbol).symbol);
  }

  fundingRatePerHour(symbol: string): number {
    return this.#feed.funding(this.instrument(symbol).symbol);
  }

  async bindAccount(binding: AccountBinding): Promise<void> {
    const where = `venue ${this.id}: account ${binding.account}`;
    if (binding.account === "")
      throw new VenueRejectError(
        "invalid_binding",
        `venue ${this.id}: an account binding needs a non-empty account id`,
      );
    const auth = authOf(binding.signer, where);
    const accountId = Number(binding.identity.subAccount);
    const apiKey = binding.identity.apiKeyId;
    if (!(Number.isSafeInteger(accountId) && accountId > 0) || apiKey === undefined || apiKey === "")
      throw new VenueRejectError(
        "invalid_binding",
        `${where}: identity.subAccount must be the Hibachi account id (got ${String(binding.identity.subAccount)}) and identity.apiKeyId its API key`,
      );
    if (this.#accounts.has(binding.account)) return;
    const client = new HibachiClient({
      http: this.http,
      accountId,
      apiKey,
      auth,
      clock: this.clock,
    });
    for (const [s, c] of this.#public.contracts) client.contracts.set(s, c);
    const account = binding.account;
    const acct = new HbAccount({
      account,
      client,
      clock: this.clock,
      instrument: (s) => this.#instruments.get(s),
      emit: (events) => this.#emit(events),
      problem: (e) => this.#problem(`reconcile of account ${account}`, e),
      maxFeesPercent: this.config.max_fees_percent,
      journal: this.#journal,
    });
    // a private read proves the key names this account before anything trades with it
    try {
      await client.accountInfo();
      await acct.seed();
    } catch (e) {
      if (e instanceof HibachiRejectError)
        throw new VenueRejectError(e.reason, `${where}: API key or account id refused: ${e.message}`);
      throw e;
    }
    let nextId = 1;
    const socket = new HbSocket(
      `${wsUrlOf(this.config.trade_url, "account")}?accountId=${accountId}`,
      {
        onOpen: (send) =>
          send({
            id: nextId++,
            method: "stream.start",
            params: { accountId },
            timestamp: Math.floor(this.clock.now() / 1000),
          }),
        onMessage: (m) => this.#accountMessage(acct, m),
        onDown: () => this.#accountHealth(),
        onProblem: (e) => this.#problem(`account stream of ${account}`, e),
      },
      { Authorization: apiKey },
    );
    let listenKey = "";
    socket.keepAlive(15_000, () => ({
      id: nextId++,
      method: "stream.ping",
      params: { accountId, listenKey },
      timestamp: Math.floor(this.clock.now() / 1000),
    }));
    this.#accounts.set(account, { acct, socket });
    this.health.add(ACCOUNT_STREAM, false);
    this.#listenKeys.set(acct, (k) => {
      listenKey = k;
    });
    await socket.connect();
  }

  readonly #listenKeys = new Map<HbAccount, (key: string) => void>();

  #accountMessage(acct: HbAccount, m: Record<string, unknown>): void {
    if ("result" in m && typeof m.result === "object" && m.result !== null && "listenKey" in m.result) {
      const r = StreamStartSchema.safeParse(m);
      if (!r.success) {
        this.#problem(
          `account stream of ${acct.account}`,
          new Error(`stream.start answer: ${r.error.message}`),
        );
        return;
      }
      this.#listenKeys.get(acct)?.(r.data.result.listenKey);
      this.#accountHealth();
      // whatever changed while the stream was down is read now
      void acct.reconcile(true);
      return;
    }
    if (m.topic === "position_update" || m.topic === "balance_update") {
      this.#accountHealth();
      void acct.reconcile(m.topic === "balance_update");
    }
  }

  /** the account stream is up while every bound account's socket is */
  #accountHealth(): void {
    this.#accounts.reportHealth(this.health, this.clock.now(), (b) => b.socket.isOpen);
  }

  #bound(account: string): HbAccount {
    return this.#accounts.bound(account).acct;
  }

  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    return this.#events.on(listener);
  }

  #emit(events: readonly VenueEvent[]): void {
    this.#events.emit(events);
  }

  async submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    const acct = this.#bound(order.account);
    const inst = this.instrument(order.symbol);
    if (!/^\d+$/.test(order.clientOrderId))
      throw new VenueRejectError(
        "invalid_client_order_id",
        `venue ${this.id}: clientOrderId "${order.clientOrderId}" is not a decimal integer`,
      );
    if (acct.byClient.has(order.clientOrderId))
      throw new VenueRejectError(
        "duplicate_client_order_id",
        `venue ${this.id}: account ${order.account}: clientOrderId ${order.clientOrderId} was already sent`,
      );
    return acct.submit(order, inst);
  }

  async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    this.instrument(symbol);
    await this.#bound(account).cancel(clientOrderId);
  }

  async amend(
    account: string,
    symbol: string,
    clientOrderId: string,
    change: AmendChange,
  ): Promise<AmendResult> {
    const acct = this.#bound(account);
    return acct.amend(clientOrderId, this.instrument(symbol), change);
  }

  async setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    this.#bound(account);
    const inst = this.instrument(symbol);
    if (mode !== "cross")
      throw new VenueRejectError(
        "invalid_margin_mode",
        `venue ${this.id}: ${inst.symbol}: Hibachi margins cross only`,
      );
    // Hibachi has no leverage setting: the margin rate is the contract's; only check the cap
    if (!(leverage >= 1 && leverage <= inst.spec.maxLeverage))
      throw new VenueRejectError(
        "invalid_leverage",
        `venue ${this.id}: ${inst.symbol}: leverage ${leverage} is outside 1 … ${inst.spec.maxLeverage} (1 / initialMarginRate)`,
      );
  }

  orderStatus(account: string, clientOrderId: string) {
    return this.#named(account, () => this.#bound(account).orderStatus(clientOrderId));
  }
  openOrders(account: string) {
    return this.#named(account, () => this.#bound(account).openOrders());
  }
  positions(account: string) {
    return this.#named(account, () => this.#bound(account).positions());
  }
  accountState(account: string) {
    return this.#named(account, () => this.#bound(account).accountState());
  }
  fills(account: string, sinceTs: number) {
    return this.#named(account, () => this.#bound(account).fills(sinceTs));
  }
  fundingPayments(account: string, sinceTs: number) {
    return this.#named(account, () => this.#bound(account).fundingPayments(sinceTs));
  }

  /** A venue answer of the wrong shape names the venue and the wallet as well as the fields. */
  async #named<T>(account: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (e) {
      if (e instanceof InvalidValueError)
        throw new InvalidValueError(`venue ${this.id}: account ${account}: ${e.message}`);
      throw e;
    }
  }
}
