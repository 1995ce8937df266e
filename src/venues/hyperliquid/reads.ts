/**
 * The connector's account reads through `/info` (VENUES.md §1.3): order status by cloid, open
 * orders, clearinghouseState (positions, margin, liquidation prices), fills by time (paged, the
 * venue returns at most 2000 a call) and funding history. A read that gets no trustworthy answer
 * is VenueUnknownOutcomeError (retry later); an answer that does not parse is an HlAnswerError
 * naming the wallet and the request.
 */
import type { z } from "zod";
import type { AccountReport, Fill, OrderReport, PositionReport } from "../../core/types.ts";
import { type FundingPaymentReport, VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { TrackedOrder } from "./account-events.ts";
import type { HlAccount } from "./exchange.ts";
import type { HlHttp } from "./http.ts";
import type { HlMarket } from "./instruments.ts";
import { accountOf, fillOf, fundingOf, HlAnswerError, orderReportOf, positionsOf } from "./mapping.ts";
import {
  ClearinghouseStateSchema,
  OpenOrdersSchema,
  OrderStatusSchema,
  UserFillsSchema,
  UserFundingSchema,
  UserRoleSchema,
} from "./parse.ts";

const PAGE = 2000;

export class HlReads {
  readonly #http: HlHttp;
  readonly #market: (symbol: string) => HlMarket | undefined;

  constructor(http: HlHttp, market: (symbol: string) => HlMarket | undefined) {
    this.#http = http;
    this.#market = market;
  }

  async #info<T>(
    a: HlAccount,
    request: { type: string } & Record<string, unknown>,
    schema: z.ZodType<T>,
  ): Promise<T> {
    let out: Awaited<ReturnType<HlHttp["info"]>>;
    try {
      out = await this.#http.info(request, schema);
    } catch (e) {
      throw new HlAnswerError(`hyperliquid wallet ${a.account}: ${request.type}: ${(e as Error).message}`);
    }
    if (out.kind === "answered") return out.value as T;
    const where = `hyperliquid wallet ${a.account}: ${request.type}`;
    if (out.kind === "unavailable")
      throw new VenueUnknownOutcomeError("unavailable", `${where}: ${out.detail}`);
    throw new VenueUnknownOutcomeError(out.reason, `${where}: ${out.detail}`);
  }

  #m(a: HlAccount, coin: string, field: string): HlMarket {
    const m = this.#market(coin);
    if (m === undefined)
      throw new HlAnswerError(`hyperliquid wallet ${a.account}, ${coin}, field ${field}: not a listed perp`);
    return m;
  }

  /** What the venue knows the account's signing key as (a user, an agent of some master, nobody). */
  async signerRole(a: HlAccount): Promise<{ role: string; master?: string }> {
    const r = await this.#info(a, { type: "userRole", user: a.signerAddress }, UserRoleSchema);
    const master = r.data?.user ?? r.data?.master;
    return master === undefined ? { role: r.role } : { role: r.role, master: master.toLowerCase() };
  }

  async orderStatus(a: HlAccount, cloid: string, known?: TrackedOrder): Promise<OrderReport | undefined> {
    const r = await this.#info(a, { type: "orderStatus", user: a.user, oid: cloid }, OrderStatusSchema);
    if (r.status === "unknownOid") return undefined;
    const o = r.order.order;
    return orderReportOf(a.account, o, r.order.status, this.#m(a, o.coin, "order.coin"), known);
  }

  async openOrders(a: HlAccount, known: (cloid: string) => TrackedOrder | undefined): Promise<OrderReport[]> {
    const list = await this.#info(a, { type: "openOrders", user: a.user }, OpenOrdersSchema);
    return list.map((o) =>
      orderReportOf(
        a.account,
        o,
        "open",
        this.#m(a, o.coin, "coin"),
        o.cloid ? known(o.cloid.toLowerCase()) : undefined,
      ),
    );
  }

  async positions(a: HlAccount): Promise<PositionReport[]> {
    const s = await this.#info(a, { type: "clearinghouseState", user: a.user }, ClearinghouseStateSchema);
    return positionsOf(a.account, s, this.#market);
  }

  async accountState(a: HlAccount): Promise<AccountReport> {
    const s = await this.#info(a, { type: "clearinghouseState", user: a.user }, ClearinghouseStateSchema);
    return accountOf(a.account, s, positionsOf(a.account, s, this.#market));
  }

  /** Fills at or after `sinceTs`, oldest first; `cloidOf` names fills whose answer carries no cloid. */
  async fills(a: HlAccount, sinceTs: number, cloidOf: (oid: number) => string | undefined): Promise<Fill[]> {
    const out: Fill[] = [];
    const seen = new Set<string>();
    let start = Math.max(0, Math.floor(sinceTs));
    for (let page = 0; page < 50; page++) {
      const batch = await this.#info(
        a,
        { type: "userFillsByTime", user: a.user, startTime: start, aggregateByTime: false },
        UserFillsSchema,
      );
      for (const f of batch) {
        if (f.time < sinceTs) continue;
        const m = this.#m(a, f.coin, "coin");
        const fill = fillOf(a.account, f, m, f.cloid?.toLowerCase() ?? cloidOf(f.oid) ?? "");
        if (seen.has(fill.fillId)) continue;
        seen.add(fill.fillId);
        out.push(fill);
      }
      if (batch.length < PAGE) break;
      // the next page starts at the newest time seen; the duplicates at that ms are skipped above
      start = Math.max(...batch.map((f) => f.time));
    }
    return out.sort((x, y) => x.ts - y.ts || x.fillId.localeCompare(y.fillId));
  }

  async fundingPayments(a: HlAccount, sinceTs: number): Promise<FundingPaymentReport[]> {
    const list = await this.#info(
      a,
      { type: "userFunding", user: a.user, startTime: Math.max(0, Math.floor(sinceTs)) },
      UserFundingSchema,
    );
    return list
      .filter((x) => x.time >= sinceTs)
      .map((x) => fundingOf(a.account, { time: x.time, ...x.delta }, this.#m(a, x.delta.coin, "delta.coin")))
      .sort((x, y) => x.ts - y.ts || x.symbol.localeCompare(y.symbol));
  }
}
