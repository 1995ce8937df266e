import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { signerFromKeyBytes } from "../../../wallets/signer.ts";
import { generateApiKey, LighterTxSigner } from "../signing.ts";
import { type LighterEmulator, type SignatureVerifier, startLighterEmulator } from "./start.ts";
import { changePubKeyMessage, recoverPersonalSigner } from "./verify.ts";

/**
 * The emulator's own checks, through its HTTP API as any client would call it: a signed
 * transaction from the official signer passes; each field, the nonce, the expiry, the key's
 * registration, the L1 signature of a ChangePubKey, the rate limit and the auth tokens refuse
 * what they must, with the venue's code and a message naming the field.
 */

const ORDER = {
  marketIndex: 1,
  clientOrderIndex: 11,
  baseAmount: 1000,
  price: 600_000,
  isAsk: 0 as const,
  type: 0,
  timeInForce: 1,
  reduceOnly: 0 as const,
  triggerPrice: 0,
  orderExpiry: 0,
};

async function world(opts: { perMinute?: number; verifySignature?: SignatureVerifier } = {}) {
  const emu = await startLighterEmulator({
    scheduledFunding: false,
    perMinute: opts.perMinute ?? 10_000,
    verifySignature: opts.verifySignature,
  });
  const l1Key = randomBytes(32);
  const l1 = `0x${Buffer.from(keccak_256(secp256k1.getPublicKey(l1Key, false).subarray(1)).subarray(12)).toString("hex")}`;
  const index = emu.driver.createAccount(l1, 10_000);
  const key = await generateApiKey();
  const pub = key.publicKeyHex;
  const signer = await LighterTxSigner.create({
    holder: signerFromKeyBytes("ecgfp5", key.privateKey, "k"),
    accountIndex: index,
    apiKeyIndex: 3,
    chainId: 300,
    url: emu.url,
  });
  return { emu, l1Key, l1, index, pub, signer };
}

async function sendTx(
  emu: LighterEmulator,
  txType: number,
  txInfo: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}/api/v1/sendTx`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ tx_type: String(txType), tx_info: txInfo }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const orderExpiry = () => Date.now() + 3_600_000;

function personalSign(message: string, key: Uint8Array): string {
  const text = Buffer.from(message, "utf8");
  const digest = keccak_256(
    Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${text.length}`), text]),
  );
  const sig = secp256k1.sign(digest, key, { prehash: false, format: "recovered" });
  // noble's recovered format is recovery ‖ r ‖ s; Ethereum's is r ‖ s ‖ v (27/28)
  return `0x${Buffer.concat([sig.subarray(1), Buffer.from([sig[0] + 27])]).toString("hex")}`;
}

test("ChangePubKey registers the key only with the account owner's L1 signature; the order it signs then passes", async () => {
  const w = await world();
  try {
    const cp = w.signer.changePubKey(w.pub, 0);
    assert.equal(recoverPersonalSigner(cp.messageToSign, personalSign(cp.messageToSign, w.l1Key)), w.l1);
    assert.equal(
      cp.messageToSign,
      changePubKeyMessage(w.pub, 0, w.index, 3),
      "the emulator rebuilds the signer's message",
    );
    const withSig = (sig: string) => JSON.stringify({ ...JSON.parse(cp.txInfo), L1Sig: sig });
    const other = personalSign(cp.messageToSign, randomBytes(32));
    const bad = await sendTx(w.emu, 8, withSig(other));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 21121);
    assert.match(String(bad.body.message), /does not recover to the account's L1 address/);
    assert.equal(w.emu.driver.publicKey(w.index, 3), undefined, "not registered by a stranger's signature");
    const good = await sendTx(w.emu, 8, withSig(personalSign(cp.messageToSign, w.l1Key)));
    assert.equal(good.status, 200, JSON.stringify(good.body));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(w.emu.driver.publicKey(w.index, 3), w.pub, "the key is kept per (account, api key index)");
    const order = w.signer.createOrder({ ...ORDER, orderExpiry: orderExpiry() }, 1);
    const placed = await sendTx(w.emu, order.txType, order.txInfo);
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    assert.equal(placed.body.code, 200);
    assert.equal(typeof placed.body.tx_hash, "string");
  } finally {
    await w.emu.close();
  }
});

test("a tx is refused for a wrong nonce, an unregistered key, a changed field, an extra field, a bad range", async () => {
  const w = await world();
  try {
    const o = (nonce: number, over: Partial<typeof ORDER> = {}) =>
      w.signer.createOrder({ ...ORDER, orderExpiry: orderExpiry(), ...over }, nonce);
    const unregistered = await sendTx(w.emu, 14, o(0).txInfo);
    assert.deepEqual(
      [unregistered.body.code, unregistered.body.message],
      [21109, `api key 3 of account ${w.index} is not registered`],
    );
    w.emu.driver.registerKey(w.index, 3, w.pub);
    const wrongNonce = await sendTx(w.emu, 14, o(5).txInfo);
    assert.deepEqual([wrongNonce.body.code, wrongNonce.body.message], [21104, "invalid nonce 5: expected 0"]);
    const info = JSON.parse(o(0).txInfo);
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ ...info, Extra: 1 }, 21100, /unexpected tx_info field\(s\) Extra/],
      [{ ...info, Price: 0 }, 21707, /Price must be an integer in \[1, 4294967295\]/],
      [{ ...info, BaseAmount: 1 }, 21706, /below the market's minimum 20/],
      [{ ...info, MarketIndex: 9 }, 21600, /market 9 does not exist/],
      [{ ...info, ExpiredAt: Date.now() - 1 }, 21711, /transaction expired/],
      [{ ...info, OrderExpiry: Date.now() + 60_000 }, 21711, /5 minutes to 30 days/],
      [{ ...info, TimeInForce: 0 }, 21711, /OrderExpiry must be 0 for an IOC order/],
      [{ ...info, Sig: "AAAA" }, 21120, /Sig must be 80 bytes/],
    ];
    for (const [body, code, message] of cases) {
      const r = await sendTx(w.emu, 14, JSON.stringify(body));
      assert.equal(r.body.code, code, JSON.stringify(r.body));
      assert.match(String(r.body.message), message);
    }
    const first = await sendTx(w.emu, 14, o(0).txInfo);
    assert.equal(first.body.code, 200, "the untouched tx still passes: a refusal used no nonce");
    const dupCoi = await sendTx(w.emu, 14, o(1).txInfo);
    assert.deepEqual([dupCoi.body.code], [21728], "a client order index is unique per account");
    assert.equal(w.emu.driver.nextNonce(w.index, 3), 1);
  } finally {
    await w.emu.close();
  }
});

test("a plugged-in signature verifier sees each tx with the registered key, and its refusal is the venue's", async () => {
  const seen: [number, string][] = [];
  const w = await world({
    verifySignature: (type, info, pub) => {
      seen.push([type, pub]);
      return info.ClientOrderIndex === 13 ? "e does not match" : undefined;
    },
  });
  try {
    assert.equal(w.emu.checksSignatures, true);
    w.emu.driver.registerKey(w.index, 3, w.pub);
    const ok = await sendTx(
      w.emu,
      14,
      w.signer.createOrder({ ...ORDER, orderExpiry: orderExpiry() }, 0).txInfo,
    );
    assert.equal(ok.body.code, 200);
    const bad = await sendTx(
      w.emu,
      14,
      w.signer.createOrder({ ...ORDER, clientOrderIndex: 13, orderExpiry: orderExpiry() }, 1).txInfo,
    );
    assert.deepEqual([bad.body.code, bad.body.message], [21120, "invalid signature: e does not match"]);
    assert.deepEqual(seen, [
      [14, w.pub],
      [14, w.pub],
    ]);
  } finally {
    await w.emu.close();
  }
});

test("rate limit: a standard account's 61st request in a minute is HTTP 429 code 23000; auth tokens are checked", async () => {
  const w = await world({ perMinute: 60 });
  try {
    assert.equal(
      w.emu.checksSignatures,
      false,
      "no verifier: signatures are not checked, and the emulator says so",
    );
    w.emu.driver.registerKey(w.index, 3, w.pub);
    const token = w.signer.authToken(Math.floor(Date.now() / 1000) + 3600);
    const read = () =>
      fetch(`${w.emu.url}/api/v1/accountActiveOrders?account_index=${w.index}&market_id=1&auth=${token}`);
    const codes: number[] = [];
    for (let i = 0; i < 60; i++) codes.push((await read()).status);
    assert.deepEqual(codes, new Array(60).fill(200));
    const last = await read();
    assert.equal(last.status, 429);
    assert.deepEqual(await last.json(), { code: 23000, message: "Too Many Requests!" });
    // per L1 address, not per IP: an unauthenticated read from the same IP still passes
    assert.equal((await fetch(`${w.emu.url}/api/v1/orderBookDetails`)).status, 200);
  } finally {
    await w.emu.close();
  }
  const v = await world();
  try {
    v.emu.driver.registerKey(v.index, 3, v.pub);
    const get = async (auth: string) =>
      (
        await fetch(
          `${v.emu.url}/api/v1/accountActiveOrders?account_index=${v.index}&market_id=1&auth=${auth}`,
        )
      ).json();
    const now = Math.floor(Date.now() / 1000);
    assert.match(
      String(((await get(v.signer.authToken(now - 1))) as { message: string }).message),
      /auth token expired/,
    );
    assert.match(
      String(((await get(v.signer.authToken(now + 9 * 3600))) as { message: string }).message),
      /more than 8 h ahead/,
    );
    assert.match(String(((await get("x")) as { message: string }).message), /malformed auth token/);
    assert.equal(((await get(v.signer.authToken(now + 600))) as { code: number }).code, 200);
  } finally {
    await v.emu.close();
  }
});
