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
import type { WalletPointsReport } from "../../core/venue-points.ts";
import { ACCOUNT_STREAM, type MarketSubscription } from "../../core/venue-streams.ts";
import { PointsKeeper } from "../kit/points-keeper.ts";
import { StreamHealth } from "../kit/stream-health.ts";
import { BoundAccounts, VenueListeners } from "../kit/venue-accounts.ts";
import { OrderTracker } from "./account-stream.ts";
import { JwtSession } from "./auth.ts";
import { PARADEX_CAPABILITIES } from "./capabilities.ts";
import { chainOf, type ParadexConfig, wsUrlOf } from "./config.ts";
import { ParadexHttp, ParadexRejectError } from "./http.ts";
import { PdxMarketData } from "./market-data.ts";
import { cancelByClientId, placeOrder, readXp } from "./orders.ts";
import { PrivateFeed } from "./private-feed.ts";
import * as reads from "./reads.ts";
import { PdxStream } from "./stream.ts";

interface Bound {
  readonly session: JwtSession;
  readonly stream: PdxStream;
}

/**
 * The Paradex connector (perps). Market data over one public JSON-RPC socket (public-feed.ts),
 * each account's orders, fills and funding payments over its own authenticated socket
 * (private-feed.ts, account-stream.ts); orders, cancels and reads over REST with the account's
 * JWT (auth.ts refreshes it before its 5-minute expiry). http.ts says which failure is a refusal
 * and which an unknown outcome; an answered order is only decided when the socket says it reached
 * the book or was closed as refused (account-stream.ts).
 */
export class ParadexVenue implements Venue {
  readonly id: string;
  readonly capabilities = PARADEX_CAPABILITIES;
  readonly config: ParadexConfig;
  readonly clock: Clock;
  readonly http: ParadexHttp;
  readonly health: StreamHealth;
  readonly chain: string;
  readonly #md: PdxMarketData;
  readonly #events = new VenueListeners<VenueEvent>();
  readonly #accounts: BoundAccounts<Bound>;
  readonly #problems = new Map<string, VenueNotice>();
  readonly #tracker: OrderTracker;
  readonly #ctx: reads.ReadContext;
  readonly #xp: PointsKeeper<JwtSession>;

  constructor(config: ParadexConfig, clock: Clock) {
    this.config = config;
    this.id = config.id;
    this.clock = clock;
    this.chain = chainOf(config);
    this.http = new ParadexHttp(config.rest_url, config.request_timeout_ms);
    this.health = new StreamHealth(clock, this.id, config.stale_after_ms);
    this.#accounts = new BoundAccounts<Bound>(this.id, "account");
    this.#md = new PdxMarketData(config, {
      http: this.http,
      clock,
      health: this.health,
      problem: (stream, e) => this.#problem(stream, e),
    });
    const md = this.#md;
    // each wallet's XP (`GET /xp/account-balance`, ccxt@4.5.84 paradex.js private GET list): a
    // balance only, so lastWeek is 0
    this.#xp = new PointsKeeper<JwtSession>(this.id, {
      clock,
      pollMs: config.points_poll_ms,
      problem: (a, e) => this.#problem(`xp of account ${a}`, e),
      read: async (_account, session) => ({
        total: Number(await readXp({ http: this.http, session })),
        lastWeek: 0,
      }),
    });
    this.#tracker = new OrderTracker(
      (e) => this.#emit(e),
      (s) => md.known(s),
      () => clock.now(),
    );
    this.#ctx = {
      http: this.http,
      known: (s) => md.known(s),
      sessionOf: (a) => this.#bound(a).session,
      mmfOf: (s) => md.mmfOf(s),
      markOf: (s) => md.markOf(s),
      ratePerHourOf: (s) => md.ratePerHourOf(s),
    };
  }

  // ------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    this.#accounts.closed = false;
    await this.#md.load();
    this.health.start();
  }

  async close(): Promise<void> {
    this.#accounts.closed = true;
    this.health.stop();
    this.#xp.stop();
    await Promise.all([
      this.#md.socket.close(),
      ...[...this.#accounts.values()].map((b) => b.stream.close()),
    ]);
  }

  streams() {
    return this.health.list();
  }

  onStreamStatus(listener: Parameters<StreamHealth["onChange"]>[0]): Unsubscribe {
    return this.health.onChange(listener);
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

  // ------------------------------------------------------------------ market data

  subscribe(sub: MarketSubscription): Unsubscribe {
    return this.#md.subscribe(sub);
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.#md.onMarket(listener);
  }

  instruments(): readonly Instrument[] {
    return this.#md.instruments();
  }

  instrument(symbol: string): Instrument {
    return this.#md.instrument(symbol);
  }

  book(symbol: string): BookView {
    return this.#md.book(symbol);
  }

  markPrice(symbol: string): number {
    return this.#md.markOf(this.instrument(symbol).symbol);
  }

  fundingRatePerHour(symbol: string): number {
    return this.#md.ratePerHourOf(this.instrument(symbol).symbol);
  }

  // ------------------------------------------------------------------ accounts

  async bindAccount(binding: AccountBinding): Promise<void> {
    if (binding.account === "")
      throw new VenueRejectError(
        "invalid_binding",
        `venue ${this.id}: an account binding needs a non-empty account id`,
      );
    const signer = binding.signer;
    if (signer === undefined || signer.scheme !== "stark")
      throw new VenueRejectError(
        "no_signer",
        `venue ${this.id}: account ${binding.account} needs a stark signer (got ${signer === undefined ? "none" : signer.scheme})`,
      );
    if (this.#accounts.has(binding.account)) return;
    const address = binding.identity.address;
    if (address === undefined || !/^0x[0-9a-fA-F]{1,64}$/.test(address))
      throw new VenueRejectError(
        "invalid_binding",
        `venue ${this.id}: account ${binding.account}: identity.address must be the Paradex (Starknet) account address, got ${String(address)}`,
      );
    const account = binding.account;
    const session = new JwtSession({
      http: this.http,
      clock: this.clock,
      signer,
      account: address.toLowerCase(),
      chain: this.chain,
      refreshAfterMs: this.config.jwt_refresh_after_ms,
    });
    // signing in proves the key is the account's before anything trades with it
    await session.token().catch((e: unknown) => {
      if (e instanceof ParadexRejectError)
        throw new VenueRejectError(
          e.reason,
          `venue ${this.id}: account ${account}: sign-in refused: ${e.message}`,
        );
      throw e;
    });
    const feed = new PrivateFeed(
      account,
      this.#tracker,
      (s) => this.#md.known(s),
      (e) => this.#emit(e),
      this.#ctx,
    );
    const stream = new PdxStream(
      wsUrlOf(this.config),
      {
        onData: (channel, data) => {
          try {
            feed.onData(channel, data);
          } catch (e) {
            this.#problem(`${channel} of account ${account}`, e as Error);
          }
        },
        onUp: () => this.#accountHealth(),
        onDown: () => this.#accountHealth(),
        onProblem: (p) => this.#problem(`socket of account ${account}`, new Error(p)),
      },
      {
        auth: () => session.token(),
        reconnectMinMs: this.config.reconnect_min_ms,
        reconnectMaxMs: this.config.reconnect_max_ms,
      },
    );
    for (const c of ["orders.ALL", "fills.ALL", "funding_payments.ALL"]) stream.subscribe(c);
    this.#accounts.set(account, { session, stream });
    this.health.add(ACCOUNT_STREAM, false);
    await stream.connect();
    feed.seed(await reads.positions(this.#ctx, account));
    this.#xp.add(account, session);
  }

  #accountHealth(): void {
    this.#accounts.reportHealth(this.health, this.clock.now(), (b) => b.stream.isOpen);
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

  // ------------------------------------------------------------------ points

  /** Every bound wallet's XP as last read (`perpbot status`; core/venue-points.ts). */
  keptPoints(): readonly WalletPointsReport[] {
    return this.#xp.kept();
  }

  // ------------------------------------------------------------------ orders

  async submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    const { session } = this.#bound(order.account);
    const inst = this.instrument(order.symbol);
    const signer = this.#signerOf(order.account);
    const cid = order.clientOrderId;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(cid))
      throw new VenueRejectError(
        "invalid_client_order_id",
        `venue ${this.id}: clientOrderId "${cid}" must be 1-64 of [A-Za-z0-9_-]`,
      );
    this.#tracker.track(order.account, cid);
    let venueOrderId: string;
    try {
      const a = await placeOrder(
        { http: this.http, session, signer, clock: this.clock },
        {
          market: inst.symbol,
          side: order.side === "buy" ? "BUY" : "SELL",
          // a market order goes as an IOC limit at its protection price (capabilities.ts)
          type: "LIMIT",
          size: inst.sizeText(order.sizeLots),
          price: inst.priceText(order.priceTicks),
          instruction:
            order.tif === "post_only"
              ? "POST_ONLY"
              : order.tif === "gtc" && order.type !== "market"
                ? "GTC"
                : "IOC",
          reduceOnly: order.reduceOnly,
          clientId: cid,
        },
      );
      venueOrderId = a.id;
    } catch (e) {
      if (e instanceof VenueRejectError) this.#tracker.refuse(order.account, cid, e.reason);
      throw e;
    }
    const d = await this.#tracker.decision(order.account, cid, this.config.accept_wait_ms);
    if (d?.kind === "refused") {
      this.#tracker.refuse(order.account, cid, d.reason);
      throw new VenueRejectError(
        d.reason,
        `venue ${this.id}: order ${cid} closed as ${d.reason.toUpperCase()}`,
      );
    }
    this.#tracker.accept(order.account, cid, venueOrderId);
    return { venueOrderId };
  }

  #signerOf(account: string) {
    return this.#bound(account).session.signer;
  }

  async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    const { session } = this.#bound(account);
    const inst = this.instrument(symbol);
    const closed = this.#tracker.closed(account, clientOrderId, this.config.accept_wait_ms);
    const refused = (reason: string, message: string) => {
      this.#emit([{ type: "cancel_reject", ts: this.clock.now(), account, clientOrderId, reason }]);
      return new VenueRejectError(reason, message);
    };
    try {
      await cancelByClientId({ http: this.http, session }, clientOrderId, inst.symbol);
    } catch (e) {
      if (e instanceof VenueRejectError) throw refused(e.reason, e.message);
      throw e;
    }
    // the cancel is queued (204): it took effect unless the order filled first
    const o = await closed;
    if (o !== undefined && Number(o.remaining_size) === 0)
      throw refused("order_filled", `venue ${this.id}: order ${clientOrderId} filled before the cancel`);
  }

  async amend(): Promise<AmendResult> {
    throw new VenueRejectError(
      "amend_unsupported",
      `venue ${this.id}: this connector does not amend Paradex orders`,
    );
  }

  async setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    const { session } = this.#bound(account);
    const inst = this.instrument(symbol);
    await this.http.request({
      method: "POST",
      path: `/account/margin/${encodeURIComponent(inst.symbol)}`,
      body: { leverage, margin_type: mode === "cross" ? "CROSS" : "ISOLATED" },
      jwt: await session.token(),
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
