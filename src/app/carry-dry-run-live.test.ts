import assert from "node:assert/strict";
import { after, test } from "node:test";
import { runCli } from "../testing/cli-run.ts";
import {
  backpackToml,
  bpApiKeyOf,
  type CliRun,
  hlAgentOf,
  hlMasterOf,
  hyperliquidToml,
  liveDir,
  perpbotCli,
  removeLiveDirs,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { startBackpackEmulator } from "../venues/backpack/emulator/start.ts";
import { startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";

/**
 * carry's dry run on live venues (seed 002 `dry_run_live`): `perpbot run --live` with
 * `dry_run = true`, against the Backpack and Hyperliquid emulators with a wallet's real keys.
 * It reads the venues' live markets, funding and account, decides the entry a live run would
 * take (long BTC where funding is cheaper, short where it pays), logs "would place" and sends
 * nothing: no order, no leverage change on either venue, no position, no group.
 */
after(removeLiveDirs);

const W: WalletPlan = { id: "w01", i: 0, backpack: {}, hyperliquid: true };
const PX = 97_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("carry dry run on live venues: reads their markets and funding, logs the entry it would place, sends nothing", async () => {
  const bp = await startBackpackEmulator({ scheduledFunding: false });
  const hl = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false });
  let run: CliRun | undefined;
  // the real venues stream books and marks (with funding) every second or faster; the emulators
  // publish on change only, so the markets move by a hundredth every 500 ms, as a live one would
  let tick = 0;
  const ticker = setInterval(() => {
    const d = (tick++ % 2) * 0.01;
    bp.driver.setBook({
      symbol: "BTC_USDC_PERP",
      bidPx: PX - 0.1,
      askPx: PX,
      qty: 5 + d,
      levels: 10,
      stepPx: 0.1,
    });
    bp.driver.moveMark({ symbol: "BTC_USDC_PERP", markPx: PX + d });
    hl.driver.setBook({ coin: "BTC", bidPx: PX - 1, askPx: PX, sz: 5 + d, levels: 10, stepPx: 1 });
    hl.driver.moveMark({ coin: "BTC", markPx: PX - 0.5 + d });
  }, 500);
  try {
    bp.driver.fund(bpApiKeyOf(W.i), 10_000);
    hl.driver.fund(hlMasterOf(W.i), 10_000);
    hl.driver.approveAgent(hlMasterOf(W.i), hlAgentOf(W.i), "perpbot");
    bp.driver.setBook({
      symbol: "BTC_USDC_PERP",
      bidPx: PX - 0.1,
      askPx: PX,
      qty: 5,
      levels: 10,
      stepPx: 0.1,
    });
    bp.driver.moveMark({ symbol: "BTC_USDC_PERP", markPx: PX });
    bp.driver.settleFunding({ symbol: "BTC_USDC_PERP", ratePerHour: 0 });
    hl.driver.setBook({ coin: "BTC", bidPx: PX - 1, askPx: PX, sz: 5, levels: 10, stepPx: 1 });
    hl.driver.moveMark({ coin: "BTC", markPx: PX - 0.5 });
    // Hyperliquid's longs pay 10 bps an hour: short there, long on Backpack
    hl.driver.setFundingRate({ coin: "BTC", ratePerHour: 0.001 });
    const cwd = await liveDir(
      [W],
      [
        'mode = "live"',
        ...backpackToml(bp.url, [W]),
        ...hyperliquidToml(hl.url, [W]),
        "[strategies.carry_a]",
        'kind = "carry"',
        'wallets = ["w01"]',
        'venues = ["backpack", "hyperliquid"]',
        "dry_run = true",
        "funding_check_interval_s = 1",
        // the emulators publish no 24 h volume
        "min_volume_24h_usd = 0",
        'pairs = { allowlist = ["BTC"] }',
      ],
    );
    const live = perpbotCli(cwd, ["run", "--live", "--status-every", "2"]);
    run = live;
    const would = (): string[] => live.err().match(/dry run: would place group \S+: .*/g) ?? [];
    for (let i = 0; i < 120 && would().length === 0; i++) await sleep(500);
    if (would().length === 0)
      assert.fail(`no "would place" line:\n${live.err()}\n${runCli(cwd, ["status", "--json"]).stdout}`);
    assert.match(would()[0] ?? "", /buy \d+ lots backpack:BTC_USDC_PERP .*\+ sell \d+ lots hyperliquid:BTC /);
    assert.match(
      live.err(),
      /dry run: would set (backpack:BTC_USDC_PERP|hyperliquid:BTC) \(w01\) to \d+x isolated/,
    );
    live.interrupt();
    assert.equal(await live.exited, 0, live.err());
    assert.deepEqual(bp.driver.orders(bpApiKeyOf(W.i)), [], "an order reached Backpack");
    // Hyperliquid's /exchange heard only of the dead man's switch every live run arms at start
    // and disarms at stop (it cancels orders; a dry run has none): no order, no leverage
    assert.deepEqual(
      [...new Set(hl.driver.exchangeActions())],
      ["scheduleCancel"],
      "Hyperliquid's /exchange got more than the dead man's switch",
    );
    assert.equal(Number(bp.driver.position(bpApiKeyOf(W.i), "BTC_USDC_PERP")), 0);
    assert.equal(Number(hl.driver.position(hlMasterOf(W.i), "BTC")), 0);
    const status = runCli(cwd, ["status", "--json"]);
    assert.equal(status.status, 0, status.stderr);
    const r = JSON.parse(status.stdout) as { instances: { strategy: string; totals: { groups: number } }[] };
    assert.equal(
      r.instances.find((i) => i.strategy === "carry_a")?.totals.groups ?? 0,
      0,
      "a group was opened",
    );
  } finally {
    clearInterval(ticker);
    // a failed assertion leaves the run going: stopped before the venues close
    run?.interrupt();
    await run?.exited;
    await Promise.all([bp.close(), hl.close()]);
  }
});
