/**
 * `perpbot doctor` for `[venues.edgex]` (the contract: ../doctor-types.ts): the venue reachable
 * (getMetaData, with the EIP-712 domain orders are signed under), its clock against ours
 * (getServerTime: a request whose X-edgeX-Timestamp is far off is refused), the strategies'
 * markets listed, and per wallet: a trading key with the API secret attached, the credentials
 * accepted (a signed getAccountAsset), the collateral, and positions and open orders perpbot's
 * store does not account for.
 */
import { z } from "zod";
import { WallClock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { DoctorAccount, DoctorCheck, DoctorContext } from "../doctor-types.ts";
import { marketsOf } from "./capabilities.ts";
import { type EdgexConfig, isLoopback } from "./config.ts";
import { EdgexHttp } from "./http.ts";
import { MetaDataSchema, parseAs } from "./parse.ts";
import * as reads from "./reads.ts";

const VENUE = "edgex";
const ServerTimeSchema = z.object({ timeMillis: z.union([z.string(), z.number()]).transform(Number) });

export async function edgexDoctor(config: EdgexConfig, ctx: DoctorContext): Promise<DoctorCheck[]> {
  const http = new EdgexHttp(config.rest_url, config.request_timeout_ms, new WallClock());
  const where = isLoopback(config.rest_url) ? `local ${config.rest_url}` : `MAINNET ${config.rest_url}`;
  const rows: DoctorCheck[] = [];
  const row = (
    wallet: string | null,
    check: string,
    status: DoctorCheck["status"],
    detail: string,
    fix?: string,
  ) => rows.push({ venue: VENUE, wallet, check, status, detail, ...(fix === undefined ? {} : { fix }) });
  let instruments: Map<string, Instrument>;
  try {
    const meta = parseAs(
      MetaDataSchema,
      await http.request({ method: "GET", path: "/api/v2/public/meta/getMetaData" }),
      "getMetaData",
    );
    const markets = marketsOf(VENUE, meta, config.symbols);
    instruments = new Map(markets.map((m) => [m.contract.contractId, m.instrument]));
    row(
      null,
      "reachable",
      "ok",
      `${where}: ${markets.length} contracts, orders signed for chain ${meta.global.nativeChainId ?? meta.global.chainId} at ${meta.global.contractAddress}`,
    );
  } catch (e) {
    row(
      null,
      "reachable",
      "fail",
      `${where}: no answer (${(e as Error).message})`,
      "check [venues.edgex] rest_url and this machine's network",
    );
    for (const a of ctx.accounts)
      row(a.account, "account", "skip", "venue unreachable: account checks not run");
    return rows;
  }
  try {
    const before = ctx.clock.now();
    const t = parseAs(
      ServerTimeSchema,
      await http.request({ method: "GET", path: "/api/v2/public/meta/getServerTime" }),
      "getServerTime",
    );
    const skew = t.timeMillis - (before + ctx.clock.now()) / 2;
    if (Math.abs(skew) > ctx.maxSkewMs)
      row(
        null,
        "clock",
        "fail",
        `venue clock ${Math.round(skew)} ms from ours`,
        "synchronise this machine's clock (NTP)",
      );
    else row(null, "clock", "ok", `venue clock ${Math.round(skew)} ms from ours`);
  } catch (e) {
    row(null, "clock", "warn", `getServerTime failed: ${(e as Error).message}`);
  }
  const names = new Set([...instruments.values()].flatMap((i) => [i.symbol, i.spec.base]));
  const unlisted = ctx.markets.filter((m) => !names.has(m));
  if (unlisted.length > 0)
    row(
      null,
      "markets",
      "warn",
      `no edgex contract for: ${unlisted.join(", ")}`,
      "trade them elsewhere or drop them",
    );
  for (const a of ctx.accounts) await accountRows(http, config, a, instruments, row);
  return rows;
}

async function accountRows(
  http: EdgexHttp,
  config: EdgexConfig,
  a: DoctorAccount,
  instruments: Map<string, Instrument>,
  row: (
    wallet: string | null,
    check: string,
    status: DoctorCheck["status"],
    detail: string,
    fix?: string,
  ) => void,
): Promise<void> {
  const w = config.wallets[a.account];
  const signer = a.signer;
  if (w === undefined || signer === undefined || signer.hmacSha256 === undefined) {
    row(
      a.account,
      "api secret",
      "fail",
      signer === undefined ? "the trading key did not decrypt" : "no API secret attached to the trading key",
      `perpbot keys add ${a.account} --venue edgex --secret ${w?.trading_key ?? "trading_private_key"} --secret ${w?.secret ?? "api_secret"}`,
    );
    return;
  }
  row(a.account, "api secret", "ok", `trading key ${signer.publicKey.slice(0, 10)}… carries its API secret`);
  const auth = { signer, apiKey: w.api_key, passphrase: w.passphrase };
  const ctx: reads.ReadContext = {
    request: (_acct, r) => http.request({ ...r, auth }),
    accountIdOf: () => w.account_id,
    instrumentOf: (c) => instruments.get(c),
    markOf: () => Number.NaN,
    clientIds: new Map(),
  };
  try {
    const s = await reads.accountState(ctx, a.account);
    row(a.account, "credentials", "ok", `account ${w.account_id} accepted the signed read`);
    row(
      a.account,
      "balance",
      s.equityUsd > 0 ? "ok" : "warn",
      `equity ${s.equityUsd.toFixed(2)} USD, available ${s.availableUsd.toFixed(2)}`,
      s.equityUsd > 0 ? undefined : "deposit collateral before trading",
    );
  } catch (e) {
    row(
      a.account,
      "credentials",
      "fail",
      (e as Error).message,
      "check account_id, api_key and passphrase in [venues.edgex.wallets] and the keystore's api_secret",
    );
    return;
  }
  const positions = await reads.positions(ctx, a.account).catch(() => []);
  const foreign = positions.filter((p) => (a.ownedPositions.get(p.symbol) ?? 0) !== p.sizeLots);
  if (foreign.length > 0)
    row(
      a.account,
      "positions",
      "warn",
      `not from perpbot's orders: ${foreign.map((p) => `${p.symbol} ${p.sizeLots} lots`).join(", ")}`,
      "close them or let perpbot adopt them",
    );
  const open = await reads.openOrders(ctx, a.account).catch(() => []);
  const stray = open.filter((o) => !a.ownedOrders.has(o.clientOrderId));
  if (stray.length > 0)
    row(
      a.account,
      "orders",
      "warn",
      `${stray.length} open orders perpbot did not place`,
      "cancel them on EdgeX",
    );
}
