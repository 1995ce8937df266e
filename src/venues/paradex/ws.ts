/**
 * Paradex WebSocket client (JSON-RPC 2.0, docs.paradex.trade "WebSocket"): `auth` with the JWT
 * (a socket stays authenticated for its lifetime, so the JWT refresh does not touch it),
 * `subscribe` per channel (`bbo.{market}`, `orders.{market}`, `orders.ALL`, …), notifications
 * `{method:"subscription", params:{channel, data}}` routed to the channel's handler. A request
 * the venue refuses rejects with its JSON-RPC code and message; a frame that cannot be read is
 * passed to `onBadFrame` naming what was wrong, and the socket goes on.
 */
import WebSocket from "ws";
import { z } from "zod";
import { BboSchema, OrderSchema, type PdxBbo, type PdxOrderAnswer } from "./parse.ts";

export type { PdxBbo } from "./parse.ts";

export class ParadexWsError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
    this.name = "ParadexWsError";
  }
}

const FrameSchema = z.union([
  z.object({
    id: z.number(),
    result: z.unknown().optional(),
    error: z.object({ code: z.number(), message: z.string() }).optional(),
  }),
  z.object({
    method: z.literal("subscription"),
    params: z.object({ channel: z.string(), data: z.unknown() }),
  }),
]);

export type Frame = z.infer<typeof FrameSchema>;

/** One socket text as a JSON-RPC answer or notification, or what was wrong with it. */
export function readFrame(text: string): Frame | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `paradex ws: a frame is not JSON (${text.slice(0, 80)})`;
  }
  const f = FrameSchema.safeParse(json);
  return f.success ? f.data : `paradex ws: unknown frame ${text.slice(0, 120)}`;
}

export class ParadexSocket {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  readonly #handlers = new Map<string, (data: unknown) => void>();
  #nextId = 1;
  onBadFrame: (problem: string) => void = () => {};
  /** the socket closed (dropped by the venue or the network, or closed here) */
  onClose: () => void = () => {};

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (raw) => this.#onFrame(raw.toString()));
    // an error after the open is followed by close, which is what the owner acts on
    ws.on("error", () => {});
    ws.on("close", () => {
      for (const p of this.#pending.values()) p.fail(new ParadexWsError(0, "paradex ws: socket closed"));
      this.#pending.clear();
      this.onClose();
    });
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  static async open(url: string): Promise<ParadexSocket> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", (e) => reject(new Error(`paradex ws ${url}: ${e.message}`)));
    });
    return new ParadexSocket(ws);
  }

  #call(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((ok, fail) => {
      if (!this.isOpen) return fail(new ParadexWsError(0, "paradex ws: socket not open"));
      this.#pending.set(id, { ok, fail });
      this.#ws.send(JSON.stringify({ jsonrpc: "2.0", method, params, id }));
    });
  }

  unsubscribe(channel: string): Promise<unknown> {
    this.#handlers.delete(channel);
    return this.#call("unsubscribe", { channel });
  }

  auth(jwt: string): Promise<unknown> {
    return this.#call("auth", { bearer: jwt });
  }

  async subscribe(channel: string, handler: (data: unknown) => void): Promise<void> {
    this.#handlers.set(channel, handler);
    try {
      await this.#call("subscribe", { channel });
    } catch (e) {
      this.#handlers.delete(channel);
      throw e;
    }
  }

  /** Order updates, parsed; a malformed one goes to onBadFrame. */
  subscribeOrders(market: string, handler: (o: PdxOrderAnswer) => void): Promise<void> {
    return this.subscribe(`orders.${market}`, (d) =>
      this.#typed(OrderSchema, `orders.${market}`, d, handler),
    );
  }

  subscribeBbo(market: string, handler: (b: PdxBbo) => void): Promise<void> {
    return this.subscribe(`bbo.${market}`, (d) => this.#typed(BboSchema, `bbo.${market}`, d, handler));
  }

  #typed<T>(schema: z.ZodType<T>, channel: string, data: unknown, handler: (v: T) => void) {
    const r = schema.safeParse(data);
    if (r.success) return handler(r.data);
    const issue = r.error.issues[0]!;
    this.onBadFrame(
      `paradex ws ${channel}: data did not parse at ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }

  #onFrame(text: string) {
    const read = readFrame(text);
    if (typeof read === "string") return this.onBadFrame(read);
    const frame = read;
    if ("id" in frame) {
      const p = this.#pending.get(frame.id);
      if (p === undefined) return;
      this.#pending.delete(frame.id);
      if (frame.error !== undefined)
        p.fail(
          new ParadexWsError(frame.error.code, `paradex ws: ${frame.error.code} ${frame.error.message}`),
        );
      else p.ok(frame.result);
      return;
    }
    this.#handlers.get(frame.params.channel)?.(frame.params.data);
  }

  close(): void {
    this.#ws.terminate();
  }
}
