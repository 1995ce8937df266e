import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { openStore } from "../../store/store.ts";
import {
  AGENTS,
  MASTERS,
  masterKey,
  perpbot,
  ready,
  removeDirs,
  row,
  setUp,
  signerOf,
  WALLETS,
} from "../../testing/doctor-harness.ts";
import { startHyperliquidEmulator } from "../../venues/hyperliquid/emulator/start.ts";
import { MemoryNonceStore, NonceManager } from "../../venues/hyperliquid/nonce.ts";
import { HyperliquidVenue } from "../../venues/hyperliquid/venue.ts";

/**
 * `perpbot doctor` as a user runs it (a child process) against the Hyperliquid emulator on
 * loopback: the venue unreachable, a position and an order of another client, clock skew, an
 * expiring agent, a spent request budget. The set-up is src/testing/doctor-harness.ts.
 */
after(removeDirs);

test("doctor: the venue unreachable (a closed port) fails reachable with what to check, exit 1", async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const cwd = await setUp(`http://127.0.0.1:${port}`);
  const r = await perpbot(cwd, ["doctor"]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      `^hyperliquid\\s+-\\s+reachable\\s+FAIL\\s+testnet http://127\\.0\\.0\\.1:${port}: no answer \\(/info: ECONNREFUSED\\)$`,
      "m",
    ),
  );
  assert.match(r.stdout, /-> check \[venues\.hyperliquid\] url and testnet, and this machine's network/);
  for (const w of WALLETS) {
    assert.match(row(r.stdout, w, "keys"), /ok/, "the keys are checked all the same");
    assert.match(row(r.stdout, w, "account"), /skip\s+venue unreachable/);
  }
});

test("doctor: a position and an order another client opened are not perpbot's; in its store they are", async () => {
  const { emu, cwd } = await ready();
  // another client (the connector itself, signing with w01's master key) trades w01's account
  const other = new HyperliquidVenue({
    endpoints: { url: emu.url, wsUrl: emu.wsUrl, mainnet: false },
    clock: new WallClock(),
    nonces: new NonceManager(new MemoryNonceStore()),
    timeoutMs: 2000,
  });
  try {
    await other.connect();
    await other.bindAccount({
      account: "x",
      identity: { address: MASTERS[0] },
      signer: signerOf(masterKey(0)),
    });
    const base = { account: "x", symbol: "BTC", type: "limit" as const, reduceOnly: false };
    await other.submit({
      ...base,
      clientOrderId: `0x${"1".padStart(32, "0")}`,
      side: "buy",
      priceTicks: 971_000,
      sizeLots: 1000,
      tif: "ioc",
    });
    await other.submit({
      ...base,
      clientOrderId: `0x${"2".padStart(32, "0")}`,
      side: "buy",
      priceTicks: 900_000,
      sizeLots: 1000,
      tif: "gtc",
    });
    assert.equal(emu.driver.position(MASTERS[0], "BTC"), "0.01");
    const r = await perpbot(cwd, ["doctor"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      row(r.stdout, "w01", "positions"),
      /FAIL\s+not perpbot's: BTC 0\.01 on the venue, perpbot's orders account for 0$/,
    );
    assert.match(
      row(r.stdout, "w01", "orders"),
      /FAIL\s+1 of 1 open orders are not perpbot's: BTC buy 0\.01 @ 90000(\.0)? \(oid \d+\)$/,
    );
    assert.match(r.stdout, /-> close or move the position on the venue/);
    assert.match(r.stdout, /-> cancel them on the venue/);
    assert.match(row(r.stdout, "w02", "positions"), /ok/);
    assert.match(row(r.stdout, "w01", "balance"), /ok\s+account value [\d,.]+ USDC, margin used [1-9]/);

    // the same two orders in perpbot's store (as if its engine had sent them for w01): now its own
    const store = await openStore(`sqlite:${join(cwd, "data", "perpbot.db")}`);
    try {
      const row0 = {
        venue: "hyperliquid",
        account: "w01",
        symbol: "BTC",
        side: "buy" as const,
        type: "limit" as const,
        reduceOnly: false,
        sizeLots: 1000,
        sizeText: "0.01",
        venueOrderId: null,
        groupId: null,
        legIndex: 0,
        purpose: "entry",
        attempt: 0,
        reason: null,
        createdAt: Date.now(),
        updatedAt: Date.now(),
      };
      await store.orders.upsertEngine({
        ...row0,
        clientOrderId: `0x${"1".padStart(32, "0")}`,
        intentId: "i1",
        tif: "ioc",
        priceTicks: 971_000,
        priceText: "97100",
        filledText: "0.01",
        filledLots: 1000,
        status: "filled",
      });
      await store.orders.upsertEngine({
        ...row0,
        clientOrderId: `0x${"2".padStart(32, "0")}`,
        intentId: "i2",
        tif: "gtc",
        priceTicks: 900_000,
        priceText: "90000",
        filledText: "0",
        filledLots: 0,
        status: "open",
      });
    } finally {
      await store.close();
    }
    const mine = await perpbot(cwd, ["doctor"]);
    assert.equal(mine.code, 0, mine.stdout);
    assert.match(row(mine.stdout, "w01", "positions"), /ok\s+1 open, all perpbot's$/);
    assert.match(row(mine.stdout, "w01", "orders"), /ok\s+1 open, all perpbot's$/);
  } finally {
    await other.close();
    await emu.close();
  }
});

test("doctor: the venue's clock 10 s ahead fails the clock check; --max-skew widens the limit", async () => {
  const { emu, cwd } = await ready();
  try {
    emu.driver.skewClock(10_000);
    const r = await perpbot(cwd, ["doctor"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const m =
      /^hyperliquid\s+-\s+clock\s+FAIL\s+venue ahead by (\d+) ms \(round trip \d+ ms, limit 2000 ms\)$/m.exec(
        r.stdout,
      );
    assert.ok(m, r.stdout);
    assert.ok(Math.abs(Number(m[1]) - 10_000) < 1000, `skew ${m[1]} ms`);
    assert.match(r.stdout, /-> sync this machine's clock/);
    const wide = await perpbot(cwd, ["doctor", "--max-skew", "60000"]);
    assert.equal(wide.code, 0, wide.stdout);
    assert.match(wide.stdout, /clock\s+ok\s+venue ahead by \d+ ms \(round trip \d+ ms, limit 60000 ms\)/);
    const bad = await perpbot(cwd, ["doctor", "--max-skew", "soon"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-skew "soon": give a whole number of milliseconds/);
  } finally {
    await emu.close();
  }
});

test("doctor: an agent approved with approve-agent that expires within 7 days warns; the budget spent fails", async () => {
  // no request budget at all for an address that has traded nothing: used 0 of cap 0
  const emu = await startHyperliquidEmulator({ hourlyFunding: false, addressBaseRequests: 0 });
  try {
    for (const m of MASTERS) emu.driver.fund(m, 10_000);
    const cwd = await setUp(emu.url);
    const until = Date.now() + 2 * 86_400_000;
    const approve = await perpbot(cwd, [
      "hyperliquid",
      "approve-agent",
      "--wallet",
      "w01",
      "--name",
      `perpbot valid_until ${until}`,
    ]);
    assert.equal(approve.code, 0, approve.stderr);
    const r = await perpbot(cwd, ["doctor"]);
    const expiry = new Date(until).toISOString().replace(/\.\d+Z$/, "Z");
    assert.match(
      row(r.stdout, "w01", "agent"),
      new RegExp(
        `WARN\\s+agent ${AGENTS[0]} "perpbot valid_until ${until}" approved for ${MASTERS[0]}, valid until ${expiry}$`,
      ),
    );
    assert.match(r.stdout, /-> renew it soon: run `perpbot hyperliquid approve-agent --wallet w01`/);
    assert.match(
      row(r.stdout, "w02", "rate limit"),
      /FAIL\s+0 of 0 requests used: one action per 10 s until volume raises the cap$/,
    );
    assert.equal(
      r.code,
      1,
      "the spent budget (and w02's unapproved agent) fail; the warning alone would not",
    );
  } finally {
    await emu.close();
  }
});
