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
import type { WalletPointsReport } from "../../core/venue-points.ts";
import { ACCOUNT_STREAM, type MarketSubscription } from "../../core/venue-streams.ts";
import { StreamHealth } from "../kit/stream-health.ts";
import { BoundAccounts, VenueListeners } from "../kit/venue-accounts.ts";
import { FundingWatch, onAccountMessage, reconcileAccount } from "./account-stream.ts";
import { LighterAccount } from "./accounts.ts";
import { LIGHTER_CAPABILITIES } from "./capabilities.ts";
import { endpointsOf, type LighterConfig, type LighterEndpoints } from "./config.ts";
import * as exec from "./execution.ts";
import { LighterHttp, LighterRejectError } from "./http.ts";
import { LighterMarkets } from "./market-streams.ts";
import { LtOrderTracker } from "./orders.ts";
import { ApiKeysSchema, FundingRatesSchema, MarketDetailsSchema, parseAs } from "./parse.ts";
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
  readonly markets: LighterMarkets;
  readonly #events = new VenueListeners<VenueEvent>();
  readonly #accounts: BoundAccounts<LighterAccount>;
  readonly #byIndex = new Map<number, LighterAccount>();
  readonly #fundingWatch: FundingWatch;
  readonly #socket: LighterSocket;
  readonly #ctx: exec.ExecContext;
  readonly points: PointsReader;
  #everUp = false;
  #pointsTimer: ReturnType<typeof setInterval> | undefined;

  constructor(config: LighterConfig, clock: Clock) {
    this.config = config;
    this.id = config.id;
    this.clock = clock;
    this.#accounts = new BoundAccounts<LighterAccount>(this.id);
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
      byMarket: (id) => this.markets.byMarket(id),
      marketIdOf: (s) => this.markets.marketIdOf(s),
      instruments: () => this.markets.instruments(),
      accountOf: (a) => this.#bound(a),
      fractions: (id) => this.markets.fractions(id),
      emit: (events) => this.#emit(events),
    };
    this.#fundingWatch = new FundingWatch(this.#ctx);
    this.markets = new LighterMarkets(this.id, clock, this.health, () => this.#socket);
    this.points = new PointsReader(this.http, clock, config.points_poll_ms, (a) => this.#bound(a));
    this.#socket = new LighterSocket(this.endpoints.wsUrl, {
      onMessage: (m) => this.#message(m),
      onUp: () => this.#up(),
      onDown: () => {
        this.markets.down();
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
    const rates = parseAs(FundingRatesSchema, await this.http.get("funding-rates"), "funding-rates answer");
    this.markets.load(details.order_book_details, this.config.symbols, rates.funding_rates);
    this.#accounts.closed = false;
    await this.#socket.connect();
    this.health.start();
  }

  async close(): Promise<void> {
    this.#accounts.closed = true;
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
    this.markets.up();
    if (this.#accounts.size > 0) this.health.message(ACCOUNT_STREAM, this.clock.now());
    if (this.#everUp)
      for (const a of this.#accounts.values()) void reconcileAccount(this.#ctx, a).catch(() => undefined);
    this.#everUp = true;
  }

  // ------------------------------------------------------------------ market data

  subscribe(sub: MarketSubscription): Unsubscribe {
    return this.markets.subscribe(sub);
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.markets.onMarket(listener);
  }

  instruments(): readonly Instrument[] {
    return this.markets.instruments();
  }

  instrument(symbol: string): Instrument {
    return this.markets.instrument(symbol);
  }

  book(symbol: string): BookView {
    return this.markets.book(symbol);
  }

  markPrice(symbol: string): number {
    return this.markets.markPrice(symbol);
  }

  fundingRatePerHour(symbol: string): number {
    return this.markets.fundingRatePerHour(symbol);
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
    if (this.markets.route(kind, id, type, m, channel)) return;
    if (kind === "account_all_orders" || kind === "account_all_trades" || kind === "account_all_positions") {
      const a = this.#byIndex.get(Number(id));
      if (a === undefined) return;
      this.health.message(ACCOUNT_STREAM, this.clock.now());
      if (onAccountMessage(this.#ctx, kind, a, m, this.clock.now()))
        void this.#fundingWatch.read(a.account).catch(() => undefined);
    }
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
    // the venue's apikeys list says whether a key is registered at that index (not whether it is
    // ours: only the signer knows our public key; a wrong key is refused at its first transaction)
    const keys = await this.http
      .get("apikeys", { account_index: accountIndex, api_key_index: apiKeyIndex })
      .catch((e: unknown) => {
        if (e instanceof LighterRejectError)
          throw new VenueRejectError(e.reason, `${where}: account ${accountIndex}: ${e.message}`);
        throw e;
      });
    const registered = parseAs(ApiKeysSchema, keys, `apikeys of account ${accountIndex}`).api_keys.some(
      (k) => k.api_key_index === apiKeyIndex && /[1-9a-f]/i.test(k.public_key.replace(/^0x/, "")),
    );
    if (!registered)
      throw new VenueRejectError(
        "api_key_not_registered",
        `${where}: account ${accountIndex} has no API key at api_key_index ${apiKeyIndex} (register one: perpbot lighter register-key --wallet ${binding.account} --api-key-index ${apiKeyIndex})`,
      );
    this.#accounts.set(binding.account, a);
    this.#byIndex.set(accountIndex, a);
    await this.#fundingWatch.seed(binding.account);
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
    return this.#accounts.bound(account);
  }

  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    return this.#events.on(listener);
  }

  #emit(events: readonly VenueEvent[]): void {
    this.#events.emit(events);
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
