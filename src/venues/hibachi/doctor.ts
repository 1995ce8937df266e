/**
 * `perpbot doctor` for `[venues.hibachi]` (the contract: ../doctor-types.ts): the venue reachable
 * (`/market/exchange-info`, its status and live contracts), the strategies' markets listed, and
 * per wallet: the trading key decrypted and is secp256k1, the API key names the configured
 * account (`/trade/account/info`), its balance, and positions and open orders perpbot's store does
 * not account for. Hibachi publishes no server time and no request budget to read.
 */
import { WallClock } from "../../core/clock.ts";
import { VenueRejectError } from "../../core/venue.ts";
import type { DoctorAccount, DoctorCheck, DoctorContext } from "../doctor-types.ts";
import { liveContracts } from "./capabilities.ts";
import { type AccountAuth, authOf, HibachiClient } from "./client.ts";
import { dataUrlOf, type HibachiConfig, isLoopback } from "./config.ts";
import { HibachiHttp } from "./http.ts";
import type { HibachiContract } from "./parse.ts";

const VENUE = "hibachi";
type Row = (
  wallet: string | null,
  check: string,
  status: DoctorCheck["status"],
  detail: string,
  fix?: string,
) => void;

export async function hibachiDoctor(config: HibachiConfig, ctx: DoctorContext): Promise<DoctorCheck[]> {
  const http = new HibachiHttp({
    tradeUrl: config.trade_url,
    dataUrl: dataUrlOf(config),
    timeoutMs: config.request_timeout_ms,
  });
  const where = isLoopback(config.trade_url) ? `local ${config.trade_url}` : `MAINNET ${config.trade_url}`;
  const rows: DoctorCheck[] = [];
  const row: Row = (wallet, check, status, detail, fix) =>
    rows.push({ venue: VENUE, wallet, check, status, detail, ...(fix === undefined ? {} : { fix }) });
  const pub = new HibachiClient({
    http,
    accountId: 0,
    apiKey: "",
    auth: { kind: "managed", secret: "" },
    clock: new WallClock(),
  });
  let contracts: HibachiContract[];
  try {
    const info = await pub.loadExchangeInfo();
    contracts = liveContracts(info, config.symbols);
    row(
      null,
      "reachable",
      info.status === "NORMAL" ? "ok" : "warn",
      `${where}: exchange status ${info.status}, ${contracts.length} live contracts`,
      info.status === "NORMAL"
        ? undefined
        : "the venue reports a non-normal status (maintenance?): wait before trading",
    );
  } catch (e) {
    row(
      null,
      "reachable",
      "fail",
      `${where}: no answer (${(e as Error).message})`,
      "check [venues.hibachi] trade_url / data_url and this machine's network; retry when the venue answers",
    );
    for (const a of ctx.accounts)
      row(a.account, "account", "skip", "venue unreachable: account checks not run");
    return rows;
  }
  const bases = new Set(contracts.map((c) => c.underlyingSymbol));
  const unlisted = ctx.markets.filter((m) => !bases.has(m) && !contracts.some((c) => c.symbol === m));
  if (unlisted.length > 0)
    row(
      null,
      "markets",
      "warn",
      `no hibachi contract for: ${unlisted.join(", ")}`,
      "trade them on another venue, or remove them from the strategy's markets",
    );
  for (const a of ctx.accounts) await accountRows(http, pub, a, row);
  return rows;
}

async function accountRows(http: HibachiHttp, pub: HibachiClient, a: DoctorAccount, row: Row): Promise<void> {
  const w = a.account;
  const signer = a.signer;
  if (signer === undefined) return row(w, "keys", "skip", "the key did not decrypt: account checks not run");
  let auth: AccountAuth;
  try {
    auth = authOf(signer, `wallet ${w}`);
  } catch {
    return row(
      w,
      "account kind",
      "fail",
      `the keystore key is ${signer.scheme}: a trustless Hibachi account signs with secp256k1, a managed one by HMAC with its API secret`,
      `store the account's trading key (\`perpbot keys add ${w} --venue hibachi --secret private_key --replace\`), or set kind = "managed" with its API secret in the keystore`,
    );
  }
  row(
    w,
    "account kind",
    "ok",
    auth.kind === "managed"
      ? "exchange-managed account: orders signed by HMAC-SHA256 with the API secret from the keystore"
      : `trustless account: orders signed with secp256k1 key ${signer.publicKey.slice(0, 10)}…`,
  );
  const accountId = Number(a.identity.subAccount);
  const client = new HibachiClient({
    http,
    accountId,
    apiKey: a.identity.apiKeyId ?? "",
    auth,
    clock: new WallClock(),
  });
  for (const [s, c] of pub.contracts) client.contracts.set(s, c);
  try {
    const info = await client.accountInfo();
    row(w, "api key", "ok", `API key accepted for account ${accountId}`);
    const balance = Number(info.balance);
    row(
      w,
      "balance",
      balance > 0 ? "ok" : "fail",
      `balance ${balance.toFixed(2)} USDT, withdrawable ${Number(info.maximalWithdraw).toFixed(2)}`,
      balance > 0 ? undefined : `deposit USDT to Hibachi account ${accountId} before trading`,
    );
    const foreign = info.positions.filter((p) => {
      const mine = a.ownedPositions.get(p.symbol) ?? 0;
      const size = Number(p.quantity) * (p.direction === "Long" ? 1 : -1);
      return Math.abs(size - mine) > 1e-12 && size !== 0;
    });
    row(
      w,
      "positions",
      foreign.length === 0 ? "ok" : "warn",
      foreign.length === 0
        ? `${info.positions.length} positions, all perpbot's`
        : `positions perpbot did not open: ${foreign.map((p) => `${p.direction} ${p.quantity} ${p.symbol}`).join(", ")}`,
      foreign.length === 0 ? undefined : "close them on Hibachi or account for them before a live run",
    );
    const open = await client.pendingOrders();
    row(
      w,
      "open orders",
      open.length === 0 ? "ok" : "warn",
      `${open.length} open orders (Hibachi has no client ids: any open order is taken as not perpbot's)`,
      open.length === 0 ? undefined : "cancel them on Hibachi before a live run",
    );
  } catch (e) {
    if (e instanceof VenueRejectError)
      row(
        w,
        "api key",
        "fail",
        `the venue refused the API key for account ${accountId}: ${e.message}`,
        `check [venues.hibachi.wallets.${w}] account_id and api_key against Hibachi's API key page`,
      );
    else
      row(
        w,
        "api key",
        "fail",
        `no answer: ${(e as Error).message}`,
        "retry; if it persists check the venue's status",
      );
  }
}
