import assert from "node:assert/strict";
import { test } from "node:test";
import ccxt from "ccxt";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { starkAmounts } from "./amounts.ts";
import { RUST, SDK_ACCOUNT, SDK_BTC_USD, SDK_ORDERS } from "./fixtures/vectors.ts";
import {
  DOMAIN_TYPE,
  domainHash,
  MAINNET_DOMAIN,
  messageHash,
  ORDER_TYPE,
  orderHash,
  orderMessageHash,
  selector,
  settlementExpirationS,
  signOrder,
  TESTNET_DOMAIN,
  TRANSFER_TYPE,
  transferHash,
} from "./signing.ts";

const sdkSigner = () =>
  signerFromKeyBytes(
    "stark",
    Buffer.from(SDK_ACCOUNT.privateKey.slice(2).padStart(64, "0"), "hex"),
    "sdk key",
  );

test("rust-crypto-lib-base: selectors of StarknetDomain, Order, TransferArgs", () => {
  assert.equal(selector(DOMAIN_TYPE), BigInt(RUST.domainSelector));
  assert.equal(selector(ORDER_TYPE), BigInt(RUST.orderSelector));
  assert.equal(selector(TRANSFER_TYPE), BigInt(RUST.transferSelector));
});

test("rust-crypto-lib-base: the Sepolia domain hash (revision as the integer 1)", () => {
  assert.equal(domainHash(TESTNET_DOMAIN), RUST.sepoliaDomainHash);
  assert.notEqual(domainHash(MAINNET_DOMAIN), RUST.sepoliaDomainHash);
});

test("rust-crypto-lib-base: order struct hashes (positive and negative amounts) and the message hash", () => {
  assert.equal(orderHash(RUST.order), RUST.orderHash);
  assert.equal(orderHash(RUST.negativeOrder), RUST.negativeOrderHash);
  assert.equal(orderMessageHash(RUST.order, TESTNET_DOMAIN, RUST.orderUserKey), RUST.orderMessageHash);
});

test("rust-crypto-lib-base: transfer struct hash and message hash", () => {
  assert.equal(transferHash(RUST.transfer), RUST.transferHash);
  assert.equal(
    messageHash(transferHash(RUST.transfer), TESTNET_DOMAIN, RUST.transferUserKey),
    RUST.transferMessageHash,
  );
});

test("python_sdk order objects: amounts, settlement expiration, order id (= message hash), r and s", async () => {
  const signer = sdkSigner();
  assert.equal(`0x${signer.publicKey.replace(/^0+/, "")}`, SDK_ACCOUNT.publicKey);
  for (const v of SDK_ORDERS) {
    const a = starkAmounts({ side: v.side, qty: v.qty, price: v.price, feeRate: v.fee, ...SDK_BTC_USD });
    assert.deepEqual(
      { collateralAmount: String(a.quote), feeAmount: String(a.fee), syntheticAmount: String(a.base) },
      v.debuggingAmounts,
      v.test,
    );
    const { hash, settlement } = await signOrder(
      signer,
      {
        positionId: SDK_ACCOUNT.vault,
        baseAssetId: SDK_BTC_USD.syntheticId,
        baseAmount: a.base,
        quoteAssetId: SDK_BTC_USD.collateralId,
        quoteAmount: a.quote,
        feeAssetId: SDK_BTC_USD.collateralId,
        feeAmount: a.fee,
        expirationS: settlementExpirationS(v.expiryEpochMillis),
        salt: v.nonce,
      },
      TESTNET_DOMAIN,
    );
    assert.equal(String(hash), v.id, v.test);
    assert.deepEqual(
      settlement,
      { signature: { r: v.r, s: v.s }, starkKey: SDK_ACCOUNT.publicKey, collateralPosition: "10002" },
      v.test,
    );
  }
});

test("cross-check: ccxt's own Extended order hash agrees on varied orders (mainnet and Sepolia)", () => {
  for (const [domain, sandbox] of [
    [MAINNET_DOMAIN, false],
    [TESTNET_DOMAIN, true],
  ] as const) {
    const ex = new ccxt.extended();
    if (sandbox) ex.setSandboxMode(true);
    let seed = 7n;
    const next = (mod: bigint) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 63n;
      return seed % mod;
    };
    for (let i = 0; i < 20; i++) {
      const buy = next(2n) === 0n;
      const base = next(10n ** 12n) + 1n;
      const quote = next(10n ** 15n) + 1n;
      const o = {
        positionId: Number(next(2n ** 32n)),
        baseAssetId: `0x${next(2n ** 120n).toString(16)}`,
        baseAmount: buy ? base : -base,
        quoteAssetId: "0x1",
        quoteAmount: buy ? -quote : quote,
        feeAssetId: "0x1",
        feeAmount: next(10n ** 9n),
        expirationS: 1_700_000_000 + Number(next(10n ** 8n)),
        salt: next(2n ** 32n),
      };
      const starkKey = `0x${next(2n ** 62n).toString(16)}${next(2n ** 62n).toString(16)}`;
      const theirs = ex.getExtendedOrderMsgHash({
        starkKey,
        collateralPosition: String(o.positionId),
        baseAssetId: o.baseAssetId,
        baseAmount: String(o.baseAmount),
        quoteAssetId: o.quoteAssetId,
        quoteAmount: String(o.quoteAmount),
        feeAssetId: o.feeAssetId,
        feeAmount: String(o.feeAmount),
        expiration: String(o.expirationS),
        salt: String(o.salt),
      });
      assert.equal(orderMessageHash(o, domain, starkKey), BigInt(theirs), `order ${i} on ${domain.chainId}`);
    }
  }
});

test("amounts: buy rounds up, sell rounds down, fee always up; resolution other than 1e6", () => {
  const common = {
    qty: "0.0123",
    price: "101.37",
    feeRate: "0.00025",
    syntheticResolution: 100,
    collateralResolution: 1_000_000,
  };
  // 0.0123 × 101.37 = 1.246851 USD; fee 0.00031171275 USD → 312
  assert.deepEqual(starkAmounts({ side: "BUY", ...common }), { base: 2n, quote: -1246851n, fee: 312n });
  assert.deepEqual(starkAmounts({ side: "SELL", ...common }), { base: -1n, quote: 1246851n, fee: 312n });
  assert.throws(
    () => starkAmounts({ side: "BUY", ...common, qty: "1e-3" }),
    /qty "1e-3" is not a plain decimal/,
  );
});

test("out-of-range fields are refused with the field's name", () => {
  assert.throws(
    () => orderHash({ ...RUST.order, baseAmount: 2n ** 63n }),
    /order\.base_amount: .* does not fit an i64/,
  );
  assert.throws(
    () => orderHash({ ...RUST.order, positionId: 2 ** 32 }),
    /order\.position_id: .* does not fit a u32/,
  );
  assert.throws(
    () => orderHash({ ...RUST.order, feeAmount: -1n }),
    /order\.fee_amount: -1 does not fit a u64/,
  );
  assert.throws(
    () => orderHash({ ...RUST.order, baseAssetId: "BTC" }),
    /order\.base_asset_id: "BTC" is neither/,
  );
});

test("settlement expiration: expiry + 14 days in seconds, rounded up", () => {
  assert.equal(settlementExpirationS(1_704_420_537_000), 1_704_420_537 + 14 * 86_400);
  assert.equal(settlementExpirationS(1_704_420_537_001), 1_704_420_538 + 14 * 86_400);
});
