import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { makeAsterHarness } from "../../testing/aster-conformance.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { orderOf, show } from "../conformance/harness.ts";
import { AsterConfigSchema } from "./config.ts";
import { AsterPayloadError } from "./parse.ts";
import { AsterVenue } from "./venue.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

describe("aster connector against the emulator", () => {
  it("reads each symbol's funding interval (8, 4, 1 h) from fundingInfo; rates become per hour", async () => {
    const h = await makeAsterHarness();
    try {
      const hours = ["BTCUSDT", "ETHUSDT", "SOLUSDT"].map(
        (s) => h.venue.instrument(s).spec.fundingIntervalHours,
      );
      assert.deepEqual(hours, [8, 4, 1]);
      // the emulator's premiumIndex gives 0.0001 an interval for every symbol
      assert.ok(Math.abs(h.venue.fundingRatePerHour("ETHUSDT") - 0.0001 / 4) < 1e-12);
      assert.ok(Math.abs(h.venue.fundingRatePerHour("SOLUSDT") - 0.0001) < 1e-12);
      assert.equal(h.venue.instrument("BTCUSDT").spec.minNotionalUsd, 5);
    } finally {
      await h.close();
    }
  });

  it("a short position is reported with negative lots (positionAmt is signed)", async () => {
    const h = await makeAsterHarness();
    try {
      await h.driver.setBook({
        bidTicks: h.referenceTicks - 1,
        askTicks: h.referenceTicks + 1,
        lotsPerLevel: h.unitLots * 10,
      });
      await h.venue.submit(
        orderOf(h, { side: "sell", priceTicks: h.referenceTicks - 1, sizeLots: 3 * h.unitLots, tif: "ioc" }),
      );
      const [p] = await h.venue.positions(h.account);
      assert.equal(p?.sizeLots, -3 * h.unitLots, show(p));
      assert.equal(h.emulator.driver.position(h.user, "BTCUSDT"), "-0.03");
    } finally {
      await h.close();
    }
  });

  it("subscription changes leave batched: a burst of them stays under the venue's 10 messages a second", async () => {
    const h = await makeAsterHarness();
    try {
      const offs: (() => void)[] = [];
      for (let i = 0; i < 20; i++)
        for (const symbol of ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
          for (const channel of ["book", "trades", "mark"] as const) {
            const off = h.venue.subscribe({ symbol, channel });
            if (i < 19) offs.push(off);
          }
      for (const off of offs) off();
      const books: string[] = [];
      h.venue.onMarket((e) => {
        if (e.type === "book") books.push(e.symbol);
      });
      await sleep(400);
      await h.driver.setBook({
        bidTicks: h.referenceTicks - 1,
        askTicks: h.referenceTicks + 1,
        lotsPerLevel: h.unitLots,
      });
      assert.ok(await until(() => books.includes("BTCUSDT")), "the book streams");
      assert.equal(
        h.emulator.driver.floodClosures(),
        0,
        "the venue never closed the connection for flooding",
      );
    } finally {
      await h.close();
    }
  });

  it("renews the listen key by PUT before it expires: one key, the stream stays up and carries fills", async () => {
    const h = await makeAsterHarness({ listenKeyTtlMs: 600 }, { listen_key_renew_ms: 1000 });
    try {
      const stream = h.venue.userStream(h.account)!;
      await stream.renew();
      await sleep(400);
      await stream.renew();
      await sleep(400);
      assert.equal(stream.keysObtained, 1, "the first key is still the one in use");
      assert.ok(stream.renewals >= 2);
      await h.driver.setBook({
        bidTicks: h.referenceTicks - 1,
        askTicks: h.referenceTicks + 1,
        lotsPerLevel: h.unitLots * 10,
      });
      const seen: string[] = [];
      h.venue.onEvent((e) => seen.push(e.type));
      await h.venue.submit(
        orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: h.unitLots, tif: "ioc" }),
      );
      assert.ok(await until(() => seen.includes("fill")), `events: ${seen.join(",")}`);
    } finally {
      await h.close();
    }
  });

  it("a refused PUT (the venue forgot the key) reconnects the user stream with a new key", async () => {
    const h = await makeAsterHarness({ listenKeyTtlMs: 3_600_000 });
    try {
      const stream = h.venue.userStream(h.account)!;
      const first = stream.listenKey;
      h.emulator.driver.dropListenKeys();
      const err = await stream.renew().catch((e: unknown) => e);
      assert.ok(err instanceof VenueRejectError && /-1125/.test(err.message), String(err));
      assert.ok(await until(() => stream.keysObtained === 2 && stream.socket.isOpen), "a new key, connected");
      assert.notEqual(stream.listenKey, first);
      await h.driver.setBook({
        bidTicks: h.referenceTicks - 1,
        askTicks: h.referenceTicks + 1,
        lotsPerLevel: h.unitLots * 10,
      });
      const seen: string[] = [];
      h.venue.onEvent((e) => seen.push(e.type));
      await h.venue.submit(
        orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: h.unitLots, tif: "ioc" }),
      );
      assert.ok(await until(() => seen.includes("fill")), `events: ${seen.join(",")}`);
    } finally {
      await h.close();
    }
  });

  it("an expired listen key (listenKeyExpired) is replaced: a new key, and events flow on it", async () => {
    const h = await makeAsterHarness({ listenKeyTtlMs: 300 }, { listen_key_renew_ms: 3_600_000 });
    try {
      const stream = h.venue.userStream(h.account)!;
      assert.ok(await until(() => stream.keysObtained >= 2, 5_000), "a second key was obtained");
      assert.ok(await until(() => stream.socket.isOpen));
      await h.driver.setBook({
        bidTicks: h.referenceTicks - 1,
        askTicks: h.referenceTicks + 1,
        lotsPerLevel: h.unitLots * 10,
      });
      const seen: string[] = [];
      h.venue.onEvent((e) => seen.push(e.type));
      await h.venue.submit(
        orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: h.unitLots, tif: "ioc" }),
      );
      assert.ok(await until(() => seen.includes("fill")), `events: ${seen.join(",")}`);
    } finally {
      await h.close();
    }
  });
});

describe("aster connector: bad input gives an error naming wallet, venue and field", () => {
  it("an API wallet the user never approved: bindAccount refuses, naming wallet, API wallet and the venue's code", async () => {
    const h = await makeAsterHarness();
    try {
      const stranger = signerFromKeyBytes("secp256k1", randomBytes(32), "stranger");
      const err = await h.venue
        .bindAccount({ account: "w-wrong", identity: { address: h.user }, signer: stranger })
        .catch((e: unknown) => e);
      assert.ok(err instanceof VenueRejectError, String(err));
      assert.equal(err.reason, "invalid_api_key");
      assert.match(
        err.message,
        /venue aster: wallet w-wrong: API wallet 0x[0-9a-f]{40} refused for user .*-2015/,
      );
      const noUser = await h.venue
        .bindAccount({ account: "w-nouser", identity: {}, signer: stranger })
        .catch((e: unknown) => e);
      assert.ok(noUser instanceof VenueRejectError);
      assert.match(noUser.message, /wallet w-nouser: identity\.address/);
    } finally {
      await h.close();
    }
  });

  it("an unknown symbol is refused before anything is sent, naming venue and symbol", async () => {
    const h = await makeAsterHarness();
    try {
      const err = await h.venue
        .submit({
          ...orderOf(h, { side: "buy", priceTicks: 1, sizeLots: 1, tif: "gtc" }),
          symbol: "NOPEUSDT",
        })
        .catch((e: unknown) => e);
      assert.ok(err instanceof VenueRejectError);
      assert.equal(err.reason, "unknown_symbol");
      assert.match(err.message, /venue aster: unknown symbol "NOPEUSDT"/);
      assert.equal(h.emulator.driver.requests()["POST /fapi/v3/order"], undefined, "no order request left");
    } finally {
      await h.close();
    }
  });

  it("a rate-limit answer is an unknown outcome (rate_limited) naming wallet and path", async () => {
    const h = await makeAsterHarness();
    try {
      h.emulator.driver.inject({ kind: "rateLimited" });
      const err = await h.venue
        .submit(
          orderOf(h, { side: "buy", priceTicks: h.referenceTicks - 10, sizeLots: h.unitLots, tif: "gtc" }),
        )
        .catch((e: unknown) => e);
      assert.ok(err instanceof VenueUnknownOutcomeError, String(err));
      assert.equal(err.kind, "rate_limited");
      assert.match(err.message, /aster \(wallet conformance-1\) POST \/fapi\/v3\/order: HTTP 429/);
    } finally {
      await h.close();
    }
  });

  it("a venue payload that does not parse names the payload and the field", async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      if (req.url?.startsWith("/fapi/v3/exchangeInfo"))
        res.end(
          JSON.stringify({
            symbols: [
              {
                symbol: "BTCUSDT",
                status: "TRADING",
                contractType: "PERPETUAL",
                baseAsset: "BTC",
                quoteAsset: "USDT",
                filters: "none",
              },
            ],
          }),
        );
      else res.end("[]");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const venue = new AsterVenue(
      AsterConfigSchema.parse({ rest_url: `http://127.0.0.1:${port}`, ws_url: `ws://127.0.0.1:${port}` }),
      new WallClock(),
    );
    try {
      const err = await venue.connect().catch((e: unknown) => e);
      assert.ok(err instanceof AsterPayloadError, String(err));
      assert.match(err.message, /aster: exchangeInfo did not parse at symbols\.0\.filters/);
    } finally {
      await venue.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("a stream message that does not parse is reported as a notice naming venue, payload and field; the stream goes on", async () => {
    const h = await makeAsterHarness();
    try {
      const trades: number[] = [];
      h.venue.onMarket((e) => {
        if (e.type === "trade") trades.push(e.price);
      });
      h.venue.subscribe({ symbol: h.symbol, channel: "trades" });
      await sleep(100);
      h.emulator.driver.publishRaw("btcusdt@trade", {
        e: "trade",
        E: 1,
        s: "BTCUSDT",
        p: 60000,
        q: "0.01",
        m: false,
      });
      assert.ok(await until(() => h.venue.notices().length > 0), "a notice");
      assert.deepEqual(
        h.venue.notices().map((n) => [n.venue, n.key]),
        [["aster", "market:btcusdt@trade"]],
      );
      assert.match(h.venue.notices()[0].text, /venue aster: aster: trade of BTCUSDT did not parse at p/);
      h.emulator.driver.publishRaw("btcusdt@trade", {
        e: "trade",
        E: 2,
        s: "BTCUSDT",
        p: "60000.5",
        q: "0.01",
        m: false,
      });
      assert.ok(await until(() => trades.includes(60000.5)), "the next good message is read");
    } finally {
      await h.close();
    }
  });

  it("an IP ban (HTTP 418) is an unknown outcome (rate_limited), like a 429", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(418, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ code: -1003, msg: "Way too many requests; IP banned until 1." }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const venue = new AsterVenue(
      AsterConfigSchema.parse({ rest_url: `http://127.0.0.1:${port}`, ws_url: `ws://127.0.0.1:${port}` }),
      new WallClock(),
    );
    try {
      const err = await venue.connect().catch((e: unknown) => e);
      assert.ok(err instanceof VenueUnknownOutcomeError, String(err));
      assert.equal(err.kind, "rate_limited");
      assert.match(err.message, /aster GET \/fapi\/v3\/exchangeInfo: HTTP 418/);
    } finally {
      await venue.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("a config with a bad key is refused naming the key", () => {
    const r = AsterConfigSchema.safeParse({ rest_url: "not a url", listen_key_renew_ms: 10 });
    assert.ok(!r.success);
    assert.deepEqual(r.error.issues.map((i) => i.path.join(".")).sort(), ["listen_key_renew_ms", "rest_url"]);
  });
});
