/**
 * `perpbot doctor` for `[venues.paradex]` (the contract: ../doctor-types.ts): the venue reachable
 * (`/markets`), its Starknet chain the one the config signs for (`/system/config`
 * starknet_chain_id: a signature for another chain never verifies), its clock against ours
 * (`/system/time`; the auth signature carries a timestamp), the strategies' markets listed as
 * perps, and per wallet: the Stark key signs in for the account (`POST /auth`), the balance, XP,
 * and positions and open orders perpbot's store does not account for.
 */
import { z } from "zod";
import { WallClock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import {
  clockRow,
  type DoctorRow,
  doctorRows,
  ordersRow,
  positionsRow,
  unreachableRows,
} from "../doctor-rows.ts";
import type { DoctorAccount, DoctorCheck, DoctorContext } from "../doctor-types.ts";
import { JwtSession } from "./auth.ts";
import { instrumentOf, maintenanceFraction, perpMarkets } from "./capabilities.ts";
import { chainOf, isLoopback, type ParadexConfig } from "./config.ts";
import { ParadexHttp, parseAs } from "./http.ts";
import { readXp } from "./orders.ts";
import { MarketsSchema, type PdxMarketInfo } from "./parse.ts";
import * as reads from "./reads.ts";

const VENUE = "paradex";
type Row = DoctorRow;
const usd = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export async function paradexDoctor(config: ParadexConfig, ctx: DoctorContext): Promise<DoctorCheck[]> {
  const http = new ParadexHttp(config.rest_url, config.request_timeout_ms);
  const chain = chainOf(config);
  const where = `${isLoopback(config.rest_url) ? "local" : chain} ${config.rest_url}`;
  const { rows, row } = doctorRows(VENUE);
  let markets: PdxMarketInfo[];
  try {
    const raw = await http.request({ method: "GET", path: "/markets" });
    markets = perpMarkets(parseAs(MarketsSchema, raw, "markets").results, config.symbols);
    row(null, "reachable", "ok", `${where}: ${markets.length} perps listed`);
  } catch (e) {
    unreachableRows(row, where, VENUE, ctx.accounts, e as Error);
    return rows;
  }
  try {
    const sys = z
      .object({ starknet_chain_id: z.string() })
      .parse(await http.request({ method: "GET", path: "/system/config" }));
    if (sys.starknet_chain_id === chain) row(null, "chain", "ok", `signatures for ${chain}`);
    else
      row(
        null,
        "chain",
        "fail",
        `the venue is on ${sys.starknet_chain_id}, the config signs for ${chain}`,
        `set [venues.paradex] chain = "${sys.starknet_chain_id}" or point rest_url at the ${chain} host`,
      );
  } catch (e) {
    row(
      null,
      "chain",
      "warn",
      `no /system/config (${(e as Error).message})`,
      "retry; the chain could not be compared",
    );
  }
  try {
    const t0 = ctx.clock.now();
    const t = z
      .object({ server_time: z.coerce.number() })
      .parse(await http.request({ method: "GET", path: "/system/time" }));
    const t1 = ctx.clock.now();
    clockRow(
      row,
      t.server_time,
      t0,
      t1,
      ctx.maxSkewMs,
      "): the auth signature carries a timestamp the venue checks",
    );
  } catch (e) {
    row(
      null,
      "clock",
      "fail",
      `no time from the venue (${(e as Error).message})`,
      "retry; if it persists the venue is degraded",
    );
  }
  const fees = { makerFeeBps: config.maker_fee_bps, takerFeeBps: config.taker_fee_bps };
  const instruments = new Map(markets.map((m) => [m.symbol, instrumentOf(VENUE, m, fees)]));
  const info = new Map(markets.map((m) => [m.symbol, m]));
  const bases = new Set(markets.map((m) => m.base_currency));
  const unlisted = ctx.markets.filter((m) => !bases.has(m) && !instruments.has(m));
  if (unlisted.length > 0)
    row(
      null,
      "markets",
      "warn",
      `no paradex perp for: ${unlisted.join(", ")}`,
      "trade them on another venue, or remove them from the strategy's markets",
    );
  for (const a of ctx.accounts) await accountRows(http, chain, config, a, instruments, info, row);
  return rows;
}

async function accountRows(
  http: ParadexHttp,
  chain: string,
  config: ParadexConfig,
  a: DoctorAccount,
  instruments: ReadonlyMap<string, Instrument>,
  info: ReadonlyMap<string, PdxMarketInfo>,
  row: Row,
): Promise<void> {
  const w = a.account;
  const signer = a.signer;
  if (signer === undefined)
    return row(w, "stark key", "skip", "the key did not decrypt: account checks not run");
  const address = (a.identity.address ?? "").toLowerCase();
  const session = new JwtSession({
    http,
    clock: new WallClock(),
    signer,
    account: address,
    chain,
    refreshAfterMs: config.jwt_refresh_after_ms,
  });
  try {
    await session.token();
    row(
      w,
      "stark key",
      "ok",
      `Stark key 0x${signer.publicKey.slice(0, 12)}… signs in for account ${address}`,
    );
  } catch (e) {
    return row(
      w,
      "stark key",
      "fail",
      `sign-in refused for account ${address}: ${(e as Error).message}`,
      `check [venues.paradex.wallets.${w}] account and the keystore's stark_private_key (Paradex app → Settings → "Paradex private key"): \`perpbot keys add ${w} --venue paradex --secret stark_private_key --replace\``,
    );
  }
  const ctx: reads.ReadContext = {
    http,
    known: (s) => instruments.get(s),
    sessionOf: () => session,
    mmfOf: (s) => {
      const m = info.get(s);
      return m === undefined ? 0.05 : maintenanceFraction(m);
    },
    markOf: () => Number.NaN,
    ratePerHourOf: () => 0,
  };
  const guard = async (check: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      row(
        w,
        check,
        "fail",
        `no answer: ${(e as Error).message}`,
        "retry; if it persists check the venue's status",
      );
    }
  };
  await guard("balance", async () => {
    const s = await reads.accountState(ctx, w);
    const detail = `account value ${usd(s.equityUsd)} USDC, free collateral ${usd(s.availableUsd)}`;
    if (s.equityUsd > 0) row(w, "balance", "ok", detail);
    else row(w, "balance", "fail", detail, "deposit USDC to this Paradex account before trading");
  });
  await guard("xp", async () => row(w, "xp", "ok", `${await readXp({ http, session })} XP`));
  await guard("positions", async () =>
    positionsRow(row, a, await reads.positions(ctx, w), (p) =>
      instruments.get(p.symbol)!.sizeValue(p.sizeLots),
    ),
  );
  await guard("orders", async () => ordersRow(row, a, await reads.openOrders(ctx, w), "this account"));
}
