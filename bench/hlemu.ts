/**
 * The Hyperliquid emulator's order round trip on loopback: a signed order POSTed to `/exchange`
 * (HTTP keep-alive) and the same through a WebSocket `post`, request out to answer parsed. The
 * bodies are signed before timing, so the figure is the emulator (verify: msgpack, keccak, noble
 * public-key recovery; nonce and budgets; the exchange core) plus the loopback transport.
 *
 * Run alone: `node bench/run.ts --only hlemu`.
 */
import WebSocket from "ws";
import { startHyperliquidEmulator } from "../src/venues/hyperliquid/emulator/start.ts";
import { exchangeBody, fromHex, HlSigner, signL1Action } from "../src/venues/hyperliquid/signing.ts";
import { orderAction } from "../src/venues/hyperliquid/wire.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

const N = 2000;

const suite: BenchSuite = async () => {
  const emu = await startHyperliquidEmulator({
    hourlyFunding: false,
    ipWeightPerMinute: 1e9,
    addressBaseRequests: 1e9,
  });
  const who = new HlSigner(fromHex(`0x${"42".repeat(32)}`, 32));
  emu.driver.fund(who.address, 1e9);
  emu.driver.setBook({ coin: "BTC", bidPx: 96990, askPx: 97010, sz: 1 });
  let nonce = Date.now();
  const bodies = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      // resting bids spread below the touch (a fresh order each time, nothing crosses)
      const a = orderAction([
        {
          asset: 0,
          isBuy: true,
          limitPx: String(90000 + (i % 6000)),
          sz: "0.001",
          reduceOnly: false,
          orderType: { limit: { tif: "Gtc" } },
        },
      ]);
      const k = nonce++;
      return exchangeBody(a, k, signL1Action(who, a, { nonce: k, mainnet: false }));
    });
  const http = async (b: string) => {
    const r = await fetch(`${emu.url}/exchange`, {
      method: "POST",
      body: b,
      headers: { "content-type": "application/json" },
    });
    const j = (await r.json()) as { status: string };
    if (j.status !== "ok") throw new Error(`bench hlemu: order refused ${JSON.stringify(j)}`);
  };
  const warm = bodies(200);
  for (const b of warm) await http(b);
  const httpUs: number[] = [];
  for (const b of bodies(N)) {
    const t = process.hrtime.bigint();
    await http(b);
    httpUs.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  const ws = new WebSocket(emu.wsUrl);
  await new Promise((r) => ws.once("open", r));
  let resolve: (() => void) | undefined;
  ws.on("message", () => resolve?.());
  const wsUs: number[] = [];
  let id = 0;
  for (const [i, b] of bodies(N + 200).entries()) {
    const t = process.hrtime.bigint();
    await new Promise<void>((r) => {
      resolve = r;
      ws.send(
        JSON.stringify({ method: "post", id: ++id, request: { type: "action", payload: JSON.parse(b) } }),
      );
    });
    if (i >= 200) wsUs.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  ws.close();
  await emu.close();
  httpUs.sort((a, b) => a - b);
  wsUs.sort((a, b) => a - b);
  const fig = (key: string, v: number): BenchFigure => ({ key, value: v, unit: "µs" });
  return [
    fig("hl_emulator_order_rtt_http_p50_us", percentile(httpUs, 50)),
    fig("hl_emulator_order_rtt_http_p99_us", percentile(httpUs, 99)),
    fig("hl_emulator_order_rtt_ws_p50_us", percentile(wsUs, 50)),
    fig("hl_emulator_order_rtt_ws_p99_us", percentile(wsUs, 99)),
  ];
};

export default suite;
