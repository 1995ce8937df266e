import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { freshStarkSigner } from "../../testing/extended-conformance.ts";
import { ExtendedConfigSchema } from "./config.ts";
import { MARKETS } from "./fixtures/payloads.ts";
import { ExtendedVenue } from "./venue.ts";

/**
 * Answers the emulator never gives (it speaks the venue's shapes): a stub HTTP server on
 * loopback serves the market list, then account answers with one field wrong, so the error
 * must name the venue, the wallet and the field.
 */
async function stub(answers: Record<string, unknown>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://stub").pathname.replace(/^\/api\/v1/, "");
    const body = answers[path];
    res.writeHead(body === undefined ? 404 : 200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body ?? { status: "ERROR", error: { code: 1006, message: "no" } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, server };
}

test("a venue answer with a bad field is refused naming venue, wallet and field; nothing half-applied", async () => {
  const signer = freshStarkSigner("bad payload");
  const starkKey = `0x${signer.publicKey}`;
  const { url, server } = await stub({
    "/info/markets": MARKETS,
    "/user/account/info": {
      status: "OK",
      data: { l2Key: starkKey, l2Vault: "5", accountId: 5, status: "ACTIVE" },
    },
    "/user/positions": {
      status: "OK",
      data: [
        {
          market: "BTC-USD",
          side: "LONG",
          leverage: "10",
          size: "a lot",
          openPrice: "1",
          markPrice: "1",
          unrealisedPnl: "0",
          realisedPnl: "0",
        },
      ],
    },
    "/user/balance": { status: "OK", data: { collateralName: "USD", balance: "10", equity: "10" } },
  });
  const venue = new ExtendedVenue(
    ExtendedConfigSchema.parse({ rest_url: url, ws_url: "ws://127.0.0.1:1" }),
    new WallClock(),
  );
  try {
    await venue.connect();
    // the account stream cannot connect here; the binding is kept and its stream retries
    await venue
      .bindAccount({
        account: "w07",
        identity: { apiKeyId: "stub-key-1", subAccount: "5", address: starkKey },
        signer,
      })
      .catch(() => undefined);
    await assert.rejects(
      venue.positions("w07"),
      /extended: positions of w07 did not parse at data\.0\.size: a decimal string/,
    );
    await assert.rejects(
      venue.accountState("w07"),
      /extended: balance of w07 did not parse at data\.availableForTrade/,
    );
    assert.equal(venue.instrument("BTC-USD").symbol, "BTC-USD", "the venue still serves what it loaded");
  } finally {
    await venue.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
