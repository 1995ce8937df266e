import { ReconnectingSocket } from "../kit/reconnecting-socket.ts";
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
  readonly #socket: ReconnectingSocket;
  #ping: ReturnType<typeof setInterval> | undefined;

  constructor(url: string, handlers: SocketHandlers) {
    this.url = url;
    this.#socket = new ReconnectingSocket({
      label: `lighter ws ${url}`,
      target: () => ({ url }),
      opened: () =>
        Promise.all([...this.#channels].map(([c, auth]) => this.#subscribe(c, auth))).then(() => {}),
      message: (text) => {
        // an order-book message in its usual form is read straight from the text (book-scan.ts),
        // anything else as JSON; text that is not a JSON object is dropped (the venue sends JSON only)
        const msg = readMessage(text);
        if (msg !== undefined) handlers.onMessage(msg);
      },
      up: () => {
        this.#ping = setInterval(() => this.#sendJson({ type: "ping" }), 60_000);
        this.#ping.unref?.();
        handlers.onUp();
      },
      down: () => {
        this.#stopPing();
        handlers.onDown();
      },
    });
  }

  get isOpen(): boolean {
    return this.#socket.isOpen;
  }

  connect(): Promise<void> {
    return this.#socket.connect();
  }

  #stopPing(): void {
    if (this.#ping !== undefined) clearInterval(this.#ping);
    this.#ping = undefined;
  }

  #sendJson(msg: unknown): void {
    this.#socket.send(JSON.stringify(msg));
  }

  async #subscribe(channel: string, auth: AuthFn | undefined): Promise<void> {
    const msg: Record<string, unknown> = { type: "subscribe", channel };
    if (auth !== undefined) msg.auth = await auth();
    this.#sendJson(msg);
  }

  subscribe(channel: string, auth?: AuthFn): void {
    if (this.#channels.has(channel)) return;
    this.#channels.set(channel, auth);
    if (this.isOpen) void this.#subscribe(channel, auth).catch(() => undefined);
  }

  unsubscribe(channel: string): void {
    if (!this.#channels.delete(channel)) return;
    if (this.isOpen) this.#sendJson({ type: "unsubscribe", channel });
  }

  /** Start one channel over: unsubscribe and subscribe again (a fresh snapshot). */
  resubscribe(channel: string): void {
    if (!this.#channels.has(channel) || !this.isOpen) return;
    this.#sendJson({ type: "unsubscribe", channel });
    void this.#subscribe(channel, this.#channels.get(channel)).catch(() => undefined);
  }

  close(): Promise<void> {
    this.#stopPing();
    return this.#socket.close();
  }
}
