import type { Clock, TimerHandle } from "../core/clock.ts";
import type { AccountReport, PositionReport } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import type { Store } from "../store/store.ts";
import { AccountRefresher, type RefreshStats } from "./account-refresher.ts";
import type { AlertBus } from "./alerts.ts";
import type { EngineSettings } from "./config.ts";
import { FundingJournal } from "./funding-journal.ts";
import { MarketCache } from "./market.ts";
import type { OrderGateway } from "./orders/order-gateway.ts";
import { Portfolio } from "./portfolio.ts";
import type { StartOptions } from "./startup.ts";

/**
 * What the engine keeps for strategies to read and what it records of accounts: the market
 * cache, the portfolio with its periodic refresh, and the funding journal. One object so the
 * executor wires it in a few lines: attach at start, feed it the reconciler's reads, stop it.
 */
export class AccountViews {
  readonly market: MarketCache;
  readonly portfolio: Portfolio;
  private readonly refresher: AccountRefresher;
  private readonly funding: FundingJournal;
  private readonly clock: Clock;
  private readonly refreshMs: number;
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(o: {
    venues: ReadonlyMap<string, Venue>;
    store: Store;
    clock: Clock;
    alerts: AlertBus;
    settings: EngineSettings;
    gateway: OrderGateway;
  }) {
    this.clock = o.clock;
    this.refreshMs = o.settings.portfolioRefreshMs;
    this.market = new MarketCache(o.venues);
    this.portfolio = new Portfolio(o.venues, this.market, {
      workingOrders: () =>
        o.gateway.workingOrders().map((w) => ({
          venue: w.venue,
          account: w.tracked.request.account,
          symbol: w.tracked.request.symbol,
          clientOrderId: w.tracked.clientOrderId,
          side: w.tracked.request.side,
          priceTicks: w.tracked.request.priceTicks,
          sizeLots: w.tracked.request.sizeLots,
          workingLots: w.tracked.workingLots,
          tif: w.tracked.request.tif,
          reduceOnly: w.tracked.request.reduceOnly,
          groupId: w.groupId,
        })),
    });
    this.refresher = new AccountRefresher({
      venues: o.venues,
      portfolio: this.portfolio,
      clock: o.clock,
      maxAgeMs: o.settings.portfolioMaxAgeMs,
      limits: o.gateway.limits,
    });
    this.funding = new FundingJournal(o.store, o.venues, (err) =>
      o.alerts.raise({
        severity: "warning",
        key: "engine.funding_journal_failed",
        title: "funding payment not recorded",
        message: err.message,
        context: {},
        ts: o.clock.now(),
      }),
    );
  }

  get refreshStats(): Readonly<RefreshStats> {
    return this.refresher.stats;
  }

  /** Follow the venues' events (before the engine's recovery, so nothing is missed). */
  attach(): void {
    this.funding.attach();
    this.portfolio.attach();
  }

  /** Read every managed account once, then refresh on the timer. */
  async start(
    accounts: () => Iterable<readonly [string, string]>,
    track: (p: Promise<unknown>) => Promise<unknown>,
    start: StartOptions = {},
  ): Promise<void> {
    // not `all`: an account the start-up reconcile has just read in full (positions, and account
    // state when the kill switch sums equity) is not read a second time; every other one is
    await this.refresher.run(accounts(), false, start);
    this.running = true;
    const arm = () => {
      if (!this.running || this.refreshMs <= 0) return;
      this.timer = this.clock.after(this.refreshMs, () => {
        this.timer = undefined;
        // a failed pass leaves its accounts due; the next one tries again
        void track(this.refresher.run(accounts())).finally(arm);
      });
    };
    arm();
  }

  /** The reconciler's reads feed the portfolio: no second request for the same figures. */
  positionsRead(venue: string, account: string, reports: readonly PositionReport[]): void {
    this.portfolio.applyPositions(venue, account, reports, this.clock.now());
  }

  accountRead(venue: string, account: string, report: AccountReport): void {
    const now = this.clock.now();
    this.portfolio.applyAccount(venue, account, report, now);
    this.refresher.noteRead(venue, account, now);
  }

  /** Disarm the refresh (no new passes). */
  disarm(): void {
    this.running = false;
    if (this.timer) this.clock.cancel(this.timer);
    this.timer = undefined;
  }

  /** Stop following the venues; wait for the funding payments seen to be written. */
  async close(): Promise<void> {
    this.disarm();
    this.portfolio.detach();
    this.funding.detach();
    await this.funding.settled();
    this.market.close();
  }

  recordsSettled(): Promise<void> {
    return this.funding.settled();
  }
}
