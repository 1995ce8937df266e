import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  backpackToml,
  bpApiKeyOf,
  bpSeedOf,
  liveDir,
  openGroups,
  perpbotCli,
  removeLiveDirs,
  SAME_VENUE_FARM,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { type BackpackEmulator, startBackpackEmulator } from "../venues/backpack/emulator/start.ts";

/**
 * `perpbot run --live` and `perpbot doctor` on `[venues.backpack]`, real child processes against
 * the Backpack emulator this test starts: four wallets whose API secrets sit in the keystore as the
 * base64 text Backpack shows, their accounts funded on the emulator by API key. The same checks as
 * the Hyperliquid live test: the farm's same-venue group opens and nets out, --flatten-on-exit
 * closes it, the production host asks for a typed confirmation.
 */
after(removeLiveDirs);

const WALLETS: WalletPlan[] = [0, 1, 2, 3].map((i) => ({ id: `w0${i + 1}`, i, backpack: {} }));
const FARM = SAME_VENUE_FARM;
const SYMBOL = "BTC_USDC_PERP";

async function emulator(): Promise<BackpackEmulator> {
  const emu = await startBackpackEmulator({ scheduledFunding: false });
  for (const w of WALLETS) emu.driver.fund(bpApiKeyOf(w.i), 10_000);
  emu.driver.setBook({ symbol: SYMBOL, bidPx: 59_999.9, askPx: 60_000, qty: 5, levels: 10, stepPx: 0.1 });
  return emu;
}

test("perpbot run --live: the farm's same-venue group on the Backpack emulator, flattened on exit", async () => {
  const emu = await emulator();
  try {
    const cwd = await liveDir(WALLETS, [...FARM, ...backpackToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["run", "--live", "--status-every", "1", "--flatten-on-exit"]);
    await run.until((out) => openGroups(out) > 0, 60_000);
    assert.match(run.out(), /perpbot LIVE: backpack local, 4 wallets/);
    const keys = WALLETS.map((w) => bpApiKeyOf(w.i));
    const sizes = keys.map((k) => Number(emu.driver.position(k, SYMBOL)));
    const holding = sizes.filter((s) => s !== 0);
    assert.ok(holding.length >= 3, `a group of 3-4 wallets holds positions: ${sizes}`);
    assert.ok(holding.some((s) => s > 0) && holding.some((s) => s < 0), `longs and shorts: ${sizes}`);
    assert.ok(Math.abs(sizes.reduce((a, b) => a + b, 0)) * 60_000 <= 2 + 1e-6, `net delta: ${sizes}`);
    for (const k of keys) {
      const ids = emu.driver.orders(k).map((o) => o.clientId);
      assert.equal(new Set(ids).size, ids.length, "one venue order per client id");
    }
    await run.until((out) => /^backpack: .*book:BTC_USDC_PERP ok/m.test(out), 10_000);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    assert.match(run.out(), /stopped; state saved/);
    assert.deepEqual(
      keys.map((k) => Number(emu.driver.position(k, SYMBOL))),
      [0, 0, 0, 0],
      "--flatten-on-exit closed every leg on the venue",
    );
    const secrets = WALLETS.map((w) => bpSeedOf(w.i).toString("base64"));
    for (const s of secrets) assert.ok(!(run.out() + run.err()).includes(s), "no secret in any output");
  } finally {
    await emu.close();
  }
});

test("perpbot run --live on Backpack's production host asks for a typed confirmation; nothing connects", async () => {
  const cwd = await liveDir(WALLETS, [...FARM, ...backpackToml("https://api.backpack.exchange", WALLETS)]);
  const run = perpbotCli(cwd, ["run", "--live"]);
  assert.equal(await run.exited, 2, run.err());
  assert.match(run.err(), /trades REAL MONEY on backpack mainnet: confirm with --yes/);
});

test("paper is the default: [venues.backpack] with wallets but no --live trades nothing there", async () => {
  const emu = await emulator();
  try {
    const cwd = await liveDir(WALLETS, [...FARM, ...backpackToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["run"]);
    assert.equal(await run.exited, 2, run.out());
    assert.match(run.err(), /--live/);
    assert.equal(emu.driver.connections(), 0);
    assert.equal(emu.driver.orders(bpApiKeyOf(0)).length, 0);
  } finally {
    await emu.close();
  }
});

test("perpbot run --live with a keystore secret that is another key's names wallet, venue and both keys", async () => {
  const emu = await emulator();
  try {
    const plans = WALLETS.map((w) => (w.i === 1 ? { ...w, backpack: { storedSeed: bpSeedOf(7) } } : w));
    const cwd = await liveDir(plans, [...FARM, ...backpackToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["run", "--live"]);
    assert.notEqual(await run.exited, 0);
    assert.match(
      run.err(),
      new RegExp(
        `backpack wallet w02 \\(signing with keystore field api_secret\\): venue backpack: account w02: the keystore secret is the private half of API key ${reEscape(bpApiKeyOf(7))}, not of the configured api_key ${reEscape(bpApiKeyOf(1))}`,
      ),
    );
    assert.equal(emu.driver.orders(bpApiKeyOf(0)).length, 0, "nothing traded");
  } finally {
    await emu.close();
  }
});

const reEscape = (s: string) => s.replace(/[+/=]/g, (c) => `\\${c}`);

test("perpbot doctor on [venues.backpack]: venue, clock, keys and accounts checked against the emulator", async () => {
  const emu = await emulator();
  try {
    const plans = WALLETS.map((w) => (w.i === 3 ? { ...w, backpack: { storedSeed: bpSeedOf(9) } } : w));
    const cwd = await liveDir(plans, [...FARM, ...backpackToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["doctor"]);
    const code = await run.exited;
    const out = run.out();
    assert.equal(code, 1, out + run.err());
    const row = (wallet: string, check: string) =>
      out.split("\n").find((l) => new RegExp(`^backpack\\s+${wallet}\\s+${check}\\s`).test(l)) ?? "";
    assert.match(out, /^backpack\s+-\s+reachable\s+ok\s+local http:\/\/127\.0\.0\.1:\d+: 3 perps listed/m);
    assert.match(out, /^backpack\s+-\s+clock\s+ok\s+venue (ahead|behind) by \d+ ms/m);
    for (const w of ["w01", "w02", "w03"]) {
      assert.match(row(w, "keys"), /ok\s+backpack\.api_secret decrypts/);
      assert.match(row(w, "api key"), /ok\s+API key .* accepted/);
      assert.match(row(w, "balance"), /ok\s+net equity 10,000\.00 USDC/);
      assert.match(row(w, "positions"), /ok\s+0 open, all perpbot's/);
      assert.match(row(w, "orders"), /ok\s+0 open, all perpbot's/);
    }
    assert.match(row("w04", "api key"), /FAIL\s+the keystore secret is the private half of API key/);
    assert.match(out, /-> fix \[venues\.backpack\.wallets\.w04\] api_key, or store that key's secret/);
  } finally {
    await emu.close();
  }
});
