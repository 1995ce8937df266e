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
import type { WalletPointsReport } from "../../core/venue-points.ts";
import { ACCOUNT_STREAM, type MarketSubscription } from "../../core/venue-streams.ts";
import { PointsKeeper } from "../kit/points-keeper.ts";
import { StreamHealth } from "../kit/stream-health.ts";
import { BoundAccounts, VenueListeners } from "../kit/venue-accounts.ts";
import { AccountEvents } from "./account-stream.ts";
import { EXTENDED_CAPABILITIES, tradableMarkets } from "./capabilities.ts";
import { domainOf, type ExtendedConfig, restUrlOf, wsUrlOf } from "./config.ts";
import { ExtendedHttp, ExtendedRejectError } from "./http.ts";
import { ExtendedMarketData } from "./market-data.ts";
import { orderBody } from "./orders.ts";
import {
  AccountFrameSchema,
  AccountInfoSchema,
  MarketsSchema,
  PlacedSchema,
  parseAs,
  parseJson,
} from "./parse.ts";
import * as reads from "./reads.ts";
import { readRewards } from "./rewards.ts";
import { ExtendedStream } from "./ws.ts";

interface Bound {
  readonly signer: AccountSigner;
  readonly apiKey: string;
  readonly vault: number;
  readonly stream: ExtendedStream;
  fundingSeen: number;
}

/**
 * The Extended connector. Market data on one socket per stream path (the venue has no
 * subscribe messages), each account's orders, trades and positions on its `/account` socket
 * (X-Api-Key), orders and reads over REST. Every order carries a Stark settlement signature
 * (signing.ts) by the account's "stark" signer; http.ts says which failure is a refusal and
 * which an unknown outcome.
 */
export class ExtendedVenue implements Venue {
  readonly id: string;
  readonly capabilities = EXTENDED_CAPABILITIES;
  readonly config: ExtendedConfig;
  readonly clock: Clock;
  readonly http: ExtendedHttp;
  readonly health: StreamHealth;
  readonly #data: ExtendedMarketData;
  readonly #events = new VenueListeners<VenueEvent>();
  readonly #accounts: BoundAccounts<Bound>;
  readonly #acct = new AccountEvents();
  readonly #ctx: reads.ReadContext;
  readonly #problems = new Map<string, VenueNotice>();
  /** each bound wallet's points (`/user/rewards/earned`), for `perpbot status` */
  readonly points: PointsKeeper<string>;

  constructor(config: ExtendedConfig, clock: Clock) {
    this.config = config;
    this.id = config.id;
    this.clock = clock;
    this.http = new ExtendedHttp({ baseUrl: restUrlOf(config), timeoutMs: config.request_timeout_ms, clock });
    this.health = new StreamHealth(clock, this.id, config.stale_after_ms);
    this.#accounts = new BoundAccounts<Bound>(this.id, "account");
    this.#data = new ExtendedMarketData({
      venueId: this.id,
      clock,
      health: this.health,
      wsBase: wsUrlOf(config),
      problem: (stream, e) => this.#problem(stream, e),
    });
    this.points = new PointsKeeper<string>(this.id, {
      clock,
      pollMs: config.points_poll_ms,
      problem: (a, e) => this.#problem(`rewards of account ${a}`, e),
      read: (a, apiKey) => readRewards(this.http, this.id, a, apiKey),
    });
    this.#ctx = {
      http: this.http,
      venueId: this.id,
      known: (s) => this.#data.known(s),
      apiKeyOf: (a) => this.#bound(a).apiKey,
      clientIdOf: (a, v) => this.#acct.clientIdOf(a, v),
    };
  }

  // ------------------------------------------------------------------ lifecycle

  async connect(): Promise<void> {
    const markets = parseAs(
      MarketsSchema,
      await this.http.request({ method: "GET", path: "/info/markets" }),
      "markets",
    );
    this.#data.load(tradableMarkets(markets.data, this.config.symbols), {
      makerFeeBps: this.config.maker_fee_bps,
      takerFeeBps: this.config.taker_fee_bps,
    });
    this.#accounts.closed = false;
    this.health.start();
  }

  async close(): Promise<void> {
    this.#accounts.closed = true;
    this.health.stop();
    this.points.stop();
    await Promise.all([this.#data.close(), ...[...this.#accounts.values()].map((b) => b.stream.close())]);
  }

  streams() {
    return this.health.list();
  }

  notices(): readonly VenueNotice[] {
    return [...this.#problems.values()];
  }

  #problem(stream: string, e: unknown): void {
    const text = `a ${stream} message was dropped: ${(e as Error).message}`;
    this.#problems.set(stream, { venue: this.id, key: `payload:${stream}`, text });
  }

  onStreamStatus(listener: Parameters<StreamHealth["onChange"]>[0]): Unsubscribe {
    return this.health.onChange(listener);
  }

  // ------------------------------------------------------------------ market data

  subscribe(sub: MarketSubscription): Unsubscribe {
    return this.#data.subscribe(sub);
  }
  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.#data.onMarket(listener);
  }
  instruments(): readonly Instrument[] {
    return this.#data.instruments();
  }
  instrument(symbol: string): Instrument {
    return this.#data.instrument(symbol);
  }
  book(symbol: string): BookView {
    return this.#data.book(symbol);
  }
  markPrice(symbol: string): number {
    return this.#data.markPrice(symbol);
  }
  fundingRatePerHour(symbol: string): number {
    return this.#data.fundingRatePerHour(symbol);
  }

  // ------------------------------------------------------------------ accounts

  async bindAccount(binding: AccountBinding): Promise<void> {
    const where = `venue ${this.id}: account ${binding.account}`;
    const signer = binding.signer;
    if (signer === undefined || signer.scheme !== "stark")
      throw new VenueRejectError(
        "no_signer",
        `${where} needs a stark signer (got ${signer?.scheme ?? "none"})`,
      );
    const { apiKeyId: apiKey, subAccount, address } = binding.identity;
    if (apiKey === undefined || subAccount === undefined || !/^\d+$/.test(subAccount))
      throw new VenueRejectError(
        "invalid_binding",
        `${where}: the identity needs apiKeyId (X-Api-Key) and subAccount (the vault number)`,
      );
    if (this.#accounts.has(binding.account)) return;
    const starkKey = BigInt(`0x${signer.publicKey}`);
    if (address !== undefined && BigInt(address) !== starkKey)
      throw new VenueRejectError(
        "wrong_key",
        `${where}: the keystore key is the private half of 0x${starkKey.toString(16)}, not of the configured stark_key ${address}`,
      );
    const info = parseAs(
      AccountInfoSchema,
      await this.http.request({ method: "GET", path: "/user/account/info", apiKey }).catch((e: unknown) => {
        if (e instanceof ExtendedRejectError)
          throw new VenueRejectError(e.reason, `${where}: API key refused: ${e.message}`);
        throw e;
      }),
      `account info of ${binding.account}`,
    ).data;
    if (BigInt(info.l2Key) !== starkKey || info.l2Vault !== subAccount)
      throw new VenueRejectError(
        "wrong_key",
        `${where}: the venue knows this API key's account as vault ${info.l2Vault} with Stark key ${info.l2Key}, not vault ${subAccount} with 0x${starkKey.toString(16)}`,
      );
    const account = binding.account;
    const stream = new ExtendedStream(
      `${wsUrlOf(this.config)}/account`,
      {
        onFrame: (text) => this.#accountFrame(account, text),
        onUp: () => this.#accountHealth(),
        onDown: () => this.#accountHealth(),
      },
      { "X-Api-Key": apiKey },
    );
    const bound: Bound = { signer, apiKey, vault: Number(subAccount), stream, fundingSeen: this.clock.now() };
    this.#accounts.set(account, bound);
    this.health.add(ACCOUNT_STREAM, false);
    this.points.add(account, apiKey);
    await stream.connect();
  }

  #accountHealth(): void {
    this.#accounts.reportHealth(this.health, this.clock.now(), (b) => b.stream.isOpen);
  }

  #accountFrame(account: string, text: string): void {
    try {
      const f = parseAs(AccountFrameSchema, parseJson(text), `account stream of ${account}`);
      this.health.message(ACCOUNT_STREAM, this.clock.now());
      this.#emit(this.#acct.events(this.#ctx, account, f));
      if (f.type === "POSITION" || f.type === "BALANCE")
        void this.#pollFunding(account).catch(() => undefined);
    } catch (e) {
      this.#problem(`account stream of ${account}`, e);
    }
  }

  /** New funding settlements as events (the stream announces a position change, not the payment). */
  async #pollFunding(account: string): Promise<void> {
    const b = this.#accounts.get(account);
    if (b === undefined) return;
    for (const p of await reads.fundingPayments(this.#ctx, account, b.fundingSeen)) {
      if (p.ts < b.fundingSeen) continue;
      b.fundingSeen = p.ts + 1;
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

  // ------------------------------------------------------------------ points

  /** Every bound wallet's points as last read (`perpbot status`; core/venue-points.ts). */
  keptPoints(): readonly WalletPointsReport[] {
    return this.points.kept();
  }

  // ------------------------------------------------------------------ orders

  async submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    const b = this.#bound(order.account);
    const inst = this.instrument(order.symbol);
    const body = await orderBody(order, {
      inst,
      market: this.#data.market(inst.symbol),
      vault: b.vault,
      signer: b.signer,
      domain: domainOf(this.config),
      maxFeeRate: this.config.max_fee_rate,
      expiryEpochMillis: this.clock.now() + this.config.order_expiry_ms,
    });
    this.#acct.expect(
      order.account,
      order.clientOrderId,
      inst.symbol,
      order.sizeLots,
      body.timeInForce === "IOC",
    );
    let raw: unknown;
    try {
      raw = await this.http.request({ method: "POST", path: "/user/order", body, apiKey: b.apiKey });
    } catch (e) {
      // a duplicate id means an earlier attempt landed: that order is this one
      if (e instanceof ExtendedRejectError && e.code === "1134") {
        const found = await reads.orderStatus(this.#ctx, order.account, order.clientOrderId);
        if (found !== undefined) {
          this.#emit(
            this.#acct.ack(
              order.account,
              order.clientOrderId,
              inst.symbol,
              found.venueOrderId,
              this.clock.now(),
            ),
          );
          return { venueOrderId: found.venueOrderId };
        }
      }
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
    const placed = parseAs(PlacedSchema, raw, "order placed answer").data;
    this.#emit(this.#acct.ack(order.account, order.clientOrderId, inst.symbol, placed.id, this.clock.now()));
    return { venueOrderId: placed.id };
  }

  async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    const b = this.#bound(account);
    const inst = this.instrument(symbol);
    try {
      await this.http.request({
        method: "DELETE",
        path: "/user/order",
        query: { externalId: clientOrderId },
        apiKey: b.apiKey,
      });
    } catch (e) {
      if (e instanceof VenueRejectError)
        this.#emit([
          { type: "cancel_reject", ts: this.clock.now(), account, clientOrderId, reason: e.reason },
        ]);
      throw e;
    }
    const t = this.#acct.tracker.get(account, clientOrderId);
    this.#emit(
      this.#acct.tracker.end(
        account,
        clientOrderId,
        inst.symbol,
        t?.venueOrderId ?? "",
        "user",
        this.clock.now(),
      ),
    );
  }

  async amend(): Promise<AmendResult> {
    throw new VenueRejectError(
      "amend_unsupported",
      `venue ${this.id}: this connector sends no in-place amends`,
    );
  }

  async setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    const b = this.#bound(account);
    const inst = this.instrument(symbol);
    if (mode !== "cross")
      throw new VenueRejectError(
        "invalid_margin_mode",
        `venue ${this.id}: ${inst.symbol}: Extended margins cross only`,
      );
    await this.http.request({
      method: "PATCH",
      path: "/user/leverage",
      body: { market: inst.symbol, leverage: String(leverage) },
      apiKey: b.apiKey,
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
