import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimClock } from "../core/clock.ts";
import type { Instrument } from "../core/instrument.ts";
import { usd } from "../core/money.ts";
import { type Venue, VenueUnknownOutcomeError } from "../core/venue.ts";
import type { VenueCapabilities } from "../core/venue-capabilities.ts";
import { type Alert, AlertBus } from "../engine/alerts.ts";
import type { EngineSettings } from "../engine/config.ts";
import { Engine, type EngineOptions, type LegSpec } from "../engine/executor.ts";
import { openStore, type Store } from "../store/store.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import type { SimFaults } from "../venues/sim/faults.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";
import { ForwardingVenue } from "./forwarding-venue.ts";

/**
 * Fixtures of the engine's scenario tests (not a test file): two simulated venues on one
 * SimClock, a real SQLite store in a temp directory, BTC books the test keeps fresh, and an
 * engine over them. Nothing here is a stub: the venues match, fail and persist for real.
 */

export const T0 = Date.UTC(2026, 0, 1);
export const ACCOUNTS = ["w1", "w2", "w3", "w4"] as const;

export interface World {
  readonly clock: SimClock;
  readonly simA: SimVenue;
  readonly simB: SimVenue;
  readonly venues: Map<string, Venue>;
  readonly store: Store;
  readonly alerts: Alert[];
  readonly bus: AlertBus;
  engine: Engine;
  /** BTC mid on each venue; refresh() feeds books around it */
  readonly mid: { simA: number; simB: number };
  readonly dir: string;
  refresh(): void;
  /** Advance the clock in steps (books refreshed each step) until `p` settles; its value. */
  drive<T>(p: Promise<T>, maxMs?: number, stepMs?: number): Promise<T>;
  /** Advance by `ms` with fresh books. */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** A new Engine on the same store and venues, as after a crash (the old one is abandoned). */
  restart(settings?: Partial<EngineSettings>): Promise<Engine>;
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly faultsA?: SimFaults;
  readonly faultsB?: SimFaults;
  readonly settings?: Partial<EngineSettings>;
  readonly depositUsd?: number;
  readonly start?: boolean;
  /** wrap simA (e.g. in an AnswerLossVenue) before the engine sees it */
  readonly wrapA?: (v: SimVenue, clock: SimClock) => Venue;
  /** SimVenue latencyMs of simA and simB (default 0) */
  readonly latencyMs?: { readonly simA?: number; readonly simB?: number };
  /** the engines' onFill hook */
  readonly onFill?: EngineOptions["onFill"];
  /** what simA itself declares (and so refuses what it lacks), e.g. no IOC */
  readonly capabilitiesA?: Partial<VenueCapabilities>;
}

export const FAST: Partial<EngineSettings> = {
  closeRetryInitialMs: 200,
  closeRetryMaxMs: 2_000,
  closeMaxAttempts: 4,
  unknownRetryMs: 100,
  sendExpiryMs: 2_000,
  reconcileIntervalMs: 1_000,
  orphanGraceMs: 3_000,
  killSwitch: undefined,
};

export async function makeWorld(o: WorldOptions = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-engine-"));
  const clock = new SimClock(T0);
  const simA = new SimVenue({
    id: "simA",
    instruments: catalogInstruments("simA"),
    clock,
    faults: o.faultsA,
    seed: 1,
    latencyMs: o.latencyMs?.simA,
    ...(o.capabilitiesA ? { capabilities: o.capabilitiesA } : {}),
  });
  const simB = new SimVenue({
    id: "simB",
    instruments: catalogInstruments("simB"),
    clock,
    faults: o.faultsB,
    seed: 2,
    latencyMs: o.latencyMs?.simB,
  });
  for (const v of [simA, simB]) for (const a of ACCOUNTS) v.deposit(a, usd(o.depositUsd ?? 100_000));
  const venues = new Map<string, Venue>([
    ["simA", o.wrapA ? o.wrapA(simA, clock) : simA],
    ["simB", simB],
  ]);
  const store = await openStore(`sqlite:${join(dir, "engine.db")}`);
  const alerts: Alert[] = [];
  const bus = new AlertBus();
  bus.subscribe((a) => alerts.push(a));
  const mid = { simA: 60_000, simB: 60_000 };
  const settings = { ...FAST, ...o.settings };
  const accounts = ACCOUNTS.flatMap((account) => [
    { venue: "simA", account },
    { venue: "simB", account },
  ]);
  const newEngine = (s: Partial<EngineSettings>) =>
    new Engine({ store, venues, clock, alerts: bus, settings: s, accounts, onFill: o.onFill });
  const refresh = () => {
    feedBtc(simA, simA.instrument("BTC"), mid.simA, clock.now());
    feedBtc(simB, simB.instrument("BTCUSDT"), mid.simB, clock.now());
  };
  const world: World = {
    clock,
    simA,
    simB,
    venues,
    store,
    alerts,
    bus,
    engine: newEngine(settings),
    mid,
    dir,
    refresh,
    async drive<T>(p: Promise<T>, maxMs = 120_000, stepMs = 50): Promise<T> {
      let done = false;
      const wrapped = p.finally(() => {
        done = true;
      });
      const until = clock.now() + maxMs;
      while (!done && clock.now() < until) {
        refresh();
        await clock.advance(stepMs);
      }
      if (!done) throw new Error(`drive: promise still pending after ${maxMs} ms of simulated time`);
      return wrapped;
    },
    async advance(ms: number, stepMs = 50) {
      const until = clock.now() + ms;
      while (clock.now() < until) {
        refresh();
        await clock.advance(Math.min(stepMs, until - clock.now()));
      }
    },
    async restart(s?: Partial<EngineSettings>) {
      world.engine = newEngine({ ...settings, ...s });
      refresh();
      await world.drive(world.engine.start());
      return world.engine;
    },
    async close() {
      await world.engine.stop().catch(() => {});
      await store.close();
      simA.close();
      simB.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  refresh();
  if (o.start !== false) await world.drive(world.engine.start());
  return world;
}

/** A deep BTC book around `mid`: 10 levels of 1 BTC each side, one tick apart. */
export function feedBtc(venue: SimVenue, inst: Instrument, mid: number, ts: number): void {
  const bid = inst.roundPrice(mid, "buy", "down");
  const px = (t: number) => inst.priceValue(t);
  venue.feed({
    type: "book",
    venue: venue.id,
    symbol: inst.symbol,
    ts,
    snapshot: true,
    bids: Array.from({ length: 10 }, (_, i) => ({ price: px(bid - i), size: 1 })),
    asks: Array.from({ length: 10 }, (_, i) => ({ price: px(bid + 1 + i), size: 1 })),
  });
}

/** A delta-neutral pair: 0.1 BTC long on simA (w1), 0.1 BTC short on simB (w2). */
export function pairLegs(): LegSpec[] {
  return [
    { venue: "simA", account: "w1", symbol: "BTC", side: "buy", sizeLots: 10_000 },
    { venue: "simB", account: "w2", symbol: "BTCUSDT", side: "sell", sizeLots: 100 },
  ];
}

/** Signed lots of one account's position on a venue. */
export async function positionLots(venue: Venue, account: string, symbol: string): Promise<number> {
  return (await venue.positions(account)).find((p) => p.symbol === symbol)?.sizeLots ?? 0;
}

/** Every account on both venues is flat. */
export async function allFlat(w: World): Promise<boolean> {
  for (const v of [w.simA, w.simB])
    for (const a of ACCOUNTS) if ((await v.positions(a)).some((p) => p.sizeLots !== 0)) return false;
  return true;
}

/**
 * A venue in front of a real one that loses everything about the next `n` submits on the way
 * back: the order executes, but submit() times out and its user-stream events never arrive, so
 * only an orderStatus query can tell what happened.
 */
export class AnswerLossVenue extends ForwardingVenue {
  loseNext: number;
  private readonly hidden = new Set<string>();
  constructor(inner: Venue, loseNext = 1) {
    super(inner);
    this.loseNext = loseNext;
  }
  override async submit(order: Parameters<Venue["submit"]>[0]) {
    if (this.loseNext <= 0) return this.inner.submit(order);
    this.loseNext--;
    this.hidden.add(order.clientOrderId);
    await this.inner.submit(order).catch(() => {});
    throw new VenueUnknownOutcomeError("timeout", `${this.id}: answer lost (test)`);
  }
  override onEvent(listener: Parameters<Venue["onEvent"]>[0]) {
    return this.inner.onEvent((e) => {
      const id =
        e.type === "fill" ? e.fill.clientOrderId : "clientOrderId" in e ? e.clientOrderId : undefined;
      if (id !== undefined && this.hidden.has(id)) return;
      listener(e);
    });
  }
}
