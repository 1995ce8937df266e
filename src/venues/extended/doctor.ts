/**
 * `perpbot doctor` for `[venues.extended]` (the contract: ../doctor-types.ts): the venue reachable
 * (`/info/markets`), the strategies' markets listed, and per wallet: the keystore key is the
 * private half of the configured stark_key, the venue knows the API key and it belongs to the
 * configured vault and Stark key (`/user/account/info`), the collateral (`/user/balance`), and
 * positions and open orders perpbot's store does not account for. Orders carry their own
 * signed expiry, so the venue's clock is not checked.
 */
import { WallClock } from "../../core/clock.ts";
import type { DoctorAccount, DoctorCheck, DoctorContext } from "../doctor-types.ts";
import { tradableMarkets } from "./capabilities.ts";
import { type ExtendedConfig, isLoopback, restUrlOf } from "./config.ts";
import { ExtendedHttp } from "./http.ts";
import {
  AccountInfoSchema,
  BalanceSchema,
  MarketsSchema,
  OrdersSchema,
  PositionsSchema,
  parseAs,
} from "./parse.ts";

const VENUE = "extended";
type Row = (
  wallet: string | null,
  check: string,
  status: DoctorCheck["status"],
  detail: string,
  fix?: string,
) => void;

export async function extendedDoctor(config: ExtendedConfig, ctx: DoctorContext): Promise<DoctorCheck[]> {
  const base = restUrlOf(config);
  const http = new ExtendedHttp({
    baseUrl: base,
    timeoutMs: config.request_timeout_ms,
    clock: new WallClock(),
  });
  const where = isLoopback(base) ? `local ${base}` : `${config.network.toUpperCase()} ${base}`;
  const rows: DoctorCheck[] = [];
  const row: Row = (wallet, check, status, detail, fix) =>
    rows.push({ venue: VENUE, wallet, check, status, detail, ...(fix === undefined ? {} : { fix }) });
  let names: Set<string>;
  try {
    const markets = tradableMarkets(
      parseAs(MarketsSchema, await http.request({ method: "GET", path: "/info/markets" }), "markets").data,
      config.symbols,
    );
    names = new Set(markets.flatMap((m) => [m.name, m.assetName]));
    row(null, "reachable", "ok", `${where}: ${markets.length} markets listed`);
  } catch (e) {
    row(
      null,
      "reachable",
      "fail",
      `${where}: no answer (${(e as Error).message})`,
      "check [venues.extended] network / rest_url and this machine's network",
    );
    for (const a of ctx.accounts)
      row(a.account, "account", "skip", "venue unreachable: account checks not run");
    return rows;
  }
  const unlisted = ctx.markets.filter((m) => !names.has(m));
  if (unlisted.length > 0)
    row(
      null,
      "markets",
      "warn",
      `no extended market for: ${unlisted.join(", ")}`,
      "trade them on another venue, or remove them from the strategy's markets",
    );
  for (const a of ctx.accounts) await accountRows(http, a, row);
  return rows;
}

async function accountRows(http: ExtendedHttp, a: DoctorAccount, row: Row): Promise<void> {
  const w = a.account;
  const apiKey = a.identity.apiKeyId;
  const configured = a.identity.address;
  if (a.signer === undefined) {
    row(
      w,
      "stark key",
      "skip",
      "the Stark key did not decrypt (see the keys row)",
      `perpbot keys add ${w} --venue extended --secret stark_private_key`,
    );
    return;
  }
  const mine = BigInt(`0x${a.signer.publicKey}`);
  if (configured !== undefined && BigInt(configured) !== mine) {
    row(
      w,
      "stark key",
      "fail",
      `the keystore key is the private half of 0x${mine.toString(16)}, not of stark_key ${configured}`,
      "store the Stark private key of this sub-account, or fix stark_key",
    );
    return;
  }
  row(w, "stark key", "ok", `Stark key 0x${mine.toString(16).slice(0, 10)}…`);
  if (apiKey === undefined) {
    row(w, "api key", "fail", "no api_key configured", `set [venues.extended.wallets.${w}] api_key`);
    return;
  }
  try {
    const info = parseAs(
      AccountInfoSchema,
      await http.request({ method: "GET", path: "/user/account/info", apiKey }),
      "account info",
    ).data;
    if (BigInt(info.l2Key) !== mine || info.l2Vault !== a.identity.subAccount)
      row(
        w,
        "api key",
        "fail",
        `the API key's account is vault ${info.l2Vault} with Stark key ${info.l2Key}`,
        "use the API key of the sub-account whose vault and Stark key are configured",
      );
    else row(w, "api key", "ok", `vault ${info.l2Vault}, account ${info.accountId} (${info.status})`);
    const b = parseAs(
      BalanceSchema,
      await http.request({ method: "GET", path: "/user/balance", apiKey }),
      "balance",
    ).data;
    const equity = Number(b.equity);
    row(
      w,
      "balance",
      equity > 0 ? "ok" : "warn",
      `equity ${equity.toFixed(2)} ${b.collateralName}, available ${Number(b.availableForTrade).toFixed(2)}`,
      equity > 0 ? undefined : "deposit collateral to this sub-account",
    );
    const positions = parseAs(
      PositionsSchema,
      await http.request({ method: "GET", path: "/user/positions", apiKey }),
      "positions",
    ).data;
    const foreignPos = positions.filter((p) => {
      const own = a.ownedPositions.get(p.market) ?? 0;
      return Math.abs((p.side === "LONG" ? 1 : -1) * Number(p.size) - own) > 1e-12;
    });
    row(
      w,
      "positions",
      foreignPos.length === 0 ? "ok" : "warn",
      foreignPos.length === 0
        ? `${positions.length} open, all perpbot's`
        : `not perpbot's: ${foreignPos.map((p) => `${p.market} ${p.side} ${p.size}`).join(", ")}`,
      foreignPos.length === 0 ? undefined : "close them on the venue or let perpbot adopt them",
    );
    const orders = parseAs(
      OrdersSchema,
      await http.request({ method: "GET", path: "/user/orders", apiKey }),
      "open orders",
    ).data;
    const foreign = orders.filter((o) => !a.ownedOrders.has(o.externalId));
    row(
      w,
      "orders",
      foreign.length === 0 ? "ok" : "warn",
      foreign.length === 0
        ? `${orders.length} open, all perpbot's`
        : `${foreign.length} open orders perpbot did not place`,
      foreign.length === 0 ? undefined : "cancel them on the venue if they are not wanted",
    );
  } catch (e) {
    row(
      w,
      "api key",
      "fail",
      (e as Error).message,
      `check [venues.extended.wallets.${w}] api_key (Extended's API management page)`,
    );
  }
}
