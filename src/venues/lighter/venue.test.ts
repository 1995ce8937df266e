import assert from "node:assert/strict";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { VenueRejectError } from "../../core/venue.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { LighterConfigSchema } from "./config.ts";
import { startLighterEmulator } from "./emulator/start.ts";
import { generateApiKey } from "./signing.ts";
import { LighterVenue } from "./venue.ts";

test("bad input at binding and after: each refusal names the venue, the wallet and what is wrong", async () => {
  const emu = await startLighterEmulator({ scheduledFunding: false });
  const venue = new LighterVenue(
    LighterConfigSchema.parse({ network: "testnet", rest_url: emu.url, ws_url: emu.wsUrl }),
    new WallClock(),
  );
  try {
    await venue.connect();
    const index = emu.driver.createAccount(`0x${"22".repeat(20)}`, 1000);
    const holder = async () => signerFromKeyBytes("ecgfp5", (await generateApiKey()).privateKey, "k");
    const refused = async (p: Promise<unknown>) => {
      const e = await p.then(
        () => undefined,
        (x: unknown) => x,
      );
      assert.ok(e instanceof VenueRejectError, String(e));
      return e;
    };
    const unregistered = await refused(
      venue.bindAccount({
        account: "w07",
        identity: { subAccount: String(index), apiKeyId: "5" },
        signer: await holder(),
      }),
    );
    assert.equal(unregistered.reason, "api_key_not_registered");
    assert.match(
      unregistered.message,
      new RegExp(
        `venue lighter: wallet w07: account ${index} has no API key at api_key_index 5 \\(register one: perpbot lighter register-key --wallet w07 --api-key-index 5\\)`,
      ),
    );
    const noIdentity = await refused(
      venue.bindAccount({ account: "w08", identity: {}, signer: await holder() }),
    );
    assert.match(
      noIdentity.message,
      /wallet w08: identity needs subAccount = account index and apiKeyId = api key index/,
    );
    const wrongScheme = await refused(
      venue.bindAccount({
        account: "w09",
        identity: { subAccount: "1", apiKeyId: "3" },
        signer: signerFromKeyBytes("ed25519", new Uint8Array(32).fill(3), "e"),
      }),
    );
    assert.match(wrongScheme.message, /wallet w09: needs a Lighter API key signer \(ecgfp5\), got ed25519/);
    const unknown = await refused(Promise.resolve().then(() => venue.instrument("BTC-PERP")));
    assert.match(
      unknown.message,
      /venue lighter: unknown symbol "BTC-PERP" \(markets are named by their base: ETH, BTC\)/,
    );
    const notBound = await refused(Promise.resolve().then(() => venue.positions("w10")));
    assert.match(notBound.message, /venue lighter: wallet "w10" is not bound/);
  } finally {
    await venue.close();
    await emu.close();
  }
});

test("openOrders reads only the markets the account record counts orders in (a hundred markets, 60 requests a minute)", async () => {
  const markets = Array.from({ length: 12 }, (_, i) => ({
    marketId: i,
    symbol: `M${i}`,
    sizeDecimals: 2,
    priceDecimals: 2,
    minBase: "0.01",
    imf: 500,
    mmf: 120,
    markPx: 100,
  }));
  const emu = await startLighterEmulator({ scheduledFunding: false, markets });
  const venue = new LighterVenue(
    LighterConfigSchema.parse({
      network: "testnet",
      rest_url: emu.url,
      ws_url: emu.wsUrl,
      ack_timeout_ms: 1500,
    }),
    new WallClock(),
  );
  try {
    await venue.connect();
    const index = emu.driver.createAccount(`0x${"33".repeat(20)}`, 10_000);
    const key = await generateApiKey();
    emu.driver.registerKey(index, 3, key.publicKeyHex);
    await venue.bindAccount({
      account: "w01",
      identity: { subAccount: String(index), apiKeyId: "3" },
      signer: signerFromKeyBytes("ecgfp5", key.privateKey, "k"),
    });
    emu.driver.setBook({ symbol: "M7", bidPx: 99, askPx: 101, size: 10 });
    const inst = venue.instrument("M7");
    await venue.submit({
      clientOrderId: "5",
      account: "w01",
      symbol: "M7",
      side: "buy",
      type: "limit",
      priceTicks: inst.price(98),
      sizeLots: inst.size("1"),
      tif: "gtc",
      reduceOnly: false,
    });
    const asked: string[] = [];
    const get = venue.http.get.bind(venue.http);
    venue.http.get = (path, query, auth) => {
      asked.push(`${path}${query?.market_id === undefined ? "" : `/${query.market_id}`}`);
      return get(path, query, auth);
    };
    const open = await venue.openOrders("w01");
    assert.deepEqual(
      open.map((o) => [o.symbol, o.clientOrderId]),
      [["M7", "5"]],
    );
    assert.deepEqual(asked, ["account", "accountActiveOrders/7"], "one account read, then only market 7");
  } finally {
    await venue.close();
    await emu.close();
  }
});
