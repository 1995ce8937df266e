/**
 * The emulator's REST endpoints (`/api/v1/…`, LO `openapi.json`), each answering in the venue's
 * shape (payloads.ts) with `code: 200`, or its `{code, message}` refusal with HTTP 400. Private
 * reads need an auth token (`auth` query or `Authorization` header) of the account they read.
 */
import type { LtEngine } from "./engine.ts";
import {
  accountJson,
  marketDetailJson,
  marketStatsJson,
  orderJson,
  pointsJson,
  tradeJson,
} from "./payloads.ts";
import type { LtSequencer } from "./sequencer.ts";
import { CODES, checkAuthToken } from "./verify.ts";

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const ok = (body: Record<string, unknown>): Answer => ({ status: 200, body: { code: 200, ...body } });
export const refuse = (code: number, message: string, status = 400): Answer => ({
  status,
  body: { code, message },
});

/** The account a private read is for, once its token is checked; else the refusal. */
function authorised(engine: LtEngine, q: URLSearchParams, token: string | undefined): number | Answer {
  const account = Number(q.get("account_index"));
  if (!Number.isSafeInteger(account)) return refuse(CODES.invalidTxInfo, "account_index is required");
  const who = checkAuthToken(engine, token);
  if (typeof who !== "number") return refuse(who.code, who.message);
  if (who !== account) return refuse(CODES.invalidAuth, `auth token is for account ${who}, not ${account}`);
  return account;
}

export const PRIVATE_PATHS = new Set([
  "/api/v1/accountActiveOrders",
  "/api/v1/accountInactiveOrders",
  "/api/v1/positionFunding",
  "/api/v1/referral/points",
]);

export function route(
  engine: LtEngine,
  sequencer: LtSequencer,
  method: string,
  url: URL,
  form: URLSearchParams,
  token: string | undefined,
): Answer {
  const q = url.searchParams;
  const path = url.pathname;
  if (method === "POST" && path === "/api/v1/sendTx") {
    const type = Number(form.get("tx_type"));
    const info = form.get("tx_info");
    if (!Number.isInteger(type) || info === null)
      return refuse(CODES.invalidTxInfo, "tx_type and tx_info are required");
    const tx = sequencer.accept(type, info);
    if ("code" in tx) return refuse(tx.code, tx.message);
    return ok({
      message: '{"ratelimit": "didn\'t use volume quota"}',
      tx_hash: tx.hash,
      predicted_execution_time_ms: engine.clock.now() + 5,
      volume_quota_remaining: null,
    });
  }
  if (method !== "GET") return refuse(CODES.invalidTxInfo, `${method} ${path} not found`, 404);
  if (PRIVATE_PATHS.has(path)) {
    const account = authorised(engine, q, token);
    if (typeof account !== "number") return account;
    return privateRoute(engine, path, q, account);
  }
  switch (path) {
    // GET / (status): {status, network_id, timestamp in seconds} (lighter-rust docs/RootApi.md, models Status)
    case "/":
      return {
        status: 200,
        body: { status: 200, network_id: 1, timestamp: Math.floor(engine.clock.now() / 1000) },
      };
    case "/api/v1/orderBookDetails": {
      const id = q.get("market_id");
      const list = engine.markets.filter((m) => id === null || m.marketId === Number(id));
      return ok({ order_book_details: list.map((m) => marketDetailJson(engine, m)) });
    }
    case "/api/v1/nextNonce": {
      const a = engine.accounts.get(Number(q.get("account_index")));
      if (a === undefined) return refuse(CODES.accountNotFound, "account not found");
      const k = a.keys.get(Number(q.get("api_key_index")));
      return ok({ nonce: k?.nextNonce ?? 0 });
    }
    case "/api/v1/account": {
      const by = q.get("by");
      const value = q.get("value") ?? "";
      const list =
        by === "index"
          ? [engine.accounts.get(Number(value))].filter((a) => a !== undefined)
          : by === "l1_address"
            ? [...engine.accounts.values()].filter((a) => a.l1Address.toLowerCase() === value.toLowerCase())
            : undefined;
      if (list === undefined) return refuse(CODES.invalidTxInfo, 'by must be "index" or "l1_address"');
      if (list.length === 0) return refuse(CODES.accountNotFound, "account not found");
      return ok({ total: list.length, accounts: list.map((a) => accountJson(engine, a)) });
    }
    case "/api/v1/apikeys": {
      const a = engine.accounts.get(Number(q.get("account_index")));
      if (a === undefined) return refuse(CODES.accountNotFound, "account not found");
      const want = q.get("api_key_index");
      const keys = [...a.keys].filter(([i]) => want === null || want === "255" || i === Number(want));
      return ok({
        api_keys: keys.map(([i, k]) => ({
          account_index: a.index,
          api_key_index: i,
          nonce: k.nextNonce,
          public_key: k.publicKey,
        })),
      });
    }
    case "/api/v1/tx": {
      const tx = q.get("by") === "hash" ? engine.txs.get(q.get("value") ?? "") : undefined;
      if (tx === undefined) return refuse(21500, "transaction not found");
      return ok({
        hash: tx.hash,
        type: tx.type,
        info: tx.info,
        event_info: tx.error === undefined ? "" : JSON.stringify({ error: tx.error }),
        status: tx.status,
        account_index: tx.account,
        nonce: tx.nonce,
        queued_at: tx.queuedAt,
      });
    }
    case "/api/v1/trades": {
      const account = q.get("account_index");
      if (account !== null) {
        const a = authorised(engine, q, token);
        if (typeof a !== "number") return a;
      }
      const limit = Math.min(100, Number(q.get("limit") ?? 100));
      const market = q.get("market_id");
      const rows = engine.trades
        .filter((t) => account === null || t.order.account === Number(account))
        .filter((t) => market === null || t.market.marketId === Number(market))
        .slice(-limit)
        .reverse();
      return ok({ next_cursor: null, trades: rows.map((t) => tradeJson(engine, t)) });
    }
    case "/api/v1/fundings": {
      const m = engine.byId.get(Number(q.get("market_id")));
      if (m === undefined) return refuse(CODES.invalidMarket, "market not found");
      const pct = ((engine.fundingRate.get(m.marketId) ?? 0) * 100).toFixed(6);
      const ts = Math.floor(engine.clock.now() / 3_600_000) * 3600;
      return ok({
        resolution: "1h",
        fundings: [{ timestamp: ts, value: "0", rate: pct, direction: "long" }],
      });
    }
    case "/api/v1/funding-rates":
      return ok({
        funding_rates: engine.markets.map((m) => ({
          market_id: m.marketId,
          exchange: "lighter",
          symbol: m.symbol,
          rate: (engine.fundingRate.get(m.marketId) ?? 0) * 8,
        })),
      });
    case "/api/v1/exchangeStats":
      return ok({ order_book_stats: engine.markets.map((m) => marketStatsJson(engine, m)) });
    default:
      return refuse(CODES.invalidTxInfo, `GET ${path} not found`, 404);
  }
}

function privateRoute(engine: LtEngine, path: string, q: URLSearchParams, account: number): Answer {
  const market = q.get("market_id");
  const inMarket = (id: number) => market === null || Number(market) === 255 || Number(market) === id;
  switch (path) {
    case "/api/v1/accountActiveOrders":
      return ok({
        orders: engine
          .openOrders(account)
          .filter((o) => inMarket(o.market.marketId))
          .map((o) => orderJson(engine, o)),
      });
    case "/api/v1/accountInactiveOrders": {
      const limit = Number(q.get("limit"));
      if (!(Number.isInteger(limit) && limit >= 1 && limit <= 100))
        return refuse(CODES.invalidTxInfo, "limit is required, 1 to 100");
      const rows = [...engine.orders.values()]
        .filter((o) => o.account === account && o.status !== "open" && inMarket(o.market.marketId))
        .reverse()
        .slice(0, limit);
      return ok({ next_cursor: null, orders: rows.map((o) => orderJson(engine, o)) });
    }
    case "/api/v1/positionFunding": {
      const rows = (engine.funding.get(account) ?? []).filter((f) => inMarket(f.market.marketId)).reverse();
      return ok({
        next_cursor: null,
        position_fundings: rows.map((f, i) => ({
          timestamp: f.timestamp,
          market_id: f.market.marketId,
          funding_id: i + 1,
          change: f.change,
          rate: f.ratePercent,
          position_size: f.positionSize,
          position_side: f.side,
        })),
      });
    }
    case "/api/v1/referral/points": {
      const a = engine.accounts.get(account)!;
      return { status: 200, body: pointsJson(a) };
    }
    default:
      return refuse(CODES.invalidTxInfo, `GET ${path} not found`, 404);
  }
}
