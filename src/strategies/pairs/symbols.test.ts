import assert from "node:assert/strict";
import { test } from "node:test";
import { Instrument } from "../../core/instrument.ts";
import { Rng } from "../../core/random.ts";
import { farmSection } from "../farm/config.ts";
import { groupWallets } from "../farm/grouping.ts";
import { planGroups } from "../farm/planner.ts";
import { pairsDefaults } from "./config.ts";
import { discoverPairs, type Listing } from "./discover.ts";
import { parseVenueSymbol, SymbolMap } from "./symbols.ts";

const map = new SymbolMap(pairsDefaults());

test("venue symbol formats: Backpack perps and spot, Binance-style, dashed, bare coins", () => {
  const cases: [string, string, string | undefined][] = [
    ["SOL_USDC_PERP", "SOL", "USDC"],
    ["kPEPE_USDC_PERP", "kPEPE", "USDC"],
    ["SOL_USDC", "SOL", "USDC"],
    ["BTCUSDT", "BTC", "USDT"],
    ["1000PEPEUSDT", "1000PEPE", "USDT"],
    ["ETHUSDC", "ETH", "USDC"],
    ["BTC-PERP", "BTC", undefined],
    ["ETH-USD", "ETH", "USD"],
    ["BTC", "BTC", undefined],
    ["kPEPE", "kPEPE", undefined],
  ];
  for (const [symbol, base, quote] of cases)
    assert.deepEqual(parseVenueSymbol(symbol), { base, quote }, symbol);
});

test("1000PEPE ↔ kPEPE ↔ PEPE and 1000BONK ↔ kBONK map to one base with their multipliers, whatever the format", () => {
  const at = (venue: string, symbol: string, base?: string) => map.resolve({ venue, symbol, base });
  for (const [venue, symbol, base, want, mult] of [
    ["hyperliquid", "kPEPE", "kPEPE", "PEPE", 1000],
    ["aster", "1000PEPEUSDT", "1000PEPE", "PEPE", 1000],
    ["backpack", "kPEPE_USDC_PERP", undefined, "PEPE", 1000],
    ["backpack", "PEPE_USDC_PERP", "PEPE", "PEPE", 1],
    ["hyperliquid", "kBONK", undefined, "BONK", 1000],
    ["aster", "1000BONKUSDT", undefined, "BONK", 1000],
    ["lighter", "1000000MOG", undefined, "MOG", 1_000_000],
    ["backpack", "SOL_USDC_PERP", "SOL", "SOL", 1],
    ["aster", "1INCHUSDT", undefined, "1INCH", 1],
    ["hyperliquid", "KAVA", undefined, "KAVA", 1],
  ] as const) {
    const r = at(venue, symbol, base);
    assert.ok(r.ok, `${venue}:${symbol}`);
    assert.deepEqual([r.base, r.multiplier], [want, mult], `${venue}:${symbol}`);
  }
});

test("renamed assets pair old and new tickers; aliases and multipliers override per venue:symbol", () => {
  for (const [old, now] of [
    ["MATICUSDT", "POL"],
    ["RNDR_USDC_PERP", "RENDER"],
    ["FTM", "S"],
  ] as const) {
    const r = map.resolve({ venue: "v", symbol: old });
    assert.ok(r.ok && r.base === now, `${old} → ${now}`);
  }
  const custom = new SymbolMap(
    pairsDefaults({
      aliases: { "bp:XBT_USDC_PERP": "BTC" },
      multipliers: { "bp:XBT_USDC_PERP": 0.01 },
      renamed: {},
    }),
  );
  assert.deepEqual(custom.canonical({ venue: "bp", symbol: "XBT_USDC_PERP" }), {
    base: "BTC",
    multiplier: 0.01,
    venueBase: "XBT",
  });
  assert.equal(
    custom.canonical({ venue: "x", symbol: "MATIC" }).base,
    "MATIC",
    "renamed: {} turns the defaults off",
  );
});

test("the blocklist: bases, venue symbols, patterns on the symbol or its base (any venue format), allowlist", () => {
  const m = new SymbolMap(pairsDefaults({ blocked_symbols: ["backpack:ETH_USDC_PERP"] }));
  const why = (venue: string, symbol: string, base?: string) => {
    const r = m.resolve({ venue, symbol, base });
    return r.ok ? "ok" : r.reason;
  };
  assert.equal(why("aster", "DYDXUSDT"), "blocked_base");
  assert.equal(why("backpack", "DYDX_USDC_PERP"), "blocked_base");
  assert.equal(why("backpack", "ETH_USDC_PERP"), "blocked_symbol");
  assert.equal(why("hyperliquid", "ETH"), "ok");
  assert.equal(why("aster", "BTC3LUSDT"), "blocked_pattern");
  assert.equal(why("backpack", "BTC3L_USDC_PERP"), "blocked_pattern");
  assert.equal(why("aster", "BTCUPUSDT"), "blocked_pattern");
  assert.equal(why("aster", "ETHDOWNUSDT"), "blocked_pattern");
  // JUP and SUP are coins, not UP tokens
  assert.equal(why("aster", "JUPUSDT"), "ok");
  assert.equal(why("backpack", "JUP_USDC_PERP"), "ok");
  assert.equal(why("hyperliquid", "SUP"), "ok");
  const only = new SymbolMap(pairsDefaults({ allowlist: ["BTC", "PEPE"] }));
  assert.ok(only.resolve({ venue: "h", symbol: "kPEPE" }).ok);
  const sol = only.resolve({ venue: "b", symbol: "SOL_USDC_PERP" });
  assert.ok(
    !sol.ok && sol.reason === "not_allowlisted" && /base SOL is not in the allowlist/.test(sol.detail),
  );
});

test("pair discovery over Backpack, Hyperliquid and Aster listings uses the same mapping", () => {
  const listings: Listing[] = [
    { venue: "backpack", symbol: "BTC_USDC_PERP", base: "BTC", mid: 100_000 },
    { venue: "hyperliquid", symbol: "BTC", base: "BTC", mid: 100_010 },
    { venue: "aster", symbol: "BTCUSDT", base: "BTC", mid: 100_005 },
    { venue: "backpack", symbol: "kBONK_USDC_PERP", base: "kBONK", mid: 0.02 },
    { venue: "hyperliquid", symbol: "kBONK", base: "kBONK", mid: 0.02001 },
    { venue: "backpack", symbol: "BTC3L_USDC_PERP", base: "BTC3L", mid: 1 },
    { venue: "aster", symbol: "MATICUSDT", base: "MATIC", mid: 0.4 },
    { venue: "hyperliquid", symbol: "POL", base: "POL", mid: 0.401 },
  ];
  const d = discoverPairs(listings, pairsDefaults(), { minVolume24hUsd: 0 });
  assert.deepEqual(
    d.pairs.map((p) => [p.base, p.legs.map((l) => `${l.venue}:${l.symbol}x${l.multiplier}`)]),
    [
      ["BONK", ["backpack:kBONK_USDC_PERPx1000", "hyperliquid:kBONKx1000"]],
      ["BTC", ["aster:BTCUSDTx1", "backpack:BTC_USDC_PERPx1", "hyperliquid:BTCx1"]],
      ["POL", ["aster:MATICUSDTx1", "hyperliquid:POLx1"]],
    ],
  );
  assert.deepEqual(
    d.dropped.map((x) => [x.venue, x.symbol, x.reason]),
    [["backpack", "BTC3L_USDC_PERP", "blocked_pattern"]],
  );
});

const inst = (venue: string, symbol: string, base: string, tick = "0.000001", lot = "1") =>
  new Instrument({
    venue,
    symbol,
    base,
    quote: "USDC",
    tickSize: tick,
    lotSize: lot,
    minNotionalUsd: 0,
    maxLeverage: 10,
    marginTiers: [],
    fundingIntervalHours: 1,
    makerFeeBps: 0,
    takerFeeBps: 0,
  });

test("the farm's cross-venue pairs find a market through the mapping, on venues with equal contract sizes only", () => {
  const venues = [
    {
      id: "backpack",
      instruments: () => [
        inst("backpack", "kPEPE_USDC_PERP", "kPEPE"),
        inst("backpack", "BTC_USDC_PERP", "BTC", "0.1", "0.0001"),
      ],
    },
    {
      id: "hyperliquid",
      instruments: () => [
        inst("hyperliquid", "kPEPE", "kPEPE"),
        inst("hyperliquid", "BTC", "BTC", "1", "0.0001"),
      ],
    },
    // PEPE one for one: not paired with a 1000-PEPE contract
    { id: "lighter", instruments: () => [inst("lighter", "PEPE", "PEPE", "0.000000001")] },
  ];
  const config = { ...farmSection.schema.parse({}), mode: "cross_venue" as const, markets: ["PEPE"] };
  for (let seed = 0; seed < 20; seed++) {
    const [p] = planGroups(["w1", "w2"], venues, config, new Rng(seed), groupWallets);
    assert.equal(p?.base, "PEPE", `seed ${seed}`);
    const legs = [...p.longs, ...p.shorts].map((m) => `${m.venue}:${m.instrument.symbol}`).sort();
    assert.deepEqual(legs, ["backpack:kPEPE_USDC_PERP", "hyperliquid:kPEPE"], `seed ${seed}`);
  }
  // BTC is listed as BTC_USDC_PERP and BTC: one market to the farm
  const btc = planGroups(["w1", "w2"], venues, { ...config, markets: ["BTC"] }, new Rng(1), groupWallets);
  assert.deepEqual([...btc[0].longs, ...btc[0].shorts].map((m) => m.instrument.symbol).sort(), [
    "BTC",
    "BTC_USDC_PERP",
  ]);
  // blocked by the farm's own pairs table: no pair
  const blocked = { ...config, markets: ["BTC"], pairs: pairsDefaults({ blocked_bases: ["BTC"] }) };
  assert.deepEqual(planGroups(["w1", "w2"], venues, blocked, new Rng(1), groupWallets), []);
});
