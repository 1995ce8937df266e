import type { Instrument } from "../../core/instrument.ts";
import type { BookLevel, BookUpdate } from "../../core/market.ts";
import { L2Book } from "../../data/book.ts";
import { ScannedBookMessage } from "./book-scan.ts";
import { BookMessageSchema, parseAs } from "./parse.ts";

/**
 * A local Lighter book from the `order_book/<id>` channel: the `subscribed/order_book` message is
 * the whole book, each `update/order_book` the changed levels (absolute sizes, "0" removes).
 * Continuity: when the book carries `nonce` / `begin_nonce`, an update continues the chain when
 * its `begin_nonce` is the previous `nonce` (the rule community Lighter collectors use; the
 * official docs I could read do not state one); otherwise its `offset` must be the previous + 1.
 * An offset at or below the last is a repeat and is dropped; a break means a lost message: the
 * book is marked out of sync and `resync` (resubscribe, for a fresh snapshot) is asked for once;
 * updates until that snapshot are dropped.
 */
export class BookSync {
  readonly book: L2Book;
  readonly inst: Instrument;
  readonly venueId: string;
  readonly #emit: (u: BookUpdate) => void;
  readonly #resync: () => void;
  #offset: number | undefined;
  #nonce: number | undefined;
  #asked = false;
  /** resyncs after a gap (a health figure) */
  gaps = 0;

  constructor(inst: Instrument, venueId: string, emit: (u: BookUpdate) => void, resync: () => void) {
    this.inst = inst;
    this.venueId = venueId;
    this.book = new L2Book(inst);
    this.#emit = emit;
    this.#resync = resync;
  }

  get inSync(): boolean {
    return this.#offset !== undefined;
  }

  /** After a reconnect: wait for the snapshot the new subscription sends. */
  reset(): void {
    this.#offset = undefined;
    this.#asked = false;
  }

  #askResync(): undefined {
    this.#offset = undefined;
    if (this.#asked) return;
    this.#asked = true;
    this.#resync();
  }

  onMessage(raw: unknown, now: number): undefined {
    // the hot path: read from the text already (book-scan.ts), or the parsed shape read by hand;
    // anything off goes through the schema, whose error names the field
    const fast: FastBook | undefined = raw instanceof ScannedBookMessage ? raw : readBook(raw);
    const m = fast ?? parseAs(BookMessageSchema, raw, `order book of ${this.inst.symbol}`);
    const snapshot = m.type === "subscribed/order_book";
    if (!snapshot) {
      // an update with no snapshot to apply it to (a resubscription's snapshot was lost): ask again
      if (this.#offset === undefined) return this.#askResync();
      if (m.offset <= this.#offset) return;
      const begin = m.order_book.begin_nonce;
      const broken =
        begin !== undefined && this.#nonce !== undefined
          ? begin !== this.#nonce
          : m.offset > this.#offset + 1;
      if (broken) {
        this.gaps++;
        return this.#askResync();
      }
    }
    this.#offset = m.offset;
    this.#nonce = m.order_book.nonce;
    this.#asked = false;
    const update: BookUpdate = {
      type: "book",
      venue: this.venueId,
      symbol: this.inst.symbol,
      ts: m.timestamp ?? now,
      snapshot,
      bids: fast?.levels.bids ?? levelsOf(raw, "bids"),
      asks: fast?.levels.asks ?? levelsOf(raw, "asks"),
    };
    this.book.apply(update);
    this.#emit(update);
  }
}

interface FastBook {
  readonly type: string;
  readonly offset: number;
  readonly timestamp?: number;
  readonly order_book: { readonly nonce?: number; readonly begin_nonce?: number };
  readonly levels: { readonly bids: BookLevel[]; readonly asks: BookLevel[] };
}

const optInt = (v: unknown) => v === undefined || Number.isInteger(v);

/** The message read without the schema, or undefined when any field is not as the schema wants. */
function readBook(raw: unknown): FastBook | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const m = raw as Record<string, unknown>;
  if (m.type !== "subscribed/order_book" && m.type !== "update/order_book") return undefined;
  const ob = m.order_book as Record<string, unknown> | null | undefined;
  if (typeof ob !== "object" || ob === null || !Number.isInteger(m.offset)) return undefined;
  if (typeof m.channel !== "string" || !optInt(m.timestamp) || !optInt(ob.nonce) || !optInt(ob.begin_nonce))
    return undefined;
  const bids = fastLevels(ob.bids);
  const asks = bids === undefined ? undefined : fastLevels(ob.asks);
  if (bids === undefined || asks === undefined) return undefined;
  return {
    type: m.type,
    offset: m.offset as number,
    timestamp: m.timestamp as number | undefined,
    order_book: { nonce: ob.nonce as number | undefined, begin_nonce: ob.begin_nonce as number | undefined },
    levels: { bids, asks },
  };
}

function fastLevels(rows: unknown): BookLevel[] | undefined {
  if (!Array.isArray(rows)) return undefined;
  const out: BookLevel[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as { price?: unknown; size?: unknown } | null;
    if (r === null || typeof r !== "object" || typeof r.price !== "string" || typeof r.size !== "string")
      return undefined;
    const price = Number(r.price);
    const size = Number(r.size);
    if (!(price >= 0) || !(size >= 0) || r.price === "" || r.size === "") return undefined;
    out[i] = { price, size };
  }
  return out;
}

/** The levels of a message the schema accepted. */
function levelsOf(raw: unknown, side: "bids" | "asks"): BookLevel[] {
  return levels(BookMessageSchema.parse(raw).order_book[side]);
}

function levels(rows: readonly { price: string; size: string }[]): BookLevel[] {
  return rows.map((r) => ({ price: Number(r.price), size: Number(r.size) }));
}
