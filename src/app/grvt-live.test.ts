import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  grvtKeyOf,
  grvtSubOf,
  grvtToml,
  grvtWalletOf,
  liveDir,
  openGroups,
  perpbotCli,
  removeLiveDirs,
  SAME_VENUE_FARM,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { type GrvtEmulator, startGrvtEmulator } from "../venues/grvt/emulator/start.ts";

/**
 * `perpbot run --live` and `perpbot doctor` on `[venues.grvt]`, real child processes against the
 * GRVT emulator this test starts: four wallets whose secp256k1 keys sit in the keystore, each
 * trading its own funded sub-account. The farm's same-venue group opens and nets out, and
 * --flatten-on-exit closes it.
 */
after(removeLiveDirs);

const WALLETS: WalletPlan[] = [0, 1, 2, 3].map((i) => ({ id: `w0${i + 1}`, i, grvt: true }));
const SYMBOL = "BTC_USDT_Perp";

async function emulator(): Promise<GrvtEmulator> {
  const emu = await startGrvtEmulator({ scheduledFunding: false });
  for (const w of WALLETS) emu.driver.fund(grvtSubOf(w.i), grvtWalletOf(w.i), 10_000);
  emu.driver.setBook({ symbol: SYMBOL, bidPx: 89_999.9, askPx: 90_000, qty: 5, levels: 10, stepPx: 0.1 });
  return emu;
}

test("perpbot run --live: the farm's same-venue group on the GRVT emulator, flattened on exit", async () => {
  const emu = await emulator();
  try {
    const cwd = await liveDir(WALLETS, [...SAME_VENUE_FARM, ...grvtToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["run", "--live", "--status-every", "1", "--flatten-on-exit"]);
    await run.until((out) => openGroups(out) > 0, 60_000);
    assert.match(run.out(), /perpbot LIVE: grvt local, 4 wallets/);
    const subs = WALLETS.map((w) => grvtSubOf(w.i));
    const sizes = subs.map((s) => Number(emu.driver.position(s, SYMBOL)));
    const holding = sizes.filter((s) => s !== 0);
    assert.ok(holding.length >= 3, `a group of 3-4 wallets holds positions: ${sizes}`);
    assert.ok(holding.some((s) => s > 0) && holding.some((s) => s < 0), `longs and shorts: ${sizes}`);
    assert.ok(Math.abs(sizes.reduce((a, b) => a + b, 0)) * 90_000 <= 2 + 1e-6, `net delta: ${sizes}`);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    assert.deepEqual(
      subs.map((s) => Number(emu.driver.position(s, SYMBOL))),
      [0, 0, 0, 0],
      "--flatten-on-exit closed every leg on the venue",
    );
    for (const w of WALLETS)
      assert.ok(!(run.out() + run.err()).includes(grvtKeyOf(w.i).toString("hex")), "no key in any output");
  } finally {
    await emu.close();
  }
});

test("perpbot doctor on [venues.grvt]: reachable, each wallet logs in and reads its sub-account", async () => {
  const emu = await emulator();
  try {
    const cwd = await liveDir(WALLETS, [...SAME_VENUE_FARM, ...grvtToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["doctor"]);
    await run.exited;
    const out = run.out() + run.err();
    assert.match(out, /grvt.*reachable.*2 perpetuals listed/);
    for (const w of WALLETS)
      assert.match(out, new RegExp(`grvt.*${w.id}.*sub-account ${grvtSubOf(w.i)}: equity 10000.00`));
  } finally {
    await emu.close();
  }
});
