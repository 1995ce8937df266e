/**
 * The engine over the Hyperliquid connector over the protocol emulator, for the fault matrix
 * (src/venues/hyperliquid/fault-matrix.test.ts): the conformance harness's venue and emulator
 * (one funded master, an approved agent), a real SQLite store in a temp directory, and an Engine
 * on the wall clock (the emulator runs on it too) with short retry and expiry windows. The
 * emulator re-sends its books every `blockMs`, so the engine's risk gate sees a live book until a
 * test freezes the stream.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WallClock } from "../core/clock.ts";
import { type Alert, AlertBus } from "../engine/alerts.ts";
import { defaultEngineSettings, type EngineSettings } from "../engine/config.ts";
import { Engine } from "../engine/executor.ts";
import type { OrderStatus } from "../engine/orders/order-state.ts";
import { openStore, type Store } from "../store/store.ts";
import { type HyperliquidHarness, makeHyperliquidHarness } from "./hyperliquid-conformance.ts";

export const HL_VENUE = "hyperliquid";
/** the connector signs every order to expire this long after signing */
export const ORDER_EXPIRY_MS = 2_000;
/** the connector gives up on an answer after this long (an unknown outcome) */
export const HL_TIMEOUT_MS = 800;

export interface EngineOrderState {
  readonly status: OrderStatus;
  readonly filledLots: number;
  readonly venueOrderId: string | null;
  readonly reason: string | null;
}

export interface HlEngineWorld {
  readonly h: HyperliquidHarness;
  readonly engine: Engine;
  readonly store: Store;
  readonly alerts: Alert[];
  /** the BTC book the emulator holds: bid and ask in ticks, one unit per level */
  readonly touch: { readonly bid: number; readonly ask: number };
  /** Wait (wall clock) until `cond` holds or `ms` pass; whether it held. */
  until(cond: () => boolean | Promise<boolean>, ms?: number): Promise<boolean>;
  /**
   * One order as the engine knows it: its in-memory view while it works, its journaled row once
   * the engine forgot it (finished orders leave memory after a reconcile pass). Undefined: unknown.
   */
  order(clientOrderId: string): Promise<EngineOrderState | undefined>;
  close(): Promise<void>;
}

export async function makeHlEngineWorld(
  opts: Partial<EngineSettings> & { maxBookAgeMs?: number } = {},
): Promise<HlEngineWorld> {
  const { maxBookAgeMs = 2_000, ...settings } = opts;
  const h = await makeHyperliquidHarness({
    emulator: { blockMs: 100 },
    timeoutMs: HL_TIMEOUT_MS,
    orderExpiryMs: ORDER_EXPIRY_MS,
  });
  const dir = mkdtempSync(join(tmpdir(), "perpbot-hl-engine-"));
  try {
    return await withEngine(h, dir, settings, maxBookAgeMs);
  } catch (e) {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function withEngine(
  h: HyperliquidHarness,
  dir: string,
  settings: Partial<EngineSettings>,
  maxBookAgeMs: number,
): Promise<HlEngineWorld> {
  const store = await openStore(`sqlite:${join(dir, "engine.db")}`);
  const alerts: Alert[] = [];
  const bus = new AlertBus();
  bus.subscribe((a) => alerts.push(a));
  const touch = { bid: h.referenceTicks - 1, ask: h.referenceTicks + 1 };
  await h.driver.setBook({ bidTicks: touch.bid, askTicks: touch.ask, lotsPerLevel: h.unitLots * 10 });
  h.venue.subscribe({ symbol: h.symbol, channel: "book" });
  const engine = new Engine({
    store,
    venues: new Map([[HL_VENUE, h.venue]]),
    clock: new WallClock(),
    alerts: bus,
    accounts: [{ venue: HL_VENUE, account: h.account }],
    settings: {
      unknownRetryMs: 100,
      closeRetryInitialMs: 100,
      closeRetryMaxMs: 500,
      // above the connector's order expiry: "not found" after it proves the order never landed
      sendExpiryMs: ORDER_EXPIRY_MS + 1_000,
      reconcileIntervalMs: 500,
      portfolioRefreshMs: 0,
      killSwitch: undefined,
      ...settings,
      limits: {
        ...defaultEngineSettings().limits,
        ...settings.limits,
        maxBookAgeMs,
      },
    },
  });
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const until = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
    const end = Date.now() + ms;
    for (;;) {
      if (await cond()) return true;
      if (Date.now() >= end) return false;
      await sleep(25);
    }
  };
  // the book has reached the connector before the engine trades on it
  await until(() => h.venue.book(h.symbol).bestAskTicks() === touch.ask, 5_000);
  await engine.start();
  return {
    h,
    engine,
    store,
    alerts,
    touch,
    until,
    async order(id) {
      const v = engine.orders().find((o) => o.clientOrderId === id);
      if (v)
        return { status: v.status, filledLots: v.filledLots, venueOrderId: v.venueOrderId, reason: v.reason };
      const row = (await store.orders.allEngine()).find((o) => o.clientOrderId === id);
      if (!row) return undefined;
      return {
        status: row.status as OrderStatus,
        filledLots: row.filledLots,
        venueOrderId: row.venueOrderId,
        reason: row.reason,
      };
    },
    async close() {
      await engine.stop().catch(() => {});
      await h.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
