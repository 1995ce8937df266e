import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocketServer } from "ws";
import { ReconnectingSocket } from "./reconnecting-socket.ts";

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(10);
  assert.ok(cond(), `timed out waiting for ${what}`);
}

async function server(): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` };
}

describe("kit ReconnectingSocket", () => {
  it("subscribes on every open, reports up/down once each, redials after a drop with a fresh target", async () => {
    const { wss, url } = await server();
    const got: string[] = [];
    const seenHeaders: (string | undefined)[] = [];
    wss.on("connection", (c, req) => {
      seenHeaders.push(req.headers["x-n"] as string | undefined);
      c.on("message", (m) => {
        got.push(m.toString());
        c.send(`echo ${m.toString()}`);
      });
    });
    const events: string[] = [];
    let dials = 0;
    const s = new ReconnectingSocket({
      label: "test ws",
      target: async () => ({ url, headers: { "x-n": String(++dials) } }),
      opened: () => {
        assert.equal(s.send("sub"), true);
      },
      message: (t) => events.push(t),
      up: () => events.push("up"),
      down: (r) => events.push(`down ${r}`),
    });
    try {
      await s.connect();
      assert.equal(s.isOpen, true);
      await waitFor("the echo", () => events.includes("echo sub"));
      for (const c of wss.clients) c.terminate();
      await waitFor("the second open", () => events.filter((e) => e === "up").length === 2);
      await waitFor("the second subscribe", () => got.length === 2);
      assert.deepEqual(got, ["sub", "sub"]);
      assert.deepEqual(seenHeaders, ["1", "2"]);
      assert.deepEqual(events.slice(0, 3), ["up", "echo sub", "down connection closed"]);
    } finally {
      await s.close();
      await new Promise<void>((r) => wss.close(() => r()));
    }
    assert.equal(s.isOpen, false);
    assert.equal(s.send("late"), false);
  });

  it("rejects a failed first connect; with retryFirstFailure it goes on dialling until the venue is up", async () => {
    const { wss, url } = await server();
    const port = new URL(url).port;
    await new Promise<void>((r) => wss.close(() => r()));
    const plain = new ReconnectingSocket({
      label: "t",
      target: () => ({ url }),
      message: () => {},
      up: () => {},
      down: () => {},
    });
    await assert.rejects(plain.connect());
    await plain.close();

    let ups = 0;
    const keen = new ReconnectingSocket({
      label: "t",
      target: () => ({ url }),
      message: () => {},
      up: () => ups++,
      down: () => {},
      retryFirstFailure: true,
    });
    await assert.rejects(keen.connect());
    const again = new WebSocketServer({ host: "127.0.0.1", port: Number(port) });
    try {
      await waitFor("the background redial", () => ups === 1);
      assert.equal(keen.isOpen, true);
    } finally {
      await keen.close();
      await new Promise<void>((r) => again.close(() => r()));
    }
  });

  it("a target that throws fails that dial, and the next redial asks it again", async () => {
    let calls = 0;
    const { wss, url } = await server();
    let ups = 0;
    const s = new ReconnectingSocket({
      label: "named ws",
      target: () => {
        calls++;
        if (calls === 1) return Promise.reject(new Error("no listen key"));
        return { url };
      },
      message: () => {},
      up: () => ups++,
      down: () => {},
      retryFirstFailure: true,
    });
    try {
      await assert.rejects(s.connect(), /no listen key/);
      await waitFor("a redial after the target threw", () => ups === 1);
      assert.equal(calls, 2);
    } finally {
      await s.close();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });
});
