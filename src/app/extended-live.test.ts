import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  extendedToml,
  liveDir,
  openGroups,
  perpbotCli,
  removeLiveDirs,
  type WalletPlan,
  xtApiKeyOf,
  xtStarkKeyOf,
  xtStarkPubOf,
} from "../testing/live-cli.ts";
import { type ExtendedEmulator, startExtendedEmulator } from "../venues/extended/emulator/start.ts";

/**
 * `perpbot run --live` and `perpbot doctor` on `[venues.extended]`, real child processes against
 * the Extended emulator this test starts: four wallets whose Stark keys sit in the keystore, their
 * sub-accounts (API key, vault, Stark key) opened on the emulator. As for Backpack: the farm's
 * same-venue group opens and nets out, --flatten-on-exit closes it, mainnet asks for a typed
 * confirmation, a wrong key names wallet, venue and both keys.
 */
after(removeLiveDirs);

const WALLETS: WalletPlan[] = [0, 1, 2, 3].map((i) => ({ id: `w0${i + 1}`, i, extended: {} }));
const FARM = [
  'mode = "live"',
  "[farm]",
  'mode = "same_venue"',
  'markets = ["BTC"]',
  "min_group_size = 3",
  "max_group_size = 4",
  "check_interval_seconds = 1",
  "min_cooldown_minutes = 60",
  "max_cooldown_minutes = 60",
];
const MARKET = "BTC-USD";

async function emulator(): Promise<ExtendedEmulator> {
  const emu = await startExtendedEmulator({ scheduledFunding: false });
  for (const w of WALLETS)
    emu.driver.addAccount({
      apiKey: xtApiKeyOf(w.i),
      vault: 10_000 + w.i,
      starkKey: xtStarkPubOf(w.i),
      usd: 10_000,
    });
  emu.driver.setBook({ symbol: MARKET, bidPx: 59_999, askPx: 60_000, qty: 5, levels: 10, stepPx: 1 });
  return emu;
}

test("perpbot run --live: the farm's same-venue group on the Extended emulator, flattened on exit", async () => {
  const emu = await emulator();
  try {
    // each wallet's rewards as the venue would answer them: 1000, 1250, 1500, 1750 over two epochs
    for (const w of WALLETS)
      emu.driver.setRewards(xtApiKeyOf(w.i), [
        {
          seasonId: 1,
          epochRewards: [
            { epochId: 1, pointsReward: "900", startDate: "2026-11-23", endDate: "2026-11-29" },
            {
              epochId: 2,
              pointsReward: String(100 + 250 * w.i),
              startDate: "2026-11-30",
              endDate: "2026-12-06",
            },
          ],
        },
      ]);
    const cwd = await liveDir(WALLETS, [...FARM, ...extendedToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["run", "--live", "--status-every", "1", "--flatten-on-exit"]);
    await run.until((out) => openGroups(out) > 0, 60_000);
    assert.match(run.out(), /perpbot LIVE: extended local, 4 wallets/);
    const keys = WALLETS.map((w) => xtApiKeyOf(w.i));
    const sizes = keys.map((k) => Number(emu.driver.position(k, MARKET)));
    const holding = sizes.filter((s) => s !== 0);
    assert.ok(holding.length >= 3, `a group of 3-4 wallets holds positions: ${sizes}`);
    assert.ok(holding.some((s) => s > 0) && holding.some((s) => s < 0), `longs and shorts: ${sizes}`);
    assert.ok(Math.abs(sizes.reduce((a, b) => a + b, 0)) * 60_000 <= 2 + 1e-6, `net delta: ${sizes}`);
    for (const k of keys) {
      const ids = emu.driver.orders(k).map((o) => o.externalId);
      assert.equal(new Set(ids).size, ids.length, "one venue order per client id");
    }
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    assert.match(run.out(), /stopped; state saved/);
    assert.deepEqual(
      keys.map((k) => Number(emu.driver.position(k, MARKET))),
      [0, 0, 0, 0],
      "--flatten-on-exit closed every leg on the venue",
    );
    // each wallet's points, read by the connector at bind from /user/rewards/earned, are what
    // `perpbot status` shows
    const status = perpbotCli(cwd, ["status"]);
    assert.equal(await status.exited, 0, status.err());
    assert.match(status.out(), /^ {2}w01 +extended .* 1000\.00 \(read /m);
    assert.match(status.out(), /^ {2}w04 +extended .* 1750\.00 \(read /m);
    assert.match(status.out(), /^ {2}extended +volume .* points 5500\.00 over 4 wallets/m);
    const out = run.out() + run.err();
    for (const w of WALLETS) {
      assert.ok(!out.includes(xtStarkKeyOf(w.i).toString("hex")), "no Stark private key in any output");
      assert.ok(!out.includes(xtApiKeyOf(w.i)), "no API key in any output");
    }
  } finally {
    await emu.close();
  }
});

test("perpbot run --live on Extended mainnet asks for a typed confirmation; nothing connects", async () => {
  const cwd = await liveDir(WALLETS, [
    ...FARM,
    ...extendedToml("https://api.starknet.extended.exchange/api/v1", WALLETS),
  ]);
  const run = perpbotCli(cwd, ["run", "--live"]);
  assert.equal(await run.exited, 2, run.err());
  assert.match(run.err(), /trades REAL MONEY on extended mainnet: confirm with --yes/);
});

test("perpbot run --live with a keystore key that is another account's names wallet, venue and both keys", async () => {
  const emu = await emulator();
  try {
    const plans = WALLETS.map((w) => (w.i === 1 ? { ...w, extended: { storedKey: xtStarkKeyOf(7) } } : w));
    const cwd = await liveDir(plans, [...FARM, ...extendedToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["run", "--live"]);
    assert.notEqual(await run.exited, 0);
    assert.match(
      run.err(),
      new RegExp(
        `extended wallet w02 .*venue extended: account w02: the keystore key is the private half of ${xtStarkPubOf(7)}, not of the configured stark_key ${xtStarkPubOf(1)}`,
      ),
    );
    assert.equal(emu.driver.orders(xtApiKeyOf(0)).length, 0, "nothing traded");
  } finally {
    await emu.close();
  }
});

test("perpbot doctor on [venues.extended]: venue, keys and accounts checked against the emulator", async () => {
  const emu = await emulator();
  try {
    const plans = WALLETS.map((w) => (w.i === 3 ? { ...w, extended: { storedKey: xtStarkKeyOf(9) } } : w));
    const cwd = await liveDir(plans, [...FARM, ...extendedToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["doctor"]);
    const code = await run.exited;
    const out = run.out();
    assert.equal(code, 1, out + run.err());
    const row = (wallet: string, check: string) =>
      out.split("\n").find((l) => new RegExp(`^extended\\s+${wallet}\\s+${check}\\s`).test(l)) ?? "";
    assert.match(
      out,
      /^extended\s+-\s+reachable\s+ok\s+local http:\/\/127\.0\.0\.1:\d+\/api\/v1: 2 markets listed/m,
    );
    for (const w of ["w01", "w02", "w03"]) {
      assert.match(row(w, "stark key"), /ok\s+Stark key 0x/);
      assert.match(row(w, "api key"), /ok\s+vault 1000\d/);
      assert.match(row(w, "balance"), /ok\s+equity 10000\.00 USD/);
      assert.match(row(w, "positions"), /ok\s+0 open, all perpbot's/);
      assert.match(row(w, "orders"), /ok\s+0 open, all perpbot's/);
    }
    assert.match(row("w04", "stark key"), /FAIL\s+the keystore key is the private half of/);
  } finally {
    await emu.close();
  }
});
