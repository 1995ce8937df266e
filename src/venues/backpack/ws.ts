import WebSocket from "ws";
import { type FrameData, readFrame } from "./depth-scan.ts";

/**
 * One Backpack WebSocket connection (wss://ws.backpack.exchange): keeps a set of streams
 * subscribed across reconnects (SUBSCRIBE again on every open, signed afresh for private
 * streams), answers the server's pings (the `ws` library pongs; the venue closes a connection
 * without a pong within 120 s), and reconnects with a growing delay until closed.
 */
export interface SocketHandlers {
  /** a frame: JSON's data, or the direct reader's diff for a depth frame (depth-scan.ts) */
  onFrame(stream: string, data: FrameData): void;
  /** the connection opened and every stream was (re)subscribed */
  onUp(): void;
  /** the connection dropped; streams resume after the next onUp */
  onDown(reason: string): void;
  /**
   * a frame onFrame could not take (a payload that does not parse): the frame is dropped and the
   * socket goes on; without this handler the error is dropped with it
   */
  onProblem?(stream: string, error: Error): void;
}

export type SignatureFn = () => Promise<readonly string[]>;

export class BackpackSocket {
  readonly url: string;
  readonly streams = new Set<string>();
  readonly #handlers: SocketHandlers;
  readonly #sign: SignatureFn | undefined;
  #ws: WebSocket | undefined;
  #open = false;
  #closed = false;
  #delay = 50;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #connecting: Promise<void> | undefined;

  constructor(url: string, handlers: SocketHandlers, sign?: SignatureFn) {
    this.url = url;
    this.#handlers = handlers;
    this.#sign = sign;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Resolves once connected and subscribed (or rejects on the first connection's failure). */
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
        void this.#send("SUBSCRIBE", [...this.streams]).then(() => {
          this.#open = true;
          this.#delay = 50;
          this.#handlers.onUp();
          settled = true;
          resolve();
        }, reject);
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
          reject(new Error(`backpack ws ${this.url}: closed before it opened`));
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

  async #send(method: "SUBSCRIBE" | "UNSUBSCRIBE", params: readonly string[]): Promise<void> {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN || params.length === 0) return;
    const msg: Record<string, unknown> = { method, params };
    if (this.#sign !== undefined && method === "SUBSCRIBE") msg.signature = await this.#sign();
    ws.send(JSON.stringify(msg));
  }

  subscribe(stream: string): void {
    if (this.streams.has(stream)) return;
    this.streams.add(stream);
    if (this.#open) void this.#send("SUBSCRIBE", [stream]);
  }

  unsubscribe(stream: string): void {
    if (!this.streams.delete(stream)) return;
    if (this.#open) void this.#send("UNSUBSCRIBE", [stream]);
  }

  #message(text: string): void {
    // a depth diff in its usual form is read straight from the text, anything else as JSON
    const f = readFrame(text);
    if (f === undefined) return;
    try {
      this.#handlers.onFrame(f.stream, f.data);
    } catch (e) {
      // thrown inside the socket's message event it would end the process: report it instead
      this.#handlers.onProblem?.(f.stream, e instanceof Error ? e : new Error(String(e)));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
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
