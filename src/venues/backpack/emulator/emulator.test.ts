import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ed25519 } from "@noble/curves/ed25519.js";
import WebSocket from "ws";
import { type BackpackEmulator, startBackpackEmulator } from "./start.ts";

/**
 * A second, independent client: requests built by hand from the docs' rules and signed with
 * @noble/curves (the connector signs with node:crypto through its own signing string). The
 * emulator must accept what this client signs and refuse any change made after signing.
 */
const secret = ed25519.utils.randomSecretKey();
const apiKey = Buffer.from(ed25519.getPublicKey(secret)).toString("base64");
let emu: BackpackEmulator;

before(async () => {
  emu = await startBackpackEmulator({ scheduledFunding: false });
  emu.driver.fund(apiKey, 50_000);
  emu.driver.setBook({ symbol: "BTC_USDC_PERP", bidPx: 59_999.9, askPx: 60_000.1, qty: 1 });
});
after(() => emu.close());

function sign(text: string): string {
  return Buffer.from(ed25519.sign(new TextEncoder().encode(text), secret)).toString("base64");
}

async function post(
  body: Record<string, unknown>,
  opts: { ts?: number; window?: string; signed?: string } = {},
) {
  const ts = opts.ts ?? Date.now();
  const window = opts.window ?? "5000";
  const text =
    opts.signed ??
    `instruction=orderExecute&${Object.keys(body)
      .sort()
      .map((k) => `${k}=${typeof body[k] === "string" ? body[k] : JSON.stringify(body[k])}`)
      .join("&")}&timestamp=${ts}&window=${window}`;
  const res = await fetch(`${emu.url}/api/v1/order`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-API-Key": apiKey,
      "X-Signature": sign(text),
      "X-Timestamp": String(ts),
      "X-Window": window,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const ORDER = {
  symbol: "BTC_USDC_PERP",
  side: "Bid",
  orderType: "Limit",
  price: "59000",
  quantity: "0.001",
  timeInForce: "GTC",
  clientId: 42,
};

test("a request signed by an independent client is accepted and rests", async () => {
  const r = await post(ORDER);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(
    [r.json.status, r.json.clientId, r.json.price, r.json.quantity],
    ["New", 42, "59000", "0.001"],
  );
  assert.equal(emu.driver.orders(apiKey).filter((o) => o.status === "New").length, 1);
});

test("a body changed after signing is refused and nothing is placed", async () => {
  const before = emu.driver.orders(apiKey).length;
  const signedText = `instruction=orderExecute&clientId=43&orderType=Limit&price=59000&quantity=0.001&side=Bid&symbol=BTC_USDC_PERP&timeInForce=GTC&timestamp=${Date.now()}&window=5000`;
  const r = await post({ ...ORDER, clientId: 43, quantity: "0.002" }, { signed: signedText });
  assert.equal(r.status, 401);
  assert.equal(r.json.code, "INVALID_SIGNATURE");
  assert.equal(emu.driver.orders(apiKey).length, before);
});

test("an expired timestamp, a future one and a window over 60 s are refused", async () => {
  const old = await post({ ...ORDER, clientId: 44 }, { ts: Date.now() - 6000 });
  assert.deepEqual([old.status, old.json.message], [400, "Request has expired"]);
  const future = await post({ ...ORDER, clientId: 45 }, { ts: Date.now() + 10_000 });
  assert.equal(future.status, 400);
  const wide = await post({ ...ORDER, clientId: 46 }, { window: "60001" });
  assert.equal(wide.status, 400);
  assert.match(String(wide.json.message), /X-Window/);
  // a longer window keeps an older request valid
  const ok = await post({ ...ORDER, clientId: 47 }, { ts: Date.now() - 6000, window: "10000" });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
});

test("an unfunded key is unknown to the venue", async () => {
  const other = ed25519.utils.randomSecretKey();
  const ts = Date.now();
  const res = await fetch(`${emu.url}/api/v1/capital/collateral`, {
    headers: {
      "X-API-Key": Buffer.from(ed25519.getPublicKey(other)).toString("base64"),
      "X-Signature": Buffer.from(
        ed25519.sign(
          new TextEncoder().encode(`instruction=collateralQuery&timestamp=${ts}&window=5000`),
          other,
        ),
      ).toString("base64"),
      "X-Timestamp": String(ts),
      "X-Window": "5000",
    },
  });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { code: string }).code, "UNAUTHORIZED");
});

test("private streams need the subscribe signature; with it, order updates arrive", async () => {
  const ws = new WebSocket(emu.wsUrl);
  const frames: Record<string, unknown>[] = [];
  await new Promise((r) => ws.once("open", r));
  ws.on("message", (m) => frames.push(JSON.parse(m.toString())));
  const ts = Date.now();
  ws.send(
    JSON.stringify({
      method: "SUBSCRIBE",
      params: ["account.orderUpdate"],
      signature: [apiKey, sign(`instruction=subscribe&timestamp=${ts + 1}&window=5000`), String(ts), "5000"],
    }),
  );
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(
    frames.some((f) => (f.error as { code?: number } | undefined)?.code === 4006),
    JSON.stringify(frames),
  );
  ws.send(
    JSON.stringify({
      method: "SUBSCRIBE",
      params: ["account.orderUpdate"],
      signature: [apiKey, sign(`instruction=subscribe&timestamp=${ts}&window=5000`), String(ts), "5000"],
    }),
  );
  await new Promise((r) => setTimeout(r, 50));
  const r = await post({ ...ORDER, clientId: 48, price: "60000.1", timeInForce: "IOC" });
  assert.equal(r.json.status, "Filled", JSON.stringify(r.json));
  await new Promise((r) => setTimeout(r, 50));
  const updates = frames
    .filter((f) => f.stream === "account.orderUpdate")
    .map((f) => f.data as Record<string, unknown>);
  assert.deepEqual(
    updates.map((u) => [u.e, u.c, u.X]),
    [
      ["orderAccepted", 48, "New"],
      ["orderFill", 48, "Filled"],
    ],
  );
  ws.close();
});
