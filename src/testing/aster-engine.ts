/**
 * The engine over the Aster connector over its protocol emulator, for the fault matrix
 * (src/venues/aster/fault-matrix.test.ts): the conformance harness (one funded user, an approved
 * API wallet), a real SQLite store in a temp directory, and an Engine on the wall clock with short
 * retry and expiry windows. The emulator re-sends its books every 100 ms so the engine's risk gate
 * sees a live book until a test freezes the stream; its nonce window is 1 s, so an order whose
 * request was lost can no longer land once the engine's send expiry (above it) passed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WallClock } from "../core/clock.ts";
import { AlertBus } from "../engine/alerts.ts";
import { defaultEngineSettings } from "../engine/config.ts";
import { Engine } from "../engine/executor.ts";
import type { OrderStatus } from "../engine/orders/order-state.ts";
import { openStore, type Store } from "../store/store.ts";
import { makeAsterHarness } from "./aster-conformance.ts";

export const ASTER_VENUE = "aster";
export const ASTER_TIMEOUT_MS = 800;
export const NONCE_WINDOW_MS = 1_000;

type Harness = Awaited<ReturnType<typeof makeAsterHarness>>;

export interface AsterEngineWorld {
  readonly h: Harness;
  readonly engine: Engine;
  readonly store: Store;
  readonly touch: { readonly bid: number; readonly ask: number };
  until(cond: () => boolean | Promise<boolean>, ms?: number): Promise<boolean>;
  order(
    clientOrderId: string,
  ): Promise<
    | { status: OrderStatus; filledLots: number; venueOrderId: string | null; reason: string | null }
    | undefined
  >;
  close(): Promise<void>;
}

export async function makeAsterEngineWorld(maxBookAgeMs = 2_000): Promise<AsterEngineWorld> {
  const h = await makeAsterHarness(
    { bookRefreshMs: 100, nonceWindowMs: NONCE_WINDOW_MS },
    { request_timeout_ms: ASTER_TIMEOUT_MS },
  );
  const dir = mkdtempSync(join(tmpdir(), "perpbot-aster-engine-"));
  let store: Store | undefined;
  try {
    store = await openStore(`sqlite:${join(dir, "engine.db")}`);
    const touch = { bid: h.referenceTicks - 1, ask: h.referenceTicks + 1 };
    await h.driver.setBook({ bidTicks: touch.bid, askTicks: touch.ask, lotsPerLevel: h.unitLots * 10 });
    h.venue.subscribe({ symbol: h.symbol, channel: "book" });
    const engine = new Engine({
      store,
      venues: new Map([[ASTER_VENUE, h.venue]]),
      clock: new WallClock(),
      alerts: new AlertBus(),
      accounts: [{ venue: ASTER_VENUE, account: h.account }],
      settings: {
        unknownRetryMs: 100,
        closeRetryInitialMs: 100,
        closeRetryMaxMs: 500,
        // past the venue's nonce window and the request timeout: "not found" then proves "never landed"
        sendExpiryMs: NONCE_WINDOW_MS + ASTER_TIMEOUT_MS + 500,
        reconcileIntervalMs: 500,
        portfolioRefreshMs: 0,
        killSwitch: undefined,
        limits: { ...defaultEngineSettings().limits, maxBookAgeMs },
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
    await until(() => h.venue.book(h.symbol).bestAskTicks() === touch.ask, 5_000);
    await engine.start();
    const s = store;
    return {
      h,
      engine,
      store: s,
      touch,
      until,
      async order(id) {
        const v = engine.orders().find((o) => o.clientOrderId === id);
        if (v)
          return {
            status: v.status,
            filledLots: v.filledLots,
            venueOrderId: v.venueOrderId,
            reason: v.reason,
          };
        const row = (await s.orders.allEngine()).find((o) => o.clientOrderId === id);
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
        await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await h.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
