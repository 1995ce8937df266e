/**
 * One account socket's messages: `orders.ALL` and `fills.ALL` to the order tracker
 * (account-stream.ts), `funding_payments.ALL` (the account's funding as it accrues, the record
 * GET /funding/payments lists) to funding events.
 */
import type { Instrument } from "../../core/instrument.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import type { OrderTracker } from "./account-stream.ts";
import { parseAs } from "./http.ts";
import { FillSchema, FundingPaymentSchema, OrderSchema } from "./parse.ts";
import { paymentReport, type ReadContext } from "./reads.ts";

export class PrivateFeed {
  readonly #account: string;
  readonly #tracker: OrderTracker;
  readonly #inst: (symbol: string) => Instrument | undefined;
  readonly #emit: (events: readonly VenueEvent[]) => void;
  readonly #ctx: ReadContext;
  /** the account's signed position per market, from its fills (funding events name it) */
  readonly #size = new Map<string, number>();

  constructor(
    account: string,
    tracker: OrderTracker,
    inst: (symbol: string) => Instrument | undefined,
    emit: (events: readonly VenueEvent[]) => void,
    ctx: ReadContext,
  ) {
    this.#account = account;
    this.#tracker = tracker;
    this.#inst = inst;
    this.#emit = emit;
    this.#ctx = ctx;
  }

  /** The positions held when the socket opened (later fills move them). */
  seed(positions: readonly { readonly symbol: string; readonly sizeLots: number }[]): void {
    for (const p of positions) this.#size.set(p.symbol, p.sizeLots);
  }

  onData(channel: string, data: unknown): void {
    const a = this.#account;
    if (channel.startsWith("orders."))
      this.#tracker.onOrder(a, parseAs(OrderSchema, data, `${channel} of account ${a}`));
    else if (channel.startsWith("fills.")) {
      const f = parseAs(FillSchema, data, `${channel} of account ${a}`);
      const inst = this.#inst(f.market);
      if (inst !== undefined) {
        const lots = inst.roundSize(Number(f.size), "nearest");
        this.#size.set(f.market, (this.#size.get(f.market) ?? 0) + (f.side === "BUY" ? lots : -lots));
      }
      this.#tracker.onFill(a, f);
    } else if (channel.startsWith("funding_payments.")) {
      const p = parseAs(FundingPaymentSchema, data, `${channel} of account ${a}`);
      const inst = this.#inst(p.market);
      if (inst === undefined) return;
      const amount = moneyOf(p.payment, `paradex funding payment ${p.id} payment`);
      const r = paymentReport(
        this.#ctx,
        a,
        p.market,
        p.created_at,
        amount,
        this.#size.get(p.market) ?? 0,
        inst,
      );
      this.#emit([
        {
          type: "funding",
          ts: r.ts,
          account: a,
          symbol: r.symbol,
          amount,
          ratePerHour: r.ratePerHour,
          hours: r.hours,
        },
      ]);
    }
  }
}
