/**
 * `perpbot doctor` for `[venues.lighter]` (the contract: ../doctor-types.ts): the venue reachable
 * (`orderBookDetails`), its clock against ours (`GET /` status, a timestamp in seconds, against
 * the middle of the request: auth tokens and order expiries are venue-clock deadlines), the
 * strategies' markets listed, and per wallet: the configured account is the L1 address's
 * (`account?by=l1_address`), a key is registered at `api_key_index` (`apikeys`), the keystore key
 * is that key (an auth token it signs is accepted by a private read; the venue keeps only the
 * public key, the signer never shows ours), the key's nonce (`nextNonce`), balance and margin
 * (`account`), positions and open orders perpbot's store does not account for, and the request
 * budget (60 a minute per L1 address; Lighter has no endpoint that tells what is left of it).
 */
import { z } from "zod";
import { WallClock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import { VenueUnknownOutcomeError } from "../../core/venue.ts";
import {
  clockRow,
  type DoctorRow,
  doctorRows,
  noClockRow,
  ordersRow,
  positionsRow,
  unlistedRow,
  unreachableRows,
} from "../doctor-rows.ts";
import type { DoctorAccount, DoctorCheck, DoctorContext } from "../doctor-types.ts";
import { LighterAccount } from "./accounts.ts";
import { instrumentOf } from "./capabilities.ts";
import { endpointsOf, type LighterConfig } from "./config.ts";
import { LighterHttp, LighterRejectError } from "./http.ts";
import { LtOrderTracker } from "./orders.ts";
import { AccountsSchema, ApiKeysSchema, MarketDetailsSchema, NextNonceSchema, parseAs } from "./parse.ts";
import { STANDARD_PER_MINUTE } from "./rate-limit.ts";
import * as reads from "./reads.ts";
import { LighterTxSigner } from "./signing.ts";

const VENUE = "lighter";

// GET / (lighter-rust docs/RootApi.md, model Status): {"status":200,"network_id":1,"timestamp":1764000000}
const StatusSchema = z.looseObject({ timestamp: z.number().int().positive() });

/** The transport, counting the requests the checks made (they come out of the minute's budget). */
class CountingHttp extends LighterHttp {
  used = 0;
  rateLimited = false;
  override async get(...args: Parameters<LighterHttp["get"]>): Promise<unknown> {
    this.used++;
    try {
      return await super.get(...args);
    } catch (e) {
      if (e instanceof VenueUnknownOutcomeError && e.kind === "rate_limited") this.rateLimited = true;
      throw e;
    }
  }
}

const usd = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const registerFix = (w: string, index: string | undefined) =>
  `\`perpbot lighter register-key --wallet ${w} --api-key-index ${index ?? "3"}\``;

/** Every doctor row for the Lighter config. */
export async function lighterDoctor(config: LighterConfig, ctx: DoctorContext): Promise<DoctorCheck[]> {
  const ends = endpointsOf(config);
  const http = new CountingHttp({
    baseUrl: ends.restUrl,
    timeoutMs: config.request_timeout_ms,
    venueId: VENUE,
  });
  const local = /^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(ends.restUrl);
  const where = `${local ? "local" : config.network.toUpperCase()} ${ends.restUrl}`;
  const { rows, row } = doctorRows(VENUE);

  const instruments = new Map<number, Instrument>();
  const fractions = new Map<number, { imf: number; mmf: number }>();
  try {
    const details = parseAs(MarketDetailsSchema, await http.get("orderBookDetails"), "orderBookDetails");
    for (const m of details.order_book_details) {
      if (m.status !== "active") continue;
      instruments.set(m.market_id, instrumentOf(VENUE, m));
      fractions.set(m.market_id, {
        imf: m.default_initial_margin_fraction,
        mmf: m.maintenance_margin_fraction,
      });
    }
    row(null, "reachable", "ok", `${where}: ${instruments.size} active perps`);
  } catch (e) {
    unreachableRows(row, where, VENUE, ctx.accounts, e as Error);
    return rows;
  }
  await venueClockRow(ends.restUrl, config.request_timeout_ms, ctx, row);

  const symbols = new Set([...instruments.values()].map((i) => i.symbol));
  unlistedRow(
    row,
    VENUE,
    ctx.markets.filter((m) => !symbols.has(m)),
  );
  const marketIds = new Map([...instruments].map(([id, i]) => [i.symbol, id]));
  const shared = { http, ends, config, instruments, fractions, marketIds, row };
  for (const a of ctx.accounts) await accountRows(shared, a);
  return rows;
}

async function venueClockRow(
  base: string,
  timeoutMs: number,
  ctx: DoctorContext,
  row: DoctorRow,
): Promise<void> {
  try {
    const t0 = ctx.clock.now();
    const res = await fetch(`${base}/`, { signal: AbortSignal.timeout(timeoutMs) });
    const status = StatusSchema.parse(await res.json());
    const t1 = ctx.clock.now();
    // whole seconds: the venue's instant lies somewhere in its second, its middle is the best guess
    clockRow(
      row,
      status.timestamp * 1000 + 500,
      t0,
      t1,
      Math.max(ctx.maxSkewMs, 1000),
      ": `timedatectl set-ntp true` or chrony): auth tokens and order expiries are deadlines on the venue's clock",
    );
  } catch (e) {
    noClockRow(row, e as Error);
  }
}

interface Shared {
  readonly http: CountingHttp;
  readonly ends: ReturnType<typeof endpointsOf>;
  readonly config: LighterConfig;
  readonly instruments: ReadonlyMap<number, Instrument>;
  readonly fractions: ReadonlyMap<number, { imf: number; mmf: number }>;
  readonly marketIds: ReadonlyMap<string, number>;
  readonly row: DoctorRow;
}

/** a failed read as a row: a refusal is the venue's answer, anything else no answer */
function failed(s: Shared, w: string, check: string, e: unknown, fix: string): void {
  const message = (e as Error).message;
  if (e instanceof VenueUnknownOutcomeError)
    s.row(w, check, "fail", `no answer: ${message}`, "retry; if it persists check the venue's status");
  // a refusal is the venue's answer; anything else (a payload that does not parse, the signer) is ours to fix
  else s.row(w, check, "fail", `${e instanceof LighterRejectError ? "refused" : "error"}: ${message}`, fix);
}

async function accountRows(s: Shared, a: DoctorAccount): Promise<void> {
  const { http, row } = s;
  const w = a.account;
  const section = `[venues.lighter.wallets.${w}]`;
  const accountIndex = Number(a.identity.subAccount);
  const keyIndex = Number(a.identity.apiKeyId);
  const l1 = a.identity.address;
  const used0 = http.used;

  // the account: the L1 address's, when the config names one
  try {
    if (l1 !== undefined) {
      const raw = await http.get("account", { by: "l1_address", value: l1 });
      const mine = parseAs(AccountsSchema, raw, `accounts of ${l1}`).accounts.map((x) => x.index);
      if (!mine.includes(accountIndex))
        return row(
          w,
          "account",
          "fail",
          `account ${accountIndex} is not ${l1}'s (its accounts: ${mine.join(", ")})`,
          `fix ${section} account_index, or l1_address`,
        );
      row(w, "account", "ok", `account ${accountIndex} belongs to ${l1}`);
    } else {
      parseAs(
        AccountsSchema,
        await http.get("account", { by: "index", value: accountIndex }),
        `account ${accountIndex}`,
      );
      row(
        w,
        "account",
        "warn",
        `account ${accountIndex} exists; l1_address is not configured, so its owner is not checked`,
        `set ${section} l1_address to the account's Ethereum address`,
      );
    }
  } catch (e) {
    return failed(
      s,
      w,
      "account",
      e,
      `deposit on Lighter from ${l1 ?? "the wallet's address"} to create the account, or fix ${section} account_index`,
    );
  }

  // a key at the index, and the keystore's key being that key
  try {
    const keys = parseAs(
      ApiKeysSchema,
      await http.get("apikeys", { account_index: accountIndex, api_key_index: keyIndex }),
      `apikeys of account ${accountIndex}`,
    );
    const registered = keys.api_keys.find(
      (k) => k.api_key_index === keyIndex && /[1-9a-f]/i.test(k.public_key.replace(/^0x/, "")),
    );
    if (registered === undefined)
      return row(
        w,
        "api key",
        "fail",
        `account ${accountIndex} has no API key at api_key_index ${keyIndex}`,
        `register one: ${registerFix(w, a.identity.apiKeyId)}`,
      );
    row(
      w,
      "api key",
      "ok",
      `a key is registered at api_key_index ${keyIndex} (public key ${registered.public_key.replace(/^0x/, "").slice(0, 16)}…)`,
    );
  } catch (e) {
    return failed(s, w, "api key", e, `check ${section} account_index`);
  }
  if (a.signer === undefined)
    return row(w, "key match", "skip", "the key did not decrypt: account checks not run");
  let account: LighterAccount;
  try {
    const signer = await LighterTxSigner.create({
      holder: a.signer,
      accountIndex,
      apiKeyIndex: keyIndex,
      chainId: s.ends.chainId,
      url: s.ends.restUrl,
    });
    account = new LighterAccount({ account: w, signer, http, clock: new WallClock(), tokenTtlMs: 600_000 });
    const market = s.instruments.keys().next().value ?? 0;
    await http.get(
      "accountActiveOrders",
      { account_index: accountIndex, market_id: market },
      account.token(),
    );
    row(w, "key match", "ok", `the keystore key signs for api key ${keyIndex} of account ${accountIndex}`);
  } catch (e) {
    // any refusal of this read is the token's: the account and the key's index were just found (the
    // emulator answers 20013; the code the live venue uses for a bad token is not in a source I read)
    if (e instanceof LighterRejectError)
      return row(
        w,
        "key match",
        "fail",
        `the keystore key is not the one registered at api_key_index ${keyIndex}: the venue refused an auth token it signed (${e.message})`,
        `register the keystore's key anew: ${registerFix(w, a.identity.apiKeyId)} (it replaces the key at that index), or restore the key that was registered`,
      );
    return failed(
      s,
      w,
      "key match",
      e,
      `store the right key: \`perpbot keys add ${w} --venue lighter --secret api_private_key --replace\``,
    );
  }

  try {
    const n = parseAs(
      NextNonceSchema,
      await http.get("nextNonce", { account_index: accountIndex, api_key_index: keyIndex }),
      "nextNonce",
    );
    row(w, "nonce", "ok", `next nonce ${n.nonce}`);
  } catch (e) {
    failed(s, w, "nonce", e, "retry; the nonce is read before the first order");
  }

  const ctx: reads.ReadContext = {
    http,
    tracker: new LtOrderTracker(),
    byMarket: (id) => s.instruments.get(id),
    marketIdOf: (sym) => s.marketIds.get(sym) ?? -1,
    instruments: () => [...s.instruments.values()],
    accountOf: () => account,
    fractions: (id) => s.fractions.get(id) ?? { imf: 0, mmf: 0 },
  };
  try {
    const st = await reads.accountState(ctx, w);
    const detail = `equity ${usd(st.equityUsd)} USDC, available ${usd(st.availableUsd)}`;
    if (st.equityUsd > 0) row(w, "balance", "ok", detail);
    else row(w, "balance", "fail", detail, `deposit USDC to Lighter account ${accountIndex} before trading`);
    const margin = `initial margin ${usd(st.initialMarginUsd)}, maintenance ${usd(st.maintenanceMarginUsd)} of equity ${usd(st.equityUsd)}`;
    if (st.maintenanceMarginUsd > 0 && st.equityUsd <= st.maintenanceMarginUsd * 1.5)
      row(
        w,
        "margin",
        "fail",
        `${margin}: near liquidation`,
        "deposit USDC or reduce the positions on Lighter",
      );
    else row(w, "margin", "ok", margin);
    positionsRow(row, a, await reads.positions(ctx, w), (p) =>
      s.instruments.get(s.marketIds.get(p.symbol)!)!.sizeValue(p.sizeLots),
    );
    ordersRow(row, a, await reads.openOrders(ctx, w), `account ${accountIndex}`);
  } catch (e) {
    failed(s, w, "balance", e, "retry; if it persists check the venue's status");
  }
  budgetRow(s, w, l1, http.used - used0);
}

function budgetRow(s: Shared, w: string, l1: string | undefined, used: number): void {
  const budget = `${STANDARD_PER_MINUTE} requests a rolling minute per L1 address (standard account); these checks used ${used}`;
  if (s.http.rateLimited)
    s.row(
      w,
      "rate limit",
      "fail",
      `the venue answered 429 during the checks: ${budget}`,
      "stop other clients of this address (another bot, the web app) or wait a minute and retry",
    );
  else if (l1 === undefined)
    s.row(
      w,
      "rate limit",
      "warn",
      `${budget}; without l1_address the budget's owner is unknown`,
      `set [venues.lighter.wallets.${w}] l1_address`,
    );
  else s.row(w, "rate limit", "ok", `${budget}; Lighter does not publish what is left of it`);
}
