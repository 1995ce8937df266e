import WebSocket from "ws";

/**
 * One EdgeX V2 WebSocket (edgex-python-sdk `ws/client.py`): public quotes on
 * `/api/v1/public/ws?timestamp=…` (V2 keeps the v1 path) with `{"type":"subscribe","channel":"depth.<id>.15"}`;
 * the account's trade events on `/api/v1/private/ws?accountId=…&timestamp=…`, authenticated at the
 * handshake by the same headers as REST, signed over GET <path> `accountId=…&timestamp=…`. The
 * server pings with `{"type":"ping","time":"…"}` and wants `{"type":"pong","time":"…"}` back;
 * this client also pings every 30 s. Channels are re-subscribed on every open; the connection is
 * re-dialled with a growing delay (50 ms … 5 s) until closed.
 */
export interface EdgexSocketHandlers {
  onMessage(msg: Record<string, unknown>): void;
  onUp(): void;
  onDown(): void;
  /** a message onMessage threw on: dropped, the socket goes on */
  onProblem(what: string, e: Error): void;
}

/** Headers and query for a private dial; undefined for a public socket. */
export type DialAuth = () => {
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
};

export class EdgexSocket {
  readonly #url: string;
  readonly #handlers: EdgexSocketHandlers;
  readonly #auth: DialAuth | undefined;
  readonly channels = new Set<string>();
  #ws: WebSocket | undefined;
  #open = false;
  #closed = true;
  #delay = 50;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pinger: ReturnType<typeof setInterval> | undefined;
  #dialing: Promise<void> | undefined;

  constructor(url: string, handlers: EdgexSocketHandlers, auth?: DialAuth) {
    this.#url = url;
    this.#handlers = handlers;
    this.#auth = auth;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  connect(): Promise<void> {
    this.#closed = false;
    this.#dialing ??= this.#dial();
    return this.#dialing;
  }

  #dial(): Promise<void> {
    const a = this.#auth?.();
    const q = new URLSearchParams({
      ...(a?.query ?? {}),
      ...(a === undefined ? { timestamp: String(Date.now()) } : {}),
    });
    const ws = new WebSocket(`${this.#url}?${q.toString()}`, { headers: a?.headers ?? {} });
    this.#ws = ws;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (e?: Error) => {
        if (settled) return;
        settled = true;
        if (e === undefined) resolve();
        else reject(e);
      };
      ws.on("open", () => {
        for (const c of this.channels) ws.send(JSON.stringify({ type: "subscribe", channel: c }));
        this.#open = true;
        this.#delay = 50;
        this.#pinger = setInterval(() => this.#send({ type: "ping", time: String(Date.now()) }), 30_000);
        this.#pinger.unref?.();
        this.#handlers.onUp();
        settle();
      });
      ws.on("message", (raw) => this.#message(raw.toString()));
      ws.on("unexpected-response", (_req, res) => {
        settle(new Error(`edgex ws ${this.#url}: handshake refused with HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.on("error", (e) => settle(e));
      ws.on("close", () => {
        const was = this.#open;
        this.#open = false;
        this.#dialing = undefined;
        if (this.#pinger !== undefined) clearInterval(this.#pinger);
        this.#pinger = undefined;
        if (was) this.#handlers.onDown();
        settle(new Error(`edgex ws ${this.#url}: closed before it opened`));
        if (!this.#closed) this.#retry();
      });
    });
  }

  #retry(): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#closed) return;
      this.#dialing ??= this.#dial();
      this.#dialing.catch(() => this.#retry());
    }, this.#delay);
    this.#delay = Math.min(5000, this.#delay * 2);
  }

  #send(msg: Record<string, unknown>): void {
    const ws = this.#ws;
    if (ws !== undefined && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  subscribe(channel: string): void {
    if (this.channels.has(channel)) return;
    this.channels.add(channel);
    if (this.#open) this.#send({ type: "subscribe", channel });
  }

  unsubscribe(channel: string): void {
    if (!this.channels.delete(channel)) return;
    if (this.#open) this.#send({ type: "unsubscribe", channel });
  }

  #message(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.#handlers.onProblem("message", new Error(`not JSON: ${text.slice(0, 80)}`));
      return;
    }
    if (msg === null || typeof msg !== "object") return;
    const m = msg as Record<string, unknown>;
    if (m.type === "ping") {
      this.#send({ type: "pong", time: m.time });
      return;
    }
    if (m.type === "pong") return;
    try {
      this.#handlers.onMessage(m);
    } catch (e) {
      this.#handlers.onProblem(
        String(m.channel ?? m.type ?? "message"),
        e instanceof Error ? e : new Error(String(e)),
      );
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#pinger !== undefined) clearInterval(this.#pinger);
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once("close", () => resolve());
      ws.terminate();
    });
  }
}
