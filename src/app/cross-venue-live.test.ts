import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  backpackToml,
  bpApiKeyOf,
  hlAgentOf,
  hlMasterOf,
  hyperliquidToml,
  liveDir,
  openGroups,
  perpbotCli,
  removeLiveDirs,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { startBackpackEmulator } from "../venues/backpack/emulator/start.ts";
import { startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";

/**
 * One `perpbot run --live` on two live venues at once, each against its own emulator: four
 * wallets with a Backpack API key and a Hyperliquid agent each, the farm in cross-venue pairs
 * (longs on one venue, shorts on the other). Groups open on both venues, the net delta across
 * venues stays within max_imbalance_usd, and Ctrl-C with --flatten-on-exit closes both legs.
 */
after(removeLiveDirs);

const WALLETS: WalletPlan[] = [0, 1, 2, 3].map((i) => ({
  id: `w0${i + 1}`,
  i,
  backpack: {},
  hyperliquid: true,
}));
const PX = 97_000;

test("perpbot run --live: cross-venue farm pairs, Backpack against Hyperliquid, both legs closed on stop", async () => {
  const bp = await startBackpackEmulator({ scheduledFunding: false });
  const hl = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false });
  try {
    for (const w of WALLETS) {
      bp.driver.fund(bpApiKeyOf(w.i), 10_000);
      hl.driver.fund(hlMasterOf(w.i), 10_000);
      hl.driver.approveAgent(hlMasterOf(w.i), hlAgentOf(w.i), "perpbot");
    }
    bp.driver.moveMark({ symbol: "BTC_USDC_PERP", markPx: PX });
    bp.driver.setBook({
      symbol: "BTC_USDC_PERP",
      bidPx: PX - 0.1,
      askPx: PX,
      qty: 5,
      levels: 10,
      stepPx: 0.1,
    });
    hl.driver.setBook({ coin: "BTC", bidPx: PX - 1, askPx: PX, sz: 5, levels: 10, stepPx: 1 });
    const cwd = await liveDir(WALLETS, [
      'mode = "live"',
      ...backpackToml(bp.url, WALLETS),
      ...hyperliquidToml(hl.url, WALLETS),
      "[farm]",
      'mode = "cross_venue"',
      'markets = ["BTC"]',
      "min_group_size = 2",
      "max_group_size = 2",
      "check_interval_seconds = 1",
      "min_cooldown_minutes = 60",
      "max_cooldown_minutes = 60",
    ]);
    const run = perpbotCli(cwd, ["run", "--live", "--status-every", "1", "--flatten-on-exit"]);
    await run.until((out) => openGroups(out) >= 2, 90_000);
    assert.match(run.out(), /perpbot LIVE: backpack local, hyperliquid testnet, 4 wallets/);
    const bpSizes = WALLETS.map((w) => Number(bp.driver.position(bpApiKeyOf(w.i), "BTC_USDC_PERP")));
    const hlSizes = WALLETS.map((w) => Number(hl.driver.position(hlMasterOf(w.i), "BTC")));
    const all = [...bpSizes, ...hlSizes];
    assert.ok(bpSizes.some((s) => s !== 0) && hlSizes.some((s) => s !== 0), `legs on both venues: ${all}`);
    // two pairs of two: every wallet holds one leg, on one venue
    const legs = WALLETS.map((_, i) =>
      bpSizes[i] !== 0 ? { venue: "backpack", size: bpSizes[i] } : { venue: "hyperliquid", size: hlSizes[i] },
    );
    for (const [i] of WALLETS.entries())
      assert.ok(bpSizes[i] === 0 || hlSizes[i] === 0, `wallet ${i} holds legs on both venues: ${all}`);
    assert.ok(
      legs.every((l) => l.size !== 0),
      `every wallet holds a leg: ${all}`,
    );
    const longs = legs.filter((l) => l.size > 0);
    const shorts = legs.filter((l) => l.size < 0);
    assert.equal(longs.length, 2, `two longs, two shorts: ${all}`);
    // each long has its short on the other venue, of the same size within the $2 bound
    for (const long of longs) {
      const k = shorts.findIndex(
        (s) => s.venue !== long.venue && Math.abs(long.size + s.size) * PX <= 2 + 1e-6,
      );
      assert.ok(
        k >= 0,
        `the short of ${long.venue} ${long.size} on the other venue: ${JSON.stringify(legs)}`,
      );
      shorts.splice(k, 1);
    }
    const net = all.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(net) * PX <= 2 * 2 + 1e-6, `net delta of two groups within 2 × $2: ${all}`);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    assert.match(run.out(), /stopped; state saved/);
    assert.deepEqual(
      [
        ...WALLETS.map((w) => Number(bp.driver.position(bpApiKeyOf(w.i), "BTC_USDC_PERP"))),
        ...WALLETS.map((w) => Number(hl.driver.position(hlMasterOf(w.i), "BTC"))),
      ],
      [0, 0, 0, 0, 0, 0, 0, 0],
      "--flatten-on-exit closed both legs of every pair",
    );
  } finally {
    await Promise.all([bp.close(), hl.close()]);
  }
});
