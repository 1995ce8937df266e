import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { Instrument } from "../../../core/instrument.ts";
import type { OrderRequest } from "../../../core/types.ts";
import { signerFromKeyBytes, withHmac } from "../../../wallets/signer.ts";
import type { EdgexMarket } from "../capabilities.ts";
import { EdgexHttp } from "../http.ts";
import { orderBody } from "../orders.ts";
import { signerAddress } from "../signing.ts";
import {
  type ApiAccount,
  checkHmac,
  checkOrderSignature,
  recoverSigner,
  TYPES,
  typedDataHash,
} from "./verify.ts";

describe("edgex emulator verifier", () => {
  it("reproduces the EIP-712 specification's Mail example (digest and cow's signature)", () => {
    // https://eips.ethereum.org/EIPS/eip-712, "Example" (Example.js / the test vector it prints)
    const types = {
      EIP712Domain: TYPES.EIP712Domain,
      Person: [
        { name: "name", type: "string" },
        { name: "wallet", type: "address" },
      ],
      Mail: [
        { name: "from", type: "Person" },
        { name: "to", type: "Person" },
        { name: "contents", type: "string" },
      ],
    };
    const digest = typedDataHash(
      types,
      "Mail",
      {
        name: "Ether Mail",
        version: "1",
        chainId: 1,
        verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
      },
      {
        from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
        to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
        contents: "Hello, Bob!",
      },
    );
    assert.equal(
      Buffer.from(digest).toString("hex"),
      "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2",
    );
    const sig =
      "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d" +
      "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562" +
      "1c";
    assert.equal(recoverSigner(digest, sig), "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826");
    // the key of that example is keccak256("cow")
    const cow = signerFromKeyBytes("secp256k1", keccak_256(new TextEncoder().encode("cow")), "cow");
    assert.equal(signerAddress(cow), "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826");
  });

  const key = Buffer.alloc(32, 7);
  const secret = "c2VjcmV0LWZvci1lZGdleC1lbXVsYXRvcg";
  const signer = withHmac(
    signerFromKeyBytes("secp256k1", key, "verify test"),
    Buffer.from(secret),
    "base64-text",
  );
  const account: ApiAccount = {
    accountId: "543429922866069763",
    apiKey: "key-1",
    passphrase: "pass-1",
    secret,
    tradingAddress: signerAddress(signer),
  };
  const instrument = new Instrument({
    venue: "edgex",
    symbol: "BTCUSD",
    base: "BTC",
    quote: "USD",
    tickSize: "0.1",
    lotSize: "0.001",
    minNotionalUsd: 0,
    maxLeverage: 50,
    marginTiers: [],
    fundingIntervalHours: 4,
    makerFeeBps: 1.5,
    takerFeeBps: 3.8,
  });
  const market: EdgexMarket = {
    contract: {
      contractId: "10000001",
      contractName: "BTCUSD",
      quoteCoinId: "1000",
      tickSize: "0.1",
      stepSize: "0.001",
      minOrderSize: "0.001",
      defaultTakerFeeRate: "0.00038",
      defaultMakerFeeRate: "0.00015",
      enableTrade: true,
      fundingRateIntervalMin: 240,
      resolution: "1000",
    },
    quote: { coinId: "1000", coinName: "USD", resolution: "1000000" },
    syntheticResolution: 1000n,
    collateralResolution: 1_000_000n,
    maxFeeRate: "0.00038",
    instrument,
  };
  const domain = { chainId: 33431n, verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1" };
  const terms = {
    contractId: "10000001",
    quoteCoinId: "1000",
    syntheticResolution: 1000n,
    collateralResolution: 1_000_000n,
    maxFeeRate: "0.00038",
  };
  const sdomain = { chainId: "33431", verifyingContract: domain.verifyingContract };
  const order: OrderRequest = {
    clientOrderId: "1733040000000000001",
    account: "w1",
    symbol: "BTCUSD",
    side: "buy",
    type: "limit",
    priceTicks: instrument.price("60000.5"),
    sizeLots: instrument.size("0.015"),
    tif: "gtc",
    reduceOnly: false,
  };

  it("accepts the connector's signed order and refuses any tampered field", async () => {
    const body = await orderBody(
      market,
      domain,
      { accountId: account.accountId, signer },
      order,
      1_733_040_000_000,
      86_400_000,
    );
    assert.deepEqual(checkOrderSignature(body, account, terms, sdomain), { ok: true });
    const tampered: [string, unknown][] = [
      ["price", "59000.5"],
      ["size", "0.016"],
      ["side", "SELL"],
      ["l2Nonce", "12"],
      ["expireTime", String(1_733_040_000_000 + 2 * 86_400_000)],
      ["l2LimitFee", "2"],
    ];
    for (const [k, v] of tampered) {
      const r = checkOrderSignature({ ...body, [k]: v }, account, terms, sdomain);
      assert.equal(r.ok, false, `${k} changed`);
    }
    // a changed price with a consistent l2Value still fails on the signature itself
    const r = checkOrderSignature({ ...body, price: "60000.6", l2Value: "900.009" }, account, terms, sdomain);
    assert.deepEqual(r.ok ? "" : r.code, "L2_SIGNATURE_INVALID");
    const other = { ...account, accountId: "1" };
    assert.equal(checkOrderSignature(body, other, terms, sdomain).ok, false);
  });

  it("checks a request's HMAC as sent by the connector's HTTP client", async () => {
    let seen: { headers: Record<string, string>; url: string; body: string } | undefined;
    const original = globalThis.fetch;
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      seen = { headers: init.headers as Record<string, string>, url, body: String(init.body ?? "") };
      return new Response(JSON.stringify({ code: "SUCCESS", data: { ok: true } }));
    }) as typeof fetch;
    try {
      const now = 1_733_040_000_000;
      const http = new EdgexHttp("http://127.0.0.1:1", 1000, { now: () => now } as never);
      const auth = { signer, apiKey: account.apiKey, passphrase: account.passphrase };
      await http.request({
        method: "POST",
        path: "/api/v2/private/order/cancelOrderByClientOrderId",
        body: { accountId: account.accountId, clientOrderIdList: ["9"] },
        auth,
      });
      assert.ok(seen !== undefined);
      const headers = Object.fromEntries(Object.entries(seen.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const req = {
        method: "POST",
        path: "/api/v2/private/order/cancelOrderByClientOrderId",
        query: new URLSearchParams(),
        body: JSON.parse(seen.body) as Record<string, unknown>,
        headers,
      };
      const byKey = (k: string) => (k === account.apiKey ? account : undefined);
      assert.equal(checkHmac(req, byKey, now).ok, true);
      assert.equal(
        checkHmac({ ...req, body: { accountId: account.accountId, clientOrderIdList: ["10"] } }, byKey, now)
          .ok,
        false,
      );
      assert.equal(checkHmac(req, byKey, now + 120_000).ok, false);
      assert.equal(
        checkHmac(req, (k) => (k === account.apiKey ? { ...account, secret: "other" } : undefined), now).ok,
        false,
      );
      await http.request({
        method: "GET",
        path: "/api/v2/private/account/getAccountAsset",
        query: { accountId: account.accountId },
        auth,
      });
      const h2 = Object.fromEntries(Object.entries(seen.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const q = new URL(seen.url).searchParams;
      assert.equal(
        checkHmac(
          {
            method: "GET",
            path: "/api/v2/private/account/getAccountAsset",
            query: q,
            body: undefined,
            headers: h2,
          },
          byKey,
          now,
        ).ok,
        true,
      );
    } finally {
      globalThis.fetch = original;
    }
  });
});
