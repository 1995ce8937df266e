import { ReconnectingSocket } from "../kit/reconnecting-socket.ts";

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
  readonly #socket: ReconnectingSocket;
  #id = 0;
  readonly #added = new Set<string>();
  readonly #dropped = new Set<string>();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #lastSend = 0;

  constructor(url: () => Promise<string>, handlers: SocketHandlers) {
    this.#socket = new ReconnectingSocket({
      label: "aster ws",
      target: async () => ({ url: await url() }),
      opened: () => {
        this.#added.clear();
        this.#dropped.clear();
        this.#send("SUBSCRIBE", [...this.streams]);
      },
      message: (text) => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return; // the venue sends only JSON
        }
        if (json !== null && typeof json === "object" && !Array.isArray(json))
          handlers.onMessage(json as Record<string, unknown>);
      },
      up: () => handlers.onUp(),
      down: (reason) => handlers.onDown(reason),
    });
  }

  get isOpen(): boolean {
    return this.#socket.isOpen;
  }

  /** Resolves once connected and subscribed (rejects on the first connection's failure). */
  connect(): Promise<void> {
    return this.#socket.connect();
  }

  #send(method: "SUBSCRIBE" | "UNSUBSCRIBE", params: readonly string[]): void {
    if (params.length === 0 || !this.#socket.writable) return;
    this.#socket.send(JSON.stringify({ method, params, id: ++this.#id }));
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
      if (!this.isOpen) return; // the next open subscribes the whole set
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
    this.#socket.drop();
  }

  close(): Promise<void> {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    return this.#socket.close();
  }
}
