/**
 * The connector's HTTP client against misbehaving servers (kept from the first emulator's test;
 * the emulator itself is tested in emulator.test.ts, signatures.test.ts and faults.test.ts).
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { HlHttp } from "../http.ts";
import { WeightLimiter } from "../rate-limit.ts";

const limiter = () => new WeightLimiter({ perMinute: 100_000 });

describe("hyperliquid http: failures are classified", () => {
  const modes: Record<string, (res: import("node:http").ServerResponse) => void> = {
    "/5xx/exchange": (res) => res.writeHead(502).end("bad gateway"),
    "/429/exchange": (res) => res.writeHead(429).end("{}"),
    "/html/exchange": (res) => res.writeHead(200).end("<html>"),
    "/garbage/exchange": (res) => res.writeHead(200).end('{"status":"ok","response":7}'),
    "/hang/exchange": () => {},
  };
  const server = createServer((req, res) => modes[req.url ?? ""]?.(res));
  let base = "";
  before(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const call = (prefix: string, timeoutMs = 2000) =>
    new HlHttp({ baseUrl: `${base}${prefix}`, timeoutMs, limiter: limiter() }).exchange("{}");

  it("5xx, 429, non-JSON and unreadable answers are unknown; a timeout is unknown", async () => {
    assert.deepEqual(await call("/5xx"), {
      kind: "unknown",
      reason: "server_error",
      detail: "/exchange: HTTP 502",
    });
    const rl = await call("/429");
    assert.equal(rl.kind === "unknown" && rl.reason, "rate_limited");
    const html = await call("/html");
    assert.equal(html.kind === "unknown" && html.reason, "server_error");
    const garbage = await call("/garbage");
    assert.equal(garbage.kind === "unknown" && garbage.reason, "server_error");
    const hang = await call("/hang", 150);
    assert.equal(hang.kind === "unknown" && hang.reason, "timeout");
  });

  it("a refused connection is unavailable (nothing was sent)", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await new HlHttp({ baseUrl: `http://127.0.0.1:${port}`, limiter: limiter() }).exchange("{}");
    assert.equal(r.kind, "unavailable");
  });

  it("the limiter holds requests back when the IP budget is spent", async () => {
    let t = 0;
    const l = new WeightLimiter({ perMinute: 1200, now: () => t });
    assert.equal(l.tryTake(1200), 0);
    assert.equal(l.tryTake(20), 1000); // 20 weight refill in 1 s
    t = 1000;
    assert.equal(l.tryTake(20), 0);
    assert.throws(() => l.tryTake(1201));
  });
});
