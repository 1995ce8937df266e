import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import WebSocket from "ws";
import { WallClock } from "../../core/clock.ts";
import type { Fill, OrderRequest } from "../../core/types.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "./emulator/start.ts";
import { signerAddressOf } from "./exchange.ts";
import { MemoryNonceStore, NonceManager } from "./nonce.ts";
import { IP_BUDGET_SHARE, WeightLimiter } from "./rate-limit.ts";
import { HyperliquidVenue } from "./venue.ts";

/**
 * The 10-users-per-IP limit on user streams, connector against the emulator over loopback: the
 * emulator refuses an 11th user's subscription with the venue's text; the connector streams 10
 * wallets and polls the rest within the IP's weight through the shared limiter, every fill
 * reaching the engine once, and says which wallets are polled and how often.
 */
const UNIVERSE = [{ name: "BTC", szDecimals: 5, maxLeverage: 40, markPx: 97_000 }];
const PER_MINUTE = 1200;
/** the connector's budget: what limiterFor gives by default, 5% under the IP's (rate-limit.ts) */
const OURS = Math.floor(PER_MINUTE * IP_BUDGET_SHARE);
const key = (i: number) => Buffer.from((0x20 + i).toString(16).repeat(32), "hex");
const signers = Array.from({ length: 13 }, (_, i) => signerFromKeyBytes("secp256k1", key(i), `w${i}`));
const addr = (i: number) => signerAddressOf(signers[i]);
const wallet = (i: number) => `w${String(i + 1).padStart(2, "0")}`;

let seq = 0;
const ioc = (account: string): OrderRequest => ({
  clientOrderId: `0x${(++seq).toString(16).padStart(32, "0")}`,
  account,
  symbol: "BTC",
  side: "buy",
  type: "limit",
  priceTicks: 980_000, // 98 000 through the 97 010 ask: fills at once
  sizeLots: 100,
  tif: "ioc",
  reduceOnly: false,
});

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

async function setUp(): Promise<{
  emu: HyperliquidEmulator;
  venue: HyperliquidVenue;
  events: VenueEvent[];
  problems: string[];
}> {
  const emu = await startHyperliquidEmulator({
    universe: UNIVERSE,
    hourlyFunding: false,
    ipWeightPerMinute: PER_MINUTE,
  });
  open.push(emu);
  emu.driver.setBook({ coin: "BTC", bidPx: 96_990, askPx: 97_010, sz: 1 });
  const problems: string[] = [];
  const venue = new HyperliquidVenue({
    endpoints: { url: emu.url, wsUrl: emu.wsUrl, mainnet: false },
    clock: new WallClock(),
    nonces: new NonceManager(new MemoryNonceStore()),
    timeoutMs: 5000,
    // a connector that overspent would see HTTP 429
    limiter: new WeightLimiter({ perMinute: OURS }),
    poll: { budgetShare: 1, minIntervalMs: 200 },
    onProblem: (m) => problems.push(m),
  });
  open.push(venue);
  const events: VenueEvent[] = [];
  venue.onEvent((e) => events.push(e));
  await venue.connect();
  return { emu, venue, events, problems };
}

const fillsOf = (events: VenueEvent[], account: string): Fill[] =>
  events.flatMap((e) => (e.type === "fill" && e.fill.account === account ? [e.fill] : []));

describe("hyperliquid user streams beyond 10 users per IP", () => {
  it("12 wallets: 10 streamed, 2 polled within the IP's weight; every fill reaches the engine once", async () => {
    const { emu, venue, events, problems } = await setUp();
    for (let i = 0; i < 12; i++) {
      emu.driver.fund(addr(i), 1_000);
      await venue.bindAccount({ account: wallet(i), identity: { address: addr(i) }, signer: signers[i] });
    }
    await until("10 users streamed", () => emu.driver.userStreamUsers() === 10, 5_000);
    const polled = venue.polledAccounts();
    assert.deepEqual(
      polled.map((p) => [p.account, p.user]),
      [
        ["w11", addr(10)],
        ["w12", addr(11)],
      ],
    );
    // 2 accounts × (userFillsByTime 20 + openOrders 20 + userFunding 20 spread over 60 s) in 1140 a minute
    const round = 40 + (20 * polled[0].intervalMs) / 60_000;
    assert.ok(
      Math.abs(polled[0].intervalMs - (60_000 * 2 * round) / OURS) < 50,
      `period ${polled[0].intervalMs} ms`,
    );
    assert.match(polled[0].reason, /more than 10 users in user streams/);
    // what perpbot status shows (the live run stores the venue's notices)
    assert.deepEqual(
      venue.notices().map((n) => [n.key, n.text.replace(/[\d.]+ s/, "N s")]),
      ["w11", "w12"].map((w) => [
        `user_stream_polled:${w}`,
        `wallet ${w} polled every N s, not streamed (more than 10 users in user streams on this IP)`,
      ]),
    );

    for (let i = 0; i < 12; i++) await venue.submit(ioc(wallet(i)));
    // at the same time, reads of every account through the same limiter: 12 × 20 weight, 5 times
    const reads = Promise.all(
      Array.from({ length: 5 }, () =>
        Promise.all(signers.slice(0, 12).map((_, i) => venue.openOrders(wallet(i)))),
      ),
    );
    await until(
      "every wallet's fill",
      () => signers.slice(0, 12).every((_, i) => fillsOf(events, wallet(i)).length > 0),
      // the reads take all of a minute's weight, and each bind's signer check (userRole) took
      // its share before: the polled wallets' fills come within the next budget window
      60_000,
    );
    await reads;
    // two more polling rounds over the same fills: nothing is delivered twice
    const after = venue.polledAccounts()[0].lastPollTs ?? 0;
    await until("two more rounds", () => (venue.polledAccounts()[0].lastPollTs ?? 0) > after, 15_000);
    const later = venue.polledAccounts()[0].lastPollTs ?? 0;
    await until("another round", () => (venue.polledAccounts()[0].lastPollTs ?? 0) > later, 15_000);
    for (let i = 0; i < 12; i++) {
      const fills = fillsOf(events, wallet(i));
      const venueFills = emu.driver.fills(addr(i));
      assert.equal(fills.length, venueFills.length, `${wallet(i)}: one event per venue fill`);
      assert.equal(new Set(fills.map((f) => f.fillId)).size, fills.length, `${wallet(i)}: no fill twice`);
    }
    const weight = emu.driver.ipWeight();
    assert.equal(weight.refused, 0, "no request was refused for the IP's weight");
    assert.ok(weight.lowest >= 0, `the budget never went below 0 (lowest ${weight.lowest})`);
    assert.ok(
      weight.weight > PER_MINUTE,
      `the test spent more than a minute's weight (${weight.weight}): the limiter paced it`,
    );
    assert.deepEqual(problems, []);
  });

  it("a subscription the venue refuses (another process holds the IP's 10 users) moves the wallet to polling", async () => {
    const { emu, venue, events, problems } = await setUp();
    // another process on the same IP: 10 users' streams held by raw sockets
    const others = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const ws = new WebSocket(emu.wsUrl);
        await new Promise((r) => ws.once("open", r));
        const user = `0x${(i + 1).toString(16).padStart(40, "0")}`;
        ws.send(JSON.stringify({ method: "subscribe", subscription: { type: "userFills", user } }));
        return ws;
      }),
    );
    open.push({
      close: async () => {
        for (const w of others) w.terminate();
      },
    });
    await until("the other process's 10 users", () => emu.driver.userStreamUsers() === 10, 5_000);
    emu.driver.fund(addr(12), 1_000);
    await venue.bindAccount({ account: "w13", identity: { address: addr(12) }, signer: signers[12] });
    await until("the switch to polling", () => venue.polledAccounts().length === 1, 5_000);
    const [p] = venue.polledAccounts();
    assert.equal(p.account, "w13");
    assert.equal(
      p.reason,
      "the venue refused its user streams: hyperliquid ws: Cannot track more than 10 total users.",
    );
    assert.ok(
      problems.some((m) => /wallet w13: user streams refused .*polled every \d+ ms/.test(m)),
      problems.join("\n"),
    );
    await venue.submit(ioc("w13"));
    await until("the polled fill", () => fillsOf(events, "w13").length === 1, 10_000);
    assert.equal(emu.driver.ipWeight().refused, 0);
  });
});
