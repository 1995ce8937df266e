import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  hbAccountIdOf,
  hbApiKeyOf,
  hbKeyOf,
  hbPublicKeyOf,
  hbSecretOf,
  hibachiToml,
  liveDir,
  openGroups,
  perpbotCli,
  removeLiveDirs,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { type HibachiEmulator, startHibachiEmulator } from "../venues/hibachi/emulator/start.ts";

/**
 * `perpbot run --live` and `perpbot doctor` on `[venues.hibachi]`, real child processes against
 * the Hibachi emulator this test starts: four trustless accounts whose secp256k1 trading keys sit
 * in the keystore, registered on the emulator by account id, API key and public key. The farm's
 * same-venue group opens and nets out, --flatten-on-exit closes it, the production host asks for
 * a typed confirmation.
 */
after(removeLiveDirs);

// w03 is an exchange-managed account: no private key, its orders are HMAC-signed with its API secret
const WALLETS: WalletPlan[] = [0, 1, 2, 3].map((i) => ({
  id: `w0${i + 1}`,
  i,
  hibachi: i === 2 ? { managed: true } : true,
}));
const HIBACHI_FARM = [
  'mode = "live"',
  "[engine]",
  // a signed Hibachi order stays acceptable while its nonce is in the venue's ±60 s window
  "send_expiry_ms = 60000",
  "[farm]",
  'mode = "same_venue"',
  'markets = ["BTC"]',
  "min_group_size = 3",
  "max_group_size = 4",
  "check_interval_seconds = 1",
  "min_cooldown_minutes = 60",
  "max_cooldown_minutes = 60",
];
const SYMBOL = "BTC/USDT-P";

async function emulator(): Promise<HibachiEmulator> {
  const emu = await startHibachiEmulator();
  for (const w of WALLETS)
    emu.driver.addAccount({
      accountId: hbAccountIdOf(w.i),
      apiKey: hbApiKeyOf(w.i),
      key:
        w.hibachi === true
          ? { kind: "trustless", publicKeyHex: hbPublicKeyOf(w.i) }
          : { kind: "managed", secret: hbSecretOf(w.i) },
      usdt: 10_000,
    });
  emu.driver.setBook({ symbol: SYMBOL, bidPx: 59_999.9, askPx: 60_000, qty: 5, levels: 10, stepPx: 0.1 });
  return emu;
}

const sizesOf = (emu: HibachiEmulator) => WALLETS.map((w) => emu.driver.position(hbAccountIdOf(w.i), SYMBOL));

test("perpbot run --live: the farm's same-venue group on the Hibachi emulator, flattened on exit", async () => {
  const emu = await emulator();
  try {
    const cwd = await liveDir(WALLETS, [...HIBACHI_FARM, ...hibachiToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["run", "--live", "--status-every", "1", "--flatten-on-exit"]);
    await run.until((out) => openGroups(out) > 0, 60_000);
    assert.match(run.out(), /perpbot LIVE: hibachi local, 4 wallets/);
    const sizes = sizesOf(emu);
    const holding = sizes.filter((s) => s !== 0);
    assert.ok(holding.length >= 3, `a group of 3-4 wallets holds positions: ${sizes}`);
    assert.ok(holding.some((s) => s > 0) && holding.some((s) => s < 0), `longs and shorts: ${sizes}`);
    assert.ok(Math.abs(sizes.reduce((a, b) => a + b, 0)) * 60_000 <= 2 + 1e-6, `net delta: ${sizes}`);
    await run.until((out) => /^hibachi: .*book:BTC\/USDT-P ok/m.test(out), 10_000);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    assert.match(run.out(), /stopped; state saved/);
    assert.deepEqual(sizesOf(emu), [0, 0, 0, 0], "--flatten-on-exit closed every leg on the venue");
    for (const w of WALLETS) {
      assert.ok(!(run.out() + run.err()).includes(hbKeyOf(w.i).toString("hex")), "no key in any output");
      assert.ok(!(run.out() + run.err()).includes(hbSecretOf(w.i)), "no API secret in any output");
    }
  } finally {
    await emu.close();
  }
});

test("perpbot run --live on Hibachi's production host asks for a typed confirmation; nothing connects", async () => {
  const cwd = await liveDir(WALLETS, [...HIBACHI_FARM, ...hibachiToml("https://api.hibachi.xyz", WALLETS)]);
  const run = perpbotCli(cwd, ["run", "--live"]);
  assert.equal(await run.exited, 2, run.err());
  assert.match(run.err(), /trades REAL MONEY on hibachi mainnet: confirm with --yes/);
});

test("perpbot doctor on [venues.hibachi]: venue, keys and accounts checked against the emulator", async () => {
  const emu = await emulator();
  try {
    // w04's API key is not the emulator's: the venue refuses it
    const toml = hibachiToml(emu.url, WALLETS).map((l) =>
      l === `api_key = "${hbApiKeyOf(3)}"` ? 'api_key = "not-a-registered-key"' : l,
    );
    const cwd = await liveDir(WALLETS, [...HIBACHI_FARM, ...toml]);
    const run = perpbotCli(cwd, ["doctor"]);
    const code = await run.exited;
    const out = run.out();
    assert.equal(code, 1, out + run.err());
    const row = (wallet: string, check: string) =>
      out.split("\n").find((l) => new RegExp(`^hibachi\\s+${wallet}\\s+${check}\\s`).test(l)) ?? "";
    assert.match(
      out,
      /^hibachi\s+-\s+reachable\s+ok\s+local http:\/\/127\.0\.0\.1:\d+: exchange status NORMAL, 2 live contracts/m,
    );
    for (const w of ["w01", "w02", "w03"]) {
      assert.match(row(w, "api key"), /ok\s+API key accepted for account 10\d/);
      assert.match(row(w, "balance"), /ok\s+balance 10000\.00 USDT/);
      assert.match(row(w, "positions"), /ok\s+0 positions, all perpbot's/);
    }
    assert.match(row("w01", "account kind"), /ok\s+trustless account: orders signed with secp256k1 key/);
    assert.match(row("w03", "account kind"), /ok\s+exchange-managed account: orders signed by HMAC-SHA256/);
    assert.match(row("w04", "api key"), /FAIL\s+the venue refused the API key for account 103/);
    assert.match(out, /-> check \[venues\.hibachi\.wallets\.w04\] account_id and api_key/);
  } finally {
    await emu.close();
  }
});
