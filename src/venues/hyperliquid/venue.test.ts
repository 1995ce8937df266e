import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { WallClock } from "../../core/clock.ts";
import type { OrderRequest } from "../../core/types.ts";
import { type VenueEvent, VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { approveAgent } from "./approve.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "./emulator/start.ts";
import { signerAddressOf } from "./exchange.ts";
import { PY_KEY } from "./fixtures/vectors.ts";
import { FileNonceStore, MemoryNonceStore, NonceManager } from "./nonce.ts";
import { WeightLimiter } from "./rate-limit.ts";
import { HyperliquidVenue } from "./venue.ts";

/**
 * The connector end to end against the protocol emulator (startHyperliquidEmulator: HTTP /info
 * and /exchange, the WebSocket, matching, signature recovery by its own verifier), and against
 * small local HTTP servers that answer with the failures the venue can produce (timeout, 5xx,
 * 429, refused connection).
 */
const UNIVERSE = [
  { name: "BTC", szDecimals: 5, maxLeverage: 40, markPx: 97_000 },
  { name: "ETH", szDecimals: 4, maxLeverage: 25, markPx: 3_500 },
];
/** what the failure servers answer to /info metaAndAssetCtxs */
const META_AND_CTXS = [
  { universe: UNIVERSE.map(({ markPx: _, ...c }) => c) },
  UNIVERSE.map((c) => ({ markPx: String(c.markPx), oraclePx: String(c.markPx), funding: "0.0000125" })),
];
const key = (hex: string) => Buffer.from(hex.replace(/^0x/, ""), "hex");
const masterSigner = signerFromKeyBytes("secp256k1", key(PY_KEY), "test master");
const agentSigner = signerFromKeyBytes("secp256k1", key("5a".repeat(32)), "test agent");
const strangerSigner = signerFromKeyBytes("secp256k1", key("6b".repeat(32)), "test stranger");
const MASTER = signerAddressOf(masterSigner);
const dir = mkdtempSync(join(tmpdir(), "perpbot-hl-venue-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
const cloid = () => `0x${(++seq).toString(16).padStart(32, "0")}`;
function order(o: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientOrderId: cloid(),
    account: "w01",
    symbol: "BTC",
    side: "buy",
    type: "limit",
    priceTicks: 970_000,
    sizeLots: 100,
    tif: "gtc",
    reduceOnly: false,
    ...o,
  };
}
const ws = { minBackoffMs: 5_000, maxBackoffMs: 5_000 };
const limiter = () => new WeightLimiter({ perMinute: 100_000 });

describe("hyperliquid connector against the emulator", () => {
  let emu: HyperliquidEmulator;
  let url: string;
  let venue: HyperliquidVenue;
  const events: VenueEvent[] = [];
  const nonceFile = join(dir, "hyperliquid-nonces.json");
  const nonces = new NonceManager(new FileNonceStore(nonceFile));
  before(async () => {
    emu = await startHyperliquidEmulator({ universe: UNIVERSE, hourlyFunding: false });
    emu.driver.fund(MASTER, 10_000);
    url = emu.url;
    venue = new HyperliquidVenue({
      endpoints: { url, wsUrl: emu.wsUrl, mainnet: false },
      clock: new WallClock(),
      nonces,
      timeoutMs: 2000,
      limiter: limiter(),
      ws,
    });
    venue.onEvent((e) => events.push(e));
    await venue.connect();
  });
  after(async () => {
    await venue.close();
    await emu.close();
  });

  it("loads instruments and asset contexts from metaAndAssetCtxs with the venue's grids", () => {
    const btc = venue.instrument("BTC");
    assert.deepEqual([btc.spec.tickSize, btc.spec.lotSize, btc.spec.maxLeverage], ["0.1", "0.00001", 40]);
    assert.deepEqual(
      venue.instruments().map((i) => i.symbol),
      ["BTC", "ETH"],
    );
    assert.throws(() => venue.instrument("DOGE"), /no instrument "DOGE"/);
    // the asset contexts came with meta: a mark and funding rate before any stream
    assert.equal(venue.markPrice("ETH"), 3_500);
    assert.equal(venue.fundingRatePerHour("BTC"), 0.0000125);
  });

  it("refuses bindings that cannot sign, and an agent that is not the identity's", async () => {
    await assert.rejects(
      venue.bindAccount({ account: "x", identity: { address: MASTER } }),
      (e: unknown) => e instanceof VenueRejectError && e.reason === "no_signer",
    );
    await assert.rejects(
      venue.bindAccount({ account: "x", identity: {}, signer: agentSigner }),
      (e: unknown) => e instanceof VenueRejectError && e.reason === "no_address",
    );
    await assert.rejects(
      venue.bindAccount({
        account: "x",
        identity: { address: MASTER, apiKeyId: MASTER },
        signer: agentSigner,
      }),
      (e: unknown) => e instanceof VenueRejectError && e.reason === "agent_mismatch",
    );
  });

  it("a key the venue does not know, or another account's, is refused at binding, saying what to do", async () => {
    const err = await venue
      .bindAccount({ account: "w09", identity: { address: MASTER }, signer: strangerSigner })
      .catch((e: unknown) => e);
    assert.ok(err instanceof VenueRejectError && err.reason === "unknown_signer", String(err));
    assert.match(
      err.message,
      /account "w09": the key signs as 0x[0-9a-f]{40}, which the venue does not know: .*perpbot hyperliquid approve-agent w09/,
    );
    // the stranger is a user of its own: its key would trade its account, not MASTER's
    const stranger = signerAddressOf(strangerSigner);
    emu.driver.fund(stranger, 100);
    const wrong = await venue
      .bindAccount({ account: "w08", identity: { address: MASTER }, signer: strangerSigner })
      .catch((e: unknown) => e);
    assert.ok(wrong instanceof VenueRejectError && wrong.reason === "wrong_key", String(wrong));
    assert.match(wrong.message, /account "w08": .*another account's own key, not a key of 0x/);
    assert.equal(emu.driver.orders(stranger).length, 0);
  });

  it("approve-agent signs with the master key; then orders signed by the agent rest for the master", async () => {
    const r = await approveAgent({
      url,
      mainnet: false,
      master: masterSigner,
      agentAddress: signerAddressOf(agentSigner),
      agentName: "perpbot",
      nonces,
      wallet: "w01",
    });
    assert.equal(r.master, MASTER);
    // the emulator registered the agent only if its verifier recovered the master: the agent's
    // order below rests for the master (an unknown agent is refused, as the test above shows)
    await venue.bindAccount({ account: "w01", identity: { address: MASTER }, signer: agentSigner });
    const o = order();
    const { venueOrderId } = await venue.submit(o);
    assert.match(venueOrderId, /^\d+$/);
    assert.ok(
      events.some(
        (e) => e.type === "ack" && e.clientOrderId === o.clientOrderId && e.venueOrderId === venueOrderId,
      ),
    );
    const resting = emu.driver.openOrders(MASTER).find((x) => x.cloid === o.clientOrderId);
    assert.deepEqual(
      [resting?.limitPx, resting?.origSz, resting?.side, resting?.user, String(resting?.oid)],
      ["97000", "0.001", "B", MASTER, venueOrderId],
    );
    const open = await venue.openOrders("w01");
    assert.equal(open.length, 1);
    assert.deepEqual(
      { ...open[0] },
      {
        clientOrderId: o.clientOrderId,
        venueOrderId,
        account: "w01",
        symbol: "BTC",
        side: "buy",
        priceTicks: 970_000,
        sizeLots: 100,
        filledLots: 0,
        status: "open",
        tif: "gtc",
        reduceOnly: false,
      },
    );

    await venue.cancel("w01", "BTC", o.clientOrderId);
    assert.ok(
      events.some((e) => e.type === "canceled" && e.clientOrderId === o.clientOrderId && e.reason === "user"),
    );
    assert.deepEqual(await venue.openOrders("w01"), []);
    const again = await venue.cancel("w01", "BTC", o.clientOrderId).catch((e: unknown) => e);
    assert.ok(again instanceof VenueRejectError && again.reason === "not_found", String(again));
    assert.ok(events.some((e) => e.type === "cancel_reject" && e.clientOrderId === o.clientOrderId));
    await new Promise((r) => setTimeout(r, 200)); // let the stream's cancel update arrive too
    // once for w01, though its answer and its orderUpdates both say so (w09, bound above to the
    // same master with an unapproved key, sees the master's streams too: not counted here)
    assert.equal(
      events.filter(
        (e) => e.type === "canceled" && e.clientOrderId === o.clientOrderId && e.account === "w01",
      ).length,
      1,
    );
  });

  it("bad input is refused before anything is signed; the venue's own refusals are definite", async () => {
    const before = emu.driver.orders(MASTER).length;
    const off = await venue.submit(order({ priceTicks: 970_005 })).catch((e: unknown) => e);
    assert.ok(
      off instanceof VenueRejectError &&
        off.reason === "price_off_rule" &&
        /wallet w01, BTC, field priceTicks/.test(off.message),
    );
    const sym = await venue.submit(order({ symbol: "DOGE" })).catch((e: unknown) => e);
    assert.ok(
      sym instanceof VenueRejectError &&
        sym.reason === "unknown_symbol" &&
        /wallet w01, field symbol/.test(sym.message),
    );
    const acct = await venue.submit(order({ account: "nobody" })).catch((e: unknown) => e);
    assert.ok(acct instanceof VenueRejectError && acct.reason === "unknown_account");
    const tiny = await venue.submit(order({ sizeLots: 5 })).catch((e: unknown) => e);
    assert.ok(tiny instanceof VenueRejectError && tiny.reason === "below_min_notional", String(tiny));
    assert.equal(emu.driver.orders(MASTER).length, before, "nothing reached the venue");
    // a reduce-only below $10 is left to the venue (it may close a small position); with no
    // position to reduce the venue refuses it as one that would grow the position
    const small = await venue.submit(order({ sizeLots: 5, reduceOnly: true })).catch((e: unknown) => e);
    assert.ok(small instanceof VenueRejectError && small.reason === "reduce_only", String(small));
    assert.deepEqual(emu.driver.openOrders(MASTER), [], "nothing was left resting");
    await venue.setLeverage("w01", "BTC", 10, "cross");
    await assert.rejects(
      venue.setLeverage("w01", "BTC", 41, "cross"),
      /field leverage: 41 must be an integer in \[1, 40\]/,
    );
  });

  it("nonces are persisted per signer (agent and master), strictly increasing", () => {
    const file = JSON.parse(readFileSync(nonceFile, "utf8")) as { ceilings: Record<string, number> };
    assert.ok(file.ceilings[signerAddressOf(agentSigner)] > 0);
    assert.ok(file.ceilings[MASTER] > 0, "approveAgent used the master's sequence");
    const a = nonces.next(signerAddressOf(agentSigner));
    assert.ok(nonces.next(signerAddressOf(agentSigner)) > a);
  });
});

describe("hyperliquid connector: transport failures are unknown outcomes, never rejections", () => {
  let mode: "hang" | "500" | "429" | "html" = "500";
  let server: Server;
  let url: string;
  let venue: HyperliquidVenue;
  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (req.url === "/info") {
          // binding asks who the key is: the master's agent
          const role = { role: "agent", data: { user: MASTER.toLowerCase() } };
          const answer = body.includes('"userRole"') ? role : META_AND_CTXS;
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
          return;
        }
        if (mode === "hang") return; // the order may have landed; the answer never comes
        if (mode === "html") res.writeHead(200, { "content-type": "text/html" }).end("<html>gateway</html>");
        else res.writeHead(Number(mode)).end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    venue = new HyperliquidVenue({
      endpoints: { url, wsUrl: `${url.replace("http", "ws")}/ws`, mainnet: false },
      clock: new WallClock(),
      nonces: new NonceManager(new MemoryNonceStore()),
      timeoutMs: 300,
      limiter: limiter(),
      ws,
    });
    await venue.connect();
    await venue.bindAccount({ account: "w01", identity: { address: MASTER }, signer: agentSigner });
  });
  after(async () => {
    await venue.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  for (const [m, kind] of [
    ["500", "server_error"],
    ["429", "rate_limited"],
    ["hang", "timeout"],
    ["html", "server_error"],
  ] as const) {
    it(`${m} → VenueUnknownOutcomeError ${kind}`, async () => {
      mode = m;
      const err = await venue.submit(order()).catch((e: unknown) => e);
      assert.ok(err instanceof VenueUnknownOutcomeError && err.kind === kind, String(err));
      assert.match(err.message, /hyperliquid wallet w01: order 0x[0-9a-f]{32} on BTC: outcome unknown/);
    });
  }

  it("a venue nobody answers at: connect fails clearly, requests are unknown 'unavailable'", async () => {
    // a port that was free a moment ago: nothing listens there
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const dead = new HyperliquidVenue({
      endpoints: { url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws`, mainnet: false },
      clock: new WallClock(),
      nonces: new NonceManager(new MemoryNonceStore()),
      limiter: limiter(),
      ws,
    });
    const err = await dead.connect().catch((e: unknown) => e);
    assert.ok(err instanceof VenueUnknownOutcomeError && err.kind === "unavailable", String(err));
    assert.match(
      err.message,
      /cannot load the instruments \(metaAndAssetCtxs\) from http:\/\/127\.0\.0\.1:\d+: \/info: ECONNREFUSED/,
    );
    await dead.close();
  });
});
