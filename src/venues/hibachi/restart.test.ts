import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { VenueUnknownOutcomeError } from "../../core/venue.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { HibachiConfigSchema } from "./config.ts";
import { startHibachiEmulator } from "./emulator/start.ts";
import { HibachiVenue } from "./venue.ts";

/**
 * Hibachi has no client order id: the order journal is how a restarted perpbot finds an order
 * whose answer it lost, by the nonce it was signed with.
 */
const dir = mkdtempSync(join(tmpdir(), "perpbot-hibachi-journal-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("hibachi: an order whose answer was lost is found by its nonce after a restart, through the journal", async () => {
  const emu = await startHibachiEmulator();
  const signer = signerFromKeyBytes("secp256k1", randomBytes(32), "restart test");
  emu.driver.addAccount({
    accountId: 5,
    apiKey: "k5",
    key: { kind: "trustless", publicKeyHex: signer.publicKey },
    usdt: 50_000,
  });
  emu.driver.setBook({
    symbol: "BTC/USDT-P",
    bidPx: 59_999.9,
    askPx: 60_000,
    qty: 5,
    levels: 5,
    stepPx: 0.1,
  });
  // the order poll is pushed far out: the fill after the restart must come through the account stream
  const config = HibachiConfigSchema.parse({
    trade_url: emu.url,
    request_timeout_ms: 1500,
    poll_ms: 60_000,
  });
  const path = join(dir, "orders.jsonl");
  const opened: HibachiVenue[] = [];
  const bind = async (journal: string | undefined) => {
    const v = new HibachiVenue(config, new WallClock(), journal);
    opened.push(v);
    await v.connect();
    await v.bindAccount({ account: "w1", identity: { subAccount: "5", apiKeyId: "k5" }, signer });
    return v;
  };
  try {
    const first = await bind(path);
    const inst = first.instrument("BTC/USDT-P");
    emu.driver.inject({ kind: "loseAck" });
    const err = await first
      .submit({
        clientOrderId: "4242",
        account: "w1",
        symbol: inst.symbol,
        side: "buy",
        type: "limit",
        priceTicks: inst.price(60_000),
        sizeLots: inst.size("0.01"),
        tif: "ioc",
        reduceOnly: false,
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof VenueUnknownOutcomeError, String(err));
    // and a bid resting below the book
    await first.submit({
      clientOrderId: "4243",
      account: "w1",
      symbol: inst.symbol,
      side: "buy",
      type: "limit",
      priceTicks: inst.price(59_000),
      sizeLots: inst.size("0.02"),
      tif: "gtc",
      reduceOnly: false,
    });
    await first.close();
    // a crash mid-write leaves a cut last line: it is skipped
    appendFileSync(path, '{"account":"w1","clientOr');
    const again = await bind(path);
    const status = await again.orderStatus("w1", "4242");
    assert.equal(status?.status, "filled", JSON.stringify(status));
    assert.equal(status?.filledLots, inst.size("0.01"));
    const open = await again.openOrders("w1");
    assert.deepEqual(
      open.map((o) => [o.clientOrderId, o.status]),
      [["4243", "open"]],
      "the resting order keeps its client id",
    );
    const fills: number[] = [];
    again.onEvent((e) => {
      if (e.type === "fill" && e.fill.clientOrderId === "4243") fills.push(e.remainingLots);
    });
    emu.driver.setBook({
      symbol: "BTC/USDT-P",
      bidPx: 58_000,
      askPx: 59_000,
      qty: 5,
      levels: 5,
      stepPx: 0.1,
    });
    // long before the 60 s poll: the account stream said the position changed
    for (let i = 0; i < 100 && fills.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(fills, [0], "its fill after the restart is an event");
    await again.close();
    assert.equal(
      readFileSync(path, "utf8").split("\n").filter(Boolean).length,
      2,
      "the cut line was dropped",
    );
    const forgetful = await bind(undefined);
    assert.equal(
      await forgetful.orderStatus("w1", "4242"),
      undefined,
      "without the journal the order is not findable",
    );
    await forgetful.close();
  } finally {
    // a failed assertion must not leave a venue's sockets holding the test process open
    for (const v of opened) await v.close().catch(() => {});
    await emu.close();
  }
});
