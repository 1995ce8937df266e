import type { Clock, TimerHandle } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import type { Store } from "../store/store.ts";
import { FarmStrategy } from "../strategies/farm/farm.ts";
import type { StrategyNode } from "./node.ts";
import {
  type LiveGroup,
  type LiveInstance,
  type LiveMarket,
  type LivePosition,
  type LiveScanner,
  type LiveSnapshot,
  writeLiveSnapshot,
} from "./service/live.ts";

/**
 * The runner's side of the live view (src/app/service/live.ts): every `everyMs` it writes what
 * the engine holds (accounts, positions at the mark, each farm group's liquidation distance) to
 * the store's kv, and every `equityEveryMs` one equity row per account (the equity curve), so
 * the API and dashboard read it from the store whether they run in this process or another.
 */
export interface LiveRecorderOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly node: StrategyNode;
  readonly venues: readonly string[];
  readonly wallets: readonly string[];
  /** default 2 s */
  readonly everyMs?: number;
  /** default 30 s */
  readonly equityEveryMs?: number;
  readonly onError?: (e: Error) => void;
}

export class LiveRecorder {
  private readonly o: LiveRecorderOptions;
  private timer: TimerHandle | undefined;
  private lastEquity = Number.NEGATIVE_INFINITY;
  private busy: Promise<void> | undefined;
  private running = false;

  constructor(o: LiveRecorderOptions) {
    this.o = o;
  }

  start(): void {
    this.running = true;
    this.arm(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.o.clock.cancel(this.timer);
    this.timer = undefined;
    await this.busy;
  }

  /** One snapshot now (and an equity row per account when one is due). */
  async recordOnce(): Promise<LiveSnapshot> {
    const { node, clock, store } = this.o;
    const now = clock.now();
    const portfolio = node.engine.portfolio;
    const market = node.engine.market;
    const accounts = [];
    const positions: LivePosition[] = [];
    for (const venue of this.o.venues) {
      for (const wallet of this.o.wallets) {
        const a = portfolio.account(venue, wallet);
        if (a !== undefined) {
          accounts.push({
            venue,
            wallet,
            equityUsd: round2(a.equityUsd),
            availableUsd: round2(a.availableUsd),
            maintenanceMarginUsd: round2(a.maintenanceMarginUsd),
          });
        }
        for (const p of portfolio.positions(venue, wallet)) {
          const inst = market.findInstrument(venue, p.symbol);
          const size = inst === undefined ? p.sizeLots : inst.sizeValue(p.sizeLots);
          const liq = p.liquidationPrice;
          positions.push({
            venue,
            wallet,
            symbol: p.symbol,
            size,
            entryPrice: p.entryPrice,
            markPrice: p.markPrice,
            notionalUsd: round2(Math.abs(size) * p.markPrice),
            unrealisedPnlUsd: round2(p.unrealisedPnlUsd),
            liquidationPrice: liq,
            liquidationDistance:
              liq === null || p.markPrice <= 0 ? null : round4(Math.abs(p.markPrice - liq) / p.markPrice),
          });
        }
      }
    }
    const groups: LiveGroup[] = [];
    for (const i of node.instances.values()) {
      if (!(i.strategy instanceof FarmStrategy)) continue;
      for (const g of i.strategy.groups()) {
        groups.push({
          id: g.id,
          strategy: i.spec.name,
          minLiquidationDistance: Number.isFinite(g.minLiquidationDistance)
            ? round4(g.minLiquidationDistance)
            : null,
          notionalUsd: round2(g.notionalUsd),
          unrealisedPnlUsd: round2(g.unrealisedPnlUsd),
          netDeltaUsd: round2(g.netDeltaUsd),
        });
      }
    }
    const scanners: LiveScanner[] = [];
    for (const i of node.instances.values()) {
      if (i.strategy.kind !== "carry" && i.strategy.kind !== "scalp") continue;
      const v = i.strategy.view();
      const rec = (x: unknown) => (typeof x === "object" && x !== null ? (x as Record<string, number>) : {});
      scanners.push({
        instance: i.spec.name,
        kind: i.strategy.kind,
        ...(v.kind === "carry"
          ? { opportunities: v.opportunities ?? null }
          : { edgeBps: rec(v.edgeBps), bestEdgeBps: rec(v.bestEdgeBps) }),
        rejections: rec(v.rejections),
      });
    }
    const instances: LiveInstance[] = [...node.instances.values()].map((i) => ({
      instance: i.spec.name,
      kind: i.strategy.kind,
      wallets: [...i.spec.wallets],
      maxExposureUsd: i.maxExposureUsd ?? null,
      running: i.strategy.view().running,
    }));
    const markets: LiveMarket[] = [];
    for (const venue of this.o.venues) {
      for (const inst of market.instruments(venue)) {
        const symbol = inst.spec.symbol;
        const mark = market.mark(venue, symbol);
        let ts = 0;
        try {
          ts = market.bbo(venue, symbol).ts;
        } catch {
          // no book for it (not streamed)
        }
        markets.push({
          venue,
          symbol,
          markPrice: Number.isFinite(mark) ? mark : null,
          fundingRatePerHour: market.fundingRatePerHour(venue, symbol),
          bookAgeMs: ts > 0 ? Math.max(0, now - ts) : null,
        });
      }
    }
    const snapshot: LiveSnapshot = {
      ts: now,
      pid: process.pid,
      tradingState: node.engine.tradingState,
      equityUsd: round2(accounts.reduce((s, a) => s + a.equityUsd, 0)),
      accounts,
      positions,
      groups,
      scanners,
      instances,
      markets,
      rateLimits: this.o.venues.flatMap((venue) =>
        node.engine.rateBudgetUsed(venue).map((u) => ({ venue, scope: u.scope, used: round4(u.used) })),
      ),
    };
    await writeLiveSnapshot(store, snapshot);
    if (accounts.length > 0 && now - this.lastEquity >= (this.o.equityEveryMs ?? 30_000)) {
      this.lastEquity = now;
      for (const a of accounts) {
        const acc = portfolio.account(a.venue, a.wallet);
        if (acc === undefined) continue;
        await store.equity.record({
          venue: a.venue,
          account: a.wallet,
          equity: usd(round2(acc.equityUsd)),
          cash: usd(round2(acc.equityUsd - positionsUpnl(positions, a.venue, a.wallet))),
          maintenanceMargin: usd(round2(acc.maintenanceMarginUsd)),
          ts: now,
        });
      }
    }
    return snapshot;
  }

  private arm(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.o.clock.after(delayMs, () => {
      this.timer = undefined;
      this.busy = this.recordOnce()
        .then(() => undefined)
        .catch((e) => this.o.onError?.(e as Error))
        .finally(() => this.arm(this.o.everyMs ?? 2_000));
    });
  }
}

function positionsUpnl(ps: readonly LivePosition[], venue: string, wallet: string): number {
  return ps
    .filter((p) => p.venue === venue && p.wallet === wallet)
    .reduce((s, p) => s + p.unrealisedPnlUsd, 0);
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
