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
  removeLiveDirs,
  SAME_VENUE_FARM,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { findLeaks, type Produced, producedTexts } from "../testing/secret-scan.ts";
import { startEdgexEmulator } from "../venues/edgex/emulator/start.ts";
import { secretForms } from "../wallets/secret-encoding.ts";

/**
 * The EdgeX API passphrase lives in the keystore only: a live run at debug level on the emulator
 * (which checks X-edgeX-Passphrase on every private request) trades, yet no form of any
 * passphrase is in perpbot.toml, stdout, stderr, a log file, the store or `perpbot config show`;
 * a config that still carries `passphrase` is refused with where it goes now.
 */
after(removeLiveDirs);

const WALLETS: WalletPlan[] = [0, 1, 2].map((i) => ({ id: `w0${i + 1}`, i, edgex: {} }));

test("edgex: the passphrase travels from the keystore to the venue, never into config, logs or config show", async () => {
  const emu = await startEdgexEmulator({
    scheduledFunding: false,
    budget: { capacity: 1000, perSecond: 1000 },
  });
  try {
    for (const w of WALLETS)
      emu.driver.register({
        accountId: exAccountOf(w.i),
        apiKey: exApiKeyOf(w.i),
        passphrase: exPassphraseOf(w.i),
        secret: exSecretOf(w.i),
        tradingAddress: exAddressOf(w.i),
        usd: 10_000,
      });
    emu.driver.setBook({ symbol: "BTCUSD", bidPx: 59_999.9, askPx: 60_000, qty: 5, levels: 10, stepPx: 0.1 });
    const cwd = await liveDir(WALLETS, [...SAME_VENUE_FARM, ...edgexToml(emu.url, WALLETS)]);
    const debug = { PERPBOT__LOG__LEVEL: "debug" };
    const run = perpbotCli(cwd, ["run", "--live", "--status-every", "1", "--flatten-on-exit"], debug);
    await run.until((out) => openGroups(out) > 0, 60_000);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    const traded = WALLETS.filter((w) => Number(emu.driver.position(exAccountOf(w.i), "BTCUSD")) !== 0);
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
      [...SAME_VENUE_FARM, ...edgexToml(emu.url, WALLETS), 'passphrase = "old-passphrase-in-toml"'].join(
        "\n",
      ),
    );
    const old = perpbotCli(cwd, ["config", "show"]);
    assert.notEqual(await old.exited, 0);
    assert.match(old.err(), /venues\.edgex\.wallets\.w03/);
    assert.match(old.err(), /passphrase is a secret .*--secret api_passphrase/);
    assert.ok(!(old.out() + old.err()).includes("old-passphrase-in-toml"), "the value is not echoed");
  } finally {
    await emu.close();
  }
});
