/**
 * `perpbot doctor` for `[venues.aster]` (the contract: ../doctor-types.ts): the venue reachable
 * (`exchangeInfo`), its clock against ours (`time` against the middle of the request: V3 nonces
 * more than 10 s off are refused), and per wallet: the API wallet approved for the user (a signed
 * `balance` read; -2015 means it is not), the available margin, and open orders perpbot's store
 * does not account for (`openOrders`, client ids against the store's orders).
 */
import type { DoctorCheck, DoctorContext } from "../doctor-types.ts";
import type { AsterConfig } from "./config.ts";
import { AsterHttp, AsterRejectError } from "./http.ts";
import { ExchangeInfoSchema, OrdersSchema, parseAs } from "./parse.ts";
import { signerAddress } from "./signing.ts";

const VENUE = "aster";

export async function asterDoctor(config: AsterConfig, ctx: DoctorContext): Promise<DoctorCheck[]> {
  const http = new AsterHttp({
    baseUrl: config.rest_url,
    timeoutMs: config.request_timeout_ms,
    clock: ctx.clock,
  });
  const rows: DoctorCheck[] = [];
  const row = (
    wallet: string | null,
    check: string,
    status: DoctorCheck["status"],
    detail: string,
    fix?: string,
  ) => rows.push({ venue: VENUE, wallet, check, status, detail, ...(fix === undefined ? {} : { fix }) });
  try {
    const info = parseAs(
      ExchangeInfoSchema,
      await http.request({ method: "GET", endpoint: "exchangeInfo" }),
      "exchangeInfo",
    );
    row(null, "reachable", "ok", `${config.rest_url}: ${info.symbols.length} symbols`);
  } catch (e) {
    row(
      null,
      "reachable",
      "fail",
      `${config.rest_url}: ${(e as Error).message}`,
      "check rest_url and the network",
    );
    return rows;
  }
  const t0 = ctx.clock.now();
  const time = (await http.request({ method: "GET", endpoint: "time" }).catch(() => undefined)) as
    | { serverTime?: number }
    | undefined;
  const t1 = ctx.clock.now();
  if (typeof time?.serverTime === "number") {
    const skew = time.serverTime - (t0 + t1) / 2;
    const ok = Math.abs(skew) <= ctx.maxSkewMs;
    row(
      null,
      "clock",
      ok ? "ok" : "fail",
      `venue clock ${skew >= 0 ? "+" : ""}${Math.round(skew)} ms from ours`,
      ok ? undefined : "sync this machine's clock (NTP): V3 nonces more than 10 s off are refused",
    );
  } else row(null, "clock", "warn", "the venue's time could not be read");
  for (const a of ctx.accounts) {
    const user = a.identity.address;
    if (a.signer === undefined || user === undefined) continue;
    const auth = { account: a.account, user, signerAddress: signerAddress(a.signer), signer: a.signer };
    try {
      const raw = (await http.request({ method: "GET", endpoint: "balance", auth })) as {
        availableBalance?: string;
        asset?: string;
      }[];
      row(a.account, "api wallet", "ok", `API wallet ${auth.signerAddress} signs for ${user}`);
      const usdt = raw.find((b) => b.asset === "USDT");
      const available = Number(usdt?.availableBalance ?? 0);
      row(
        a.account,
        "balance",
        available > 0 ? "ok" : "warn",
        `available ${available.toFixed(2)} USDT`,
        available > 0 ? undefined : "deposit margin on Aster",
      );
    } catch (e) {
      const refused = e instanceof AsterRejectError;
      row(
        a.account,
        "api wallet",
        "fail",
        (e as Error).message,
        refused
          ? `approve API wallet ${auth.signerAddress} for ${user} on Aster's API wallet page, or fix the keystore field`
          : "check the network",
      );
      continue;
    }
    try {
      const open = parseAs(
        OrdersSchema,
        await http.request({ method: "GET", endpoint: "openOrders", auth }),
        `open orders of wallet ${a.account}`,
      );
      const foreign = open.filter((o) => !a.ownedOrders.has(o.clientOrderId));
      row(
        a.account,
        "open orders",
        foreign.length === 0 ? "ok" : "warn",
        `${open.length} open, ${foreign.length} not placed by perpbot`,
        foreign.length === 0
          ? undefined
          : "cancel them on Aster, or leave them: perpbot never touches orders it did not place",
      );
    } catch (e) {
      row(a.account, "open orders", "warn", (e as Error).message);
    }
  }
  return rows;
}
