import assert from "node:assert/strict";
import { test } from "node:test";
import { startHyperliquidEmulator } from "./start.ts";

const MASTER = `0x${"ab".repeat(20)}`;
const AGENT = `0x${"cd".repeat(20)}`;
const OTHER = `0x${"ef".repeat(20)}`;

async function info(url: string, body: Record<string, unknown>): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`${url}/info`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: r.status === 200 ? JSON.parse(text) : text };
}

test("emulator: extraAgents, userRole and activeAssetData answer in the venue's shapes", async () => {
  const emu = await startHyperliquidEmulator({ hourlyFunding: false });
  try {
    emu.driver.fund(MASTER, 1000);
    emu.driver.approveAgent(MASTER, AGENT, "perpbot");
    assert.deepEqual((await info(emu.url, { type: "extraAgents", user: MASTER })).json, [
      { address: AGENT, name: "perpbot", validUntil: 0 },
    ]);
    assert.deepEqual((await info(emu.url, { type: "extraAgents", user: OTHER })).json, []);
    assert.deepEqual((await info(emu.url, { type: "userRole", user: AGENT })).json, {
      role: "agent",
      data: { user: MASTER },
    });
    assert.deepEqual((await info(emu.url, { type: "userRole", user: MASTER })).json, { role: "user" });
    assert.deepEqual((await info(emu.url, { type: "userRole", user: OTHER })).json, { role: "missing" });
    const a = (await info(emu.url, { type: "activeAssetData", user: MASTER, coin: "BTC" })).json as Record<
      string,
      unknown
    >;
    assert.deepEqual(a.leverage, { type: "cross", value: 20 }, "the venue's default: cross at 20x");
    assert.equal(a.coin, "BTC");
    assert.equal(a.user, MASTER);
    assert.equal(typeof a.markPx, "string");
    const bad = await info(emu.url, { type: "activeAssetData", user: MASTER, coin: "NOPE" });
    assert.equal(bad.status, 422);
  } finally {
    await emu.close();
  }
});

test("emulator: skewClock shifts the time the venue stamps, and 0 restores it", async () => {
  const emu = await startHyperliquidEmulator({ hourlyFunding: false });
  try {
    emu.driver.skewClock(-90_000);
    const book = (await info(emu.url, { type: "l2Book", coin: "BTC" })).json as { time: number };
    assert.ok(Math.abs(Date.now() - 90_000 - book.time) < 2000, `book time ${book.time} is 90 s behind`);
    emu.driver.skewClock(0);
    assert.ok(Math.abs(Date.now() - emu.driver.now()) < 1000);
    assert.throws(() => emu.driver.skewClock(Number.NaN), /not a number/);
  } finally {
    await emu.close();
  }
});
