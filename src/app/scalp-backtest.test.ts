import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { scalpDefaults } from "../strategies/scalp/config.ts";
import {
  defaultDataDir,
  formatScalpReport,
  runScalpBacktest,
  type ScalpBacktestReport,
} from "./scalp-backtest.ts";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// ../shared/data beside the checkout; PERPBOT_SHARED_DATA points elsewhere (a worktree has none beside it)
const DATA = process.env.PERPBOT_SHARED_DATA ?? defaultDataDir(repo);
const skip = existsSync(join(DATA, "coinm-btcusd_perp_20240808.gz"))
  ? false
  : `the recorded books are not in ${DATA} (../shared/data beside the repository): scalp backtest not run`;

/** Each trade's edge at the recorded touches, with the fee schedule the report says was in force. */
function touchEdges(r: ScalpBacktestReport): number[] {
  return r.perTrade.map((t) => {
    const fb = r.feeSchedule[t.long].takerBps / 1e4;
    const fs = r.feeSchedule[t.short].takerBps / 1e4;
    return ((t.touchSell * (1 - fs) - t.touchBuy * (1 + fb)) / ((t.touchSell + t.touchBuy) / 2)) * 1e4;
  });
}

test("scalp backtest, real fee schedule (VIP 0, 5 bps taker): the recorded spread never pays, so nothing is entered", {
  skip,
}, async () => {
  const r = await runScalpBacktest({
    dataDir: DATA,
    scalp: scalpDefaults({ enabled: true, paper_equity_usd: 4000 }),
  });
  assert.ok(r.events > 200_000, String(r.events));
  assert.deepEqual(
    Object.keys(r.bestEdgeBps).sort(),
    ["BTC:coinm:usdm", "ETH:coinm:usdm"],
    "both bases paired across the venues",
  );
  assert.equal(r.entries, 0);
  assert.ok(r.rejections.below_entry > 100_000, JSON.stringify(r.rejections));
  for (const v of Object.values(r.bestEdgeBps))
    assert.ok(v < 0, `net of 2 x 5 bps taker fees and the buffer: ${v}`);
  // even with no entry floor and no buffer, the real exit fees (gate 8) keep it out
  const loose = await runScalpBacktest({
    dataDir: DATA,
    scalp: scalpDefaults({
      enabled: true,
      paper_equity_usd: 4000,
      spread_entry_bps: 0,
      slippage_bps_buffer: 0,
      estimated_exit_fees_bps: 0,
    }),
  });
  for (const e of touchEdges(loose)) assert.ok(e >= 0, `entered at ${e} bps net of the real fees`);
  assert.equal(loose.entries, 0, JSON.stringify(loose.perTrade));
  assert.ok((loose.rejections.spread_cost ?? 0) > 0, JSON.stringify(loose.rejections));
});

/** the zero-fee what-if tier with an entry floor of 3 bps, $4,000 per venue unless told */
const zeroFee = (paper_equity_usd = 4000) =>
  runScalpBacktest({
    dataDir: DATA,
    fees: { makerBps: 0, takerBps: 0 },
    scalp: scalpDefaults({
      enabled: true,
      paper_equity_usd,
      spread_entry_bps: 3,
      estimated_exit_fees_bps: 0,
    }),
  });
let zeroFee4000: Promise<ScalpBacktestReport> | undefined;

test("scalp backtest, a zero-fee what-if tier: trades, each entered at a non-negative edge, hedged, and deterministic", {
  skip,
}, async () => {
  const run = () => zeroFee();
  zeroFee4000 = run();
  const r = await zeroFee4000;
  assert.ok(r.trades > 0, JSON.stringify(r.rejections));
  for (const t of r.perTrade) {
    assert.ok(t.predictedEdgeBps >= 3, `${t.id}: predicted ${t.predictedEdgeBps} < spread_entry_bps`);
    assert.equal(t.status, "closed");
    assert.ok(t.long.startsWith("usdm") || t.long.startsWith("coinm"));
    assert.ok(t.coinmContracts > 0, "the COIN-M leg shown in contracts");
  }
  for (const e of touchEdges(r)) assert.ok(e >= 3, `touch edge ${e}`);
  assert.equal(r.unhedged.ms, 0, "both legs filled at one instant every time");
  for (const t of r.perTrade) {
    assert.equal(t.unhedgedMs, 0, `${t.id}: its own fills never apart`);
    assert.equal(t.unhedgedUsdSeconds, 0);
    assert.ok(Math.abs(t.gapBps - (t.predictedEdgeBps - t.capturedBps)) < 1e-9, `${t.id} gap`);
    assert.ok(
      Math.abs(t.gapSlippageBps + t.gapFeesBps + t.gapBasisDriftBps - t.gapBps) < 1e-9,
      `${t.id}: slippage + fees + drift = gap`,
    );
    assert.equal(t.gapFeesBps, 0, `${t.id}: no fee at this tier`);
    // no latency: every IOC fills at its touch or deeper in the same book
    assert.ok(t.gapSlippageBps >= -1e-9, `${t.id}: slippage ${t.gapSlippageBps}`);
  }
  assert.ok(
    Math.abs(r.netUsd - r.equityChangeUsd) < 1e-6,
    `net ${r.netUsd} = equity change ${r.equityChangeUsd}`,
  );
  assert.ok(Object.keys(r.perPair).length > 0);
  const again = await run();
  assert.deepEqual(again, r, "same recording, same report");
});

test("paper_equity_usd: the balance each simulated venue starts with, which sizes every entry", {
  skip,
}, async () => {
  const rich = await (zeroFee4000 ?? zeroFee());
  const poor = await zeroFee(1000);
  const btc = (r: ScalpBacktestReport) => r.perTrade.filter((t) => t.base === "BTC").length;
  // 0.05 x $4,000 = $200 clears the USD-M BTC minimum ($100); 0.05 x $1,000 = $50 does not
  assert.ok(btc(rich) > 0, JSON.stringify(rich.perTrade.map((t) => t.base)));
  assert.equal(btc(poor), 0, JSON.stringify(poor.perTrade.map((t) => t.base)));
  assert.ok(
    (poor.rejections.no_allocation ?? 0) > (rich.rejections.no_allocation ?? 0),
    JSON.stringify(poor.rejections),
  );
  for (const t of poor.perTrade)
    assert.ok(t.notionalUsd <= 50 * 1.01, `${t.id}: $${t.notionalUsd} on $1,000`);
});

test("scalp backtest, 1 bps taker what-if: the gap's fees part is the exit's taker fees, and venue latency shows up as slippage only", {
  skip,
}, async () => {
  const run = (latencyMs: number) =>
    runScalpBacktest({
      dataDir: DATA,
      latencyMs,
      fees: { makerBps: 0, takerBps: 1 },
      scalp: scalpDefaults({
        enabled: true,
        paper_equity_usd: 4000,
        spread_entry_bps: 1,
        estimated_exit_fees_bps: 0,
      }),
    });
  const at0 = await run(0);
  const at30 = await run(30);
  assert.ok(at0.trades > 0, JSON.stringify(at0.rejections));
  assert.deepEqual(
    at30.perTrade.map((t) => t.id),
    at0.perTrade.map((t) => t.id),
    "the same entries with and without latency",
  );
  for (const [i, t] of at0.perTrade.entries()) {
    const late = at30.perTrade[i];
    // the prediction took the entry's 2 x 1 bps off: what is left is the exit's 2 x 1 bps
    assert.ok(Math.abs(t.gapFeesBps - 2) < 0.05, `${t.id}: fees part ${t.gapFeesBps}`);
    assert.ok(Math.abs(late.gapFeesBps - 2) < 0.05, `${t.id} at 30 ms: fees part ${late.gapFeesBps}`);
    assert.ok(Math.abs(t.gapSlippageBps) < 0.01, `${t.id}: slippage ${t.gapSlippageBps} with no latency`);
    // 30 ms in flight: the books moved before the IOCs reached them
    assert.ok(late.gapSlippageBps > 0.5, `${t.id} at 30 ms: slippage ${late.gapSlippageBps}`);
    // the exit basis at the touches the orders were sent on is the same decision either way
    assert.ok(
      Math.abs(late.gapBasisDriftBps - t.gapBasisDriftBps) < 0.05,
      `${t.id}: drift ${t.gapBasisDriftBps} vs ${late.gapBasisDriftBps}`,
    );
    assert.ok(Math.abs(late.gapSlippageBps + late.gapFeesBps + late.gapBasisDriftBps - late.gapBps) < 1e-9);
  }
  assert.ok(formatScalpReport(at30).includes("gap predicted - captured"), "the text report shows the split");
});
