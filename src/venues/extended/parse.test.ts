import assert from "node:assert/strict";
import { test } from "node:test";
import { instrumentOf, tradableMarkets } from "./capabilities.ts";
import { parseExtendedConfig, wsUrlOf } from "./config.ts";
import * as fx from "./fixtures/payloads.ts";
import {
  AccountFrameSchema,
  BookFrameSchema,
  ErrorSchema,
  FundingFrameSchema,
  MarketsSchema,
  MarkFrameSchema,
  parseAs,
  parseJson,
  TradesFrameSchema,
} from "./parse.ts";

test("python_sdk's BTC-USD market fixture: instrument grids, leverage, settlement ids", () => {
  const markets = parseAs(MarketsSchema, fx.MARKETS, "markets").data;
  const [m] = tradableMarkets(markets, []);
  assert.ok(m);
  const inst = instrumentOf("extended", m, { makerFeeBps: 0, takerFeeBps: 2.5 });
  assert.equal(inst.symbol, "BTC-USD");
  assert.equal(inst.spec.base, "BTC");
  assert.equal(inst.priceText(inst.price("64267.3")), "64267.3");
  // the lot is the minimum order size (0.0001), a multiple of the size step (0.00001)
  assert.equal(inst.spec.lotSize, "0.0001");
  assert.equal(inst.sizeText(inst.size("0.0012")), "0.0012");
  assert.throws(() => inst.size("0.00123"));
  assert.equal(inst.spec.maxLeverage, 50);
  assert.equal(m.l2Config.syntheticId, "0x4254432d3600000000000000000000");
  assert.equal(m.l2Config.collateralResolution, 1_000_000);
  assert.equal(m.marketStats.fundingRate, "-0.000034");
  assert.deepEqual(tradableMarkets(markets, ["ETH-USD"]), []);
});

test("a market without l2Config is refused naming the path", () => {
  const bad = structuredClone(fx.MARKETS) as { data: Record<string, unknown>[] };
  delete bad.data[0]!.l2Config;
  assert.throws(
    () => parseAs(MarketsSchema, bad, "markets"),
    /extended: markets did not parse at data\.0\.l2Config/,
  );
});

test("ccxt's error sample: code as text, message kept", () => {
  const e = parseAs(ErrorSchema, fx.ERROR, "error");
  assert.deepEqual(e.error, { code: "1140", message: "New order cost exceeds available balance" });
});

test("stream frames from ccxt's samples: book snapshot/delta, trades, funding, mark", () => {
  const s = parseAs(BookFrameSchema, fx.BOOK_SNAPSHOT, "book");
  assert.equal(s.type, "SNAPSHOT");
  assert.deepEqual(s.data.b, [{ p: "25670", q: "0.1" }]);
  const d = parseAs(BookFrameSchema, fx.BOOK_DELTA, "book");
  assert.equal(d.seq, s.seq + 1);
  assert.equal(d.data.b[0]!.q, "-0.1");
  assert.equal(parseAs(TradesFrameSchema, fx.TRADES, "trades").data[0]!.S, "BUY");
  assert.equal(parseAs(FundingFrameSchema, fx.FUNDING, "funding").data.f, "0.001");
  assert.equal(parseAs(MarkFrameSchema, fx.MARK, "mark").data.p, "80988.400408625006");
  assert.throws(() => parseAs(BookFrameSchema, { ...fx.BOOK_SNAPSHOT, type: "FULL" }, "book"), /at type/);
});

test("account stream frames: ORDER, TRADE (python_sdk fixture), POSITION", () => {
  const o = parseAs(AccountFrameSchema, parseJson(fx.ACCOUNT_ORDER), "account");
  assert.equal(o.data?.orders?.[0]?.id, "1791181340771614723");
  assert.equal(o.data?.orders?.[0]?.status, "NEW");
  assert.equal(o.data?.orders?.[0]?.filledQty, "3.513000");
  const t = parseAs(AccountFrameSchema, parseJson(fx.ACCOUNT_TRADE), "account");
  assert.equal(t.data?.trades?.[0]?.orderId, "1811328331287359488");
  assert.equal(t.data?.trades?.[0]?.isTaker, true);
  assert.equal(t.data?.trades?.[0]?.fee, "0.0291240000000000");
  const p = parseAs(AccountFrameSchema, fx.ACCOUNT_POSITION, "account");
  assert.equal(p.data?.positions?.[0]?.side, "LONG");
});

test("config: defaults, derived stream URL, and every bad field named with venue and wallet", () => {
  const c = parseExtendedConfig({});
  assert.equal(wsUrlOf(c), "wss://api.starknet.extended.exchange/stream.extended.exchange/v1");
  assert.equal(
    wsUrlOf({ ...c, rest_url: "http://127.0.0.1:4100/api/v1" }),
    "ws://127.0.0.1:4100/stream.extended.exchange/v1",
  );
  assert.throws(
    () =>
      parseExtendedConfig({
        network: "devnet",
        wallets: { w01: { api_key: "k", vault: -1, stark_key: "61c5" } },
      }),
    (e: Error) =>
      /venues\.extended\.network/.test(e.message) &&
      /venues\.extended\.wallets\.w01\.api_key/.test(e.message) &&
      /venues\.extended\.wallets\.w01\.vault/.test(e.message) &&
      /venues\.extended\.wallets\.w01\.stark_key: a 0x-hex Stark public key/.test(e.message),
  );
});
