import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { JwtSession } from "./auth.ts";
import { type ParadexEmulator, startParadexEmulator } from "./emulator/start.ts";
import { ParadexHttp } from "./http.ts";
import { type PdxOrderAnswer, placeOrder } from "./orders.ts";
import { ParadexSocket, ParadexWsError, type PdxBbo } from "./ws.ts";

const ACCOUNT = "0x77aa";
let clock: SimClock;
let emu: ParadexEmulator;
let signer: AccountSigner;
let session: JwtSession;
let http: ParadexHttp;
let sock: ParadexSocket;

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), "condition not reached within 2 s");
};

beforeEach(async () => {
  clock = new SimClock(Date.UTC(2026, 11, 1));
  emu = await startParadexEmulator({ now: () => clock.now() });
  signer = signerFromKeyBytes("stark", Buffer.alloc(32, 3), "ws test key");
  emu.driver.onboard(ACCOUNT, `0x${signer.publicKey}`);
  emu.driver.fund(ACCOUNT, 10_000);
  http = new ParadexHttp(emu.url, 3000);
  session = new JwtSession({ http, clock, signer, account: ACCOUNT, chain: emu.chain });
  sock = await ParadexSocket.open(emu.wsUrl);
});
afterEach(async () => {
  sock.close();
  await emu.close();
});

test("ws: private orders need auth; after it, the account's orders arrive on orders.{market} and orders.ALL", async () => {
  await assert.rejects(
    sock.subscribeOrders("BTC-USD-PERP", () => {}),
    (e: unknown) => e instanceof ParadexWsError && e.code === 40111,
  );
  await assert.rejects(
    sock.auth("not-a-jwt"),
    (e: unknown) => e instanceof ParadexWsError && e.code === 40110,
  );
  await sock.auth(await session.token());
  const seen: PdxOrderAnswer[] = [];
  const all: PdxOrderAnswer[] = [];
  await sock.subscribeOrders("BTC-USD-PERP", (o) => seen.push(o));
  await sock.subscribeOrders("ALL", (o) => all.push(o));
  const placed = await placeOrder(
    { http, session, signer, clock },
    {
      market: "BTC-USD-PERP",
      side: "BUY",
      type: "LIMIT",
      size: "0.01",
      price: "60000",
      instruction: "GTC",
      reduceOnly: false,
      clientId: "w1",
    },
  );
  // the answer is the order as received; the socket tells when it reached the book
  assert.equal(placed.status, "NEW");
  await until(() => seen.length === 1 && all.length === 1);
  assert.deepEqual([seen[0]!.id, seen[0]!.client_id, seen[0]!.status], [placed.id, "w1", "OPEN"]);
  await http.request({ method: "DELETE", path: `/orders/${placed.id}`, jwt: await session.token() });
  await until(() => seen.length === 2);
  assert.equal(seen[1]!.status, "CLOSED");
});

test("ws: bbo flows only on the subscribed market; an unknown channel is named", async () => {
  const bbo: PdxBbo[] = [];
  const bad: string[] = [];
  sock.onBadFrame = (p) => bad.push(p);
  await until(() => true);
  await sock.subscribeBbo("ETH-USD-PERP", (b) => bbo.push(b));
  await assert.rejects(
    sock.subscribeBbo("DOGE-USD-PERP", () => {}),
    /-32602 .*unknown channel bbo\.DOGE-USD-PERP/,
  );
  emu.driver.setBbo({ market: "BTC-USD-PERP", bid: "1", ask: "2", bidSize: "1", askSize: "1" });
  emu.driver.setBbo({ market: "ETH-USD-PERP", bid: "3000.1", ask: "3000.2", bidSize: "4", askSize: "5" });
  await until(() => bbo.length === 1);
  assert.deepEqual([bbo[0]!.market, bbo[0]!.bid, bbo[0]!.ask_size], ["ETH-USD-PERP", "3000.1", "5"]);
  assert.equal(bbo.length, 1);
  assert.deepEqual(bad, []);
});
