import type { ServerResponse } from "node:http";
import type { ApiContext } from "./context.ts";
import { toJson } from "./route.ts";
import { statusBody } from "./routes-read.ts";

/**
 * Server-Sent Events on GET /api/events: a `status` event (the body of GET /api/status) at once,
 * then whenever what it shows changes (checked every `checkMs`) and at least every `everyMs`.
 * One ticker serves every client, and runs only while one is connected.
 */
export class StatusEvents {
  private readonly ctx: ApiContext;
  private readonly checkMs: number;
  private readonly everyMs: number;
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private lastKey = "";
  private lastSentAt = 0;
  private ticking = false;
  private onError: (e: Error) => void;

  constructor(ctx: ApiContext, o: { checkMs?: number; everyMs?: number; onError?: (e: Error) => void } = {}) {
    this.ctx = ctx;
    this.checkMs = o.checkMs ?? 1_000;
    this.everyMs = o.everyMs ?? 5_000;
    this.onError = o.onError ?? (() => {});
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over a response (fastify's reply.hijack() first). */
  add(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 3000\n\n");
    this.clients.add(res);
    res.on("close", () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.halt();
    });
    // a new client gets the status at once, whatever the others last saw
    this.lastKey = "";
    if (this.timer === undefined) this.timer = setInterval(() => void this.tick(), this.checkMs);
    void this.tick();
  }

  close(): void {
    this.halt();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.clients.size === 0) return;
    this.ticking = true;
    try {
      const body = await statusBody(this.ctx);
      const key = changeKey(body);
      const now = Date.now();
      if (key === this.lastKey && now - this.lastSentAt < this.everyMs) return;
      this.lastKey = key;
      this.lastSentAt = now;
      const frame = `event: status\ndata: ${toJson(body)}\n\n`;
      for (const c of this.clients) c.write(frame);
    } catch (e) {
      this.onError(e as Error);
    } finally {
      this.ticking = false;
    }
  }
}

/** What a change is: everything but the clocks (now, time to close, heartbeat and snapshot times). */
function changeKey(body: Awaited<ReturnType<typeof statusBody>>): string {
  return JSON.stringify(body, (k, v) =>
    k === "now" || k === "closesInMs" || k === "lastSeen" || k === "ts"
      ? undefined
      : typeof v === "bigint"
        ? v.toString()
        : v,
  );
}
