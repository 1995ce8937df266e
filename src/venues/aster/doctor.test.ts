import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { AsterConfigSchema } from "./config.ts";
import { asterDoctor } from "./doctor.ts";
import { startAsterEmulator } from "./emulator/start.ts";
import { signedV3Text, signerAddress } from "./signing.ts";

/** `perpbot doctor`'s Aster rows against the emulator: what is right, and what it says to fix. */
test("aster doctor: reachable, clock, an approved API wallet with margin, a stranger's key, orders perpbot did not place", async () => {
  const emu = await startAsterEmulator({ scheduledFunding: false });
  try {
    const good = signerFromKeyBytes("secp256k1", randomBytes(32), "good");
    const stranger = signerFromKeyBytes("secp256k1", randomBytes(32), "stranger");
    const user = `0x${randomBytes(20).toString("hex")}`;
    emu.driver.fund(user, 5_000);
    emu.driver.approveSigner(user, signerAddress(good));
    // an order placed outside perpbot
    const text = await signedV3Text(
      [
        ["symbol", "BTCUSDT"],
        ["side", "BUY"],
        ["type", "LIMIT"],
        ["timeInForce", "GTC"],
        ["quantity", "0.010"],
        ["price", "50000.0"],
        ["newClientOrderId", "by-hand-1"],
      ],
      { user, signerAddress: signerAddress(good), signer: good },
      Date.now() * 1000,
    );
    await fetch(`${emu.url}/fapi/v3/order`, {
      method: "POST",
      body: text,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const account = (id: string, signer: typeof good) => ({
      account: id,
      identity: { address: user },
      signsAsMaster: false,
      signer,
      ownedOrders: new Set<string>(),
      ownedPositions: new Map<string, number>(),
    });
    const rows = await asterDoctor(AsterConfigSchema.parse({ rest_url: emu.url, ws_url: emu.wsUrl }), {
      clock: new WallClock(),
      accounts: [account("w01", good), account("w02", stranger)],
      markets: ["BTC"],
      maxSkewMs: 2000,
    });
    const by = (w: string | null, c: string) => rows.find((r) => r.wallet === w && r.check === c);
    assert.equal(by(null, "reachable")?.status, "ok", JSON.stringify(rows));
    assert.equal(by(null, "clock")?.status, "ok");
    assert.equal(by("w01", "api wallet")?.status, "ok");
    assert.match(by("w01", "balance")?.detail ?? JSON.stringify(rows), /available 49\d\d\.\d\d USDT/);
    assert.equal(by("w01", "open orders")?.status, "warn");
    assert.match(by("w01", "open orders")?.detail ?? "", /1 open, 1 not placed by perpbot/);
    const bad = by("w02", "api wallet");
    assert.equal(bad?.status, "fail");
    assert.match(bad?.detail ?? "", /-2015/);
    assert.match(bad?.fix ?? "", new RegExp(`approve API wallet ${signerAddress(stranger)} for ${user}`));
  } finally {
    await emu.close();
  }
});
