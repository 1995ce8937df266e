import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  edgexToml,
  exAccountOf,
  exAddressOf,
  exApiKeyOf,
  exSecretOf,
  liveDir,
  openGroups,
  perpbotCli,
  removeLiveDirs,
  SAME_VENUE_FARM,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { type EdgexEmulator, startEdgexEmulator } from "../venues/edgex/emulator/start.ts";

/**
 * `perpbot run --live` and `perpbot doctor` on `[venues.edgex]`, real child processes against the
 * EdgeX emulator this test starts: four wallets whose trading keys and API secrets sit in the
 * keystore, their accounts registered on the emulator. The farm's same-venue group opens and
 * nets out, --flatten-on-exit closes it; the production host asks for a typed confirmation.
 */
after(removeLiveDirs);

const WALLETS: WalletPlan[] = [0, 1, 2, 3].map((i) => ({ id: `w0${i + 1}`, i, edgex: {} }));
const FARM = SAME_VENUE_FARM;
const SYMBOL = "BTCUSD";

async function emulator(): Promise<EdgexEmulator> {
  const emu = await startEdgexEmulator({
    scheduledFunding: false,
    budget: { capacity: 1000, perSecond: 1000 },
  });
  for (const w of WALLETS)
    emu.driver.register({
      accountId: exAccountOf(w.i),
      apiKey: exApiKeyOf(w.i),
      passphrase: `pp-${w.i}`,
      secret: exSecretOf(w.i),
      tradingAddress: exAddressOf(w.i),
      usd: 10_000,
    });
  emu.driver.setBook({ symbol: SYMBOL, bidPx: 59_999.9, askPx: 60_000, qty: 5, levels: 10, stepPx: 0.1 });
  return emu;
}

test("perpbot run --live: the farm's same-venue group on the EdgeX emulator, flattened on exit", async () => {
  const emu = await emulator();
  try {
    const cwd = await liveDir(WALLETS, [...FARM, ...edgexToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["run", "--live", "--status-every", "1", "--flatten-on-exit"]);
    await run.until((out) => openGroups(out) > 0, 60_000);
    assert.match(run.out(), /perpbot LIVE: edgex local, 4 wallets/);
    const ids = WALLETS.map((w) => exAccountOf(w.i));
    const sizes = ids.map((a) => Number(emu.driver.position(a, SYMBOL)));
    const holding = sizes.filter((s) => s !== 0);
    assert.ok(holding.length >= 3, `a group of 3-4 wallets holds positions: ${sizes}`);
    assert.ok(holding.some((s) => s > 0) && holding.some((s) => s < 0), `longs and shorts: ${sizes}`);
    assert.ok(Math.abs(sizes.reduce((a, b) => a + b, 0)) * 60_000 <= 60 + 1e-6, `net delta: ${sizes}`);
    for (const a of ids) {
      const cids = emu.driver.orders(a).map((o) => o.clientOrderId);
      assert.equal(new Set(cids).size, cids.length, "one venue order per client id");
    }
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    assert.match(run.out(), /stopped; state saved/);
    assert.deepEqual(
      ids.map((a) => Number(emu.driver.position(a, SYMBOL))),
      [0, 0, 0, 0],
      "--flatten-on-exit closed every leg on the venue",
    );
    for (const w of WALLETS)
      assert.ok(!(run.out() + run.err()).includes(exSecretOf(w.i)), "no secret in any output");
  } finally {
    await emu.close();
  }
});

test("perpbot run --live on EdgeX's production host asks for a typed confirmation; nothing connects", async () => {
  const cwd = await liveDir(WALLETS, [
    ...FARM,
    ...edgexToml("https://edgex-prod-v2.edgex.exchange", WALLETS),
  ]);
  const run = perpbotCli(cwd, ["run", "--live"]);
  assert.equal(await run.exited, 2, run.err());
  assert.match(run.err(), /trades REAL MONEY on edgex mainnet: confirm with --yes/);
});

test("perpbot doctor on [venues.edgex]: venue, clock, keys and credentials checked against the emulator", async () => {
  const emu = await emulator();
  try {
    const plans = WALLETS.map((w) => (w.i === 3 ? { ...w, edgex: { storedSecret: "wrong-secret" } } : w));
    const cwd = await liveDir(plans, [...FARM, ...edgexToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["doctor"]);
    const code = await run.exited;
    const out = run.out();
    assert.equal(code, 1, out + run.err());
    const row = (wallet: string, check: string) =>
      out.split("\n").find((l) => new RegExp(`^edgex\\s+${wallet}\\s+${check}\\s`).test(l)) ?? "";
    assert.match(out, /^edgex\s+-\s+reachable\s+ok\s+local http:\/\/127\.0\.0\.1:\d+: 2 contracts/m);
    assert.match(out, /^edgex\s+-\s+clock\s+ok/m);
    for (const w of ["w01", "w02", "w03"]) {
      assert.match(row(w, "keys"), /ok\s+edgex\.trading_private_key decrypts/);
      assert.match(row(w, "api secret"), /ok\s+trading key .* carries its API secret/);
      assert.match(row(w, "credentials"), /ok\s+account \d+ accepted/);
      assert.match(row(w, "balance"), /ok\s+equity 10000\.00 USD/);
    }
    assert.match(row("w04", "credentials"), /FAIL\s+.*SIGNATURE_INVALID/);
  } finally {
    await emu.close();
  }
});
