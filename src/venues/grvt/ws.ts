import { ReconnectingSocket } from "../kit/reconnecting-socket.ts";
import { scanBookFrame } from "./book-scan.ts";
import { FeedFrameSchema, type GrvtFeedFrame, SubscribeAckSchema } from "./parse.ts";

/**
 * One GRVT WebSocket connection (`wss://market-data.grvt.io/ws/full` public,
 * `wss://trades.grvt.io/ws/full` private). Subscriptions are JSON-RPC
 * `{"jsonrpc":"2.0","method":"subscribe","params":{"stream":"v1.book.s","selectors":["BTC_USDT_Perp@500-10"]},"id":1}`
 * (ccxt js/src/pro/grvt.js `subscribeMultiple`); feed frames are `{stream, selector,
 * sequence_number, feed}`. A private connection sends the session cookie and account header on
 * the upgrade request (ccxt `authenticate`), fetched afresh for every (re)connect. The set of
 * (stream, selector) pairs is re-subscribed on every open; reconnects back off up to 5 s.
 */
export interface GrvtSocketHandlers {
  /** a feed frame; a book frame's feed may come already checked: read it with book-scan.ts `bookOf` */
  onFrame(frame: GrvtFeedFrame): void;
  onUp(): void;
  onDown(reason: string): void;
  /** a subscribe answer: its stream, selectors and (when named) each feed's first sequence number */
  onSubscribed?(stream: string, subs: readonly string[], first: readonly bigint[] | undefined): void;
  /** a frame that did not parse, or a handler that threw: dropped, the socket goes on */
  onProblem?(error: Error): void;
}

export type HeadersFn = () => Promise<Record<string, string>>;

export class GrvtSocket {
  readonly url: string;
  /** stream → selectors */
  readonly subs = new Map<string, Set<string>>();
  readonly #handlers: GrvtSocketHandlers;
  readonly #socket: ReconnectingSocket;
  #id = 0;

  constructor(url: string, handlers: GrvtSocketHandlers, headers?: HeadersFn) {
    this.url = url;
    this.#handlers = handlers;
    this.#socket = new ReconnectingSocket({
      label: `grvt ws ${url}`,
      target: async () => ({ url, headers: headers === undefined ? {} : await headers() }),
      opened: () => {
        for (const [stream, selectors] of this.subs) this.#send("subscribe", stream, [...selectors]);
      },
      message: (text) => this.#message(text),
      up: () => handlers.onUp(),
      down: (reason) => handlers.onDown(reason),
    });
  }

  get isOpen(): boolean {
    return this.#socket.isOpen;
  }

  connect(): Promise<void> {
    return this.#socket.connect();
  }

  #send(method: "subscribe" | "unsubscribe", stream: string, selectors: readonly string[]): void {
    if (selectors.length === 0 || !this.#socket.writable) return;
    this.#socket.send(
      JSON.stringify({ jsonrpc: "2.0", method, params: { stream, selectors }, id: ++this.#id }),
    );
  }

  subscribe(stream: string, selector: string): void {
    let set = this.subs.get(stream);
    if (set === undefined) {
      set = new Set();
      this.subs.set(stream, set);
    }
    if (set.has(selector)) return;
    set.add(selector);
    if (this.isOpen) this.#send("subscribe", stream, [selector]);
  }

  /** Subscribe to a selector afresh (a new snapshot follows): the resync after a delta gap. */
  resubscribe(stream: string, selector: string): void {
    if (!this.subs.get(stream)?.has(selector) || !this.isOpen) return;
    this.#send("unsubscribe", stream, [selector]);
    this.#send("subscribe", stream, [selector]);
  }

  unsubscribe(stream: string, selector: string): void {
    const set = this.subs.get(stream);
    if (set === undefined || !set.delete(selector)) return;
    if (this.isOpen) this.#send("unsubscribe", stream, [selector]);
  }

  #message(text: string): void {
    // book frames, the hot path, through the direct reader (book-scan.ts); the rest JSON + zod
    const book = scanBookFrame(text);
    if (book !== undefined) {
      this.#deliver(book);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.#handlers.onProblem?.(new Error(`grvt ws: a frame that is not JSON: ${text.slice(0, 80)}`));
      return;
    }
    // subscribe acknowledgements carry `method`; feed frames carry `stream` and `feed`
    if (typeof json === "object" && json !== null && "method" in json) {
      const ack = SubscribeAckSchema.safeParse(json);
      if (ack.success && (json as { method?: unknown }).method === "subscribe") {
        const r = ack.data.result;
        this.#handlers.onSubscribed?.(r.stream, r.subs, r.first_sequence_number);
      }
      return;
    }
    const f = FeedFrameSchema.safeParse(json);
    if (!f.success) {
      this.#handlers.onProblem?.(new Error(`grvt ws: frame did not parse: ${f.error.issues[0].message}`));
      return;
    }
    this.#deliver(f.data);
  }

  #deliver(f: GrvtFeedFrame): void {
    try {
      this.#handlers.onFrame(f);
    } catch (e) {
      this.#handlers.onProblem?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  close(): Promise<void> {
    return this.#socket.close();
  }
}
