import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  backpackToml,
  bpApiKeyOf,
  type CliRun,
  hbAccountIdOf,
  hbApiKeyOf,
  hbPublicKeyOf,
  hibachiToml,
  liveDir,
  openGroups,
  perpbotCli,
  removeLiveDirs,
  type WalletPlan,
} from "../testing/live-cli.ts";
import { type BackpackEmulator, startBackpackEmulator } from "../venues/backpack/emulator/start.ts";
import { accountInfoJson } from "../venues/hibachi/emulator/payloads.ts";
import { type HibachiEmulator, startHibachiEmulator } from "../venues/hibachi/emulator/start.ts";

/**
 * Seed 001 end to end (/work/shared/seeds/001: "long on Backpack, short on Hibachi", random 2-3x
 * leverage, 4-8 h, collateral checked on both venues, rollback of the other leg, the 150 %
 * collateral-ratio and 5 % PnL-divergence alerts, both legs closed together): `perpbot run
 * --live` as a child process against the Backpack and Hibachi emulators, two wallets with an
 * account on each venue, the farm in cross-venue pairs pinned long Backpack / short Hibachi.
 */
after(removeLiveDirs);

const WALLETS: WalletPlan[] = [0, 1].map((i) => ({ id: `w0${i + 1}`, i, backpack: {}, hibachi: true }));
const PX = 60_000;
const BP = "BTC_USDC_PERP";
const HB = "BTC/USDT-P";
/** the seed's parameters (they are also the farm's defaults) and a fast check interval */
const SEED_001 = [
  "[farm]",
  'mode = "cross_venue"',
  'cross_long_venue = "backpack"',
  'cross_short_venue = "hibachi"',
  'markets = ["BTC"]',
  "min_group_size = 2",
  "max_group_size = 2",
  "min_leverage = 2.0",
  "max_leverage = 3.0",
  "min_collateral_ratio = 1.5",
  "max_pnl_divergence = 0.05",
  "close_jitter_minutes = 0",
  "check_interval_seconds = 1",
  "min_cooldown_minutes = 60",
  "max_cooldown_minutes = 60",
];

interface Venues {
  readonly bp: BackpackEmulator;
  readonly hb: HibachiEmulator;
  close(): Promise<void>;
}

async function venues(hibachiUsdt: (i: number) => number = () => 10_000): Promise<Venues> {
  const bp = await startBackpackEmulator({ scheduledFunding: false });
  const hb = await startHibachiEmulator();
  for (const w of WALLETS) {
    bp.driver.fund(bpApiKeyOf(w.i), 10_000);
    hb.driver.addAccount({
      accountId: hbAccountIdOf(w.i),
      apiKey: hbApiKeyOf(w.i),
      key: { kind: "trustless", publicKeyHex: hbPublicKeyOf(w.i) },
      usdt: hibachiUsdt(w.i),
    });
  }
  bp.driver.moveMark({ symbol: BP, markPx: PX });
  bp.driver.setBook({ symbol: BP, bidPx: PX - 0.1, askPx: PX, qty: 5, levels: 10, stepPx: 0.1 });
  hb.driver.setBook({ symbol: HB, bidPx: PX - 0.1, askPx: PX, qty: 5, levels: 10, stepPx: 0.1 });
  return { bp, hb, close: () => Promise.all([bp.close(), hb.close()]).then(() => undefined) };
}

const dir = (v: Venues, farm: readonly string[], engine: readonly string[] = []) =>
  liveDir(WALLETS, [
    'mode = "live"',
    "[engine]",
    // a signed Hibachi order stays acceptable while its nonce is in the venue's ±60 s window
    "send_expiry_ms = 60000",
    ...engine,
    ...backpackToml(v.bp.url, WALLETS),
    ...hibachiToml(v.hb.url, WALLETS),
    ...farm,
  ]);

const bpSizes = (v: Venues) => WALLETS.map((w) => Number(v.bp.driver.position(bpApiKeyOf(w.i), BP)));
const hbSizes = (v: Venues) => WALLETS.map((w) => v.hb.driver.position(hbAccountIdOf(w.i), HB));
const output = (run: CliRun) => run.out() + run.err();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Wait until stdout or stderr (log lines, alerts) matches `re`. */
async function seen(run: CliRun, re: RegExp, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) if (re.test(output(run))) return;
  throw new Error(`${re} not seen within ${ms} ms:\n${run.err().slice(-4000)}`);
}

test("seed 001: long Backpack / short Hibachi at 2-3x for 4-8 h, both alerts on injected moves, both legs closed together", async () => {
  const v = await venues();
  try {
    const run = perpbotCli(await dir(v, SEED_001), [
      "run",
      "--live",
      "--status-every",
      "1",
      "--flatten-on-exit",
    ]);
    await run.until((out) => openGroups(out) >= 1, 90_000);
    assert.match(run.out(), /perpbot LIVE: backpack local, hibachi local, 2 wallets/);
    const opened =
      /group (\S+) open: backpack>hibachi BTC, 2 legs, leverage ([\d.]+)x, closes (\S+) \(([\d.]+) h \+ 0\.0 min jitter\)/.exec(
        output(run),
      );
    assert.ok(opened, `the open line: ${output(run)}`);
    const leverage = Number(opened[2]);
    const hours = Number(opened[4]);
    assert.ok(leverage >= 2 && leverage <= 3, `leverage ${leverage} in [2, 3]`);
    assert.ok(hours >= 4 && hours <= 8, `planned duration ${hours} h in [4, 8]`);
    const closesIn = Date.parse(opened[3]) - Date.now();
    assert.ok(closesIn > 4 * 3_600_000 - 120_000 && closesIn <= 8 * 3_600_000, `closes in ${closesIn} ms`);
    // one wallet long on Backpack, the other short on Hibachi, of the same size
    const bp = bpSizes(v);
    const hb = hbSizes(v);
    const longAt = bp.findIndex((s) => s > 0);
    assert.ok(longAt >= 0 && bp[1 - longAt] === 0, `one long on Backpack: ${bp}`);
    assert.ok(hb[1 - longAt] < 0 && hb[longAt] === 0, `the other wallet short on Hibachi: ${hb}`);
    assert.ok(Math.abs(bp[longAt] + hb[1 - longAt]) * PX <= 2 + 1e-6, `sizes match within $2: ${bp} / ${hb}`);
    const notional = bp[longAt] * PX;
    assert.ok(
      notional / 10_000 >= 2 * 0.9 * 0.99 && notional / 10_000 <= 3 * 0.9 * 1.01,
      `notional ${notional} is 2-3x of 90 % of the balance`,
    );
    assert.doesNotMatch(
      output(run),
      /Group PnL divergence|Low collateral ratio/,
      "no alert while the legs match",
    );

    // Hibachi's mark alone 6 % up: the short loses 6 % of notional, the long nothing: divergence > 5 %
    v.hb.driver.moveMark({ symbol: HB, markPx: PX * 1.06 });
    await seen(run, /Group PnL divergence/, 20_000);
    assert.doesNotMatch(output(run), /Low collateral ratio/, "the collateral ratio is still above 1.5");

    // then to where the short's account holds 1.3 × its maintenance margin (Hibachi's rate 0.046667)
    const acct = hbAccountIdOf(1 - longAt);
    const info = accountInfoJson(v.hb.engine, acct) as {
      balance: string;
      totalUnrealizedTradingPnl: string;
      positions: { quantity: string; openPrice: string }[];
    };
    const q = Number(info.positions[0].quantity);
    const cash = Number(info.balance) - Number(info.totalUnrealizedTradingPnl);
    const m = (cash + q * Number(info.positions[0].openPrice)) / (q * (1 + 0.046667 * 1.3));
    v.hb.driver.moveMark({ symbol: HB, markPx: Math.round(m) });
    await seen(run, /Low collateral ratio/, 20_000);
    assert.ok(hbSizes(v)[1 - longAt] < 0, "the short was not liquidated");

    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
    assert.deepEqual([...bpSizes(v), ...hbSizes(v)], [0, 0, 0, 0], "both legs closed");
  } finally {
    await v.close();
  }
});

test("seed 001: a group reaching its (scaled) close time closes both legs together while the run goes on", async () => {
  const v = await venues();
  try {
    const farm = [...SEED_001, "min_duration_hours = 0.002", "max_duration_hours = 0.003"];
    const run = perpbotCli(await dir(v, farm), ["run", "--live", "--status-every", "1"]);
    await run.until((out) => openGroups(out) >= 1, 90_000);
    const open = [...bpSizes(v), ...hbSizes(v)];
    assert.ok(open.filter((s) => s !== 0).length === 2, `two legs open: ${open}`);
    // 7-11 s after the open both legs are flat, and the run is still going
    let flat = false;
    for (let i = 0; i < 60 && !flat; i++) {
      await sleep(500);
      flat = [...bpSizes(v), ...hbSizes(v)].every((s) => s === 0);
    }
    assert.ok(flat, `both legs closed at the close time: ${[...bpSizes(v), ...hbSizes(v)]}`);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
  } finally {
    await v.close();
  }
});

test("seed 001: a collateral shortfall on Hibachi keeps the wallet out; no leg opens on either venue", async () => {
  const v = await venues((i) => (i === 1 ? 5 : 10_000));
  try {
    const run = perpbotCli(await dir(v, SEED_001), ["run", "--live", "--status-every", "1"]);
    await seen(
      run,
      /wallet w02 sits this round out: balance \$5\.00 on hibachi is below min_balance_usd 20/,
      60_000,
    );
    await sleep(3000);
    assert.equal(openGroups(output(run)), 0);
    assert.deepEqual([...bpSizes(v), ...hbSizes(v)], [0, 0, 0, 0], "nothing opened");
    assert.equal(v.bp.driver.orders(bpApiKeyOf(0)).length + v.bp.driver.orders(bpApiKeyOf(1)).length, 0);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
  } finally {
    await v.close();
  }
});

test("seed 001: the Hibachi leg refused, the Backpack leg is rolled back and the open alerted", async () => {
  const v = await venues();
  try {
    v.hb.driver.inject({ kind: "refuse", errorCode: "INSUFFICIENT_MARGIN" });
    const run = perpbotCli(await dir(v, SEED_001), ["run", "--live", "--status-every", "1"]);
    await seen(run, /Group not opened/, 90_000);
    await sleep(2000);
    const bpOrders = WALLETS.flatMap((w) => v.bp.driver.orders(bpApiKeyOf(w.i)));
    assert.ok(bpOrders.length >= 2, `the Backpack leg was opened and unwound: ${bpOrders.length} orders`);
    assert.deepEqual([...bpSizes(v), ...hbSizes(v)], [0, 0, 0, 0], "no leg left open on either venue");
    assert.match(output(run), /insufficient_margin|INSUFFICIENT_MARGIN/);
    run.interrupt();
    assert.equal(await run.exited, 0, run.err());
  } finally {
    await v.close();
  }
});
