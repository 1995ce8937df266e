import assert from "node:assert/strict";
import { test } from "node:test";
import { WallClock } from "../core/clock.ts";
import { freshStarkSigner } from "../testing/extended-conformance.ts";
import { ExtendedConfigSchema } from "../venues/extended/config.ts";
import { ExtendedVenue } from "../venues/extended/venue.ts";
import { EMULATED_VENUES } from "./emulate.ts";

test("emulate extended: --fund apiKey:vault:starkKey opens that account; the connector binds and sees a two-sided book", async () => {
  const spec = EMULATED_VENUES.extended!;
  const signer = freshStarkSigner("emulate test");
  const starkKey = `0x${signer.publicKey}`;
  const address = `my-api-key-1:10002:${starkKey}`;
  assert.ok(spec.account.test(address));
  assert.ok(!spec.account.test("my-api-key-1:0x12"), "an account without its vault is refused");
  const emu = await spec.start({ port: 0, fund: [{ address, usdc: 5000 }] });
  const venue = new ExtendedVenue(ExtendedConfigSchema.parse({ rest_url: emu.url }), new WallClock());
  try {
    assert.match(emu.label, /extended emulator \(SN_MAIN signatures\)/);
    assert.deepEqual(emu.coins, ["BTC-USD", "ETH-USD"]);
    await venue.connect();
    await venue.bindAccount({
      account: "w01",
      identity: { apiKeyId: "my-api-key-1", subAccount: "10002", address: starkKey },
      signer,
    });
    assert.equal((await venue.accountState("w01")).equityUsd, 5000);
    const stop = venue.subscribe({ symbol: "BTC-USD", channel: "book" });
    await new Promise((r) => setTimeout(r, 300));
    const book = venue.book("BTC-USD");
    assert.ok(
      (book.bestAskTicks() ?? 0) > (book.bestBidTicks() ?? Number.POSITIVE_INFINITY),
      "bid below ask",
    );
    stop();
  } finally {
    await venue.close();
    await emu.close();
  }
});
