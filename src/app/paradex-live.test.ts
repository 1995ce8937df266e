import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  liveDir,
  openGroups,
  paradexToml,
  pdxAccountOf,
  pdxKeyOf,
  pdxPublicKeyOf,
  perpbotCli,
  removeLiveDirs,
  SAME_VENUE_FARM,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { type ParadexEmulator, startParadexEmulator } from "../venues/paradex/emulator/start.ts";

/**
 * `perpbot run --live` and `perpbot doctor` on `[venues.paradex]`, real child processes against
 * the Paradex emulator this test starts: four wallets whose Stark private keys sit in the
 * keystore (field stark_private_key), their accounts onboarded with those keys and funded. The
 * farm's same-venue group opens and nets out, --flatten-on-exit closes it; the production host
 * asks for a typed confirmation; doctor checks venue, chain, clock, keys and accounts.
 */
after(removeLiveDirs);

const WALLETS: WalletPlan[] = [0, 1, 2, 3].map((i) => ({ id: `w0${i + 1}`, i, paradex: {} }));
const FARM = SAME_VENUE_FARM;
const SYMBOL = "BTC-USD-PERP";

async function emulator(): Promise<ParadexEmulator> {
  const emu = await startParadexEmulator();
  for (const w of WALLETS) {
    emu.driver.onboard(pdxAccountOf(w.i), pdxPublicKeyOf(w.i));
    emu.driver.fund(pdxAccountOf(w.i), 10_000);
    emu.driver.setXp(pdxAccountOf(w.i), String(1000 + 250 * w.i));
  }
  emu.driver.setBook({ symbol: SYMBOL, bidPx: 59_999.9, askPx: 60_000, qty: 5, levels: 10, stepPx: 0.1 });
  return emu;
}

test("perpbot run --live: the farm's same-venue group on the Paradex emulator, flattened on exit", async () => {
  const emu = await emulator();
  try {
    const cwd = await liveDir(WALLETS, [...FARM, ...paradexToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["run", "--live", "--status-every", "1", "--flatten-on-exit"]);
    await run.until((out) => openGroups(out) > 0, 60_000);
    assert.match(run.out(), /perpbot LIVE: paradex local, 4 wallets/);
    const accounts = WALLETS.map((w) => pdxAccountOf(w.i));
    const sizes = accounts.map((a) => Number(emu.driver.position(a, SYMBOL)));
    const holding = sizes.filter((s) => s !== 0);
    assert.ok(holding.length >= 3, `a group of 3-4 wallets holds positions: ${sizes}`);
    assert.ok(holding.some((s) => s > 0) && holding.some((s) => s < 0), `longs and shorts: ${sizes}`);
    assert.ok(Math.abs(sizes.reduce((a, b) => a + b, 0)) * 60_000 <= 2 + 1e-6, `net delta: ${sizes}`);
    for (const a of accounts) {
      const ids = emu.driver.orders(a).map((o) => o.client_id);
      assert.equal(new Set(ids).size, ids.length, "one venue order per client id");
    }
    await run.until((out) => /^paradex: .*book:BTC-USD-PERP ok/m.test(out), 10_000);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    assert.match(run.out(), /stopped; state saved/);
    assert.deepEqual(
      accounts.map((a) => Number(emu.driver.position(a, SYMBOL))),
      [0, 0, 0, 0],
      "--flatten-on-exit closed every leg on the venue",
    );
    // each wallet's XP, read by the connector at bind, is what `perpbot status` shows as its points
    const status = perpbotCli(cwd, ["status"]);
    assert.equal(await status.exited, 0, status.err());
    assert.match(status.out(), /^ {2}w01 +paradex .* 1000\.00 \(read /m);
    assert.match(status.out(), /^ {2}w04 +paradex .* 1750\.00 \(read /m);
    assert.match(status.out(), /^ {2}paradex +volume .* points 5500\.00 over 4 wallets/m);
    const secrets = WALLETS.map((w) => pdxKeyOf(w.i).toString("hex"));
    for (const s of secrets) assert.ok(!(run.out() + run.err()).includes(s), "no secret in any output");
  } finally {
    await emu.close();
  }
});

test("perpbot run --live on Paradex's production host asks for a typed confirmation; nothing connects", async () => {
  const cwd = await liveDir(WALLETS, [...FARM, ...paradexToml("https://api.prod.paradex.trade/v1", WALLETS)]);
  const run = perpbotCli(cwd, ["run", "--live"]);
  assert.equal(await run.exited, 2, run.err());
  assert.match(run.err(), /trades REAL MONEY on paradex mainnet: confirm with --yes/i);
});

test("perpbot doctor on [venues.paradex]: venue, chain, clock, keys and accounts checked against the emulator", async () => {
  const emu = await emulator();
  try {
    const plans = WALLETS.map((w) => (w.i === 3 ? { ...w, paradex: { storedKey: pdxKeyOf(6) } } : w));
    const cwd = await liveDir(plans, [...FARM, ...paradexToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["doctor"]);
    const code = await run.exited;
    const out = run.out();
    assert.equal(code, 1, out + run.err());
    const row = (wallet: string, check: string) =>
      out.split("\n").find((l) => new RegExp(`^paradex\\s+${wallet}\\s+${check}\\s`).test(l)) ?? "";
    assert.match(out, /^paradex\s+-\s+reachable\s+ok\s+local http:\/\/127\.0\.0\.1:\d+\/v1: 2 perps listed/m);
    assert.match(out, /^paradex\s+-\s+chain\s+ok\s+signatures for PRIVATE_SN_PARACLEAR_MAINNET/m);
    assert.match(out, /^paradex\s+-\s+clock\s+ok\s+venue (ahead|behind) by \d+ ms/m);
    for (const [i, w] of ["w01", "w02", "w03"].entries()) {
      assert.match(row(w, "stark key"), /ok\s+Stark key 0x[0-9a-f]+… signs in for account 0x5a0/);
      assert.match(row(w, "balance"), /ok\s+account value 10,000\.00 USDC/);
      assert.match(row(w, "xp"), new RegExp(`ok\\s+${1000 + 250 * i} XP`));
      assert.match(row(w, "positions"), /ok\s+0 open, all perpbot's/);
      assert.match(row(w, "orders"), /ok\s+0 open, all perpbot's/);
    }
    assert.match(
      row("w04", "stark key"),
      /FAIL\s+sign-in refused for account 0x5a03: .*STARKNET_SIGNATURE_VERIFICATION_FAILED/,
    );
    assert.match(
      out,
      /-> check \[venues\.paradex\.wallets\.w04\] account and the keystore's stark_private_key/,
    );
  } finally {
    await emu.close();
  }
});
