import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { ForwardingVenue } from "../../core/forwarding-venue.ts";
import { MarketCache } from "../../engine/market.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "./emulator/start.ts";
import { CASSETTE_DIR, cassetteBodies } from "./fixtures/cassettes.ts";
import { HlHttp } from "./http.ts";
import { MemoryNonceStore, NonceManager } from "./nonce.ts";
import { PredictedFundingsSchema } from "./parse.ts";
import { HlPredictedFunding, hlPredicted } from "./predicted-funding.ts";
import { WeightLimiter } from "./rate-limit.ts";
import { HyperliquidVenue } from "./venue.ts";

/**
 * Predicted funding (`/info` `predictedFundings`): the parser against a recorded answer (when
 * ../shared holds one) and the emulator's, a malformed answer's error, and the connector's read
 * matching the rate set on the emulator, refreshed by its timer.
 */
const UNIVERSE = [
  { name: "BTC", szDecimals: 5, maxLeverage: 40, markPx: 97_000 },
  { name: "ETH", szDecimals: 4, maxLeverage: 25, markPx: 3_500 },
];
const limiter = () => new WeightLimiter({ perMinute: 100_000 });
const HOUR = 3_600_000;

/** Every recorded `predictedFundings` answer in the shared cassettes. */
function recorded(): { file: string; body: unknown }[] {
  if (!existsSync(CASSETTE_DIR)) return [];
  const out: { file: string; body: unknown }[] = [];
  for (const f of readdirSync(CASSETTE_DIR).filter((x) => x.endsWith(".yaml")))
    for (const { request, response } of cassetteBodies(readFileSync(join(CASSETTE_DIR, f), "utf8")))
      if ((JSON.parse(request) as { type?: string }).type === "predictedFundings")
        out.push({ file: f, body: JSON.parse(response) });
  return out;
}

describe("hyperliquid predictedFundings: parser", () => {
  const cassettes = recorded();
  it("reads the recorded answers without losing a field", {
    skip: cassettes.length > 0 ? false : `no predictedFundings recording in ${CASSETTE_DIR}`,
  }, () => {
    for (const { file, body } of cassettes) {
      const r = PredictedFundingsSchema.safeParse(body);
      assert.ok(r.success, `${file}: ${r.success ? "" : r.error.message}`);
      assert.deepEqual(r.data, body, `${file} lost data`);
    }
  });

  it("takes the HlPerp entry per hour and tolerates other venues, present or null", () => {
    // the documented shape (HLd "Info endpoint / Perpetuals", predicted funding rates)
    const answer = PredictedFundingsSchema.parse([
      [
        "BTC",
        [
          ["BinPerp", { fundingRate: "0.0001", nextFundingTime: 1733961600000, fundingIntervalHours: 8 }],
          ["HlPerp", { fundingRate: "0.0000125", nextFundingTime: 1733958000000, fundingIntervalHours: 1 }],
          ["BybitPerp", null],
        ],
      ],
      [
        "ETH",
        [["HlPerp", { fundingRate: "-0.00008", nextFundingTime: 1733958000000, fundingIntervalHours: 4 }]],
      ],
      ["XYZ", [["BinPerp", { fundingRate: "0.0001", nextFundingTime: 1733961600000 }]]],
    ]);
    const m = hlPredicted(answer, 5);
    assert.deepEqual(m.get("BTC"), { ratePerHour: 0.0000125, nextFundingTime: 1733958000000, readTs: 5 });
    // a four-hour interval's rate spread over its hours
    assert.equal(m.get("ETH")?.ratePerHour, -0.00002);
    assert.equal(m.has("XYZ"), false, "a coin without an HlPerp entry has no predicted rate");
  });

  it("a malformed answer names the field", () => {
    const bad = [["BTC", [["HlPerp", { fundingRate: 0.0000125, nextFundingTime: 1733958000000 }]]]];
    const r = PredictedFundingsSchema.safeParse(bad);
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0]?.path, [0, 1, 0, 1, "fundingRate"]);
  });
});

describe("hyperliquid predictedFundings: against the emulator", () => {
  let emu: HyperliquidEmulator;
  let venue: HyperliquidVenue;
  const problems: string[] = [];
  before(async () => {
    emu = await startHyperliquidEmulator({ universe: UNIVERSE, hourlyFunding: false });
    emu.driver.setFundingRate({ coin: "BTC", ratePerHour: 0.00003 });
    emu.driver.setFundingRate({ coin: "ETH", ratePerHour: -0.00001 });
    venue = new HyperliquidVenue({
      endpoints: { url: emu.url, wsUrl: emu.wsUrl, mainnet: false },
      clock: new WallClock(),
      nonces: new NonceManager(new MemoryNonceStore()),
      timeoutMs: 2000,
      limiter: limiter(),
      ws: { minBackoffMs: 5_000, maxBackoffMs: 5_000 },
      predictedFundingMs: 50,
      onProblem: (m) => problems.push(m),
    });
    await venue.connect();
  });
  after(async () => {
    await venue.close();
    await emu.close();
  });

  it("the emulator's answer parses and carries HlPerp per coin", async () => {
    const res = await fetch(`${emu.url}/info`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "predictedFundings" }),
    });
    const answer = PredictedFundingsSchema.parse(await res.json());
    assert.deepEqual(
      answer.map(([coin]) => coin),
      ["BTC", "ETH"],
    );
    const [name, entry] = answer[0]![1][0]!;
    assert.equal(name, "HlPerp");
    assert.equal(entry?.fundingRate, "0.00003");
    assert.equal(entry?.fundingIntervalHours, 1);
  });

  it("the read matches the emulator's rate and the next hourly settlement", async () => {
    const before = Date.now();
    await venue.refreshPredictedFunding();
    assert.equal(venue.predictedFundingRatePerHour("BTC"), 0.00003);
    assert.equal(venue.predictedFundingRatePerHour("ETH"), -0.00001);
    const p = venue.predictedFunding("BTC")!;
    assert.equal(p.nextFundingTime % HOUR, 0, "settles on the hour");
    assert.ok(p.nextFundingTime > before && p.nextFundingTime <= before + HOUR, String(p.nextFundingTime));
    assert.throws(() => venue.predictedFundingRatePerHour("DOGE"), /no instrument "DOGE"/);
    // the stream's current rate is a separate read
    assert.equal(venue.fundingRatePerHour("BTC"), 0.00003);
  });

  it("the engine's market cache reads it through a wrapping venue (the engine's WatchedVenue is one)", async () => {
    await venue.refreshPredictedFunding();
    const cache = new MarketCache(new Map([["hl", new ForwardingVenue(venue)]]));
    try {
      assert.equal(cache.predictedFundingRatePerHour("hl", "ETH"), -0.00001);
      assert.equal(cache.predictedFundingRatePerHour("hl", "DOGE"), undefined);
      assert.equal(cache.predictedFundingRatePerHour("nowhere", "ETH"), undefined);
    } finally {
      cache.close();
    }
  });

  it("the timer picks up a changed rate", async () => {
    emu.driver.setFundingRate({ coin: "BTC", ratePerHour: 0.00005 });
    const deadline = Date.now() + 5_000;
    while (venue.predictedFundingRatePerHour("BTC") !== 0.00005 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(venue.predictedFundingRatePerHour("BTC"), 0.00005);
    assert.deepEqual(problems, []);
  });
});

describe("hyperliquid predictedFundings: a malformed answer from the venue", () => {
  let server: Server;
  let url: string;
  let answer: unknown;
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it("rejects naming the request and the field, and keeps the last good values", async () => {
    const problems: string[] = [];
    const pf = new HlPredictedFunding({
      http: new HlHttp({ baseUrl: url, limiter: limiter() }),
      clock: new WallClock(),
      problem: (m) => problems.push(m),
    });
    answer = [
      ["BTC", [["HlPerp", { fundingRate: "0.00002", nextFundingTime: 7 * HOUR, fundingIntervalHours: 1 }]]],
    ];
    await pf.refresh();
    assert.equal(pf.get("BTC")?.ratePerHour, 0.00002);
    answer = [["BTC", [["HlPerp", { fundingRate: "0.00002", nextFundingTime: "soon" }]]]];
    await assert.rejects(pf.refresh(), /predictedFundings: .*field 0\.1\.0\.1\.nextFundingTime/);
    assert.equal(pf.get("BTC")?.ratePerHour, 0.00002, "the last good value stays");
    // on the timer the same failure is reported, not thrown
    pf.start();
    await pf.stop();
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /hyperliquid predictedFundings: .*nextFundingTime/);
  });
});
