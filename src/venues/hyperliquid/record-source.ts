/**
 * What `perpbot record` records from Hyperliquid: the public market channels of some coins
 * (`l2Book`, `trades`, `bbo`, `activeAssetCtx`; VENUES.md §1.5) on the connector's own socket
 * (ws.ts: its pings, reconnect backoff and resubscription), handed on as the exact text that
 * arrived. The coins are checked against `meta` first, so an unknown one fails before anything
 * subscribes. Pongs are transport, not data: they are not handed on.
 */
import { type Clock, WallClock } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import type { Endpoints } from "./config.ts";
import { HlHttp } from "./http.ts";
import { MetaSchema } from "./parse.ts";
import { HlWs } from "./ws.ts";

/** The channels recorded for every coin. */
export const RECORDED_CHANNELS = ["l2Book", "trades", "bbo", "activeAssetCtx"] as const;

export interface HlRecordSourceOptions {
  readonly endpoints: Endpoints;
  readonly symbols: readonly string[];
  /** each message's text as it arrived */
  readonly onText: (text: string) => void;
  /** the socket went down (false) or came back with its subscriptions sent again (true) */
  readonly onState?: (up: boolean) => void;
  readonly onProblem?: (message: string) => void;
  readonly clock?: Clock;
  readonly timeoutMs?: number;
  /** reconnect delays (tests shorten them) */
  readonly ws?: { minBackoffMs?: number; maxBackoffMs?: number; pingMs?: number };
}

export interface HlRecordSource {
  readonly url: string;
  readonly wsUrl: string;
  /** the `meta.universe` entries of the recorded coins, as the venue listed them */
  readonly universe: readonly Record<string, unknown>[];
  /** sockets opened so far (1 + reconnects) */
  connects(): number;
  close(): Promise<void>;
}

/** Check the coins against `meta`, open the socket and subscribe every recorded channel. */
export async function openHlRecordSource(o: HlRecordSourceOptions): Promise<HlRecordSource> {
  const clock = o.clock ?? new WallClock();
  const http = new HlHttp({ baseUrl: o.endpoints.url, timeoutMs: o.timeoutMs });
  const out = await http.info({ type: "meta" }, MetaSchema);
  if (out.kind !== "answered")
    throw new Error(
      `hyperliquid: cannot read the listed coins (meta) from ${o.endpoints.url}: ${out.detail}`,
    );
  const listed = new Map<string, Record<string, unknown>>();
  for (const u of out.value.universe) if (u.isDelisted !== true) listed.set(u.name, u);
  const unknown = o.symbols.filter((s) => !listed.has(s));
  if (unknown.length > 0) {
    const some = [...listed.keys()].slice(0, 12).join(", ");
    throw new InvalidValueError(
      `--symbols: ${unknown.map((s) => `"${s}"`).join(", ")} ${unknown.length === 1 ? "is" : "are"} not listed on hyperliquid at ${o.endpoints.url} (coin names as the venue spells them, e.g. ${some})`,
    );
  }
  const ws = new HlWs({ url: o.endpoints.wsUrl, clock, onProblem: o.onProblem, ...o.ws });
  ws.onText((text) => {
    if (text === '{"channel":"pong"}') return;
    o.onText(text);
  });
  if (o.onState) ws.onState(o.onState);
  // subscribed before the socket opens: they are sent on open, and again after every reconnect
  for (const coin of o.symbols) for (const type of RECORDED_CHANNELS) ws.subscribe({ type, coin }, () => {});
  await ws.start(o.timeoutMs ?? 10_000);
  return {
    url: o.endpoints.url,
    wsUrl: o.endpoints.wsUrl,
    universe: o.symbols.map((s) => listed.get(s)!),
    connects: () => ws.connects,
    close: () => ws.close(),
  };
}
