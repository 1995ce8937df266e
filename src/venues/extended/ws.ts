import { ReconnectingSocket } from "../kit/reconnecting-socket.ts";

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
  readonly #socket: ReconnectingSocket;

  constructor(url: string, handlers: StreamHandlers, headers: Record<string, string> = {}) {
    this.url = url;
    this.#socket = new ReconnectingSocket({
      label: `extended stream ${url}`,
      target: () => ({ url, headers: { "User-Agent": "perpbot", ...headers } }),
      message: (text) => handlers.onFrame(text),
      up: () => handlers.onUp(),
      down: (reason) => handlers.onDown(reason),
      retryFirstFailure: true,
    });
  }

  get isOpen(): boolean {
    return this.#socket.isOpen;
  }

  /** Resolves once the first connection is open; if it fails, keeps retrying in the background. */
  connect(): Promise<void> {
    return this.#socket.connect();
  }

  close(): Promise<void> {
    return this.#socket.close();
  }
}
