import assert from "node:assert/strict";
import { test } from "node:test";
import type { Alert } from "../engine/alerts.ts";
import { hlLive } from "../testing/hl-live.ts";
import { startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";

/**
 * The farm on Hyperliquid, live mode, against the emulator: a same-venue group of 3-4 wallets
 * opens, and its liquidation guard reads the venue's own liquidation prices (clearinghouseState
 * `liquidationPx` per position, which on cross margin depends on the whole account, not on the
 * leverage alone). Once the group is open the long leg's account gets more USDC: the venue's
 * liquidation price moves far down, where no estimate from the group's leverage would put it.
 * The test moves the mark until that leg is 10 % from the venue's new figure (below the 13 %
 * `liquidation_close_pct`; an estimate from the leverage would call it crossed long before),
 * and the farm closes the whole group (DOMAIN.md "Monitoring"), its guard's distance computed
 * from the venue's figure.
 */

const until = async (cond: () => boolean | Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (!(await cond()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
};

test("farm on Hyperliquid: the liquidation guard closes the whole group on the venue's liquidationPx", {
  timeout: 90_000,
}, async () => {
  const emu = await startHyperliquidEmulator({ blockMs: 200, hourlyFunding: false });
  emu.driver.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 5, levels: 10, stepPx: 1 });
  const live = await hlLive({
    emu,
    wallets: 4,
    fundUsdc: 1_000,
    toml: [
      "[farm]",
      'mode = "same_venue"',
      'markets = ["BTC"]',
      "min_group_size = 3",
      "max_group_size = 4",
      "min_leverage = 5",
      "max_leverage = 5",
      "check_interval_seconds = 0.25",
      "min_cooldown_minutes = 60",
      "max_cooldown_minutes = 60",
      "seed = 3",
      "[engine]",
      // the reconciler's position reads refresh the venue's liquidation prices
      "reconcile_interval_seconds = 0.5",
    ],
  });
  const run = await live.start();
  try {
    const node = run.node!;
    const alerts: Alert[] = [];
    node.alerts.subscribe((a) => alerts.push(a));
    const open = async () => (await node.engine.groups({ status: ["open"] }))[0];
    assert.ok(await until(async () => (await open()) !== undefined, 30_000), "the farm opened a group");
    const group = (await open())!;
    assert.ok(
      group.legs.length >= 3 && group.legs.length <= 4,
      `a group of 3-4 wallets: ${group.legs.length}`,
    );
    const long = group.legs.find((l) => l.side === "buy")!;
    const master = live.masters[live.wallets.indexOf(long.account)];
    // the venue's own figure for the long leg
    const venueLiqPx = async () => {
      const state = (await (
        await fetch(`${emu.url}/info`, {
          method: "POST",
          body: JSON.stringify({ type: "clearinghouseState", user: master }),
        })
      ).json()) as { assetPositions: { position: { coin: string; liquidationPx: string | null } }[] };
      return Number(state.assetPositions.find((p) => p.position.coin === "BTC")?.position.liquidationPx);
    };
    const atOpen = await venueLiqPx();
    assert.ok(
      atOpen > 0 && atOpen < 97_000,
      `the venue reports a liquidation price below the mark: ${atOpen}`,
    );
    // more collateral on the long leg's account: on cross margin its liquidation price falls
    emu.driver.fund(master, 3_000);
    const liqPx = await venueLiqPx();
    assert.ok(liqPx < atOpen * 0.7, `the venue's liquidation price fell: ${atOpen} -> ${liqPx}`);
    const ctx = node.instances.get("farm")!.context;
    const seen = () => ctx.portfolio.position("hyperliquid", long.account, "BTC")?.liquidationPrice ?? 0;
    assert.ok(
      await until(() => Math.abs(seen() - liqPx) < 1e-6 * liqPx, 10_000),
      `the engine reads the venue's new figure: ${seen()} vs ${liqPx}`,
    );
    // no alert before: the leg is well away from it (about 1/leverage)
    assert.equal(alerts.filter((a) => a.title.startsWith("Liquidation guard")).length, 0);

    // 10 % from the venue's liquidation price: inside the 13 % guard, far from liquidation itself
    const mark = Math.round(liqPx / 0.9);
    emu.driver.setBook({ coin: "BTC", bidPx: mark - 1, askPx: mark, sz: 5, levels: 10, stepPx: 1 });
    emu.driver.moveMark({ coin: "BTC", markPx: mark });

    const guard = () =>
      alerts.find((a) => a.title.startsWith("Liquidation guard") && a.message.includes(long.account));
    assert.ok(await until(() => guard() !== undefined, 20_000), "the guard fired on the long leg");
    const acted = Number(/([\d.]+)% from liquidation/.exec(guard()!.message)?.[1]);
    const fromVenue = ((mark - liqPx) / mark) * 100;
    assert.ok(
      Math.abs(acted - fromVenue) < 0.05,
      `the guard's distance ${acted} % is the venue's (mark ${mark}, liquidationPx ${liqPx}: ${fromVenue.toFixed(2)} %)`,
    );
    // the whole group closes on the venue, for the guard's reason
    const closed = async () =>
      (await node.engine.groups({})).find((g) => g.groupId === group.groupId)?.status === "closed";
    assert.ok(await until(closed, 20_000), "the group closed");
    const after = (await node.engine.groups({})).find((g) => g.groupId === group.groupId)!;
    assert.equal(after.closeReason, "liquidation_guard");
    for (const l of group.legs) {
      const m = live.masters[live.wallets.indexOf(l.account)];
      assert.equal(emu.driver.position(m, "BTC"), "0", `${l.account} is flat on the venue`);
    }
  } finally {
    await run.stop({ flatten: false });
    await emu.close();
    live.cleanup();
  }
});
