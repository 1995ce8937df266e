import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  edgexToml,
  exAccountOf,
  exAddressOf,
  exApiKeyOf,
  exPassphraseOf,
  exSecretOf,
  liveDir,
  openGroups,
  perpbotCli,
  perpbotKeys,
  removeLiveDirs,
  SAME_VENUE_FARM,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { findLeaks, type Produced, producedTexts } from "../testing/secret-scan.ts";
import { type EdgexEmulator, startEdgexEmulator } from "../venues/edgex/emulator/start.ts";
import { secretForms } from "../wallets/secret-encoding.ts";

/**
 * `perpbot run --live` and `perpbot doctor` on `[venues.edgex]`, real child processes against the
 * EdgeX emulator this test starts: four wallets whose trading keys and API secrets sit in the
 * keystore, their accounts registered on the emulator. The farm's same-venue group opens and
 * nets out, --flatten-on-exit closes it; the production host asks for a typed confirmation.
 * The API passphrase lives in the keystore only: the emulator checks X-edgeX-Passphrase on every
 * private request, yet no form of it is in perpbot.toml, any output, log, the store or
 * `perpbot config show`; a config that still carries `passphrase` is refused.
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
      passphrase: exPassphraseOf(w.i),
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
    // EdgeX publishes no points API: `perpbot status` says so per wallet rather than showing 0
    const status = perpbotCli(cwd, ["status"]);
    assert.equal(await status.exited, 0, status.err());
    for (const w of WALLETS)
      assert.match(
        status.out(),
        new RegExp(`^ {2}${w.id} +edgex .*n/a \\(venue publishes no points\\)$`, "m"),
      );
    for (const w of WALLETS) {
      assert.ok(!(run.out() + run.err()).includes(exSecretOf(w.i)), "no secret in any output");
      assert.ok(!(run.out() + run.err()).includes(exPassphraseOf(w.i)), "no passphrase in any output");
    }
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
    const plans = WALLETS.map((w) =>
      w.i === 3
        ? { ...w, edgex: { storedSecret: "wrong-secret" } }
        : w.i === 2
          ? { ...w, edgex: { noPassphrase: true as const } }
          : w,
    );
    const cwd = await liveDir(plans, [...FARM, ...edgexToml(emu.url, WALLETS)]);
    const run = perpbotCli(cwd, ["doctor"]);
    const code = await run.exited;
    const out = run.out();
    assert.equal(code, 1, out + run.err());
    const row = (wallet: string, check: string) =>
      out.split("\n").find((l) => new RegExp(`^edgex\\s+${wallet}\\s+${check}\\s`).test(l)) ?? "";
    assert.match(out, /^edgex\s+-\s+reachable\s+ok\s+local http:\/\/127\.0\.0\.1:\d+: 2 contracts/m);
    assert.match(out, /^edgex\s+-\s+clock\s+ok/m);
    for (const w of ["w01", "w02"]) {
      assert.match(row(w, "keys"), /ok\s+edgex\.trading_private_key decrypts/);
      assert.match(row(w, "api secret"), /ok\s+trading key .* carries its API secret/);
      assert.match(row(w, "credentials"), /ok\s+account \d+ accepted/);
      assert.match(row(w, "balance"), /ok\s+equity 10000\.00 USD/);
    }
    assert.match(row("w04", "credentials"), /FAIL\s+.*SIGNATURE_INVALID/);
    // w03's keystore entry lacks the passphrase: named, with the command that adds it
    assert.match(row("w03", "keys"), /FAIL\s+.*wallet w03, edgex\.api_passphrase: no such secret field/);
    assert.match(row("w03", "api secret"), /FAIL\s+the trading key, API secret or passphrase did not load/);
    assert.match(out, /perpbot keys add w03 --venue edgex .*--secret api_passphrase/);
  } finally {
    await emu.close();
  }
});

test("edgex: the passphrase travels from the keystore to the venue, never into config, logs or config show", async () => {
  const emu = await emulator();
  try {
    // the keystore has each trading key and API secret; the passphrase goes in as a user adds it
    const plans = WALLETS.map((w) => ({ ...w, edgex: { noPassphrase: true as const } }));
    const cwd = await liveDir(plans, [...FARM, ...edgexToml(emu.url, WALLETS)]);
    for (const w of WALLETS) {
      const r = perpbotKeys(
        cwd,
        ["add", w.id, "--venue", "edgex", "--secret", "api_passphrase"],
        `${exPassphraseOf(w.i)}\n`,
      );
      assert.equal(r.code, 0, r.out);
      assert.ok(!r.out.includes(exPassphraseOf(w.i)), "keys add does not echo the passphrase");
    }
    const debug = { PERPBOT__LOG__LEVEL: "debug" };
    const run = perpbotCli(cwd, ["run", "--live", "--status-every", "1", "--flatten-on-exit"], debug);
    await run.until((out) => openGroups(out) > 0, 60_000);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    const traded = WALLETS.filter((w) => Number(emu.driver.position(exAccountOf(w.i), SYMBOL)) !== 0);
    assert.equal(traded.length, 0, "flattened on exit");
    assert.ok(
      WALLETS.some((w) => emu.driver.orders(exAccountOf(w.i)).length > 0),
      "signed orders (with the keystore's passphrase) reached the emulator",
    );
    const show = perpbotCli(cwd, ["config", "show"]);
    const showJson = perpbotCli(cwd, ["config", "show", "--json"]);
    assert.equal(await show.exited, 0, show.err());
    assert.equal(await showJson.exited, 0, showJson.err());
    assert.match(showJson.out(), new RegExp(exApiKeyOf(0)), "config show lists the EdgeX wallets");
    const produced: Produced[] = [
      { where: "stdout of run", text: run.out() },
      { where: "stderr of run", text: run.err() },
      { where: "config show", text: show.out() + show.err() },
      { where: "config show --json", text: showJson.out() + showJson.err() },
      ...producedTexts(cwd),
    ];
    assert.ok(
      produced.some((p) => p.where.startsWith(join("data", "logs"))),
      `the run wrote log files: ${produced.map((p) => p.where).join(", ")}`,
    );
    assert.ok(produced.some((p) => p.where === "perpbot.toml"));
    const secrets = new Map(
      WALLETS.map((w) => [
        `wallet ${w.id} passphrase`,
        secretForms(Buffer.from(exPassphraseOf(w.i)), "utf8"),
      ]),
    );
    assert.deepEqual(findLeaks(produced, secrets), []);

    // the old form: a passphrase in the config is refused, naming the wallet and the keystore
    writeFileSync(
      join(cwd, "perpbot.toml"),
      [...FARM, ...edgexToml(emu.url, WALLETS), 'passphrase = "old-passphrase-in-toml"'].join("\n"),
    );
    const old = perpbotCli(cwd, ["config", "show"]);
    assert.notEqual(await old.exited, 0);
    assert.match(old.err(), /venues\.edgex\.wallets\.w04/);
    assert.match(old.err(), /passphrase is a secret .*--secret api_passphrase/);
    assert.ok(!(old.out() + old.err()).includes("old-passphrase-in-toml"), "the value is not echoed");
  } finally {
    await emu.close();
  }
});
