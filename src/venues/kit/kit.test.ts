import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import { Instrument } from "../../core/instrument.ts";
import { usd } from "../../core/money.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { ACCOUNT_STREAM } from "../../core/venue-streams.ts";
import { answerUnderFault, type ExchangeFault, FaultQueue, refuseBeforeExecuting } from "./faults.ts";
import { LoopbackServer, readBody, sendAnswer } from "./http-front.ts";
import { buildSimCore, marketLookup, seedMarkets, simMarketDriver } from "./sim-core.ts";
import { BoundAccounts, VenueListeners } from "./venue-accounts.ts";

test("a fault queue names its venue in a bad count and hands faults out in order, counting them", () => {
  const q = new FaultQueue("paradex");
  assert.throws(() => q.add({ kind: "loseAck" }, 0), /^RangeError: paradex emulator: fault count 0/);
  q.add({ kind: "loseAck" }, 2);
  q.add({ kind: "rateLimited" });
  assert.deepEqual(
    [q.next()?.kind, q.next()?.kind, q.next()?.kind, q.next()],
    ["loseAck", "loseAck", "rateLimited", undefined],
  );
  assert.deepEqual(Object.fromEntries(q.applied), { loseAck: 2, rateLimited: 1 });
  q.add({ kind: "loseAck" });
  q.clear();
  assert.equal(q.next(), undefined);
});

test("faults that refuse before executing: rate limit and a non-executing 5xx only", () => {
  const answers = { rateLimited: { status: 429, body: { code: "SLOW" } }, serverErrorText: "proxy" };
  assert.deepEqual(refuseBeforeExecuting({ kind: "rateLimited" }, answers), answers.rateLimited);
  assert.deepEqual(refuseBeforeExecuting({ kind: "serverError", status: 502 }, answers), {
    status: 502,
    body: "proxy",
  });
  assert.equal(refuseBeforeExecuting({ kind: "serverError", execute: true }, answers), undefined);
  assert.equal(refuseBeforeExecuting({ kind: "loseAck" }, answers), undefined);
  assert.equal(refuseBeforeExecuting(undefined, answers), undefined);
});

/** One request to a LoopbackServer whose answers go through answerUnderFault with `fault`. */
async function roundTrip(
  fault: ExchangeFault | undefined,
): Promise<{ status?: number; body?: string; error?: string }> {
  let executed = 0;
  const answers = { rateLimited: { status: 429, body: { code: "SLOW" } } };
  const http: LoopbackServer = new LoopbackServer({
    async handle(req, res) {
      const body = await readBody(req);
      executed++;
      const answer = { status: 200, body: { echo: body } };
      answerUnderFault(
        fault,
        answer,
        http.delivery(req, res, (a) => sendAnswer(res, a)),
        answers,
      );
    },
    failed: (res, e) => sendAnswer(res, { status: 500, body: e.message }),
  });
  const host = await http.listen(0);
  assert.match(host, /^127\.0\.0\.1:\d+$/);
  try {
    return await new Promise((resolve) => {
      const req = request(`http://${host}/x`, { method: "POST" }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      });
      req.on("error", (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
      req.end("hi");
    });
  } finally {
    await http.close();
    assert.equal(executed, 1);
  }
}

test("answers under each fault over a real loopback socket", async () => {
  assert.deepEqual(await roundTrip(undefined), { status: 200, body: '{"echo":"hi"}' });
  assert.deepEqual(await roundTrip({ kind: "serverError", execute: true }), {
    status: 503,
    body: "Service Unavailable",
  });
  assert.deepEqual(await roundTrip({ kind: "loseAck" }), { error: "ECONNRESET" });
  const t0 = Date.now();
  assert.deepEqual(await roundTrip({ kind: "delayAck", ms: 120 }), { status: 200, body: '{"echo":"hi"}' });
  assert.ok(Date.now() - t0 >= 110, "the answer was held");
});

test("close() drops an answer still held", async () => {
  let sent = false;
  const http = new LoopbackServer({ handle: async () => undefined, failed: () => undefined });
  await http.listen(0);
  http.hold(50, () => {
    sent = true;
  });
  await http.close();
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(sent, false);
});

const btc = new Instrument({
  venue: "kit-test",
  symbol: "BTC-PERP",
  base: "BTC",
  quote: "USDC",
  tickSize: "0.5",
  lotSize: "0.001",
  minNotionalUsd: 0,
  maxLeverage: 40,
  marginTiers: [],
  fundingIntervalHours: 1,
  makerFeeBps: 0,
  takerFeeBps: 0,
});

test("the sim core and market driver: seeded mark, a book, a mark move and funding paid to a short", () => {
  const core = buildSimCore("kit-test", [btc], (i) => Math.min(10, i.spec.maxLeverage));
  let now = 1_700_000_000_000;
  let flushes = 0;
  const absorbed: string[] = [];
  const engine = {
    ...core,
    market: (e: Parameters<typeof core.exchange.onMarket>[0]) => {
      absorbed.push(...core.exchange.onMarket(e, now).map((x) => x.type));
    },
    absorb: (events: readonly { type: string }[]) => {
      absorbed.push(...events.map((e) => e.type));
    },
  };
  seedMarkets("kit-test", now, [{ symbol: "BTC-PERP", markPx: 60_000, ratePerHour: 0.0001 }], engine.market);
  assert.equal(core.exchange.markOf("BTC-PERP"), 60_000);
  const lookup = marketLookup("kit", "market", ["BTC-PERP"], (s) => core.instruments.get(s));
  assert.throws(() => lookup("ETH"), /^RangeError: kit emulator: unknown market "ETH" \(BTC-PERP\)$/);
  const d = simMarketDriver({ venueId: "kit-test", engine, now: () => now, lookup, flush: () => flushes++ });
  d.setBook({ symbol: "BTC-PERP", bidPx: 59_999, askPx: 60_001, qty: 2, levels: 3 });
  const book = core.books.get("BTC-PERP")!;
  assert.equal(book.bestBidTicks(), btc.price(59_999));
  assert.equal(book.bestAskTicks(), btc.price(60_001));
  d.moveMark({ symbol: "BTC-PERP", markPx: 61_000 });
  assert.equal(core.exchange.markOf("BTC-PERP"), 61_000);
  assert.equal(flushes, 2);
  // a short of 1 BTC (sold into the bid) receives one hour of funding at the rate set
  core.exchange.state.deposit("acct", usd(100_000));
  const sold = core.exchange.submit(
    {
      clientOrderId: "c1",
      account: "acct",
      symbol: "BTC-PERP",
      side: "sell",
      type: "limit",
      priceTicks: btc.price(59_999),
      sizeLots: btc.size("1"),
      tif: "ioc",
      reduceOnly: false,
    },
    now,
    undefined,
  );
  assert.equal(sold.rejectReason, undefined, sold.rejectMessage);
  assert.equal(core.exchange.state.position("acct", "BTC-PERP")?.sizeLots, -btc.size("1"));
  absorbed.length = 0;
  now += 3_600_000;
  d.settleFunding({ symbol: "BTC-PERP", ratePerHour: 0.0002 });
  assert.equal(flushes, 3);
  assert.ok(absorbed.includes("funding"), `settlement events: ${absorbed.join(", ")}`);
});

test("bound accounts: closed is an unknown outcome, an unbound wallet a refusal, health follows every stream", () => {
  const a = new BoundAccounts<{ open: boolean }>("kit-test");
  assert.throws(
    () => a.bound("w1"),
    (e) => e instanceof VenueUnknownOutcomeError && /closed/.test(e.message),
  );
  a.closed = false;
  assert.throws(
    () => a.bound("w1"),
    (e) =>
      e instanceof VenueRejectError &&
      e.reason === "unknown_account" &&
      /wallet "w1" is not bound/.test(e.message),
  );
  const rec = { open: true };
  a.set("w1", rec);
  a.set("w2", { open: false });
  assert.equal(a.bound("w1"), rec);
  const seen: string[] = [];
  const health = {
    message: (s: string) => seen.push(`up ${s}`),
    down: (s: string) => seen.push(`down ${s}`),
  };
  a.reportHealth(health, 0, (r) => r.open);
  a.get("w2")!.open = true;
  a.reportHealth(health, 0, (r) => r.open);
  assert.deepEqual(seen, [`down ${ACCOUNT_STREAM}`, `up ${ACCOUNT_STREAM}`]);
  const bp = new BoundAccounts("bp", "account");
  bp.closed = false;
  assert.throws(() => bp.bound("k"), /venue bp: account "k" is not bound/);
});

test("venue listeners: every listener gets every event in order until it unsubscribes", () => {
  const l = new VenueListeners<number>();
  const a: number[] = [];
  const b: number[] = [];
  const stopA = l.on((e) => a.push(e));
  l.on((e) => b.push(e));
  l.emit([1, 2]);
  stopA();
  l.emitOne(3);
  assert.deepEqual(a, [1, 2]);
  assert.deepEqual(b, [1, 2, 3]);
});
