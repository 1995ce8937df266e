import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli, startCli } from "../testing/cli-run.ts";
import { startAsterEmulator } from "../venues/aster/emulator/start.ts";
import { startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";

/**
 * carry and scalp in `perpbot run` with `mode = "sandbox"`, a child process, against two "real"
 * venues (the Hyperliquid and Aster emulators, public data only): carry takes a funding spread
 * on BTC (Hyperliquid pays 10 bps an hour, Aster nothing) and scalp a price spread on ETH
 * (Aster's book 1 % above Hyperliquid's), then closes it once the books meet. Every fill is at a
 * level of an emulator's book, on the instance's own wallet, and neither emulator received an
 * order: Hyperliquid's /exchange saw nothing, Aster only market-data reads.
 */
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Fill {
  readonly venue: string;
  readonly wallet: string;
  readonly symbol: string;
  readonly side: string;
  readonly price: string;
}

test("perpbot run in sandbox mode: carry and scalp trade two emulated venues' books with simulated fills, no order reaches either venue", async () => {
  const hl = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false });
  // Aster re-sends its books (the venue streams depth every 100 ms); funding is set, not settled
  const as = await startAsterEmulator({ scheduledFunding: false, bookRefreshMs: 200 });
  // the real Aster pushes mark and funding every second (markPrice@1s); the emulator on change
  // only, so a mark that moves by a hundredth keeps its funding rate as fresh as the venue's
  let flip = 0;
  const markTicker = setInterval(() => {
    as.driver.moveMark({ symbol: "BTCUSDT", markPx: 60_000.05 + (flip++ % 2) * 0.01 });
  }, 500);
  try {
    hl.driver.setBook({ coin: "BTC", bidPx: 60_000, askPx: 60_001, sz: 5, levels: 10, stepPx: 1 });
    hl.driver.moveMark({ coin: "BTC", markPx: 60_000.5 });
    hl.driver.setFundingRate({ coin: "BTC", ratePerHour: 0.001 });
    as.driver.setBook({ symbol: "BTCUSDT", bidPx: 60_000, askPx: 60_000.1, qty: 5, levels: 10, stepPx: 0.1 });
    as.driver.settleFunding({ symbol: "BTCUSDT", ratePerHour: 0 });
    hl.driver.setBook({ coin: "ETH", bidPx: 3_000, askPx: 3_000.1, sz: 50, levels: 10, stepPx: 0.1 });
    hl.driver.moveMark({ coin: "ETH", markPx: 3_000.05 });
    const asEth = (bid: number) =>
      as.driver.setBook({
        symbol: "ETHUSDT",
        bidPx: bid,
        askPx: bid + 0.01,
        qty: 50,
        levels: 10,
        stepPx: 0.01,
      });
    asEth(3_030);
    as.driver.moveMark({ symbol: "ETHUSDT", markPx: 3_030 });

    const cwd = mkdtempSync(join(tmpdir(), "perpbot-sandbox-carry-scalp-"));
    dirs.push(cwd);
    writeFileSync(
      join(cwd, "perpbot.toml"),
      [
        'mode = "sandbox"',
        "[venues.hyperliquid]",
        `url = "${hl.url}"`,
        "[venues.aster]",
        `rest_url = "${as.url}"`,
        `ws_url = "${as.wsUrl}"`,
        "[sim]",
        "wallets = 2",
        "[strategies.carry_a]",
        'kind = "carry"',
        'wallets = ["paper-01"]',
        'venues = ["hyperliquid", "aster"]',
        "funding_check_interval_s = 1",
        // the emulators publish no 24 h volume
        "min_volume_24h_usd = 0",
        'pairs = { allowlist = ["BTC"] }',
        "[strategies.scalp_a]",
        'kind = "scalp"',
        "enabled = true",
        'wallets = ["paper-02"]',
        'venues = ["hyperliquid", "aster"]',
        "max_bbo_age_ms = 2000",
        'pairs = { allowlist = ["ETH"] }',
      ].join("\n"),
    );
    const run = startCli(
      cwd,
      ["run", "--status-every", "2"],
      (_, err) => /carry entry carry_a-\S+: BTC long aster short hyperliquid/.test(err),
      { timeoutMs: 90_000 },
    );
    await run.ready;
    assert.match(
      run.out(),
      /SANDBOX: real market data from aster, hyperliquid, orders fill in the simulator/,
    );
    // scalp's entry: a group of scalp_a in the store
    const scalpGroups = () => {
      const s = runCli(cwd, ["status", "--json"]);
      assert.equal(s.status, 0, s.stderr);
      const r = JSON.parse(s.stdout) as { instances: { strategy: string; totals: { groups: number } }[] };
      return r.instances.find((i) => i.strategy === "scalp_a")?.totals.groups ?? 0;
    };
    for (let i = 0; i < 30 && scalpGroups() === 0; i++) await sleep(1_000);
    assert.ok(scalpGroups() >= 1, `scalp did not enter:\n${run.err()}`);
    // the books meet: the short on Aster is in profit, and scalp closes the spread
    asEth(3_000);
    as.driver.moveMark({ symbol: "ETHUSDT", markPx: 3_000 });
    for (let i = 0; i < 60 && !/scalp closing scalp_a-/.test(run.err()); i++) await sleep(500);
    assert.match(run.err(), /scalp closing scalp_a-\S+: /);
    await sleep(2_000);
    run.child.kill("SIGINT");
    const exit = await run.exited;
    assert.equal(exit.code, 0, run.err());

    const trades = runCli(cwd, ["trades", "--json"]);
    assert.equal(trades.status, 0, trades.stderr);
    const fills = JSON.parse(trades.stdout) as Fill[];
    // each instance trades its own wallet only: carry_a paper-01, scalp_a paper-02
    const carry = fills.filter((f) => f.wallet === "paper-01");
    const scalp = fills.filter((f) => f.wallet === "paper-02");
    assert.equal(carry.length + scalp.length, fills.length, JSON.stringify(fills));
    // carry: long BTC on Aster at its ask, short on Hyperliquid at its bid
    assert.deepEqual(carry.map((f) => [f.venue, f.symbol, f.side]).sort(), [
      ["aster", "BTCUSDT", "buy"],
      ["hyperliquid", "BTC", "sell"],
    ]);
    for (const f of carry) {
      const px = Number(f.price);
      if (f.venue === "aster") assert.ok(px >= 60_000.1 && px <= 60_001, `aster buy at ${f.price}`);
      else assert.ok(px >= 59_991 && px <= 60_000, `hyperliquid sell at ${f.price}`);
    }
    // scalp: bought the cheaper Hyperliquid ETH, sold the dearer Aster ETH, then both back
    const opens = scalp.filter((f) => (f.venue === "hyperliquid") === (f.side === "buy"));
    const closes = scalp.filter((f) => (f.venue === "hyperliquid") !== (f.side === "buy"));
    assert.ok(opens.length >= 2 && closes.length >= 2, JSON.stringify(scalp));
    assert.ok(scalp.every((f) => f.symbol.startsWith("ETH")));
    for (const f of opens) {
      const px = Number(f.price);
      if (f.venue === "hyperliquid") assert.ok(px >= 3_000.1 && px <= 3_001, `hl ETH buy at ${f.price}`);
      else assert.ok(px >= 3_029.9 && px <= 3_030, `aster ETH sell at ${f.price}`);
    }

    assert.equal(hl.driver.exchangeRequests(), 0, "Hyperliquid's /exchange never heard of the run");
    const asterCalls = Object.keys(as.driver.requests());
    assert.ok(
      asterCalls.every((c) => c.startsWith("GET ") && !/order|listenKey|leverage|account|balance/i.test(c)),
      `Aster got more than market-data reads: ${asterCalls.join(", ")}`,
    );
  } finally {
    clearInterval(markTicker);
    await hl.close();
    await as.close();
  }
});
