import { ReconnectingSocket } from "../kit/reconnecting-socket.ts";
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
  readonly #socket: ReconnectingSocket;

  constructor(url: string, handlers: SocketHandlers, sign?: SignatureFn) {
    this.url = url;
    this.#handlers = handlers;
    this.#sign = sign;
    this.#socket = new ReconnectingSocket({
      label: `backpack ws ${url}`,
      target: () => ({ url }),
      opened: () => this.#send("SUBSCRIBE", [...this.streams]),
      message: (text) => this.#message(text),
      up: () => handlers.onUp(),
      down: (reason) => handlers.onDown(reason),
    });
  }

  get isOpen(): boolean {
    return this.#socket.isOpen;
  }

  /** Resolves once connected and subscribed (or rejects on the first connection's failure). */
  connect(): Promise<void> {
    return this.#socket.connect();
  }

  async #send(method: "SUBSCRIBE" | "UNSUBSCRIBE", params: readonly string[]): Promise<void> {
    if (!this.#socket.writable || params.length === 0) return;
    const msg: Record<string, unknown> = { method, params };
    if (this.#sign !== undefined && method === "SUBSCRIBE") msg.signature = await this.#sign();
    this.#socket.send(JSON.stringify(msg));
  }

  subscribe(stream: string): void {
    if (this.streams.has(stream)) return;
    this.streams.add(stream);
    if (this.isOpen) void this.#send("SUBSCRIBE", [stream]);
  }

  unsubscribe(stream: string): void {
    if (!this.streams.delete(stream)) return;
    if (this.isOpen) void this.#send("UNSUBSCRIBE", [stream]);
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

  close(): Promise<void> {
    return this.#socket.close();
  }
}
