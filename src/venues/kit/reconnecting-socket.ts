import WebSocket from "ws";

/**
 * One WebSocket connection kept up until closed: a drop is redialled after a delay that starts
 * at 50 ms and doubles to 5 s (reset by the next open). The venue's socket class (backpack, grvt,
 * extended, lighter, aster `ws.ts`) owns its subscriptions and frame reading and hands this the
 * hooks below; pings are answered by the `ws` library.
 */
export interface DialTarget {
  readonly url: string;
  readonly headers?: Record<string, string>;
}

export interface ReconnectHooks {
  /** names the socket in the error of a connection closed before it opened: "backpack ws wss://…" */
  readonly label: string;
  /** where to connect, asked at every (re)connect (a fresh listen key, fresh session headers) */
  target(): DialTarget | Promise<DialTarget>;
  /** the socket opened: (re)subscribe here; it counts as up once this returns or resolves */
  opened?(): void | Promise<void>;
  message(text: string): void;
  /** the connection is up (after `opened`) */
  up(): void;
  /** a connection that was up dropped */
  down(reason: string): void;
  /** a failed first connect() also goes on retrying in the background (else only drops are redialled) */
  readonly retryFirstFailure?: boolean;
}

export class ReconnectingSocket {
  readonly #hooks: ReconnectHooks;
  #ws: WebSocket | undefined;
  #open = false;
  #closed = false;
  #delay = 50;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #connecting: Promise<void> | undefined;

  constructor(hooks: ReconnectHooks) {
    this.#hooks = hooks;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** True when the current connection can take a message now. */
  get writable(): boolean {
    return this.#ws !== undefined && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Resolves once connected (and `opened` is done); rejects on this connection's failure. */
  connect(): Promise<void> {
    this.#closed = false;
    this.#connecting ??= this.#dial();
    if (this.#hooks.retryFirstFailure !== true) return this.#connecting;
    return this.#connecting.catch((e: unknown) => {
      this.#retry();
      throw e;
    });
  }

  /** Send a text frame on the current connection; false (nothing sent) when it is not open. */
  send(text: string): boolean {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(text);
    return true;
  }

  /** Close the current connection now (it is redialled unless closed for good). */
  drop(): void {
    this.#ws?.terminate();
  }

  #dial(): Promise<void> {
    const t = this.#hooks.target();
    return t instanceof Promise ? t.then((target) => this.#start(target)) : this.#start(t);
  }

  #start(target: DialTarget): Promise<void> {
    const hooks = this.#hooks;
    return new Promise<void>((resolve, reject) => {
      const ws =
        target.headers === undefined
          ? new WebSocket(target.url)
          : new WebSocket(target.url, { headers: target.headers });
      this.#ws = ws;
      let settled = false;
      const up = (): void => {
        this.#open = true;
        this.#delay = 50;
        hooks.up();
        settled = true;
        resolve();
      };
      ws.on("open", () => {
        const subscribing = hooks.opened?.();
        if (subscribing instanceof Promise) void subscribing.then(up, reject);
        else up();
      });
      ws.on("message", (raw) => hooks.message(raw.toString()));
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
        if (wasOpen) hooks.down("connection closed");
        if (!settled) {
          settled = true;
          reject(new Error(`${hooks.label}: closed before it opened`));
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
      const dialing = this.#connecting;
      dialing.catch(() => {
        // a dial that failed before it had a socket (its target threw) never sees "close"
        if (this.#connecting === dialing) this.#connecting = undefined;
        this.#retry();
      });
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
