import type { Instrument } from "../../core/instrument.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import type { OrderTracker } from "../kit/order-tracker.ts";
import type { AsterHttp, RequestSpec } from "./http.ts";
import { AccountUpdateSchema, ListenKeySchema, OrderTradeUpdateSchema, parseAs } from "./parse.ts";
import { AsterSocket } from "./ws.ts";

/**
 * One account's user data stream (asterdex/api-docs "User Data Streams"): a listen key from
 * POST listenKey, the socket at `<ws>/ws/<listenKey>`, the key extended by PUT every `renewMs`
 * (it expires 60 min after the last). On `listenKeyExpired`, or a PUT the venue refuses, or a
 * dropped connection, the next connection asks for a key again (POST returns the live one or a
 * new one). Events go to `onEvent` as the raw payloads.
 */
export class UserStream {
  readonly socket: AsterSocket;
  readonly #http: AsterHttp;
  readonly #auth: NonNullable<RequestSpec["auth"]>;
  readonly #renewMs: number;
  #key: string | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** listen keys obtained (a health figure and a test hook) */
  keysObtained = 0;
  renewals = 0;

  constructor(
    wsUrl: string,
    http: AsterHttp,
    auth: NonNullable<RequestSpec["auth"]>,
    renewMs: number,
    handlers: { onEvent(json: Record<string, unknown>): void; onUp(): void; onDown(): void },
  ) {
    this.#http = http;
    this.#auth = auth;
    this.#renewMs = renewMs;
    const base = wsUrl.replace(/\/+$/, "");
    this.socket = new AsterSocket(async () => `${base}/ws/${await this.#obtain()}`, {
      onMessage: (json) => {
        if (json.e === "listenKeyExpired") {
          this.#key = undefined;
          this.socket.drop();
          return;
        }
        handlers.onEvent(json);
      },
      onUp: () => handlers.onUp(),
      onDown: () => handlers.onDown(),
    });
  }

  get listenKey(): string | undefined {
    return this.#key;
  }

  async #obtain(): Promise<string> {
    const raw = await this.#http.request({ method: "POST", endpoint: "listenKey", auth: this.#auth });
    this.#key = parseAs(ListenKeySchema, raw, `listenKey answer for wallet ${this.#auth.account}`).listenKey;
    this.keysObtained++;
    return this.#key;
  }

  async start(): Promise<void> {
    await this.socket.connect();
    this.#timer ??= setInterval(() => void this.renew().catch(() => undefined), this.#renewMs);
    this.#timer.unref?.();
  }

  /** Extend the listen key; a refusal (the key expired) reconnects with a new one. */
  async renew(): Promise<void> {
    try {
      await this.#http.request({ method: "PUT", endpoint: "listenKey", auth: this.#auth });
      this.renewals++;
    } catch (e) {
      this.#key = undefined;
      this.socket.drop();
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.socket.close();
  }
}

/**
 * The contract's events for one ORDER_TRADE_UPDATE: execution type NEW → ack; TRADE → (ack) +
 * fill (once per trade id) with the remaining size q − z; CANCELED → canceled "user"; EXPIRED →
 * canceled "ioc_remainder" for an IOC (a GTX that would have crossed: "post_only"), else
 * "expired". Times are the transaction time `o.T`.
 */
export function orderTradeEvents(
  tracker: OrderTracker,
  account: string,
  data: unknown,
  inst: (symbol: string) => Instrument | undefined,
): VenueEvent[] {
  const u = parseAs(OrderTradeUpdateSchema, data, `ORDER_TRADE_UPDATE for wallet ${account}`).o;
  const instrument = inst(u.s);
  if (instrument === undefined) return [];
  const ts = u.T;
  switch (u.x) {
    case "NEW":
      return tracker.ack(account, u.c, u.s, u.i, ts);
    case "TRADE": {
      const out = tracker.ack(account, u.c, u.s, u.i, ts);
      const o = tracker.track(account, u.c, u.s);
      if (o.trades.has(u.t)) return out;
      o.trades.add(u.t);
      const side = u.S === "BUY" ? "buy" : "sell";
      out.push({
        type: "fill",
        ts,
        remainingLots: Math.max(
          0,
          instrument.roundSize(Number(u.q), "nearest") - instrument.roundSize(Number(u.z), "nearest"),
        ),
        fill: {
          fillId: u.t,
          clientOrderId: u.c,
          venueOrderId: u.i,
          account,
          symbol: u.s,
          side,
          priceTicks: instrument.roundPrice(Number(u.L), side, "nearest"),
          sizeLots: instrument.roundSize(Number(u.l), "nearest"),
          fee: moneyOf(u.n ?? "0", `aster wallet ${account} trade ${u.t} commission`),
          liquidity: u.m ? "maker" : "taker",
          realisedPnl: moneyOf(u.rp ?? "0", `aster wallet ${account} trade ${u.t} rp`),
          ts,
        },
      });
      return out;
    }
    case "CANCELED":
      return tracker.end(account, u.c, u.s, u.i, "user", ts);
    case "EXPIRED":
      return tracker.end(
        account,
        u.c,
        u.s,
        u.i,
        u.f === "IOC" ? "ioc_remainder" : u.f === "GTX" ? "post_only" : "expired",
        ts,
      );
    default:
      return [];
  }
}

/** Whether an ACCOUNT_UPDATE reports a funding settlement (the history then has a new row). */
export function isFundingUpdate(data: unknown, account: string): boolean {
  return parseAs(AccountUpdateSchema, data, `ACCOUNT_UPDATE for wallet ${account}`).a.m === "FUNDING_FEE";
}
