import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { randomStarkKey } from "../../testing/paradex-keys.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { ParadexConfigSchema, parseParadexConfig } from "./config.ts";
import { startParadexEmulator } from "./emulator/start.ts";
import { ParadexVenue } from "./venue.ts";

const ACCOUNT = "0x77ab";

async function setUp(config: Record<string, unknown> = {}) {
  const clock = new SimClock(Date.UTC(2026, 11, 1));
  const emu = await startParadexEmulator({ now: () => clock.now() });
  const signer = signerFromKeyBytes("stark", randomStarkKey(), "venue test key");
  emu.driver.onboard(ACCOUNT, `0x${signer.publicKey}`);
  emu.driver.fund(ACCOUNT, 50_000);
  emu.driver.setXp(ACCOUNT, "4321.5");
  emu.driver.setBook({ symbol: "BTC-USD-PERP", bidPx: 59_999.9, askPx: 60_000.1, qty: 2 });
  const venue = new ParadexVenue(
    ParadexConfigSchema.parse({ rest_url: emu.url, accept_wait_ms: 500, reconnect_min_ms: 20, ...config }),
    clock,
  );
  await venue.connect();
  await venue.bindAccount({ account: "w1", identity: { address: ACCOUNT }, signer });
  const close = async () => {
    await venue.close();
    await emu.close();
  };
  return { clock, emu, venue, close };
}

const order = (venue: ParadexVenue, cid: string) => {
  const inst = venue.instrument("BTC-USD-PERP");
  return {
    account: "w1",
    symbol: "BTC-USD-PERP",
    clientOrderId: cid,
    side: "buy" as const,
    type: "limit" as const,
    tif: "post_only" as const,
    priceTicks: inst.price(50_000),
    sizeLots: inst.size("0.01"),
    reduceOnly: false,
  };
};

test("paradex venue: the JWT is replaced once jwt_refresh_after_ms old, before the venue's 5-minute expiry", async () => {
  const s = await setUp();
  try {
    await s.venue.submit(order(s.venue, "pbA1"));
    const first = s.emu.driver.jwtsIssued();
    await s.clock.advance(170_000);
    await s.venue.submit(order(s.venue, "pbA2"));
    assert.equal(s.emu.driver.jwtsIssued(), first, "still the first JWT at 170 s");
    await s.clock.advance(20_000);
    await s.venue.submit(order(s.venue, "pbA3"));
    assert.equal(s.emu.driver.jwtsIssued(), first + 1, "a new JWT at 190 s");
    // 300 s after the first, its expiry: every request still goes through on the new one
    await s.clock.advance(120_000);
    assert.equal((await s.venue.openOrders("w1")).length, 3);
  } finally {
    await s.close();
  }
});

test("paradex venue: each bound wallet's XP is kept as its points (what `perpbot status` shows)", async () => {
  const s = await setUp();
  try {
    for (let i = 0; i < 50 && s.venue.keptPoints().length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      s.venue.keptPoints().map((p) => [p.venue, p.account, p.total]),
      [["paradex", "w1", 4321.5]],
    );
  } finally {
    await s.close();
  }
});

test("paradex venue: a bad [venues.paradex] value names venue and field; a binding without a Starknet address names the account", async () => {
  assert.throws(
    () => parseParadexConfig({ wallets: { w9: { account: "nope" } } }),
    /^Error: venues\.paradex\.wallets\.w9\.account: expected the Paradex account \(Starknet address\)/,
  );
  const s = await setUp();
  try {
    const signer = signerFromKeyBytes("stark", randomStarkKey(), "x");
    await assert.rejects(
      s.venue.bindAccount({ account: "w2", identity: {}, signer }),
      /venue paradex: account w2: identity\.address must be the Paradex \(Starknet\) account address/,
    );
  } finally {
    await s.close();
  }
});
