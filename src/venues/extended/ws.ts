import WebSocket from "ws";

/**
 * One Extended stream: a WebSocket on one path (`/orderbooks/BTC-USD`, `/account`, …) of the
 * stream base. The venue sends frames without a subscribe message, so a stream is open when its
 * socket is; a drop is reconnected with backoff (50 ms doubling to 5 s) until close(). Frames
 * are JSON text handed to `onFrame` raw (the caller parses, keeping 64-bit ids, parse.ts).
 */
export interface StreamHandlers {
  onFrame(text: string): void;
  onUp(): void;
  onDown(reason: string): void;
}

export class ExtendedStream {
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #handlers: StreamHandlers;
  #ws: WebSocket | undefined;
  #open = false;
  #closed = false;
  #delay = 50;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #connecting: Promise<void> | undefined;

  constructor(url: string, handlers: StreamHandlers, headers: Record<string, string> = {}) {
    this.url = url;
    this.#handlers = handlers;
    this.#headers = headers;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Resolves once the first connection is open; if it fails, keeps retrying in the background. */
  connect(): Promise<void> {
    this.#closed = false;
    this.#connecting ??= this.#dial();
    return this.#connecting.catch((e: unknown) => {
      this.#retry();
      throw e;
    });
  }

  #dial(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.url, { headers: { "User-Agent": "perpbot", ...this.#headers } });
      this.#ws = ws;
      let settled = false;
      ws.on("open", () => {
        this.#open = true;
        this.#delay = 50;
        settled = true;
        this.#handlers.onUp();
        resolve();
      });
      ws.on("message", (raw) => this.#handlers.onFrame(raw.toString()));
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
          reject(new Error(`extended stream ${this.url}: closed before it opened`));
        }
        if (!this.#closed) this.#retry();
      });
    });
  }

  #retry(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.#connecting ??= this.#dial();
      this.#connecting.catch(() => this.#retry());
    }, this.#delay);
    this.#delay = Math.min(this.#delay * 2, 5000);
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
