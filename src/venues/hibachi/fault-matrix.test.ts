import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { VenueUnknownOutcomeError } from "../../core/venue.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { HibachiClient } from "./client.ts";
import type { HibachiFault } from "./emulator/server.ts";
import { type HibachiEmulator, startHibachiEmulator } from "./emulator/start.ts";
import { HibachiHttp } from "./http.ts";

/**
 * Every emulator fault on both order requests (place, cancel), through the REST client over real
 * HTTP: the error the client raises, and what the venue then holds (found by nonce or id). This
 * is the client-level matrix; the Venue-level one waits for the connector (docs/venues/hibachi.md).
 */
const ETH = "ETH/USDT-P";
let emu: HibachiEmulator;
let c: HibachiClient;

before(async () => {
  emu = await startHibachiEmulator({ ordersPerSecond: 1000 });
  const signer = signerFromKeyBytes("secp256k1", randomBytes(32), "fault matrix wallet");
  emu.driver.addAccount({
    accountId: 9,
    apiKey: "k9",
    key: { kind: "trustless", publicKeyHex: signer.publicKey },
    usdt: 100_000,
  });
  emu.driver.setBook({ symbol: ETH, bidPx: 2999, askPx: 3001, qty: 5, stepPx: 1 });
  const http = new HibachiHttp({ tradeUrl: emu.url, dataUrl: emu.url, timeoutMs: 300 });
  c = new HibachiClient({
    http,
    accountId: 9,
    apiKey: "k9",
    auth: { kind: "trustless", signer },
    clock: new WallClock(),
  });
  await c.loadExchangeInfo();
});
after(() => emu.close());

const rest = { symbol: ETH, side: "BID" as const, quantity: "0.1", price: "2900", maxFeesPercent: "0.001" };

const MATRIX: readonly { fault: HibachiFault; kind: VenueUnknownOutcomeError["kind"]; executed: boolean }[] =
  [
    { fault: { kind: "loseAck" }, kind: "timeout", executed: true },
    { fault: { kind: "delayAck", ms: 800 }, kind: "timeout", executed: true },
    { fault: { kind: "serverError", status: 503 }, kind: "server_error", executed: false },
    { fault: { kind: "serverError", status: 500, execute: true }, kind: "server_error", executed: true },
    { fault: { kind: "rateLimited" }, kind: "rate_limited", executed: false },
  ];

for (const row of MATRIX) {
  const name = `${row.fault.kind}${"status" in row.fault ? ` ${row.fault.status}` : ""}${"execute" in row.fault ? " executed" : ""}`;

  test(`place under ${name}: ${row.kind}, and the order ${row.executed ? "exists" : "does not exist"}`, async () => {
    emu.driver.inject(row.fault);
    const nonce = c.nonces.next();
    await assert.rejects(
      c.place(rest, nonce),
      (e: unknown) => e instanceof VenueUnknownOutcomeError && e.kind === row.kind,
    );
    const found = await c.order({ nonce });
    assert.equal(found?.status, row.executed ? "PLACED" : undefined);
    if (found !== undefined) await c.cancel({ orderId: found.orderId });
  });

  test(`cancel under ${name}: ${row.kind}, and the order is ${row.executed ? "cancelled" : "still open"}`, async () => {
    const { orderId } = await c.place(rest);
    emu.driver.inject(row.fault);
    await assert.rejects(
      c.cancel({ orderId }),
      (e: unknown) => e instanceof VenueUnknownOutcomeError && e.kind === row.kind,
    );
    assert.equal((await c.order({ orderId }))?.status, row.executed ? "CANCELLED" : "PLACED");
    if (!row.executed) await c.cancel({ orderId });
  });
}
