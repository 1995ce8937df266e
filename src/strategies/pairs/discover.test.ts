import assert from "node:assert/strict";
import { test } from "node:test";
import { pairsDefaults, pairsSchema } from "./config.ts";
import { canonical, discoverPairs, type Listing } from "./discover.ts";

const opts = { minVolume24hUsd: 150_000 };

test("prefixes map 1000PEPE and kPEPE to PEPE with their multiplier; digits alone are not stripped", () => {
  const c = pairsDefaults();
  assert.deepEqual(canonical({ venue: "a", symbol: "1000PEPEUSDT", base: "1000PEPE" }, c), {
    base: "PEPE",
    multiplier: 1000,
  });
  assert.deepEqual(canonical({ venue: "h", symbol: "kPEPE", base: "kPEPE" }, c), {
    base: "PEPE",
    multiplier: 1000,
  });
  assert.deepEqual(canonical({ venue: "h", symbol: "1INCH", base: "1INCH" }, c), {
    base: "1INCH",
    multiplier: 1,
  });
  assert.deepEqual(canonical({ venue: "h", symbol: "KAVA", base: "KAVA" }, c), {
    base: "KAVA",
    multiplier: 1,
  });
  const withAlias = pairsDefaults({ aliases: { XBTUSD: "BTC" }, multipliers: { "v:XBTUSD": 0.01 } });
  assert.deepEqual(canonical({ venue: "v", symbol: "XBTUSD", base: "XBT" }, withAlias), {
    base: "BTC",
    multiplier: 0.01,
  });
});

test("a base listed on two venues is tradable; the per-unit mids agree across multipliers", () => {
  const listings: Listing[] = [
    { venue: "hl", symbol: "kPEPE", base: "kPEPE", mid: 0.012, volume24hUsd: 1e6 },
    { venue: "aster", symbol: "1000PEPEUSDT", base: "1000PEPE", mid: 0.01201, volume24hUsd: 1e6 },
    { venue: "hl", symbol: "BTC", base: "BTC", mid: 100_000 },
    { venue: "aster", symbol: "BTCUSDT", base: "BTC", mid: 100_010 },
  ];
  const d = discoverPairs(listings, pairsDefaults(), opts);
  assert.deepEqual(
    d.pairs.map((p) => [p.base, p.legs.map((l) => l.symbol)]),
    [
      ["BTC", ["BTCUSDT", "BTC"]],
      ["PEPE", ["1000PEPEUSDT", "kPEPE"]],
    ],
  );
  assert.ok(Math.abs(d.pairs[1].legs[0].unitMid - 0.00001201) < 1e-12);
  assert.deepEqual(d.dropped, []);
});

test("every filter drops with its reason", () => {
  const listings: Listing[] = [
    { venue: "a", symbol: "DYDX", base: "DYDX", mid: 1 },
    { venue: "b", symbol: "DYDXUSDT", base: "DYDX", mid: 1 },
    { venue: "a", symbol: "BTC3L", base: "BTC3L", mid: 1 },
    { venue: "a", symbol: "ETH", base: "ETH", mid: 3500, volume24hUsd: 10_000 },
    { venue: "b", symbol: "ETHUSDT", base: "ETH", mid: 3500 },
    { venue: "a", symbol: "SOL", base: "SOL", mid: 180 },
    { venue: "b", symbol: "SOLUSDT", base: "SOL", mid: 200 },
    { venue: "c", symbol: "SOL-PERP", base: "SOL", mid: 180.1 },
    { venue: "a", symbol: "WIF", base: "WIF", mid: 2 },
    { venue: "b", symbol: "WIFUSDT", base: "WIF", mid: 2 },
  ];
  const d = discoverPairs(listings, pairsDefaults({ blocked_symbols: ["b:WIFUSDT"] }), opts);
  const reasons = d.dropped.map((x) => `${x.venue ?? "*"}:${x.symbol ?? x.base}:${x.reason}`);
  assert.deepEqual(reasons.sort(), [
    "*:ETH:single_venue",
    "*:WIF:single_venue",
    "a:BTC3L:blocked_pattern",
    "a:DYDX:blocked_base",
    "a:ETH:low_volume",
    "b:DYDXUSDT:blocked_base",
    "b:SOLUSDT:mid_divergence",
    "b:WIFUSDT:blocked_symbol",
  ]);
  assert.deepEqual(
    d.pairs.map((p) => [p.base, p.legs.map((l) => l.venue)]),
    [["SOL", ["a", "c"]]],
  );
});

test("the allowlist keeps only its bases; a duplicate listing keeps the more liquid one", () => {
  const listings: Listing[] = [
    { venue: "a", symbol: "BTC", base: "BTC", mid: 100, volume24hUsd: 2e6 },
    { venue: "a", symbol: "BTC-OLD", base: "BTC", mid: 100, volume24hUsd: 5e5 },
    { venue: "b", symbol: "BTCUSDT", base: "BTC", mid: 100 },
    { venue: "a", symbol: "ETH", base: "ETH", mid: 10 },
    { venue: "b", symbol: "ETHUSDT", base: "ETH", mid: 10 },
  ];
  const d = discoverPairs(listings, pairsDefaults({ allowlist: ["BTC"] }), opts);
  assert.deepEqual(
    d.pairs.map((p) => p.legs.map((l) => l.symbol)),
    [["BTC", "BTCUSDT"]],
  );
  assert.deepEqual(d.dropped.map((x) => `${x.symbol}:${x.reason}`).sort(), [
    "BTC-OLD:duplicate_listing",
    "ETH:not_allowlisted",
    "ETHUSDT:not_allowlisted",
  ]);
});

test("a blocked pattern that does not compile is a config error naming its path", () => {
  const r = pairsSchema.safeParse({ blocked_patterns: ["^OK$", "([unclosed"] });
  assert.equal(r.success, false);
  const issue = r.error!.issues.find((i) => i.path.join(".") === "blocked_patterns.1");
  assert.ok(issue, JSON.stringify(r.error!.issues));
  assert.match(issue.message, /does not compile/);
});
