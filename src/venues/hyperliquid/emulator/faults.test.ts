/**
 * Each fault kind is observable on the wire, and the ones that execute leave the order on the
 * venue (what the connector must resolve by orderStatus): lost ack, delayed ack, 5xx with and
 * without execution, execute then time out, 429; plus the IP weight budget.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { exchangeBody, fromHex, HlSigner, signL1Action } from "../signing.ts";
import { type OrderInput, orderAction } from "../wire.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "./start.ts";

const user = new HlSigner(fromHex(`0x${"17".repeat(32)}`, 32));
let nonce = Date.now();
let cloidSeq = 0;

function body(): { text: string; cloid: string } {
  const cloid = `0x${(++cloidSeq).toString(16).padStart(32, "0")}`;
  const o: OrderInput = {
    asset: 2,
    isBuy: true,
    limitPx: "190",
    sz: "1",
    reduceOnly: false,
    orderType: { limit: { tif: "Gtc" } },
    cloid,
  };
  const a = orderAction([o]);
  const n = nonce++;
  return { text: exchangeBody(a, n, signL1Action(user, a, { nonce: n, mainnet: false })), cloid };
}

describe("hyperliquid emulator: injected faults", () => {
  let emu: HyperliquidEmulator;
  const exchange = (text: string, timeoutMs = 5000) =>
    fetch(`${emu.url}/exchange`, {
      method: "POST",
      body: text,
      headers: { "content-type": "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
  const exists = (cloid: string) =>
    emu.driver.orders(user.address).some((o) => o.cloid === cloid && o.status === "open");

  before(async () => {
    emu = await startHyperliquidEmulator({ hourlyFunding: false });
    emu.driver.fund(user.address, 100_000);
    emu.driver.setBook({ coin: "SOL", bidPx: 199, askPx: 201, sz: 10 });
  });
  after(() => emu.close());

  it("a lost ack resets the connection after the order was placed", async () => {
    emu.driver.loseAcks(1);
    const b = body();
    await assert.rejects(exchange(b.text));
    assert.ok(exists(b.cloid), "the order rests although no answer came");
    assert.equal(emu.driver.faultsApplied().loseAck, 1);
  });

  it("a delayed ack arrives late, with the venue's answer", async () => {
    emu.driver.delayAcks(1, 300);
    const b = body();
    const t = Date.now();
    const r = await exchange(b.text);
    assert.ok(Date.now() - t >= 280, "held for the delay");
    assert.equal(((await r.json()) as { status: string }).status, "ok");
  });

  it("5xx: refused before execution by default, after it with execute", async () => {
    emu.driver.serverErrors(1);
    const a = body();
    const r = await exchange(a.text);
    assert.equal(r.status, 502);
    assert.equal(await r.text(), "Bad Gateway");
    assert.ok(!exists(a.cloid));
    emu.driver.serverErrors(1, { status: 503, execute: true });
    const b = body();
    assert.equal((await exchange(b.text)).status, 503);
    assert.ok(exists(b.cloid), "executed, then the gateway failed");
  });

  it("execute then time out: the client gives up, the order is on the venue", async () => {
    emu.driver.executeThenTimeout(1, 1000);
    const b = body();
    await assert.rejects(exchange(b.text, 150), /timeout|aborted/i);
    assert.ok(exists(b.cloid));
  });

  it("429: nothing runs", async () => {
    emu.driver.rateLimit(1);
    const b = body();
    const r = await exchange(b.text);
    assert.equal(r.status, 429);
    assert.ok(!exists(b.cloid));
    assert.equal((await exchange(body().text)).status, 200, "the fault was for one request only");
  });

  it("random faults: the given share of requests gets one, until cleared", async () => {
    let draws = 0;
    emu.driver.randomFaults({
      rate: 1,
      faults: [{ kind: "rateLimited" }],
      random: () => {
        draws++;
        return 0.5;
      },
    });
    const before = emu.driver.faultsApplied().rateLimited ?? 0;
    assert.deepEqual(
      [(await exchange(body().text)).status, (await exchange(body().text)).status],
      [429, 429],
    );
    assert.equal((emu.driver.faultsApplied().rateLimited ?? 0) - before, 2, "counted as applied");
    assert.ok(draws >= 2, "drawn from the caller's generator");
    emu.driver.randomFaults({ rate: 0, faults: [{ kind: "rateLimited" }], random: () => 0.5 });
    assert.equal((await exchange(body().text)).status, 200, "rate 0: none");
    emu.driver.randomFaults({ rate: 1, faults: [{ kind: "rateLimited" }], random: () => 0.5 });
    emu.driver.clearFaults();
    assert.equal((await exchange(body().text)).status, 200, "clearFaults stops the random ones");
    assert.throws(
      () => emu.driver.randomFaults({ rate: 2, faults: [], random: Math.random }),
      /rate in \[0, 1\]/,
    );
  });

  it("a reused nonce is refused and counted against its signer", async () => {
    const b = body();
    const first = (await (await exchange(b.text)).json()) as { status: string };
    assert.equal(first.status, "ok");
    const again = (await (await exchange(b.text)).json()) as { status: string; response: string };
    assert.equal(again.status, "err");
    assert.match(again.response, /Invalid nonce: \d+ was already used/);
    assert.deepEqual(emu.driver.nonceRefusals(), { [user.address.toLowerCase()]: 1 });
  });

  it("the per-IP weight budget answers 429 once spent", async () => {
    const small = await startHyperliquidEmulator({ hourlyFunding: false, ipWeightPerMinute: 45 });
    try {
      const info = (type: string) =>
        fetch(`${small.url}/info`, { method: "POST", body: JSON.stringify({ type }) }).then((r) => r.status);
      assert.deepEqual([await info("meta"), await info("meta"), await info("meta")], [200, 200, 429]);
      assert.equal(await info("allMids"), 200, "a weight-2 request still fits");
    } finally {
      await small.close();
    }
  });
});
