import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "./sections.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { startCli } from "../testing/cli-run.ts";
import { startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";

/**
 * `perpbot run` with `mode = "sandbox"` as a user starts it, a child process, with the
 * Hyperliquid emulator standing in for the real venue: the farm's same-venue group opens and
 * closes (--flatten-on-exit) on the simulator, every fill at a price of the emulator's book (a
 * BTC price no synthetic market has), and the emulator never received an /exchange request. No
 * keystore exists: the sandbox needs no key.
 */
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BID = 12_340;
const ASK = 12_341;
const LEVELS = 10;

test("perpbot run in sandbox mode: the farm fills at the real venue's book, nothing is sent to /exchange", async () => {
  const emu = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false });
  try {
    emu.driver.setBook({ coin: "BTC", bidPx: BID, askPx: ASK, sz: 5, levels: LEVELS, stepPx: 1 });
    // the emulator's mark is its own (97,000 at start): put it at the book, as a venue's would be
    emu.driver.moveMark({ coin: "BTC", markPx: (BID + ASK) / 2 });
    emu.driver.setFundingRate({ coin: "BTC", ratePerHour: 0.00002 });
    const cwd = mkdtempSync(join(tmpdir(), "perpbot-sandbox-"));
    dirs.push(cwd);
    writeFileSync(
      join(cwd, "perpbot.toml"),
      [
        'mode = "sandbox"',
        "[venues.hyperliquid]",
        `url = "${emu.url}"`,
        "[sim]",
        "wallets = 4",
        "[farm]",
        'mode = "same_venue"',
        'markets = ["BTC"]',
        "min_group_size = 3",
        "max_group_size = 4",
        "check_interval_seconds = 1",
        "min_cooldown_minutes = 60",
        "max_cooldown_minutes = 60",
      ].join("\n"),
    );
    const run = startCli(
      cwd,
      ["run", "--status-every", "1", "--flatten-on-exit"],
      (out) => /^farm: [1-9]\d* groups? open/m.test(out),
      { timeoutMs: 60_000 },
    );
    await run.ready;
    const out = run.out();
    assert.match(
      out,
      /SANDBOX: real market data from hyperliquid, orders fill in the simulator: no real orders/,
    );
    assert.match(
      out,
      /perpbot SANDBOX \(simulated fills, no real orders\): market data from hyperliquid, 4 wallets, farm on/,
    );
    assert.match(
      out,
      /^hyperliquid: .*book:BTC ok.* \| .*BTC 12,34[01]/m,
      "the status shows the real venue's stream and price",
    );
    run.child.kill("SIGINT");
    const exit = await run.exited;
    assert.equal(exit.code, 0, run.err());
    assert.match(run.out(), /stopped; state saved/);

    const trades = startCli(cwd, ["trades", "--json"], () => false);
    assert.equal((await trades.exited).code, 0, trades.err());
    const fills = JSON.parse(trades.out()) as {
      venue: string;
      symbol: string;
      price: string;
      side: string;
    }[];
    assert.ok(fills.length >= 6, `a group of 3-4 legs opened and closed: ${fills.length} fills`);
    for (const f of fills) {
      assert.equal(f.venue, "hyperliquid");
      assert.equal(f.symbol, "BTC");
      const px = Number(f.price);
      // a buy takes the asks, a sell the bids: each at a level of the emulator's book
      const levels = f.side === "buy" ? [ASK, ASK + LEVELS - 1] : [BID - LEVELS + 1, BID];
      assert.ok(
        Number.isInteger(px) && px >= levels[0] && px <= levels[1],
        `${f.side} at ${f.price}: within the emulator's ${f.side === "buy" ? "asks" : "bids"} ${levels}`,
      );
    }
    assert.equal(emu.driver.exchangeRequests(), 0, "the venue's /exchange never heard of the run");
    assert.ok(
      existsSync(join(cwd, "data", "sandbox-sim.db")),
      "the simulator's state is the sandbox's own file",
    );
    assert.ok(!existsSync(join(cwd, "data", "keystore.json")), "no keystore was needed");
  } finally {
    await emu.close();
  }
});

test('mode = "sandbox" with --live is refused: live needs mode = "live", sandbox needs no flag', () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-sandbox-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "perpbot.toml"), 'mode = "sandbox"\n');
  assert.equal(loadConfig({ cwd, env: {}, live: false }).values.mode, "sandbox");
  assert.throws(
    () => loadConfig({ cwd, env: {}, live: true }),
    (e: unknown) => e instanceof ConfigError && /is "sandbox" but --live was given/.test(e.message),
  );
});

test("perpbot run in sandbox mode: the maker's resting quotes fill when the real venue's book crosses them", async () => {
  const emu = await startHyperliquidEmulator({ blockMs: 250, hourlyFunding: false });
  // below 10,000 the five significant figures leave BTC its 0.1 tick, so the maker can quote inside
  const calm = () =>
    emu.driver.setBook({ coin: "BTC", bidPx: 9_876, askPx: 9_877, sz: 5, levels: 10, stepPx: 1 });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    calm();
    emu.driver.moveMark({ coin: "BTC", markPx: 9_876.5 });
    const cwd = mkdtempSync(join(tmpdir(), "perpbot-sandbox-"));
    dirs.push(cwd);
    writeFileSync(
      join(cwd, "perpbot.toml"),
      [
        'mode = "sandbox"',
        "[venues.hyperliquid]",
        `url = "${emu.url}"`,
        "[sim]",
        "wallets = 2",
        "[strategies.mk]",
        'kind = "maker"',
        'venue = "hyperliquid"',
        'markets = ["BTC"]',
        'wallets = ["paper-01"]',
        "quantity = 0.01",
        "take_profit_bps = 5",
        "wait_time_s = 0",
      ].join("\n"),
    );
    const run = startCli(cwd, ["run", "--status-every", "1"], (out) => /maker mk: 1 lane/.test(out), {
      timeoutMs: 60_000,
    });
    await run.ready;
    // the real book drops through the maker's bid (its open, one tick under the ask): it fills
    // there; then it rises through the take-profit, which fills too
    const holding = /paper-01 hyperliquid BTC: quoting pos [1-9]\d* lots, 1 TPs/;
    for (let i = 0; i < 15 && !holding.test(run.out()); i++) {
      calm();
      await sleep(1500);
      emu.driver.setBook({ coin: "BTC", bidPx: 9_860, askPx: 9_870, sz: 5, levels: 10, stepPx: 1 });
      await sleep(1500);
    }
    assert.match(run.out(), holding, "the open filled and its take-profit rests");
    const seen = run.out().length;
    emu.driver.setBook({ coin: "BTC", bidPx: 9_890, askPx: 9_891, sz: 5, levels: 10, stepPx: 1 });
    const flat = /paper-01 hyperliquid BTC: quoting pos 0 lots, 0 TPs/;
    for (let i = 0; i < 30 && !flat.test(run.out().slice(seen)); i++) await sleep(200);
    assert.match(run.out().slice(seen), flat, "the take-profit filled on the rise");
    run.child.kill("SIGINT");
    assert.equal((await run.exited).code, 0, run.err());

    const trades = startCli(cwd, ["trades", "--json"], () => false);
    assert.equal((await trades.exited).code, 0, trades.err());
    const fills = JSON.parse(trades.out()) as { side: string; price: string; liquidity: string }[];
    const buys = fills.filter((f) => f.side === "buy");
    const sells = fills.filter((f) => f.side === "sell");
    assert.ok(buys.length >= 1 && sells.length >= 1, trades.out());
    // the open rested one tick under the emulator's ask, the take-profit 5 bps above it
    for (const b of buys) assert.deepEqual([b.price, b.liquidity], ["9876.9", "maker"]);
    assert.deepEqual([sells[0].price, sells[0].liquidity], ["9881.9", "maker"]);
    assert.equal(emu.driver.exchangeRequests(), 0, "nothing reached the venue's /exchange");
  } finally {
    await emu.close();
  }
});
