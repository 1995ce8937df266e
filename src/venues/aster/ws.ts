import WebSocket from "ws";

/**
 * One Aster WebSocket connection, reconnected with a growing delay until closed. Two uses:
 * - market data on `<ws>/stream`: the set of streams is (re)subscribed with
 *   `{"method":"SUBSCRIBE","params":[…],"id":n}` on every open; frames are `{"stream","data"}`;
 * - a user data stream on `<ws>/ws/<listenKey>`: `url()` is asked again at each (re)connect, so
 *   a new listen key is used after one expired; frames are the raw events.
 * The `ws` library answers the server's pings (the venue drops a connection 15 min without a pong).
 */
/** at least this long between two subscription messages (two per gap: ≤ 10 a second) */
const SEND_GAP_MS = 300;

export interface SocketHandlers {
  onMessage(json: Record<string, unknown>): void;
  onUp(): void;
  onDown(reason: string): void;
}

export class AsterSocket {
  readonly streams = new Set<string>();
  readonly #url: () => Promise<string>;
  readonly #handlers: SocketHandlers;
  #ws: WebSocket | undefined;
  #open = false;
  #closed = false;
  #delay = 50;
  #id = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #connecting: Promise<void> | undefined;
  readonly #added = new Set<string>();
  readonly #dropped = new Set<string>();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #lastSend = 0;

  constructor(url: () => Promise<string>, handlers: SocketHandlers) {
    this.#url = url;
    this.#handlers = handlers;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Resolves once connected and subscribed (rejects on the first connection's failure). */
  connect(): Promise<void> {
    this.#closed = false;
    this.#connecting ??= this.#dial();
    return this.#connecting;
  }

  async #dial(): Promise<void> {
    const url = await this.#url();
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url);
      this.#ws = ws;
      let settled = false;
      ws.on("open", () => {
        this.#added.clear();
        this.#dropped.clear();
        this.#send("SUBSCRIBE", [...this.streams]);
        this.#open = true;
        this.#delay = 50;
        this.#handlers.onUp();
        settled = true;
        resolve();
      });
      ws.on("message", (raw) => this.#message(raw.toString()));
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
        if (wasOpen) this.#handlers.onDown("connection closed");
        if (!settled) {
          settled = true;
          reject(new Error(`aster ws: closed before it opened`));
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
      this.#connecting.catch(() => {
        this.#connecting = undefined;
        this.#retry();
      });
    }, this.#delay);
    this.#delay = Math.min(this.#delay * 2, 5000);
  }

  #send(method: "SUBSCRIBE" | "UNSUBSCRIBE", params: readonly string[]): void {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN || params.length === 0) return;
    ws.send(JSON.stringify({ method, params, id: ++this.#id }));
  }

  subscribe(stream: string): void {
    if (this.streams.has(stream)) return;
    this.streams.add(stream);
    this.#dropped.delete(stream);
    this.#added.add(stream);
    this.#schedule();
  }

  unsubscribe(stream: string): void {
    if (!this.streams.delete(stream)) return;
    this.#added.delete(stream);
    this.#dropped.add(stream);
    this.#schedule();
  }

  /**
   * Subscription changes leave batched, at most one SUBSCRIBE and one UNSUBSCRIBE per
   * SEND_GAP_MS: the venue drops a connection sending more than 10 messages a second.
   */
  #schedule(): void {
    if (this.#flushTimer !== undefined) return;
    const wait = Math.max(0, this.#lastSend + SEND_GAP_MS - Date.now());
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      if (!this.#open) return; // the next open subscribes the whole set
      const add = [...this.#added];
      const drop = [...this.#dropped];
      this.#added.clear();
      this.#dropped.clear();
      this.#send("SUBSCRIBE", add);
      this.#send("UNSUBSCRIBE", drop);
      this.#lastSend = Date.now();
    }, wait);
  }

  /** Close this connection now (it reconnects unless closed for good). */
  drop(): void {
    this.#ws?.terminate();
  }

  #message(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return; // the venue sends only JSON
    }
    if (json !== null && typeof json === "object" && !Array.isArray(json))
      this.#handlers.onMessage(json as Record<string, unknown>);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once("close", () => resolve());
      ws.terminate();
    });
  }
}
