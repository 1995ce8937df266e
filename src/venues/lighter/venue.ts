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
import type { AccountBinding } from "../../core/venue-account.ts";
import type { WalletPointsReport } from "../../core/venue-points.ts";
import { ACCOUNT_STREAM, type MarketSubscription, streamName } from "../../core/venue-streams.ts";
import { StreamHealth } from "../backpack/streams.ts";
import { LighterAccount } from "./accounts.ts";
import { BookSync } from "./book-sync.ts";
import { instrumentOf, LIGHTER_CAPABILITIES } from "./capabilities.ts";
import { endpointsOf, type LighterConfig, type LighterEndpoints } from "./config.ts";
import * as exec from "./execution.ts";
import { LighterHttp, LighterRejectError } from "./http.ts";
import { LtOrderTracker } from "./orders.ts";
import {
  AccountOrdersMessageSchema,
  AccountTradesMessageSchema,
  FundingRatesSchema,
  hourlyFromEightHour,
  hourlyFromPercent,
  MarketDetailsSchema,
  MarketStatsSchema,
  parseAs,
  TradeMessageSchema,
} from "./parse.ts";
import { PointsReader, type WalletPoints } from "./points.ts";
import * as reads from "./reads.ts";
import { LighterTxSigner } from "./signing.ts";
import { LighterSocket } from "./ws.ts";

/**
 * The Lighter connector. One WebSocket carries market channels and every bound account's private
 * channels (`account_all_orders`, `account_all_trades`, `account_all_positions`, each subscribed
 * with that account's auth token); transactions are signed by the official signer and sent with
 * `sendTx` (execution.ts says when an order counts as acknowledged); reads go over REST.
 */
export class LighterVenue implements Venue {
  readonly id: string;
  readonly capabilities = LIGHTER_CAPABILITIES;
  readonly config: LighterConfig;
  readonly endpoints: LighterEndpoints;
  readonly clock: Clock;
  readonly http: LighterHttp;
  readonly health: StreamHealth;
  readonly tracker = new LtOrderTracker();
  readonly #instruments = new Map<string, Instrument>();
  readonly #byMarket = new Map<number, Instrument>();
  readonly #marketIds = new Map<string, number>();
  readonly #fractions = new Map<number, { imf: number; mmf: number }>();
  readonly #marks = new Map<string, number>();
  readonly #funding = new Map<string, number>();
  readonly #books = new Map<string, BookSync>();
  readonly #subs = new Map<string, number>();
  readonly #wires = new Map<string, number>();
  readonly #market = new Set<(e: MarketEvent) => void>();
  readonly #events = new Set<(e: VenueEvent) => void>();
  readonly #accounts = new Map<string, LighterAccount>();
  readonly #byIndex = new Map<number, LighterAccount>();
  readonly #fundingSeen = new Map<string, Set<string>>();
  readonly #socket: LighterSocket;
  readonly #ctx: exec.ExecContext;
  readonly points: PointsReader;
  #closed = true;
  #everUp = false;
  #pointsTimer: ReturnType<typeof setInterval> | undefined;

  constructor(config: LighterConfig, clock: Clock) {
    this.config = config;
    this.id = config.id;
    this.clock = clock;
    this.endpoints = endpointsOf(config);
    this.http = new LighterHttp({
      baseUrl: this.endpoints.restUrl,
      timeoutMs: config.request_timeout_ms,
      venueId: this.id,
    });
    this.health = new StreamHealth(clock, this.id, config.stale_after_ms);
    this.#ctx = {
      venueId: this.id,
      clock,
      ackTimeoutMs: config.ack_timeout_ms,
      http: this.http,
      tracker: this.tracker,
      byMarket: (id) => this.#byMarket.get(id),
      marketIdOf: (s) => this.#marketIds.get(this.instrument(s).symbol)!,
      instruments: () => this.instruments(),
      accountOf: (a) => this.#bound(a),
      fractions: (id) => this.#fractions.get(id) ?? { imf: 500, mmf: 120 },
      emit: (events) => this.#emit(events),
    };
    this.points = new PointsReader(this.http, clock, config.points_poll_ms, (a) => this.#bound(a));
    this.#socket = new LighterSocket(this.endpoints.wsUrl, {
      onMessage: (m) => this.#message(m),
      onUp: () => this.#up(),
      onDown: () => {
        for (const s of this.#subs.keys()) this.health.down(s);
        if (this.#accounts.size > 0) this.health.down(ACCOUNT_STREAM);
      },
    });
  }

  // ------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    const details = parseAs(
      MarketDetailsSchema,
      await this.http.get("orderBookDetails"),
      "orderBookDetails answer",
    );
    const want = new Set(this.config.symbols);
    for (const m of details.order_book_details) {
      if (m.status !== "active" || (want.size > 0 && !want.has(m.symbol))) continue;
      const inst = instrumentOf(this.id, m);
      this.#instruments.set(m.symbol, inst);
      this.#byMarket.set(m.market_id, inst);
      this.#marketIds.set(m.symbol, m.market_id);
      this.#fractions.set(m.market_id, {
        imf: m.default_initial_margin_fraction,
        mmf: m.maintenance_margin_fraction,
      });
    }
    const rates = parseAs(FundingRatesSchema, await this.http.get("funding-rates"), "funding-rates answer");
    for (const r of rates.funding_rates) {
      const inst = this.#byMarket.get(r.market_id);
      if (inst !== undefined && r.exchange === "lighter")
        this.#funding.set(inst.symbol, hourlyFromEightHour(r.rate));
    }
    this.#closed = false;
    await this.#socket.connect();
    this.health.start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.health.stop();
    this.points.stop();
    if (this.#pointsTimer !== undefined) clearInterval(this.#pointsTimer);
    this.#pointsTimer = undefined;
    await this.#socket.close();
  }

  streams() {
    return this.health.list();
  }

  onStreamStatus(listener: Parameters<StreamHealth["onChange"]>[0]): Unsubscribe {
    return this.health.onChange(listener);
  }

  #up(): void {
    for (const s of this.#subs.keys()) this.health.up(s);
    if (this.#accounts.size > 0) this.health.message(ACCOUNT_STREAM, this.clock.now());
    for (const b of this.#books.values()) b.reset();
    if (this.#everUp) void this.#reconcile().catch(() => undefined);
    this.#everUp = true;
  }

  /** After a reconnect (VENUES.md §2.4): nonces re-read, and every open order looked up. */
  async #reconcile(): Promise<void> {
    for (const a of this.#accounts.values()) {
      a.nonces.invalidate();
      for (const { o, inst } of [
        ...(await reads.activeOrders(this.#ctx, a.account)),
        ...(await reads.inactiveOrders(this.#ctx, a.account)),
      ])
        this.#emit(this.tracker.onOrder(a.account, o, inst, this.clock.now()));
      const raw = await this.http.get(
        "trades",
        { account_index: a.accountIndex, sort_by: "timestamp", limit: 100 },
        a.token(),
      );
      for (const t of parseAs(
        AccountTradesMessageSchema.shape.trades.valueType,
        (raw as { trades?: unknown }).trades ?? [],
        "trades answer",
      )) {
        const inst = this.#byMarket.get(t.market_id);
        if (inst) this.#emit(this.tracker.onTrade(t, a.accountIndex, inst));
      }
    }
  }

  // ------------------------------------------------------------------ market data

  subscribe(sub: MarketSubscription): Unsubscribe {
    const inst = this.instrument(sub.symbol);
    if (sub.channel === "bbo")
      throw new VenueRejectError(
        "unsupported_channel",
        `venue ${this.id}: no "bbo" channel for ${inst.symbol} (subscribe its book)`,
      );
    const id = this.#marketIds.get(inst.symbol)!;
    const name = streamName(sub);
    const wire =
      sub.channel === "book"
        ? `order_book/${id}`
        : sub.channel === "trades"
          ? `trade/${id}`
          : `market_stats/${id}`;
    this.#subs.set(name, (this.#subs.get(name) ?? 0) + 1);
    this.health.add(name, this.#socket.isOpen);
    const n = (this.#wires.get(wire) ?? 0) + 1;
    this.#wires.set(wire, n);
    if (n === 1) this.#socket.subscribe(wire);
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
        this.#socket.unsubscribe(wire);
        if (sub.channel === "book") this.#books.get(inst.symbol)?.reset();
      } else this.#wires.set(wire, w);
    };
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    this.#market.add(listener);
    return () => this.#market.delete(listener);
  }

  instruments(): readonly Instrument[] {
    return [...this.#instruments.values()];
  }

  instrument(symbol: string): Instrument {
    const inst = this.#instruments.get(symbol);
    if (inst === undefined)
      throw new VenueRejectError(
        "unknown_symbol",
        `venue ${this.id}: unknown symbol "${symbol}" (markets are named by their base: ${[...this.#instruments.keys()].slice(0, 8).join(", ")})`,
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
      const wire = `order_book/${this.#marketIds.get(inst.symbol)}`;
      b = new BookSync(
        inst,
        this.id,
        (u) => {
          if (this.#subs.has(`book:${inst.symbol}`)) this.#publish(u);
        },
        () => this.#socket.resubscribe(wire),
      );
      this.#books.set(inst.symbol, b);
    }
    return b;
  }

  /** One socket message; a payload that does not parse is reported as the stream's problem, not thrown into the socket. */
  #message(m: Record<string, unknown>): void {
    try {
      this.#route(m);
    } catch (e) {
      this.parseErrors.push((e as Error).message);
      if (this.parseErrors.length > 20) this.parseErrors.shift();
    }
  }

  /** the last payloads that did not parse (newest last), for status and tests */
  readonly parseErrors: string[] = [];

  #route(m: Record<string, unknown>): void {
    const type = typeof m.type === "string" ? m.type : "";
    const channel = typeof m.channel === "string" ? m.channel : "";
    const [kind, id] = channel.split(":");
    const now = this.clock.now();
    if (kind === "order_book" && (type === "subscribed/order_book" || type === "update/order_book")) {
      const inst = this.#byMarket.get(Number(id));
      if (inst === undefined) return;
      this.health.message(`book:${inst.symbol}`, now);
      this.#bookOf(inst).onMessage(m, now);
    } else if (kind === "market_stats" && m.market_stats !== undefined) {
      const s = parseAs(MarketStatsSchema, m.market_stats, `${channel} message`);
      const inst = this.#byMarket.get(s.market_id);
      if (inst === undefined) return;
      const mark = Number(s.mark_price);
      const perHour = hourlyFromPercent(s.current_funding_rate);
      this.#marks.set(inst.symbol, mark);
      this.#funding.set(inst.symbol, perHour);
      for (const ch of ["mark", "funding"] as const) this.health.message(`${ch}:${inst.symbol}`, now);
      if (this.#subs.has(`mark:${inst.symbol}`))
        this.#publish({
          type: "mark",
          venue: this.id,
          symbol: inst.symbol,
          ts: now,
          markPrice: mark,
          oraclePrice: Number(s.index_price),
        });
      if (this.#subs.has(`funding:${inst.symbol}`))
        this.#publish({
          type: "funding",
          venue: this.id,
          symbol: inst.symbol,
          ts: now,
          ratePerHour: perHour,
        });
    } else if (kind === "trade" && type === "update/trade") {
      const inst = this.#byMarket.get(Number(id));
      if (inst === undefined) return;
      this.health.message(`trades:${inst.symbol}`, now);
      for (const t of parseAs(TradeMessageSchema, m, `${channel} message`).trades)
        this.#publish({
          type: "trade",
          venue: this.id,
          symbol: inst.symbol,
          ts: t.timestamp,
          price: Number(t.price),
          size: Number(t.size),
          side: t.is_maker_ask ? "buy" : "sell",
        });
    } else if (
      kind === "account_all_orders" ||
      kind === "account_all_trades" ||
      kind === "account_all_positions"
    ) {
      this.#accountMessage(kind, Number(id), m, now);
    }
  }

  #accountMessage(kind: string, accountIndex: number, m: Record<string, unknown>, now: number): void {
    const a = this.#byIndex.get(accountIndex);
    if (a === undefined) return;
    this.health.message(ACCOUNT_STREAM, now);
    if (kind === "account_all_orders") {
      for (const [market, orders] of Object.entries(
        parseAs(AccountOrdersMessageSchema, m, "account_all_orders message").orders,
      )) {
        const inst = this.#byMarket.get(Number(market));
        if (inst) for (const o of orders) this.#emit(this.tracker.onOrder(a.account, o, inst, now));
      }
    } else if (kind === "account_all_trades") {
      for (const [market, trades] of Object.entries(
        parseAs(AccountTradesMessageSchema, m, "account_all_trades message").trades,
      )) {
        const inst = this.#byMarket.get(Number(market));
        if (inst) for (const t of trades) this.#emit(this.tracker.onTrade(t, accountIndex, inst));
      }
    } else if (m.type === "update/account_all_positions")
      void this.#readFunding(a.account).catch(() => undefined);
  }

  /** Funding payments not seen before become `funding` events (a position update announces them). */
  async #readFunding(account: string): Promise<void> {
    const seen = this.#fundingSeen.get(account);
    if (seen === undefined) return;
    for (const p of await reads.fundingPayments(this.#ctx, account, 0)) {
      const key = `${p.symbol}|${p.ts}`;
      if (seen.has(key)) continue;
      seen.add(key);
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

  #publish(e: MarketEvent): void {
    for (const l of this.#market) l(e);
  }

  // ------------------------------------------------------------------ accounts

  async bindAccount(binding: AccountBinding): Promise<void> {
    const where = `venue ${this.id}: wallet ${binding.account || "(empty)"}`;
    if (binding.account === "")
      throw new VenueRejectError(
        "invalid_binding",
        `${where}: an account binding needs a non-empty account id`,
      );
    const signer = binding.signer;
    if (signer === undefined || signer.scheme !== "ecgfp5")
      throw new VenueRejectError(
        "no_signer",
        `${where}: needs a Lighter API key signer (ecgfp5), got ${signer === undefined ? "none" : signer.scheme}`,
      );
    if (this.#accounts.has(binding.account)) return;
    const accountIndex = Number(binding.identity.subAccount);
    const apiKeyIndex = Number(binding.identity.apiKeyId);
    if (
      !Number.isSafeInteger(accountIndex) ||
      !Number.isSafeInteger(apiKeyIndex) ||
      apiKeyIndex < 0 ||
      apiKeyIndex > 254
    )
      throw new VenueRejectError(
        "invalid_binding",
        `${where}: identity needs subAccount = account index and apiKeyId = api key index (got ${binding.identity.subAccount}, ${binding.identity.apiKeyId})`,
      );
    const txSigner = await LighterTxSigner.create({
      holder: signer,
      accountIndex,
      apiKeyIndex,
      chainId: this.endpoints.chainId,
      url: this.endpoints.restUrl,
    });
    const a = new LighterAccount({
      account: binding.account,
      signer: txSigner,
      http: this.http,
      clock: this.clock,
      tokenTtlMs: this.config.auth_token_ttl_s * 1000,
    });
    // the venue's apikeys list shows whether the key index is registered at all
    await this.http
      .get("nextNonce", { account_index: accountIndex, api_key_index: apiKeyIndex })
      .catch((e: unknown) => {
        if (e instanceof LighterRejectError)
          throw new VenueRejectError(e.reason, `${where}: account ${accountIndex}: ${e.message}`);
        throw e;
      });
    this.#accounts.set(binding.account, a);
    this.#byIndex.set(accountIndex, a);
    const seen = new Set<string>();
    for (const p of await reads.fundingPayments(this.#ctx, binding.account, 0))
      seen.add(`${p.symbol}|${p.ts}`);
    this.#fundingSeen.set(binding.account, seen);
    this.health.add(ACCOUNT_STREAM, this.#socket.isOpen);
    for (const ch of ["account_all_orders", "account_all_trades", "account_all_positions"])
      this.#socket.subscribe(`${ch}/${accountIndex}`, async () => a.token());
    void this.points.read(binding.account).catch(() => undefined);
    this.#pollPoints();
  }

  /** The bound account of a wallet (its indexes, nonces and token); throws for an unbound one. */
  boundAccount(account: string): LighterAccount {
    return this.#bound(account);
  }

  #bound(account: string): LighterAccount {
    if (this.#closed) throw new VenueUnknownOutcomeError("unavailable", `venue ${this.id}: closed`);
    const a = this.#accounts.get(account);
    if (a === undefined)
      throw new VenueRejectError("unknown_account", `venue ${this.id}: wallet "${account}" is not bound`);
    return a;
  }

  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    this.#events.add(listener);
    return () => this.#events.delete(listener);
  }

  #emit(events: readonly VenueEvent[]): void {
    for (const e of events) for (const l of this.#events) l(e);
  }

  // ------------------------------------------------------------------ orders and reads

  submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    const a = this.#bound(order.account);
    this.instrument(order.symbol);
    return exec.submit(this.#ctx, a, order);
  }

  cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    const a = this.#bound(account);
    return exec.cancel(this.#ctx, a, account, this.instrument(symbol).symbol, clientOrderId);
  }

  async amend(): Promise<AmendResult> {
    throw new VenueRejectError(
      "amend_unsupported",
      `venue ${this.id}: this connector does not send ModifyOrder`,
    );
  }

  setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    return exec.setLeverage(
      this.#ctx,
      this.#bound(account),
      this.instrument(symbol).symbol,
      leverage,
      mode === "isolated",
    );
  }

  async orderStatus(account: string, clientOrderId: string) {
    this.#bound(account);
    const found = await reads.findOrder(this.#ctx, account, clientOrderId);
    if (found.record) {
      this.#emit(this.tracker.onOrder(account, found.record.o, found.record.inst, this.clock.now()));
      return reads.orderReport(account, found.record.o, found.record.inst);
    }
    const t = this.tracker.get(account, clientOrderId);
    if (found.neverLanded === undefined || t === undefined) return undefined;
    // the transaction failed, or its nonce was never used: the order does not exist and never will
    if (t.rejected === undefined && !t.acked) {
      t.rejected = found.neverLanded;
      this.#emit([
        { type: "reject", ts: this.clock.now(), account, clientOrderId, reason: found.neverLanded },
      ]);
    }
    return {
      clientOrderId,
      venueOrderId: "",
      account,
      symbol: t.symbol,
      side: t.isAsk ? ("sell" as const) : ("buy" as const),
      priceTicks: 0,
      sizeLots: t.lots,
      filledLots: 0,
      status: "rejected" as const,
      tif: t.tif,
      reduceOnly: false,
    };
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

  /** The wallet's points (referral/points), read at most once per `points_poll_ms`. */
  walletPoints(account: string): Promise<WalletPoints> {
    return this.points.read(account);
  }

  /** Every bound wallet's points as last read (core/venue-points.ts: what `perpbot status` shows). */
  keptPoints(): readonly WalletPointsReport[] {
    const out: WalletPointsReport[] = [];
    for (const account of this.#accounts.keys()) {
      const p = this.points.kept(account);
      if (p !== undefined)
        out.push({ venue: this.id, account, total: p.total, lastWeek: p.lastWeek, ts: p.ts });
    }
    return out;
  }

  /** Read each bound wallet's points now and every `points_poll_ms` (failures keep the last value). */
  #pollPoints(): void {
    if (this.#pointsTimer !== undefined) return;
    const tick = () => {
      for (const account of this.#accounts.keys()) void this.points.read(account).catch(() => undefined);
    };
    this.#pointsTimer = setInterval(tick, this.config.points_poll_ms);
    this.#pointsTimer.unref?.();
  }
}
