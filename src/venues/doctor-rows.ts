import type { OrderReport, PositionReport } from "../core/types.ts";
import type { DoctorAccount, DoctorCheck } from "./doctor-types.ts";

/**
 * Doctor rows every venue with positions and client order ids reports alike: the account's
 * positions and open orders that perpbot's store does not account for (Backpack, Paradex).
 */
export type DoctorRow = (
  wallet: string | null,
  check: string,
  status: DoctorCheck["status"],
  detail: string,
  fix?: string,
) => void;

/** "positions": every position on the venue matches what perpbot's filled orders add up to. */
export function positionsRow(
  row: DoctorRow,
  a: DoctorAccount,
  held: readonly PositionReport[],
  sizeOf: (p: PositionReport) => number,
): void {
  const foreign: string[] = [];
  for (const p of held) {
    const size = sizeOf(p);
    const owned = a.ownedPositions.get(p.symbol) ?? 0;
    if (Math.abs(size - owned) > 1e-9)
      foreign.push(`${p.symbol} ${size} on the venue, perpbot's orders account for ${owned}`);
  }
  for (const [symbol, owned] of a.ownedPositions)
    if (owned !== 0 && !held.some((p) => p.symbol === symbol))
      foreign.push(`${symbol} flat on the venue, perpbot's orders account for ${owned}`);
  if (foreign.length === 0) row(a.account, "positions", "ok", `${held.length} open, all perpbot's`);
  else
    row(
      a.account,
      "positions",
      "fail",
      `not perpbot's: ${foreign.join("; ")}`,
      "close or move the position on the venue; perpbot neither manages nor hedges it",
    );
}

/** "orders": every open order carries a client id perpbot's store holds. `who`: "this API key". */
export function ordersRow(row: DoctorRow, a: DoctorAccount, open: readonly OrderReport[], who: string): void {
  const foreign = open.filter((o) => o.clientOrderId === "" || !a.ownedOrders.has(o.clientOrderId));
  if (foreign.length === 0) row(a.account, "orders", "ok", `${open.length} open, all perpbot's`);
  else
    row(
      a.account,
      "orders",
      "fail",
      `${foreign.length} of ${open.length} open orders are not perpbot's: ${foreign
        .slice(0, 5)
        .map((o) => `${o.symbol} ${o.side} (id ${o.venueOrderId})`)
        .join(", ")}`,
      `cancel them on the venue, or trade ${who} from perpbot only`,
    );
}

/** The report's rows and the function that adds one for `venue`. */
export function doctorRows(venue: string): { readonly rows: DoctorCheck[]; readonly row: DoctorRow } {
  const rows: DoctorCheck[] = [];
  const row: DoctorRow = (wallet, check, status, detail, fix) =>
    rows.push({ venue, wallet, check, status, detail, ...(fix === undefined ? {} : { fix }) });
  return { rows, row };
}

/** "reachable" failed: the venue did not answer, and no account check runs. */
export function unreachableRows(
  row: DoctorRow,
  where: string,
  venueKey: string,
  accounts: readonly DoctorAccount[],
  e: Error,
): void {
  row(
    null,
    "reachable",
    "fail",
    `${where}: no answer (${e.message})`,
    `check [venues.${venueKey}] rest_url and this machine's network; retry when the venue answers`,
  );
  for (const a of accounts) row(a.account, "account", "skip", "venue unreachable: account checks not run");
}

/**
 * "clock": the venue's time against the middle of the request that read it (`t0`..`t1`), within
 * `limit` ms; `why` says what a skew breaks on this venue.
 */
export function clockRow(
  row: DoctorRow,
  venueTime: number,
  t0: number,
  t1: number,
  limit: number,
  why: string,
): void {
  const skew = Math.round(venueTime - (t0 + t1) / 2);
  const detail = `venue ${skew >= 0 ? "ahead by" : "behind by"} ${Math.abs(skew)} ms (round trip ${t1 - t0} ms, limit ${limit} ms)`;
  if (Math.abs(skew) <= limit) row(null, "clock", "ok", detail);
  else row(null, "clock", "fail", detail, `sync this machine's clock (NTP${why}`);
}

/** "clock" when the venue's time could not be read. */
export function noClockRow(row: DoctorRow, e: Error): void {
  row(
    null,
    "clock",
    "fail",
    `no time from the venue (${e.message})`,
    "retry; if it persists the venue is degraded",
  );
}

/** "markets": a warning naming the strategies' markets `venue` does not list (none: no row). */
export function unlistedRow(row: DoctorRow, venue: string, unlisted: readonly string[]): void {
  if (unlisted.length > 0)
    row(
      null,
      "markets",
      "warn",
      `no active ${venue} perp for: ${unlisted.join(", ")}`,
      "trade them on another venue, or remove them from the strategy's markets",
    );
}
