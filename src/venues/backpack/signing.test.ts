import assert from "node:assert/strict";
import { test } from "node:test";
import { ed25519 } from "@noble/curves/ed25519.js";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { CANCEL_SIGNING_EXAMPLE, ORDER_EXECUTE_EXAMPLE, RFC8032_TEST1 } from "./fixtures/payloads.ts";
import { OrderSchema, parseAs } from "./parse.ts";
import { apiKeyOf, signedHeaders, signingString, subscribeSignature } from "./signing.ts";

const hex = (h: string) => Buffer.from(h, "hex");

test("the docs' worked signing example: cancel order 28", () => {
  const e = CANCEL_SIGNING_EXAMPLE;
  assert.equal(signingString(e.instruction, undefined, e.body, e.timestamp, e.window), e.signed);
});

test("body fields are sorted, booleans and numbers as JSON, strings without quotes", () => {
  const e = ORDER_EXECUTE_EXAMPLE;
  assert.equal(
    signingString("orderExecute", undefined, e.request, e.timestamp, e.window),
    "instruction=orderExecute&clientId=1001&orderType=Limit&postOnly=true&price=180.50&quantity=1.5" +
      "&selfTradePrevention=RejectTaker&side=Bid&symbol=SOL_USDC&timeInForce=GTC&timestamp=1735689600000&window=5000",
  );
});

test("query parameters come first, sorted; absent values are left out", () => {
  assert.equal(
    signingString(
      "fillHistoryQueryAll",
      { symbol: "BTC_USDC_PERP", from: 5, limit: undefined },
      undefined,
      7,
      5000,
    ),
    "instruction=fillHistoryQueryAll&from=5&symbol=BTC_USDC_PERP&timestamp=7&window=5000",
  );
});

test("the wallet's node:crypto ed25519 signer reproduces RFC 8032 test 1", async () => {
  const signer = signerFromKeyBytes("ed25519", hex(RFC8032_TEST1.seed), "rfc8032");
  assert.equal(signer.publicKey, RFC8032_TEST1.publicKey);
  const sig = await signer.sign(new Uint8Array(0));
  assert.equal(Buffer.from(sig).toString("hex"), RFC8032_TEST1.signature);
});

test("signed headers: base64 key and a signature noble verifies over the signed text; a changed field fails", async () => {
  const signer = signerFromKeyBytes("ed25519", hex(RFC8032_TEST1.seed), "rfc8032");
  const e = ORDER_EXECUTE_EXAMPLE;
  const h = await signedHeaders(signer, "orderExecute", undefined, e.request, e.timestamp, e.window);
  assert.equal(h["X-API-Key"], Buffer.from(RFC8032_TEST1.publicKey, "hex").toString("base64"));
  assert.equal(h["X-API-Key"], apiKeyOf(signer));
  assert.deepEqual([h["X-Timestamp"], h["X-Window"]], ["1735689600000", "5000"]);
  const text = signingString("orderExecute", undefined, e.request, e.timestamp, e.window);
  const sig = Buffer.from(h["X-Signature"], "base64");
  const pub = hex(RFC8032_TEST1.publicKey);
  assert.ok(ed25519.verify(sig, new TextEncoder().encode(text), pub));
  const tampered = text.replace("quantity=1.5", "quantity=15");
  assert.ok(!ed25519.verify(sig, new TextEncoder().encode(tampered), pub));
});

test("the private-stream subscribe signature covers instruction=subscribe", async () => {
  const signer = signerFromKeyBytes("ed25519", hex(RFC8032_TEST1.seed), "rfc8032");
  const [key, sig, ts, window] = await subscribeSignature(signer, 1700000000000, 5000);
  assert.deepEqual([key, ts, window], [apiKeyOf(signer), "1700000000000", "5000"]);
  const text = "instruction=subscribe&timestamp=1700000000000&window=5000";
  assert.ok(
    ed25519.verify(Buffer.from(sig, "base64"), new TextEncoder().encode(text), hex(RFC8032_TEST1.publicKey)),
  );
});

test("the docs' order answer parses", () => {
  const o = parseAs(OrderSchema, ORDER_EXECUTE_EXAMPLE.response, "order execute answer");
  assert.deepEqual(
    [o.id, o.clientId, o.status, o.executedQuantity],
    ["111051090663277568", 1001, "New", "0"],
  );
  assert.throws(
    () => parseAs(OrderSchema, { ...ORDER_EXECUTE_EXAMPLE.response, side: "Buy" }, "order execute answer"),
    /backpack: order execute answer did not parse at side/,
  );
});
