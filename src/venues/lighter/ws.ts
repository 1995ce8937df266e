import WebSocket from "ws";
import { readMessage } from "./book-scan.ts";

/**
 * One Lighter WebSocket connection (`/stream`, Ld "websocket-reference"): keeps a set of channels
 * subscribed across reconnects (subscribing again on every open; a private channel's auth token
 * is asked for afresh each time), pings every 60 s (the venue closes a connection silent for
 * 2 min), and reconnects with a growing delay until closed. `resubscribe` starts one channel
 * over (a book whose offsets jumped gets a new snapshot).
 */
export interface SocketHandlers {
  onMessage(msg: Record<string, unknown>): void;
  onUp(): void;
  onDown(): void;
}

export type AuthFn = () => Promise<string>;

export class LighterSocket {
  readonly url: string;
  readonly #channels = new Map<string, AuthFn | undefined>();
  readonly #handlers: SocketHandlers;
  #ws: WebSocket | undefined;
  #open = false;
  #closed = false;
  #delay = 50;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #connecting: Promise<void> | undefined;

  constructor(url: string, handlers: SocketHandlers) {
    this.url = url;
    this.#handlers = handlers;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  connect(): Promise<void> {
    this.#closed = false;
    this.#connecting ??= this.#dial();
    return this.#connecting;
  }

  #dial(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.#ws = ws;
      let settled = false;
      ws.on("open", () => {
        void Promise.all([...this.#channels].map(([c, auth]) => this.#subscribe(c, auth))).then(() => {
          this.#open = true;
          this.#delay = 50;
          this.#ping = setInterval(() => this.#sendJson({ type: "ping" }), 60_000);
          this.#ping.unref?.();
          this.#handlers.onUp();
          settled = true;
          resolve();
        }, reject);
      });
      ws.on("message", (raw) => {
        // an order-book message in its usual form is read straight from the text (book-scan.ts),
        // anything else as JSON; text that is not a JSON object is dropped (the venue sends JSON only)
        const msg = readMessage(raw.toString());
        if (msg !== undefined) this.#handlers.onMessage(msg);
      });
      ws.on("error", (e) => {
        if (!settled) {
          settled = true;
          reject(e);
        }
      });
      ws.on("close", () => {
        const wasOpen = this.#open;
        this.#open = false;
        this.#connecting = undefined;
        if (this.#ping !== undefined) clearInterval(this.#ping);
        if (wasOpen) this.#handlers.onDown();
        if (!settled) {
          settled = true;
          reject(new Error(`lighter ws ${this.url}: closed before it opened`));
        }
        if (!this.#closed) this.#retry();
      });
    });
  }

  #retry(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.#connecting ??= this.#dial();
      this.#connecting.catch(() => this.#retry());
    }, this.#delay);
    this.#delay = Math.min(this.#delay * 2, 5000);
  }

  #sendJson(msg: unknown): void {
    const ws = this.#ws;
    if (ws !== undefined && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  async #subscribe(channel: string, auth: AuthFn | undefined): Promise<void> {
    const msg: Record<string, unknown> = { type: "subscribe", channel };
    if (auth !== undefined) msg.auth = await auth();
    this.#sendJson(msg);
  }

  subscribe(channel: string, auth?: AuthFn): void {
    if (this.#channels.has(channel)) return;
    this.#channels.set(channel, auth);
    if (this.#open) void this.#subscribe(channel, auth).catch(() => undefined);
  }

  unsubscribe(channel: string): void {
    if (!this.#channels.delete(channel)) return;
    if (this.#open) this.#sendJson({ type: "unsubscribe", channel });
  }

  /** Start one channel over: unsubscribe and subscribe again (a fresh snapshot). */
  resubscribe(channel: string): void {
    if (!this.#channels.has(channel) || !this.#open) return;
    this.#sendJson({ type: "unsubscribe", channel });
    void this.#subscribe(channel, this.#channels.get(channel)).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#ping !== undefined) clearInterval(this.#ping);
    this.#timer = undefined;
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once("close", () => resolve());
      ws.terminate();
    });
  }
}
