import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Instrument } from "../../core/instrument.ts";
import { toUsd } from "../../core/money.ts";
import { catalogInstruments } from "./catalog.ts";
import { accountFigures, availableMargin, crossBelowMaintenance, type MarginContext } from "./margin.ts";
import { SimState } from "./state.ts";

const instruments = new Map<string, Instrument>(catalogInstruments("simA").map((i) => [i.symbol, i]));
const SYMBOLS = ["BTC", "ETH", "SOL", "DOGE"] as const;

test("property: availableMargin is accountFigures().availableUsd to the last bit, crossBelowMaintenance its cross liquidation test", () => {
  const position = fc.record({
    symbol: fc.constantFrom(...SYMBOLS),
    sizeLots: fc.integer({ min: -5_000_000, max: 5_000_000 }),
    entryNotional: fc.bigInt({ min: 0n, max: 10n ** 21n }),
    isolatedMargin: fc.bigInt({ min: 0n, max: 10n ** 20n }),
    isolated: fc.boolean(),
    leverage: fc.integer({ min: 1, max: 40 }),
  });
  const order = fc.record({
    symbol: fc.constantFrom(...SYMBOLS),
    buy: fc.boolean(),
    priceTicks: fc.integer({ min: 1, max: 10_000_000 }),
    sizeLots: fc.integer({ min: 1, max: 1_000_000 }),
    filledLots: fc.integer({ min: 0, max: 1_000_000 }),
    reduceOnly: fc.boolean(),
  });
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(10n ** 18n), max: 10n ** 21n }),
      fc.uniqueArray(position, { selector: (p) => p.symbol, maxLength: 4 }),
      fc.array(order, { maxLength: 6 }),
      fc.array(fc.double({ min: 1e-4, max: 1e5, noNaN: true }), { minLength: 4, maxLength: 4 }),
      fc.integer({ min: 1, max: 40 }),
      (cash, positions, orders, marks, orderLeverage) => {
        const s = new SimState();
        s.account("w").cash = cash;
        for (const p of positions) {
          s.indexPosition({
            account: "w",
            symbol: p.symbol,
            sizeLots: p.sizeLots,
            entryNotional: p.entryNotional,
            isolatedMargin: p.isolated ? p.isolatedMargin : 0n,
            fundingPaid: 0n,
            mode: p.isolated ? "isolated" : "cross",
            leverage: p.leverage,
          });
        }
        for (const [i, o] of orders.entries()) {
          s.addOpenOrder({
            venueOrderId: `v${i}`,
            clientOrderId: `c${i}`,
            account: "w",
            symbol: o.symbol,
            side: o.buy ? "buy" : "sell",
            type: "limit",
            priceTicks: o.priceTicks,
            sizeLots: Math.max(o.sizeLots, o.filledLots + 1),
            tif: "gtc",
            reduceOnly: o.reduceOnly,
            seq: i,
            createdTs: 0,
            filledLots: o.filledLots,
            status: "open",
            reason: "",
          });
        }
        const ctx: MarginContext = {
          instrumentOf: (symbol) => instruments.get(symbol)!,
          markOf: (symbol) => marks[SYMBOLS.indexOf(symbol as (typeof SYMBOLS)[number])],
          leverageOf: () => orderLeverage,
        };
        const a = accountFigures(s, "w", ctx);
        assert.ok(Object.is(availableMargin(s, "w", ctx), a.availableUsd));
        assert.equal(crossBelowMaintenance(s, "w", ctx), a.crossValueUsd < a.crossMaintenanceMarginUsd);
        // the same test with cash just either side of the line (the cross positions' value at stake)
        const line = a.crossMaintenanceMarginUsd - (a.crossValueUsd - toUsd(cash));
        for (const c of [line - 1e-3, line + 1e-3]) {
          s.account("w").cash = BigInt(Math.round(c * 1e12));
          const b = accountFigures(s, "w", ctx);
          assert.equal(crossBelowMaintenance(s, "w", ctx), b.crossValueUsd < b.crossMaintenanceMarginUsd);
        }
        s.account("w").cash = cash;
        assert.equal(crossBelowMaintenance(s, "nobody", ctx), false);
        assert.ok(
          Object.is(availableMargin(s, "nobody", ctx), accountFigures(s, "nobody", ctx).availableUsd),
        );
      },
    ),
    { numRuns: 500 },
  );
});
