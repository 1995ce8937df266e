/**
 * `perpbot doctor` for `[venues.backpack]` (the contract: ../doctor-types.ts): the venue reachable
 * (`/api/v1/markets`), its clock against ours (`/api/v1/time` against the middle of the request:
 * a signed request outside its X-Window is refused), the strategies' markets listed as perps, and
 * per wallet: the keystore secret is the private half of the configured API key, the venue
 * accepts the key (a signed `collateralQuery`), the collateral, and positions and open orders
 * perpbot's store does not account for. Backpack publishes no per-key request budget to read.
 */
import { z } from "zod";
import { WallClock } from "../../core/clock.ts";
import { VenueRejectError } from "../../core/venue.ts";
import {
  clockRow,
  type DoctorRow,
  doctorRows,
  ordersRow,
  positionsRow,
  unreachableRows,
} from "../doctor-rows.ts";
import type { DoctorAccount, DoctorCheck, DoctorContext } from "../doctor-types.ts";
import { isLoopback } from "../kit/loopback.ts";
import { instrumentOf, perpMarkets } from "./capabilities.ts";
import type { BackpackConfig } from "./config.ts";
import { BackpackHttp } from "./http.ts";
import { MarketsSchema, parseAs } from "./parse.ts";
import * as reads from "./reads.ts";
import { apiKeyOf } from "./signing.ts";

const VENUE = "backpack";
type Row = DoctorRow;

const usd = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Every doctor row for the Backpack config. */
export async function backpackDoctor(config: BackpackConfig, ctx: DoctorContext): Promise<DoctorCheck[]> {
  const http = new BackpackHttp({
    baseUrl: config.rest_url,
    windowMs: config.window_ms,
    timeoutMs: config.request_timeout_ms,
    clock: new WallClock(),
  });
  const where = isLoopback(config.rest_url) ? `local ${config.rest_url}` : `MAINNET ${config.rest_url}`;
  const { rows, row } = doctorRows(VENUE);

  let markets: ReturnType<typeof perpMarkets>;
  try {
    const raw = await http.request({ method: "GET", path: "/api/v1/markets" });
    markets = perpMarkets(parseAs(MarketsSchema, raw, "markets"), config.symbols);
    row(null, "reachable", "ok", `${where}: ${markets.length} perps listed`);
  } catch (e) {
    unreachableRows(row, where, VENUE, ctx.accounts, e as Error);
    return rows;
  }
  await venueClockRow(http, ctx, config.window_ms, row);

  const instruments = new Map(
    markets.map((m) => [
      m.symbol,
      instrumentOf(VENUE, m, { makerFeeBps: config.maker_fee_bps, takerFeeBps: config.taker_fee_bps }),
    ]),
  );
  const bases = new Set(markets.map((m) => m.baseSymbol));
  const unlisted = ctx.markets.filter((m) => !bases.has(m) && !instruments.has(m));
  if (unlisted.length > 0)
    row(
      null,
      "markets",
      "warn",
      `no backpack perp for: ${unlisted.join(", ")}`,
      "trade them on another venue, or remove them from the strategy's markets",
    );
  for (const a of ctx.accounts) await accountRows(http, a, instruments, row);
  return rows;
}

async function venueClockRow(
  http: BackpackHttp,
  ctx: DoctorContext,
  windowMs: number,
  row: Row,
): Promise<void> {
  try {
    const t0 = ctx.clock.now();
    const venueTime = z.coerce
      .number()
      .int()
      .positive()
      .parse(await http.request({ method: "GET", path: "/api/v1/time" }));
    const t1 = ctx.clock.now();
    clockRow(
      row,
      venueTime,
      t0,
      t1,
      Math.min(ctx.maxSkewMs, windowMs),
      ": `timedatectl set-ntp true` or chrony): signed requests carry X-Timestamp and are refused outside X-Window",
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
}

async function accountRows(
  http: BackpackHttp,
  a: DoctorAccount,
  instruments: ReadonlyMap<string, ReturnType<typeof instrumentOf>>,
  row: Row,
): Promise<void> {
  const w = a.account;
  const signer = a.signer;
  if (signer === undefined)
    return row(w, "api key", "skip", "the key did not decrypt: account checks not run");
  const key = apiKeyOf(signer);
  const configured = a.identity.apiKeyId;
  if (configured !== undefined && configured !== key)
    return row(
      w,
      "api key",
      "fail",
      `the keystore secret is the private half of API key ${key}, not of the configured ${configured}`,
      `fix [venues.backpack.wallets.${w}] api_key, or store that key's secret: \`perpbot keys add ${w} --venue backpack --secret api_secret --replace\``,
    );
  const ctx: reads.ReadContext = { http, known: (s) => instruments.get(s), signerOf: () => signer };
  const guard = async (check: string, fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (e) {
      if (e instanceof VenueRejectError)
        row(
          w,
          check,
          "fail",
          `the venue refused API key ${key}: ${e.message}`,
          "check the key is active at Backpack (Settings → API keys) and is this account's; create a new one if it was revoked",
        );
      else
        row(
          w,
          check,
          "fail",
          `no answer: ${(e as Error).message}`,
          "retry; if it persists check the venue's status",
        );
      return false;
    }
  };
  const accepted = await guard("api key", async () => {
    const s = await reads.accountState(ctx, w);
    row(w, "api key", "ok", `API key ${key} accepted`);
    const detail = `net equity ${usd(s.equityUsd)} USDC, available ${usd(s.availableUsd)}`;
    if (s.equityUsd > 0) row(w, "balance", "ok", detail);
    else
      row(
        w,
        "balance",
        "fail",
        detail,
        "deposit USDC to the Backpack account of this API key before trading",
      );
  });
  if (!accepted) return;

  await guard("positions", async () =>
    positionsRow(row, a, await reads.positions(ctx, w), (p) =>
      instruments.get(p.symbol)!.sizeValue(p.sizeLots),
    ),
  );
  await guard("orders", async () => ordersRow(row, a, await reads.openOrders(ctx, w), "this API key"));
}
