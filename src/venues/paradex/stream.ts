/**
 * A Paradex socket that stays up: `ParadexSocket` (ws.ts) reopened after every drop with a
 * doubling delay (`reconnectMinMs` … `reconnectMaxMs`), authenticated again when it carries
 * private channels (`auth` gives the account's current JWT; a socket stays authenticated for its
 * life, docs.paradex.trade "WebSocket"), and subscribed again to every channel it holds.
 * `onUp` fires once all subscriptions are confirmed, `onDown` when the socket drops.
 */
import { ParadexSocket } from "./ws.ts";

export interface StreamHandlers {
  onData(channel: string, data: unknown): void;
  onUp(): void;
  onDown(): void;
  onProblem(problem: string): void;
}

export interface StreamOptions {
  readonly auth?: () => Promise<string>;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
}

export class PdxStream {
  readonly url: string;
  readonly channels = new Set<string>();
  readonly #h: StreamHandlers;
  readonly #opts: StreamOptions;
  #sock: ParadexSocket | undefined;
  #up = false;
  #closed = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string, handlers: StreamHandlers, opts: StreamOptions) {
    this.url = url;
    this.#h = handlers;
    this.#opts = opts;
  }

  get isOpen(): boolean {
    return this.#up;
  }

  /** Open the first time; a failure here is thrown (later drops are retried). */
  async connect(): Promise<void> {
    this.#closed = false;
    await this.#open();
  }

  subscribe(channel: string): void {
    if (this.channels.has(channel)) return;
    this.channels.add(channel);
    const s = this.#sock;
    if (s !== undefined && this.#up)
      this.#sub(s, channel).catch((e: Error) => this.#h.onProblem(`subscribe ${channel}: ${e.message}`));
  }

  unsubscribe(channel: string): void {
    if (!this.channels.delete(channel)) return;
    this.#sock?.unsubscribe(channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const s = this.#sock;
    this.#sock = undefined;
    s?.close();
    this.#setDown();
  }

  #sub(s: ParadexSocket, channel: string): Promise<void> {
    return s.subscribe(channel, (d) => this.#h.onData(channel, d));
  }

  async #open(): Promise<void> {
    const s = await ParadexSocket.open(this.url);
    s.onBadFrame = (p) => this.#h.onProblem(p);
    s.onClose = () => this.#lost(s);
    this.#sock = s;
    try {
      if (this.#opts.auth !== undefined) await s.auth(await this.#opts.auth());
      await Promise.all([...this.channels].map((c) => this.#sub(s, c)));
    } catch (e) {
      s.close();
      throw e;
    }
    if (this.#sock !== s || this.#closed) return;
    this.#attempt = 0;
    this.#up = true;
    this.#h.onUp();
  }

  #setDown(): void {
    if (!this.#up) return;
    this.#up = false;
    this.#h.onDown();
  }

  #lost(s: ParadexSocket): void {
    if (this.#sock !== s) return;
    this.#sock = undefined;
    this.#setDown();
    if (!this.#closed) this.#retry();
  }

  #retry(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const delay = Math.min(this.#opts.reconnectMaxMs, this.#opts.reconnectMinMs * 2 ** this.#attempt++);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.#open().catch(() => {
        // #lost retries when the socket had opened; a refused open retries here
        if (this.#sock === undefined) this.#retry();
      });
    }, delay);
    this.#timer.unref?.();
  }
}
