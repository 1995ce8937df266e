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

async function world(
  opts: { perMinute?: number; verifySignature?: SignatureVerifier; mainnet?: boolean } = {},
) {
  const emu = await startLighterEmulator({
    scheduledFunding: false,
    perMinute: opts.perMinute ?? 10_000,
    verifySignature: opts.verifySignature,
    network: opts.mainnet ? "mainnet" : undefined,
  });
  const l1Key = randomBytes(32);
  const l1 = `0x${Buffer.from(keccak_256(secp256k1.getPublicKey(l1Key, false).subarray(1)).subarray(12)).toString("hex")}`;
  const index = emu.driver.createAccount(l1, 10_000);
  const key = await generateApiKey();
  const pub = key.publicKeyHex;
  const signerKey = key.privateKey;
  const signer = await LighterTxSigner.create({
    holder: signerFromKeyBytes("ecgfp5", key.privateKey, "k"),
    accountIndex: index,
    apiKeyIndex: 3,
    chainId: opts.mainnet ? 304 : 300,
    url: emu.url,
  });
  return { emu, l1Key, l1, index, pub, signer, signerKey };
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
    assert.deepEqual(
      [bad.body.code, bad.body.message],
      [21120, `invalid signature: e does not match (by api key 3 of account ${w.index}, chain id 300)`],
    );
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
    // (a second signer for the same account and key replaces the first inside the WASM: last)
    // a well-formed token for the account, signed by another key: refused by its signature
    const stranger = await LighterTxSigner.create({
      holder: signerFromKeyBytes("ecgfp5", (await generateApiKey()).privateKey, "k"),
      accountIndex: v.index,
      apiKeyIndex: 3,
      chainId: 300,
      url: v.emu.url,
    });
    const forged = (await get(stranger.authToken(now + 600))) as { code: number; message: string };
    assert.equal(forged.code, 20013);
    assert.match(
      forged.message,
      /auth token is not signed by the registered api key 3 of account \d+: bad signature/,
    );
  } finally {
    await v.emu.close();
  }
});

test("signatures are checked by default: a signed tx passes and its hash is the signer's txHash; a tampered one is refused with 21120 invalid signature", async () => {
  const w = await world();
  try {
    assert.equal(w.emu.chainId, 300, "testnet by default");
    w.emu.driver.registerKey(w.index, 3, w.pub);
    const signed = w.signer.createOrder({ ...ORDER, orderExpiry: orderExpiry() }, 0);
    const info = JSON.parse(signed.txInfo) as Record<string, unknown>;
    const sig = Buffer.from(String(info.Sig), "base64");
    sig[5] ^= 1;
    const tampered: [string, Record<string, unknown>][] = [
      ["a changed price", { ...info, Price: (info.Price as number) + 1 }],
      ["a changed size", { ...info, BaseAmount: (info.BaseAmount as number) + 1 }],
      ["a flipped signature byte", { ...info, Sig: sig.toString("base64") }],
    ];
    for (const [what, body] of tampered) {
      const r = await sendTx(w.emu, 14, JSON.stringify(body));
      assert.equal(r.status, 400, what);
      assert.equal(r.body.code, 21120, what);
      assert.match(
        String(r.body.message),
        new RegExp(
          `^invalid signature: bad signature \\(by api key 3 of account ${w.index}, chain id 300\\)$`,
        ),
        what,
      );
    }
    assert.equal(w.emu.driver.nextNonce(w.index, 3), 0, "a refused tx uses no nonce");
    assert.deepEqual(w.emu.driver.refusals(), { 21120: 3 }, "refusals are counted by code");
    const ok = await sendTx(w.emu, 14, signed.txInfo);
    assert.equal(ok.body.code, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.tx_hash, signed.txHash, "the venue's tx hash is the official signer's txHash");
    await new Promise((r) => setTimeout(r, 30));
    const found = (await (await fetch(`${w.emu.url}/api/v1/tx?by=hash&value=${signed.txHash}`)).json()) as {
      code: number;
      hash: string;
      status: number;
    };
    assert.deepEqual(
      [found.code, found.hash, found.status],
      [200, signed.txHash, 2],
      "found by the signer's txHash, executed",
    );
    // a ChangePubKey whose Sig is not by the PubKey it registers
    const cp = w.signer.changePubKey((await generateApiKey()).publicKeyHex, 1);
    const cpr = await sendTx(
      w.emu,
      8,
      JSON.stringify({ ...JSON.parse(cp.txInfo), L1Sig: personalSign(cp.messageToSign, w.l1Key) }),
    );
    assert.equal(cpr.body.code, 21120, JSON.stringify(cpr.body));
    assert.match(String(cpr.body.message), /by the PubKey being registered, chain id 300/);
    // (last: a second signer for the same account and key replaces the first inside the WASM)
    // another key of the same account cannot sign for api key 3
    const other = await LighterTxSigner.create({
      holder: signerFromKeyBytes("ecgfp5", (await generateApiKey()).privateKey, "k"),
      accountIndex: w.index,
      apiKeyIndex: 3,
      chainId: 300,
      url: w.emu.url,
    });
    const byOther = await sendTx(
      w.emu,
      14,
      other.createOrder({ ...ORDER, clientOrderIndex: 12, orderExpiry: orderExpiry() }, 1).txInfo,
    );
    assert.equal(byOther.body.code, 21120);
  } finally {
    await w.emu.close();
  }
});

test("the chain id is the emulator's network: a mainnet emulator refuses a testnet signature and takes a mainnet one", async () => {
  const main = await world({ mainnet: true });
  try {
    assert.equal(main.emu.chainId, 304);
    main.emu.driver.registerKey(main.index, 3, main.pub);
    const order = { ...ORDER, orderExpiry: orderExpiry() };
    // signed first: a second signer for the same account and key replaces the first inside the WASM
    const right = main.signer.createOrder(order, 0);
    // the same key and tx, signed for testnet
    const testnetKey = await LighterTxSigner.create({
      holder: signerFromKeyBytes("ecgfp5", main.signerKey, "k"),
      accountIndex: main.index,
      apiKeyIndex: 3,
      chainId: 300,
      url: main.emu.url,
    });
    const wrongChain = await sendTx(main.emu, 14, testnetKey.createOrder(order, 0).txInfo);
    assert.equal(wrongChain.body.code, 21120);
    assert.match(String(wrongChain.body.message), /chain id 304\)$/);
    const ok = await sendTx(main.emu, 14, right.txInfo);
    assert.deepEqual([ok.body.code, ok.body.tx_hash], [200, right.txHash]);
  } finally {
    await main.emu.close();
  }
});
