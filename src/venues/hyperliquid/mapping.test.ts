import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { moneyText } from "../../core/money.ts";
import type { OrderRequest } from "../../core/types.ts";
import { CASSETTE_DIR, recordedAnswers } from "./fixtures/cassettes.ts";
import { marketsFromMeta } from "./instruments.ts";
import { accountOf, fillOf, fundingOf, isProblem, orderInput, positionsOf } from "./mapping.ts";
import {
  ClearinghouseStateSchema,
  ExchangeResponseSchema,
  type Meta,
  MetaSchema,
  UserFillsSchema,
  UserFundingSchema,
} from "./parse.ts";
import { answerOf, cancelAnswer, modifyAnswer } from "./venue-answers.ts";
import { floatToWire, orderAction } from "./wire.ts";

const META: Meta = {
  universe: [
    { name: "BTC", szDecimals: 5, maxLeverage: 40, marginTableId: 56 },
    { name: "ETH", szDecimals: 4, maxLeverage: 25 },
    { name: "OLD", szDecimals: 0, maxLeverage: 3, isDelisted: true },
    { name: "kPEPE", szDecimals: 0, maxLeverage: 10 },
  ],
  marginTables: [
    [
      56,
      {
        description: "tiered 40x",
        marginTiers: [
          { lowerBound: "0.0", maxLeverage: 40 },
          { lowerBound: "150000000.0", maxLeverage: 20 },
        ],
      },
    ],
  ],
};
const markets = marketsFromMeta("hyperliquid", META);
const BTC = markets.get("BTC")!;
const CLOID = "0x00112233445566778899aabbccddeeff";

function order(o: Partial<OrderRequest>): OrderRequest {
  return {
    clientOrderId: CLOID,
    account: "w01",
    symbol: "BTC",
    side: "buy",
    type: "limit",
    priceTicks: 971_230,
    sizeLots: 123,
    tif: "gtc",
    reduceOnly: false,
    ...o,
  };
}

describe("hyperliquid instruments from meta", () => {
  it("lot 10^-szDecimals, tick 10^-(6-szDecimals), 5 significant figures; asset ids keep delisted indexes", () => {
    assert.deepEqual([...markets.keys()], ["BTC", "ETH", "kPEPE"]);
    assert.equal(BTC.instrument.spec.lotSize, "0.00001");
    assert.equal(BTC.instrument.spec.tickSize, "0.1");
    assert.deepEqual(BTC.instrument.priceRule, { kind: "significant_figures", figures: 5, maxDecimals: 1 });
    assert.equal(markets.get("kPEPE")!.asset, 3, "the delisted OLD keeps index 2");
    assert.equal(markets.get("kPEPE")!.instrument.spec.tickSize, "0.000001");
    assert.deepEqual(BTC.instrument.spec.marginTiers, [
      { lowerBoundUsd: 0, maxLeverage: 40 },
      { lowerBoundUsd: 150_000_000, maxLeverage: 20 },
    ]);
    assert.deepEqual(markets.get("ETH")!.instrument.spec.marginTiers, [], "no table published: one tier");
    // 97123 is 5 figures; 97123.5 is 6 (refused), 9712.3 is fine, 123456 (an integer) too
    const inst = BTC.instrument;
    assert.equal(inst.isAllowedPrice(971_230), true);
    assert.equal(inst.isAllowedPrice(971_235), false);
    assert.equal(inst.isAllowedPrice(97_123), true);
    assert.equal(inst.isAllowedPrice(1_234_560), true);
  });
});

describe("hyperliquid order requests to wire", () => {
  it("prices and sizes as the venue's exact strings, tif and reduce-only mapped, cloid as is", () => {
    const w = orderInput(order({}), BTC);
    assert.ok(!isProblem(w));
    assert.deepEqual(w, {
      asset: 0,
      isBuy: true,
      limitPx: "97123",
      sz: "0.00123",
      reduceOnly: false,
      orderType: { limit: { tif: "Gtc" } },
      cloid: CLOID,
    });
    assert.equal(
      JSON.stringify(orderAction([w])),
      `{"type":"order","orders":[{"a":0,"b":true,"p":"97123","s":"0.00123","r":false,"t":{"limit":{"tif":"Gtc"}},"c":"${CLOID}"}],"grouping":"na"}`,
    );
    const eth = markets.get("ETH")!;
    const alo = orderInput(
      order({
        symbol: "ETH",
        side: "sell",
        priceTicks: 345_670,
        sizeLots: 50,
        tif: "post_only",
        reduceOnly: true,
      }),
      eth,
    );
    assert.ok(!isProblem(alo));
    assert.deepEqual(
      [alo.limitPx, alo.sz, alo.isBuy, alo.reduceOnly, alo.orderType],
      ["3456.7", "0.005", false, true, { limit: { tif: "Alo" } }],
    );
    const mkt = orderInput(order({ type: "market", tif: "gtc" }), BTC);
    assert.ok(!isProblem(mkt));
    assert.deepEqual(
      mkt.orderType,
      { limit: { tif: "Ioc" } },
      "a market order is an IOC at its protection price",
    );
    assert.equal(floatToWire("100000.0"), "100000");
  });

  it("refuses before signing: a price off the rule, a size below the minimum, a bad cloid; each names wallet, symbol and field", () => {
    const off = orderInput(order({ priceTicks: 971_235 }), BTC);
    assert.ok(isProblem(off));
    assert.equal(off.reason, "price_off_rule");
    assert.match(off.message, /wallet w01, BTC, field priceTicks: 971235 \(97123\.5\) breaks the price rule/);
    const small = orderInput(order({ sizeLots: 5 }), BTC);
    assert.ok(isProblem(small) && small.reason === "below_min_notional");
    assert.match(
      small.message,
      /wallet w01, BTC, field sizeLots: 0\.00005 at 97123 is \$4\.86, below the venue's minimum of \$10/,
    );
    assert.ok(
      !isProblem(orderInput(order({ sizeLots: 5, reduceOnly: true }), BTC)),
      "reduce-only: the venue judges",
    );
    const bad = orderInput(order({ clientOrderId: "farm-1-a" }), BTC);
    assert.ok(
      isProblem(bad) && bad.reason === "bad_client_order_id" && /field clientOrderId/.test(bad.message),
    );
    const zero = orderInput(order({ sizeLots: 0 }), BTC);
    assert.ok(isProblem(zero) && zero.reason === "invalid_size");
  });
});

describe("hyperliquid exchange answers", () => {
  const parse = (x: unknown) => ExchangeResponseSchema.parse(x);
  const statuses = (s: unknown[]) =>
    parse({ status: "ok", response: { type: "order", data: { statuses: s } } });
  it("resting and filled are acks; errors are definite with a stable reason; waiting is not an ack", () => {
    assert.deepEqual(answerOf(statuses([{ resting: { oid: 77738308, cloid: CLOID } }]), "w"), {
      kind: "resting",
      oid: 77738308,
    });
    assert.deepEqual(answerOf(statuses([{ filled: { totalSz: "0.02", avgPx: "1891.4", oid: 7 } }]), "w"), {
      kind: "filled",
      oid: 7,
      totalSz: "0.02",
      avgPx: "1891.4",
    });
    const low = answerOf(statuses([{ error: "Order must have minimum value of $10." }]), "wallet w01, BTC");
    assert.deepEqual([low.kind, low.kind === "rejected" && low.reason], ["rejected", "below_min_notional"]);
    const who = answerOf(
      parse({ status: "err", response: "User or API Wallet 0xabc does not exist." }),
      "wallet w01",
    );
    assert.ok(who.kind === "rejected" && who.reason === "unknown_signer");
    assert.match(
      who.message,
      /wallet w01: refused: User or API Wallet 0xabc does not exist\. \(.*approve-agent/,
    );
    assert.equal(answerOf(statuses(["waitingForFill"]), "w").kind, "pending");
    assert.equal(answerOf(statuses([]), "w").kind, "pending", "no status for the order: not an ack");
  });
  it("cancel and modify answers", () => {
    const ok = parse({ status: "ok", response: { type: "cancel", data: { statuses: ["success"] } } });
    assert.deepEqual(cancelAnswer(ok, "w"), { kind: "ok" });
    const gone = cancelAnswer(
      parse({
        status: "ok",
        response: {
          type: "cancel",
          data: { statuses: [{ error: "Order was never placed, already canceled, or filled." }] },
        },
      }),
      "w",
    );
    assert.ok(gone.kind === "rejected" && gone.reason === "not_found");
    assert.deepEqual(modifyAnswer(parse({ status: "ok", response: { type: "default" } }), "w"), {
      kind: "ok",
    });
    assert.deepEqual(modifyAnswer(statuses([{ resting: { oid: 9 } }]), "w"), { kind: "ok", oid: 9 });
  });
});

describe("hyperliquid recorded cassettes to reports", () => {
  const skip = existsSync(CASSETTE_DIR) ? false : `${CASSETTE_DIR} is absent (set PERPBOT_SHARED_DATA)`;
  const meta = () => MetaSchema.parse(recordedAnswers("meta", "get_info.yaml")[0]);

  it("meta: every listed perp becomes an instrument", { skip }, () => {
    const m = meta();
    const ms = marketsFromMeta("hyperliquid", m);
    assert.equal(ms.size, m.universe.filter((u) => !u.isDelisted).length);
    for (const u of m.universe) {
      const x = ms.get(u.name);
      if (!x) continue;
      assert.equal(x.instrument.lot.decimals, u.szDecimals, u.name);
      assert.equal(x.instrument.spec.maxLeverage, u.maxLeverage);
    }
  });

  it("clearinghouseState: positions and account without loss", { skip }, () => {
    const ms = marketsFromMeta("hyperliquid", meta());
    for (const raw of recordedAnswers("clearinghouseState")) {
      const s = ClearinghouseStateSchema.parse(raw);
      const ps = positionsOf("w01", s, (c) => ms.get(c));
      const open = s.assetPositions.filter((p) => Number(p.position.szi) !== 0);
      assert.equal(ps.length, open.length);
      for (const [i, p] of ps.entries()) {
        const src = open[i].position;
        const inst = ms.get(src.coin)!.instrument;
        assert.equal(inst.sizeText(p.sizeLots), floatToWire(src.szi), `${src.coin} szi`);
        assert.equal(p.liquidationPrice, src.liquidationPx === null ? null : Number(src.liquidationPx));
        assert.equal(p.marginMode, src.leverage.type);
        assert.equal(p.leverage, src.leverage.value);
        assert.equal(p.unrealisedPnlUsd, Number(src.unrealizedPnl));
        assert.ok(p.maintenanceMarginUsd > 0 && p.maintenanceMarginUsd < p.marginUsd * 2);
      }
      const a = accountOf("w01", s, ps);
      assert.equal(a.equityUsd, Number(s.marginSummary.accountValue));
      assert.equal(a.availableUsd, Number(s.withdrawable));
      assert.equal(a.initialMarginUsd, Number(s.marginSummary.totalMarginUsed));
      const upnl = s.assetPositions.reduce((x, p) => x + Number(p.position.unrealizedPnl), 0);
      assert.ok(Math.abs(Number(moneyText(a.cash)) - (Number(s.marginSummary.accountValue) - upnl)) < 1e-6);
    }
  });

  it("userFills and userFunding: every entry maps back to the printed values", { skip }, () => {
    const ms = marketsFromMeta("hyperliquid", meta());
    let fills = 0;
    for (const raw of recordedAnswers("userFills")) {
      for (const f of UserFillsSchema.parse(raw)) {
        const m = ms.get(f.coin);
        assert.ok(m, `fill coin ${f.coin} is in meta`);
        const x = fillOf("w01", f, m, f.cloid ?? "");
        assert.equal(m.instrument.priceText(x.priceTicks), floatToWire(f.px), `px ${f.px}`);
        assert.equal(m.instrument.sizeText(x.sizeLots), floatToWire(f.sz), `sz ${f.sz}`);
        assert.equal(moneyText(x.fee), floatToWire(f.fee));
        assert.equal(moneyText(x.realisedPnl), floatToWire(f.closedPnl));
        assert.equal(x.side, f.side === "B" ? "buy" : "sell");
        assert.equal(x.liquidity, f.crossed ? "taker" : "maker");
        fills++;
      }
    }
    assert.ok(fills > 50, `${fills} fills`);
    let fundings = 0;
    for (const raw of recordedAnswers("userFunding")) {
      for (const e of UserFundingSchema.parse(raw)) {
        const m = ms.get(e.delta.coin);
        assert.ok(m, `funding coin ${e.delta.coin} is in meta`);
        const p = fundingOf("w01", { time: e.time, ...e.delta }, m);
        assert.equal(moneyText(p.amount), floatToWire(e.delta.usdc));
        assert.equal(p.ratePerHour, Number(e.delta.fundingRate));
        assert.equal(Math.sign(p.sizeLots), Math.sign(Number(e.delta.szi)));
        fundings++;
      }
    }
    assert.ok(fundings > 50, `${fundings} funding payments`);
  });
});
