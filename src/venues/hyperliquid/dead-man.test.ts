import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { SimClock } from "../../core/clock.ts";
import type { OrderRequest } from "../../core/types.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { deadManOf, hyperliquidConfigSchema } from "./config.ts";
import { type DeadManOptions, DeadMansSwitch } from "./dead-man.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "./emulator/start.ts";
import { HlExchange, signerAddressOf } from "./exchange.ts";
import { hyperliquidVenueFactory } from "./factory.ts";
import { HlHttp } from "./http.ts";
import { MemoryNonceStore, NonceManager } from "./nonce.ts";
import { WeightLimiter } from "./rate-limit.ts";
import { HyperliquidVenue } from "./venue.ts";
import { scheduleCancelAction } from "./wire.ts";

/**
 * The dead man's switch against the protocol emulator, each side on a clock of its own: both
 * advanced together while the process "runs"; only the emulator's advanced to play a process
 * that froze (its timers, the renewals among them, stop while the venue's time goes on).
 */
const UNIVERSE = [{ name: "BTC", szDecimals: 5, maxLeverage: 40, markPx: 97_000 }];
const signer = (b: string) => signerFromKeyBytes("secp256k1", Buffer.from(b.repeat(32), "hex"), "test");
const ALICE = signer("c3");
const BOB = signer("d4");
const WINDOW: DeadManOptions = { windowMs: 60_000, renewMs: 20_000, onExit: "disarm" };

let seq = 0;
const order = (account: string, o: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: `0x${(++seq).toString(16).padStart(32, "0")}`,
  account,
  symbol: "BTC",
  side: "buy",
  type: "limit",
  priceTicks: 900_000, // 90 000, far below the 97 000 book: it rests
  sizeLots: 100,
  tif: "gtc",
  reduceOnly: false,
  ...o,
});

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface World {
  emu: HyperliquidEmulator;
  venue: HyperliquidVenue;
  emuClock: SimClock;
  runClock: SimClock;
  events: VenueEvent[];
  problems: string[];
  nonces: NonceManager;
  /** both clocks forward by `ms` in steps, each step's renewals answered before the next */
  run(ms: number): Promise<void>;
}

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.venue.close();
    await w.emu.close();
  }
});

/** noon UTC today: a test never runs over a day boundary by accident */
const NOON = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 43_200_000;

async function world(deadMan: DeadManOptions, accounts: Record<string, typeof ALICE>): Promise<World> {
  const start = NOON;
  const emuClock = new SimClock(start);
  const runClock = new SimClock(start);
  const emu = await startHyperliquidEmulator({ universe: UNIVERSE, clock: emuClock, hourlyFunding: false });
  emu.driver.setBook({ coin: "BTC", bidPx: 96_990, askPx: 97_010, sz: 1 });
  const problems: string[] = [];
  const nonces = new NonceManager(new MemoryNonceStore(), { now: () => runClock.now() });
  const venue = new HyperliquidVenue({
    endpoints: { url: emu.url, wsUrl: emu.wsUrl, mainnet: false },
    clock: runClock,
    nonces,
    timeoutMs: 2000,
    // the clocks part while the process is frozen: no expiry, so a late action is not refused for it
    orderExpiryMs: 0,
    limiter: new WeightLimiter({ perMinute: 100_000 }),
    deadMan,
    onProblem: (m) => problems.push(m),
  });
  const events: VenueEvent[] = [];
  venue.onEvent((e) => events.push(e));
  await venue.connect();
  for (const [account, s] of Object.entries(accounts)) {
    emu.driver.fund(signerAddressOf(s), 10_000);
    await venue.bindAccount({ account, identity: { address: signerAddressOf(s) }, signer: s });
  }
  // the binding arms in the background
  await until("armed at bind", () => venue.deadManStates().every((d) => d.renewals === 1));
  const w: World = {
    emu,
    venue,
    emuClock,
    runClock,
    events,
    problems,
    nonces,
    async run(ms) {
      for (let left = ms; left > 0; left -= 5_000) {
        const step = Math.min(5_000, left);
        const before = renewals(venue);
        const period = (t: number) => Math.floor((t - start) / deadMan.renewMs);
        const due = period(runClock.now() + step) > period(runClock.now());
        await runClock.advance(step);
        if (due) await until("the renewal's answer", () => renewals(venue) > before);
        await emuClock.advance(step);
      }
    },
  };
  worlds.push(w);
  return w;
}

const renewals = (v: HyperliquidVenue) => v.deadManStates().reduce((n, s) => n + s.renewals, 0);

describe("hyperliquid dead man's switch", () => {
  it("arms at bind, renews while running: orders rest past the window; a frozen process's orders are canceled at the deadline", async () => {
    const w = await world(WINDOW, { w1: ALICE });
    const user = signerAddressOf(ALICE);
    const armedAt = w.runClock.now();
    assert.equal(w.emu.driver.scheduledCancel(user), armedAt + 60_000, "armed at bind: now + window");
    const a = order("w1");
    const b = order("w1", { priceTicks: 899_000 });
    await w.venue.submit(a);
    await w.venue.submit(b);

    // 3 minutes of running: renewed every 20 s, the orders rest past three windows
    await w.run(180_000);
    assert.equal(w.emu.driver.openOrders(user).length, 2, "both orders still rest");
    assert.equal(w.emu.driver.scheduleTriggers(user), 0, "renewals are not triggers");
    assert.equal(w.venue.deadManStates()[0].renewals, 10, "armed once, renewed 9 times");
    const deadline = w.emu.driver.scheduledCancel(user);
    assert.equal(deadline, armedAt + 180_000 + 60_000);

    // the process freezes: the venue's time goes on, nothing renews
    await w.emuClock.advance(deadline! - w.emuClock.now() - 1);
    assert.equal(w.emu.driver.openOrders(user).length, 2, "still resting 1 ms before the deadline");
    await w.emuClock.advance(1);
    assert.equal(w.emu.driver.openOrders(user).length, 0, "canceled at the deadline");
    assert.deepEqual(
      w.emu.driver.orders(user).map((o) => o.status),
      ["scheduledCancel", "scheduledCancel"],
    );
    assert.equal(w.emu.driver.scheduleTriggers(user), 1);
    assert.equal(w.emu.driver.scheduledCancel(user), undefined, "a fired switch is spent");
    // the connector hears it on orderUpdates: both orders canceled, reason scheduled_cancel
    await until(
      "the cancels on the stream",
      () => w.events.filter((e) => e.type === "canceled").length === 2,
    );
    for (const e of w.events.filter((x) => x.type === "canceled"))
      assert.equal((e as { reason: string }).reason, "scheduled_cancel");
  });

  it("a clean stop disarms: the order outlives the window; with on_exit = leave it is canceled", async () => {
    const w = await world(WINDOW, { w1: ALICE });
    const user = signerAddressOf(ALICE);
    await w.venue.submit(order("w1"));
    assert.ok(w.emu.driver.scheduledCancel(user) !== undefined);
    await w.venue.close();
    assert.equal(w.emu.driver.scheduledCancel(user), undefined, "disarmed on close");
    await w.emuClock.advance(300_000);
    assert.equal(w.emu.driver.openOrders(user).length, 1, "the order rests on");
    assert.equal(w.emu.driver.scheduleTriggers(user), 0);

    const l = await world({ ...WINDOW, onExit: "leave" }, { w2: BOB });
    const bob = signerAddressOf(BOB);
    await l.venue.submit(order("w2"));
    await l.run(10_000);
    await l.venue.close();
    const deadline = l.emu.driver.scheduledCancel(bob);
    assert.equal(deadline, l.runClock.now() - 10_000 + 60_000, "left armed at the last arming");
    await l.emuClock.advance(deadline! - l.emuClock.now());
    assert.equal(l.emu.driver.openOrders(bob).length, 0, "canceled when the left switch fired");
  });

  it("the venue's rules: ≥ 5 s ahead, 10 triggers a UTC day (renewals free); the connector reports a refusal and does not retry it", async () => {
    const w = await world(WINDOW, { w1: ALICE });
    const user = signerAddressOf(ALICE);
    const ex = new HlExchange({
      http: new HlHttp({ baseUrl: w.emu.url, limiter: new WeightLimiter({ perMinute: 100_000 }) }),
      // the venue's sequence: one signer, one strictly increasing nonce whoever sends
      nonces: w.nonces,
      clock: w.emuClock,
      mainnet: false,
      expiryMs: 0,
    });
    const acct = {
      account: "raw",
      master: user,
      user,
      signer: ALICE,
      signerAddress: user,
    };
    const tooEarly = await ex.send(acct, scheduleCancelAction(w.emuClock.now() + 4_999), "early");
    assert.deepEqual(tooEarly, {
      status: "err",
      response: "Scheduled cancel time too early, must be at least 5 seconds from now.",
    });
    for (let i = 0; i < 20; i++) {
      const r = await ex.send(acct, scheduleCancelAction(w.emuClock.now() + 5_000), "renew");
      assert.equal(r.status, "ok");
    }
    assert.equal(w.emu.driver.scheduleTriggers(user), 0, "20 armings, no firing: no trigger counted");
    for (let i = 0; i < 10; i++) {
      assert.equal((await ex.send(acct, scheduleCancelAction(w.emuClock.now() + 5_000), "arm")).status, "ok");
      await w.emuClock.advance(5_000);
    }
    assert.equal(w.emu.driver.scheduleTriggers(user), 10);
    const eleventh = await ex.send(acct, scheduleCancelAction(w.emuClock.now() + 5_000), "arm");
    assert.deepEqual(eleventh, {
      status: "err",
      response: "Too many scheduled cancels triggered for the day. Limit is 10",
    });

    // the connector's next renewal (its clock catches up) is refused: reported once, then not
    // sent again that day
    await w.runClock.advance(w.emuClock.now() - w.runClock.now());
    await until("the refusal", () => w.venue.deadManStates()[0].refused !== null);
    assert.match(w.venue.deadManStates()[0].refused ?? "", /Too many scheduled cancels/);
    const reported = w.problems.filter((p) => /cannot be armed/.test(p));
    assert.equal(reported.length, 1);
    assert.match(reported[0], /wallet w1: .*Limit is 10 \(not retried before 00:00 UTC/);
    const renewed = w.venue.deadManStates()[0].renewals;
    await w.runClock.advance(60_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(w.problems.filter((p) => /cannot be armed/.test(p)).length, 1, "not retried");
    assert.equal(w.venue.deadManStates()[0].renewals, renewed);
  });
});

describe("hyperliquid dead man's switch settings", () => {
  const problems = (extra: Record<string, unknown>) =>
    hyperliquidVenueFactory.liveProblems?.(hyperliquidConfigSchema.parse(extra), { sendExpiryMs: 30_000 }) ??
    [];

  it("defaults: 60 s renewed every 20 s, disarmed on exit", () => {
    assert.deepEqual(deadManOf(hyperliquidConfigSchema.parse({})), {
      windowMs: 60_000,
      renewMs: 20_000,
      onExit: "disarm",
    });
    assert.equal(deadManOf(hyperliquidConfigSchema.parse({ schedule_cancel_ms: 0 })), undefined);
    assert.deepEqual(problems({}), []);
  });

  it("a window the venue would refuse, or a renewal too late to land, is a config problem naming the key", () => {
    const short = problems({ schedule_cancel_ms: 6_000 });
    assert.equal(short[0]?.path, "venues.hyperliquid.schedule_cancel_ms");
    assert.match(short[0]?.message ?? "", /window 6000 ms must be an integer ≥ 10000/);
    const late = problems({ schedule_cancel_ms: 30_000, schedule_cancel_renew_ms: 28_000 });
    assert.match(
      late[0]?.message ?? "",
      /renewal every 28000 ms must be an integer in \[100, window − 5000\] \(25000\)/,
    );
    assert.throws(
      () => new DeadMansSwitch({ windowMs: 30_000, renewMs: 28_000, onExit: "disarm" }, {} as never),
      /hyperliquid dead man's switch: renewal every 28000 ms/,
    );
  });
});
