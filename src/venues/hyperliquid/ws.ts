/**
 * Hyperliquid WebSocket transport, one socket (HLd "WebSocket", "Timeouts and heartbeats";
 * VENUES.md §1.5): `{"method":"subscribe","subscription":{…}}` per subscription, a ping every
 * 30 s (the server closes a connection idle for 60 s), and on any drop a reconnect with
 * exponential backoff that sends every held subscription again. Subscriptions are counted: the
 * same `{type, coin}` held twice is sent once and unsubscribed when the last holder lets go.
 *
 * Messages arrive as `{"channel": <type>, "data": …}`; each is routed to its subscription by the
 * channel and, for per-coin channels, the coin in the data. The time of the last message per
 * subscription is kept for staleness; `onState` says when the socket is up or down.
 */
import WebSocket from "ws";
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { Unsubscribe } from "../../core/venue.ts";
import { scanL2Book } from "./l2book-scan.ts";

export interface Subscription {
  readonly type: string;
  readonly coin?: string;
  readonly user?: string;
}

export interface WsOptions {
  readonly url: string;
  readonly clock: Clock;
  /** ping interval (default 30 s) */
  readonly pingMs?: number;
  /** first reconnect delay, doubled on each failure up to maxBackoffMs (defaults 250 ms, 10 s) */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** a socket silent this long (not even a pong) is taken for dead and reopened (default 2 × ping) */
  readonly deadAfterMs?: number;
  /** called for what a caller should log: channel errors, unroutable messages */
  readonly onProblem?: (message: string) => void;
}

type Handler = (data: unknown) => void;

interface Held {
  readonly sub: Subscription;
  readonly handlers: Set<Handler>;
  lastMessageTs: number | null;
  /** the server confirmed this subscription on the current socket */
  confirmed: boolean;
}

/** The routing key of a subscription ("l2Book:BTC", "orderUpdates"). */
export function subscriptionKey(s: Subscription): string {
  return s.coin === undefined ? s.type : `${s.type}:${s.coin}`;
}

/** The routing key of a server message, or undefined for control messages. */
export function messageKey(channel: string, data: unknown): string | undefined {
  if (channel === "trades" && Array.isArray(data)) {
    const coin = (data[0] as { coin?: unknown } | undefined)?.coin;
    return typeof coin === "string" ? `trades:${coin}` : undefined;
  }
  const coin = (data as { coin?: unknown } | null)?.coin;
  if (typeof coin === "string" && ["l2Book", "bbo", "activeAssetCtx", "candle"].includes(channel))
    return `${channel}:${coin}`;
  return channel;
}

export class HlWs {
  readonly url: string;
  readonly #clock: Clock;
  readonly #pingMs: number;
  readonly #minBackoff: number;
  readonly #maxBackoff: number;
  readonly #deadAfter: number;
  readonly #onProblem: (m: string) => void;
  readonly #held = new Map<string, Held>();
  readonly #stateListeners = new Set<(up: boolean) => void>();
  readonly #textListeners = new Set<(text: string) => void>();
  #socket: WebSocket | undefined;
  #up = false;
  #closed = true;
  #backoff: number;
  #retry: TimerHandle | undefined;
  #ping: TimerHandle | undefined;
  #lastAny = 0;
  /** sockets opened since start, for tests and status */
  connects = 0;

  constructor(opts: WsOptions) {
    this.url = opts.url;
    this.#clock = opts.clock;
    this.#pingMs = opts.pingMs ?? 30_000;
    this.#minBackoff = opts.minBackoffMs ?? 250;
    this.#maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.#deadAfter = opts.deadAfterMs ?? 2 * this.#pingMs;
    this.#onProblem = opts.onProblem ?? (() => {});
    this.#backoff = this.#minBackoff;
  }

  get up(): boolean {
    return this.#up;
  }

  /** Start connecting (and keep reconnecting until close()). Resolves when first up or after `waitMs`. */
  start(waitMs = 0): Promise<boolean> {
    if (this.#closed) {
      this.#closed = false;
      this.#open();
    }
    if (this.#up || waitMs <= 0) return Promise.resolve(this.#up);
    return new Promise((resolve) => {
      const timer = this.#clock.after(waitMs, () => {
        stop();
        resolve(this.#up);
      });
      const stop = this.onState((up) => {
        if (!up) return;
        this.#clock.cancel(timer);
        stop();
        resolve(true);
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) this.#clock.cancel(this.#retry);
    if (this.#ping) this.#clock.cancel(this.#ping);
    this.#retry = this.#ping = undefined;
    const s = this.#socket;
    this.#socket = undefined;
    if (s && s.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        s.once("close", () => resolve());
        s.terminate();
      });
    }
    this.#setUp(false);
  }

  onState(listener: (up: boolean) => void): Unsubscribe {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /**
   * Every message's text exactly as it arrived (pongs and control messages too), before it is
   * parsed and routed: what the recorder writes.
   */
  onText(listener: (text: string) => void): Unsubscribe {
    this.#textListeners.add(listener);
    return () => this.#textListeners.delete(listener);
  }

  /** Hold a subscription; `handler` gets each message's `data`. */
  subscribe(sub: Subscription, handler: Handler): Unsubscribe {
    const key = subscriptionKey(sub);
    let h = this.#held.get(key);
    if (h === undefined) {
      h = { sub, handlers: new Set(), lastMessageTs: null, confirmed: false };
      this.#held.set(key, h);
      this.#send({ method: "subscribe", subscription: sub });
    }
    const entry = h;
    const fn: Handler = (d) => handler(d);
    entry.handlers.add(fn);
    return () => {
      if (!entry.handlers.delete(fn) || entry.handlers.size > 0) return;
      this.#held.delete(key);
      this.#send({ method: "unsubscribe", subscription: sub });
    };
  }

  /** When the subscription last carried a message (clock ms), null before the first. */
  lastMessageTs(sub: Subscription): number | null {
    return this.#held.get(subscriptionKey(sub))?.lastMessageTs ?? null;
  }

  /** Whether the socket is up and the server confirmed the subscription on it. */
  isLive(sub: Subscription): boolean {
    return this.#up && this.#held.get(subscriptionKey(sub))?.confirmed === true;
  }

  /** Cut the socket as a network failure would (tests, and the dead-socket check). */
  drop(): void {
    this.#socket?.terminate();
  }

  #send(msg: unknown): void {
    const s = this.#socket;
    if (s && this.#up && s.readyState === WebSocket.OPEN) s.send(JSON.stringify(msg));
  }

  #setUp(up: boolean): void {
    if (this.#up === up) return;
    this.#up = up;
    if (!up) for (const h of this.#held.values()) h.confirmed = false;
    for (const l of this.#stateListeners) l(up);
  }

  #open(): void {
    const s = new WebSocket(this.url, { handshakeTimeout: 10_000 });
    this.#socket = s;
    this.connects++;
    s.on("open", () => {
      if (this.#socket !== s) return;
      this.#lastAny = this.#clock.now();
      this.#setUp(true);
      for (const h of this.#held.values()) this.#send({ method: "subscribe", subscription: h.sub });
      this.#schedulePing(s);
    });
    s.on("message", (raw) => {
      if (this.#socket !== s) return;
      this.#lastAny = this.#clock.now();
      // a socket that delivers is healthy: the next failure starts from the shortest delay
      this.#backoff = this.#minBackoff;
      const text = raw.toString();
      for (const l of this.#textListeners) l(text);
      this.receive(text);
    });
    s.on("error", (e) => this.#onProblem(`hyperliquid ws ${this.url}: ${e.message}`));
    s.on("close", () => {
      if (this.#socket !== s) return;
      this.#socket = undefined;
      if (this.#ping) this.#clock.cancel(this.#ping);
      this.#setUp(false);
      if (!this.#closed) this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#maxBackoff, this.#backoff * 2);
    this.#retry = this.#clock.after(delay, () => {
      this.#retry = undefined;
      if (!this.#closed) this.#open();
    });
  }

  #schedulePing(s: WebSocket): void {
    this.#ping = this.#clock.after(this.#pingMs, () => {
      if (this.#socket !== s) return;
      if (this.#clock.now() - this.#lastAny >= this.#deadAfter) {
        this.#onProblem(`hyperliquid ws ${this.url}: silent for ${this.#deadAfter} ms, reconnecting`);
        s.terminate();
        return;
      }
      this.#send({ method: "ping" });
      this.#schedulePing(s);
    });
  }

  /** One message's text as the socket delivers it (benches feed recorded lines here too). */
  receive(text: string): void {
    // the book snapshot of every block: read straight from the text when it has the usual form
    const book = scanL2Book(text);
    if (book !== undefined) {
      this.#deliver(`l2Book:${book.coin}`, book);
      return;
    }
    let msg: { channel?: unknown; data?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      this.#onProblem(`hyperliquid ws: a message that is not JSON: ${text.slice(0, 120)}`);
      return;
    }
    const channel = msg.channel;
    if (typeof channel !== "string") return;
    if (channel === "pong") return;
    if (channel === "subscriptionResponse") {
      const sub = (msg.data as { method?: string; subscription?: Subscription } | undefined)?.subscription;
      const h = sub ? this.#held.get(subscriptionKey(sub)) : undefined;
      if (h && (msg.data as { method?: string }).method === "subscribe") h.confirmed = true;
      return;
    }
    if (channel === "error") {
      this.#onProblem(`hyperliquid ws: ${String(msg.data)}`);
      return;
    }
    const key = messageKey(channel, msg.data);
    if (key !== undefined) this.#deliver(key, msg.data);
  }

  #deliver(key: string, data: unknown): void {
    const h = this.#held.get(key);
    if (h === undefined) return; // a message for something just unsubscribed
    h.lastMessageTs = this.#clock.now();
    // data before the confirmation proves the subscription is live too
    h.confirmed = true;
    for (const fn of h.handlers) fn(data);
  }
}
