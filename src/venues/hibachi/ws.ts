import WebSocket from "ws";

/**
 * One Hibachi WebSocket connection (`/ws/market` or `/ws/account`, hibachi_sdk api_ws_*.py):
 * JSON text frames, `onOpen` (re)sends what the connection needs (subscriptions, stream.start)
 * on every open, and it reconnects with a growing delay (50 ms … 5 s) until closed. The account
 * socket carries `Authorization: <api key>` as the sdk does.
 */
export interface HbSocketHandlers {
  /** the connection opened: send subscriptions / stream.start through `send` */
  onOpen(send: (msg: unknown) => void): void;
  onMessage(msg: Record<string, unknown>): void;
  onDown(reason: string): void;
  /** a frame that is not a JSON object (dropped; the socket goes on) */
  onProblem?(error: Error): void;
}

export class HbSocket {
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #h: HbSocketHandlers;
  #ws: WebSocket | undefined;
  #open = false;
  #closed = false;
  #delay = 50;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(url: string, handlers: HbSocketHandlers, headers: Record<string, string> = {}) {
    this.url = url;
    this.#h = handlers;
    this.#headers = headers;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Resolves once the first connection is open (rejects if it fails). */
  connect(): Promise<void> {
    this.#closed = false;
    return new Promise((resolve, reject) => this.#dial(resolve, reject));
  }

  send(msg: unknown): void {
    if (this.#open) this.#ws?.send(JSON.stringify(msg));
  }

  /** Send `msg()` every `ms` while open (the account stream's stream.ping keeps the listen key). */
  keepAlive(ms: number, msg: () => unknown): void {
    this.#pingTimer ??= setInterval(() => this.send(msg()), ms);
    this.#pingTimer.unref?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    const ws = this.#ws;
    this.#ws = undefined;
    this.#open = false;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once("close", () => resolve());
      ws.terminate();
    });
  }

  #dial(resolve?: () => void, reject?: (e: Error) => void): void {
    const ws = new WebSocket(this.url, { headers: this.#headers });
    this.#ws = ws;
    let first = true;
    ws.on("open", () => {
      this.#open = true;
      this.#delay = 50;
      this.#h.onOpen((m) => ws.send(JSON.stringify(m)));
      if (first) resolve?.();
      first = false;
    });
    ws.on("message", (raw) => {
      let msg: unknown;
      try {
        msg = JSON.parse(raw.toString());
      } catch (e) {
        this.#h.onProblem?.(e as Error);
        return;
      }
      if (typeof msg === "object" && msg !== null && !Array.isArray(msg))
        this.#h.onMessage(msg as Record<string, unknown>);
      else this.#h.onProblem?.(new Error(`not a JSON object: ${raw.toString().slice(0, 80)}`));
    });
    ws.on("error", (e) => {
      if (first && reject !== undefined) {
        first = false;
        reject(e);
      }
    });
    ws.on("close", () => {
      const was = this.#open;
      this.#open = false;
      if (this.#ws !== ws) return;
      if (was) this.#h.onDown("closed");
      if (this.#closed) return;
      this.#timer = setTimeout(() => this.#dial(), this.#delay);
      this.#delay = Math.min(5000, this.#delay * 2);
    });
  }
}
