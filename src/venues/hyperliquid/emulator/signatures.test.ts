/**
 * Any correctly signed request passes, whoever signed it: `@nktkas/hyperliquid` (a standard
 * client: its own action building, msgpack, L1 hash and typed data, with a minimal viem-style
 * local account below that only hashes EIP-712 and signs) and the connector's signing.ts. Then
 * the refusals: unapproved agent, tampered body, reused nonce, nonce out of window, expired.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ExchangeClient, HttpTransport, InfoClient } from "@nktkas/hyperliquid";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { exchangeBody, fromHex, HlSigner, signApproveAgent, signL1Action } from "../signing.ts";
import { noopAction, type OrderInput, orderAction } from "../wire.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "./start.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON answers and nk's loose typed-data arguments
type Any = any;

/** EIP-712 of flat structs (string, address, uint*, bytes32, bool): all Hyperliquid signs. */
function typedDataHash(domain: Any, types: Any, primaryType: string, message: Any): Uint8Array {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const word = (n: bigint) => Uint8Array.from(Buffer.from(n.toString(16).padStart(64, "0"), "hex"));
  const enc = (t: string, v: Any): Uint8Array => {
    if (t === "string") return keccak_256(utf8(v));
    if (t === "address") return word(BigInt(v));
    if (t === "bytes32") return fromHex(v, 32);
    if (t === "bool") return word(v ? 1n : 0n);
    if (t.startsWith("uint")) return word(BigInt(v));
    throw new Error(`typed data: type ${t} not supported by this test wallet`);
  };
  const struct = (name: string, fields: { name: string; type: string }[], value: Any) =>
    keccak_256(
      Buffer.concat([
        keccak_256(utf8(`${name}(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`)),
        ...fields.map((f) => enc(f.type, value[f.name])),
      ]),
    );
  const domainFields = [
    { name: "name", type: "string" },
    { name: "version", type: "string" },
    { name: "chainId", type: "uint256" },
    { name: "verifyingContract", type: "address" },
  ].filter((f) => domain[f.name] !== undefined);
  return keccak_256(
    Buffer.concat([
      Uint8Array.of(0x19, 0x01),
      struct("EIP712Domain", domainFields, domain),
      struct(primaryType, types[primaryType], message),
    ]),
  );
}

/** A viem-style local account over a raw key (what nk accepts: `{address, signTypedData}`). */
function localAccount(key: Uint8Array) {
  const address = new HlSigner(key).address;
  return {
    address,
    async signTypedData(p: Any): Promise<`0x${string}`> {
      const sig = secp256k1.sign(typedDataHash(p.domain, p.types, p.primaryType, p.message), key, {
        prehash: false,
        format: "recovered",
      });
      return `0x${Buffer.from(sig.subarray(1)).toString("hex")}${(27 + sig[0]).toString(16)}`;
    },
  };
}

const masterKey = fromHex(`0x${"c3".repeat(32)}`, 32);
const agentKey = fromHex(`0x${"d4".repeat(32)}`, 32);
const master = new HlSigner(masterKey);
const agent = new HlSigner(agentKey);
const stranger = new HlSigner(fromHex(`0x${"e5".repeat(32)}`, 32));

const gtc = (o: Partial<OrderInput> = {}): OrderInput => ({
  asset: 1,
  isBuy: true,
  limitPx: "3400",
  sz: "0.01",
  reduceOnly: false,
  orderType: { limit: { tif: "Gtc" } },
  ...o,
});

describe("hyperliquid emulator: signatures from any standard client", () => {
  let emu: HyperliquidEmulator;
  let nonce = Date.now();
  const send = async (body: string) => {
    const r = await fetch(`${emu.url}/exchange`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    return (await r.json()) as Any;
  };
  const l1 = (who: HlSigner, action: Any, n = nonce++, expiresAfter?: number) =>
    exchangeBody(
      action,
      n,
      signL1Action(who, action, { nonce: n, mainnet: false, expiresAfter }),
      undefined,
      expiresAfter,
    );

  before(async () => {
    emu = await startHyperliquidEmulator({ hourlyFunding: false });
    emu.driver.fund(master.address, 50_000);
    emu.driver.setBook({ coin: "ETH", bidPx: 3490, askPx: 3510, sz: 5 });
  });
  after(() => emu.close());

  it("@nktkas/hyperliquid: approveAgent by the master, then orders by the master and the agent", async () => {
    const transport = new HttpTransport({ apiUrl: emu.url, isTestnet: true });
    const boss = new ExchangeClient({ transport, wallet: localAccount(masterKey) });
    const approved = await boss.approveAgent({ agentAddress: agent.address, agentName: "nk" });
    assert.equal(approved.status, "ok");
    const placed = await boss.order({
      orders: [{ a: 1, b: true, p: "3400", s: "0.01", r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    });
    assert.ok("resting" in (placed.response.data.statuses[0] as Any));
    const byAgent = new ExchangeClient({ transport, wallet: localAccount(agentKey) });
    const r2 = await byAgent.order({
      orders: [
        {
          a: 1,
          b: false,
          p: "3600",
          s: "0.01",
          r: false,
          t: { limit: { tif: "Alo" } },
          c: "0x0000000000000000000000000000c0de",
        },
      ],
      grouping: "na",
    });
    assert.deepEqual(
      (r2.response.data.statuses[0] as Any).resting.cloid,
      "0x0000000000000000000000000000c0de",
    );
    const canceled = await byAgent.cancelByCloid({
      cancels: [{ asset: 1, cloid: "0x0000000000000000000000000000c0de" }],
    });
    assert.deepEqual(canceled.response.data.statuses, ["success"]);
    const open = await new InfoClient({ transport }).openOrders({ user: master.address });
    assert.equal(open.length, 1, "the agent's orders are the master's");
  });

  it("our signing.ts: an order from the master is accepted; a stranger and a tampered body are not", async () => {
    const ok = await send(l1(master, orderAction([gtc()])));
    assert.ok(ok.response.data.statuses[0].resting);
    assert.deepEqual(await send(l1(stranger, orderAction([gtc()]))), {
      status: "err",
      response: `User or API Wallet ${stranger.address} does not exist.`,
    });
    const body = JSON.parse(l1(master, orderAction([gtc()])));
    body.action.orders[0].p = "3401";
    const tampered = await send(JSON.stringify(body));
    assert.equal(tampered.status, "err");
    assert.match(tampered.response, /^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
    assert.notEqual(tampered.response, `User or API Wallet ${master.address} does not exist.`);
  });

  it("an agent signs only after the master's approveAgent", async () => {
    const fresh = new HlSigner(fromHex(`0x${"f6".repeat(32)}`, 32));
    const before = await send(l1(fresh, orderAction([gtc()])));
    assert.deepEqual(before, {
      status: "err",
      response: `User or API Wallet ${fresh.address} does not exist.`,
    });
    // an agent cannot approve itself, a stranger cannot approve for the master
    const n = nonce++;
    const self = signApproveAgent(fresh, { agentAddress: fresh.address, nonce: n, mainnet: false });
    assert.equal((await send(exchangeBody(self.action as never, n, self.signature))).status, "err");
    const m = nonce++;
    const { action, signature } = signApproveAgent(master, {
      agentAddress: fresh.address,
      nonce: m,
      mainnet: false,
    });
    assert.deepEqual(await send(exchangeBody(action as never, m, signature)), {
      status: "ok",
      response: { type: "default" },
    });
    assert.ok((await send(l1(fresh, orderAction([gtc()])))).response.data.statuses[0].resting);
  });

  it("nonces: reuse, out of window and a noop-burnt nonce are refused; an expired action is refused", async () => {
    const n = nonce++;
    assert.equal((await send(l1(master, orderAction([gtc()]), n))).status, "ok");
    const again = await send(l1(master, orderAction([gtc({ limitPx: "3300" })]), n));
    assert.equal(again.status, "err");
    assert.match(again.response, /^Invalid nonce/);
    const old = await send(l1(master, orderAction([gtc()]), Date.now() - 3 * 86_400_000));
    assert.match(old.response, /^Invalid nonce.*outside the allowed window/);
    const future = await send(l1(master, orderAction([gtc()]), Date.now() + 2 * 86_400_000));
    assert.match(future.response, /^Invalid nonce/);
    // finalising an unknown order: a noop on the same nonce makes the original unable to land
    const burnt = nonce++;
    assert.deepEqual(await send(l1(master, noopAction(), burnt)), {
      status: "ok",
      response: { type: "default" },
    });
    assert.match((await send(l1(master, orderAction([gtc()]), burnt))).response, /^Invalid nonce/);
    const expired = await send(l1(master, orderAction([gtc()]), nonce++, Date.now() - 1000));
    assert.match(expired.response, /^Action expired/);
    const live = await send(l1(master, orderAction([gtc()]), nonce++, Date.now() + 60_000));
    assert.equal(live.status, "ok", "an expiresAfter in the future passes");
  });

  it("a mainnet signature is refused by a testnet emulator", async () => {
    const n = nonce++;
    const action = orderAction([gtc()]);
    const sig = signL1Action(master, action, { nonce: n, mainnet: true });
    const r = await send(exchangeBody(action, n, sig));
    assert.match(r.response, /^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
  });
});
