import assert from "node:assert/strict";
import { test } from "node:test";
import { FARM_STATUS_LEGEND, FarmStatusView, farmGroupLine, farmStatusLines, money } from "./report.ts";
import type { FarmGroupView } from "./watch.ts";

// D20 (issue 10): the `npm start` view is narrow, explained, and shows "checking…" before a reading

const NOW = Date.UTC(2026, 0, 1);

function group(over: Partial<FarmGroupView> = {}): FarmGroupView {
  return {
    id: "farm-mk2x9q0a-1f-3k9x1pq",
    status: "open",
    venueLabel: "simA>simB",
    base: "BTC",
    closeAt: NOW + 3 * 3_600_000 + 5 * 60_000,
    legs: 4,
    minLiquidationDistance: 0.1234,
    unrealisedPnlUsd: -1234.567,
    notionalUsd: 123_456.7,
    netDeltaUsd: 0,
    ...over,
  };
}

test("money: thousands separators, and no -$0.00", () => {
  assert.equal(money(1234567.891), "$1,234,567.89");
  assert.equal(money(-1234.5), "-$1,234.50");
  assert.equal(money(-0.004), "$0.00");
  assert.equal(money(-0), "$0.00");
  assert.equal(money(17_000.4, 0), "$17,000");
  assert.equal(money(Number.NaN), "-");
});

test("a group line fits in 100 characters; before its first reading it says checking…", () => {
  const line = farmGroupLine(group(), NOW);
  assert.ok(line.length <= 100, `${line.length}: ${line}`);
  assert.match(
    line,
    /^ {2}farm-\S+ open {4}simA>simB BTC {2}4L {2}3h05m {2}liq {1}12\.3% {2}\$123,457 {2}PnL -\$1,234\.57$/,
  );
  const fresh = farmGroupLine(
    group({ minLiquidationDistance: Number.NaN, notionalUsd: 0, unrealisedPnlUsd: -0 }),
    NOW,
  );
  assert.match(fresh, /checking…$/);
  assert.doesNotMatch(fresh, /liq -|\$0\.00|-\$/);
  const [summary] = farmStatusLines([group(), group({ id: "farm-b", unrealisedPnlUsd: 0.001 })], NOW);
  assert.equal(summary, "farm: 2 groups open, notional $246,913, unrealised PnL -$1,234.57");
});

test("the live view: legend once, a group again only when it changes or at the full listing", () => {
  const view = new FarmStatusView({ fullEvery: 3 });
  const a = group({ id: "farm-a", minLiquidationDistance: Number.NaN, notionalUsd: 0 });
  const b = group({ id: "farm-b" });
  const first = view.lines([a, b], NOW);
  assert.equal(first[1], FARM_STATUS_LEGEND);
  assert.equal(first.length, 4);
  assert.match(first[2], /farm-a .*checking…/);
  // nothing changed: the summary only
  assert.deepEqual(view.lines([a, b], NOW).length, 1);
  // farm-a's first reading came in, farm-b's PnL moved (not a change worth a line)
  const third = view.lines(
    [
      { ...a, minLiquidationDistance: 0.2, notionalUsd: 1000 },
      { ...b, unrealisedPnlUsd: 5 },
    ],
    NOW,
  );
  assert.equal(third.length, 2);
  assert.match(third[1], /farm-a .*liq {1}20\.0%/);
  // the full listing, every third status: both, without the legend again
  const fourth = view.lines([{ ...a, minLiquidationDistance: 0.2, notionalUsd: 1000 }, b], NOW);
  assert.equal(fourth.length, 3);
  assert.ok(!fourth.includes(FARM_STATUS_LEGEND));
  // farm-b closes: named once
  const fifth = view.lines(
    [{ ...a, minLiquidationDistance: 0.2, notionalUsd: 1000, status: "closing" }],
    NOW,
  );
  assert.deepEqual(fifth.slice(1), [fifth[1], "  farm-b no longer open"]);
  assert.match(fifth[1], /farm-a closing/);
  for (const l of [...first, ...third, ...fourth, ...fifth]) assert.ok(l.length <= 100, l);
});
