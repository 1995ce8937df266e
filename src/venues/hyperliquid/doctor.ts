/**
 * `perpbot doctor` for `[venues.hyperliquid]` (the contract: ../doctor-types.ts): the venue
 * reachable (`meta`), its clock against ours (`l2Book.time` against the middle of the request),
 * and per wallet: the agent approved for the master (`userRole` of the agent's address, its name
 * and expiry from `extraAgents`), the margin summary (`clearinghouseState`), margin mode and
 * leverage of each market it trades (`activeAssetData`), positions and open orders perpbot's store
 * does not account for (`openOrders`, cloids against the store's orders) and the address's
 * request budget (`userRateLimit`). Shapes: VENUES.md §1.3, nktkas/hyperliquid's `.d.ts`.
 */
import { z } from "zod";
import type { DoctorAccount, DoctorCheck, DoctorContext } from "../doctor-types.ts";
import { cloidFor } from "./capabilities.ts";
import { endpointsOf, type HyperliquidConfig } from "./config.ts";
import { signerAddressOf } from "./exchange.ts";
import { HlHttp } from "./http.ts";
import {
  ClearinghouseStateSchema,
  Dec,
  L2BookSchema,
  MetaSchema,
  OpenOrdersSchema,
  UserRateLimitSchema,
} from "./parse.ts";
import { limiterFor } from "./rate-limit.ts";

const VENUE = "hyperliquid";

const UserRoleSchema = z.looseObject({
  role: z.string(),
  data: z.looseObject({ user: z.string().optional(), master: z.string().optional() }).optional(),
});
const ExtraAgentsSchema = z.array(
  z.looseObject({ address: z.string(), name: z.string(), validUntil: z.number().optional() }),
);
const ActiveAssetDataSchema = z.looseObject({
  coin: z.string(),
  leverage: z.looseObject({ type: z.enum(["cross", "isolated"]), value: z.number() }),
  markPx: Dec.optional(),
});

/** An info request that did not get an answer: why, in one line. */
class NoAnswer extends Error {}

async function ask<T>(
  http: HlHttp,
  request: { type: string } & Record<string, unknown>,
  schema: z.ZodType<T>,
) {
  let out: Awaited<ReturnType<HlHttp["info"]>>;
  try {
    out = await http.info(request, schema);
  } catch (e) {
    throw new NoAnswer(`${request.type}: ${(e as Error).message}`);
  }
  if (out.kind === "answered") return out.value as T;
  throw new NoAnswer(out.detail);
}

const usd = (s: string) =>
  Number(s).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

/** Every doctor row for the Hyperliquid config. */
export async function hyperliquidDoctor(
  config: HyperliquidConfig,
  ctx: DoctorContext,
): Promise<DoctorCheck[]> {
  const ends = endpointsOf(config);
  const http = new HlHttp({ baseUrl: ends.url, timeoutMs: config.timeout_ms, limiter: limiterFor() });
  const network = ends.mainnet ? "mainnet" : "testnet";
  // a URL with credentials in it (a proxy's user:password@) is shown without them
  const shown = ends.url.replace(/\/\/[^@/]*@/, "//***@");
  const rows: DoctorCheck[] = [];
  const row = (
    wallet: string | null,
    check: string,
    status: DoctorCheck["status"],
    detail: string,
    fix?: string,
  ) => rows.push({ venue: VENUE, wallet, check, status, detail, ...(fix === undefined ? {} : { fix }) });

  let coins: string[];
  try {
    const meta = await ask(http, { type: "meta" }, MetaSchema);
    coins = meta.universe.map((u) => u.name);
    row(null, "reachable", "ok", `${network} ${shown}: ${coins.length} perps listed`);
  } catch (e) {
    row(
      null,
      "reachable",
      "fail",
      `${network} ${shown}: no answer (${(e as Error).message})`,
      `check [venues.hyperliquid] url and testnet, and this machine's network; retry when ${shown} answers`,
    );
    for (const a of ctx.accounts)
      row(a.account, "account", "skip", "venue unreachable: account checks not run");
    return rows;
  }

  await clockRow(http, coins, ctx, row);
  const markets = ctx.markets.filter((m) => coins.includes(m));
  const unlisted = ctx.markets.filter((m) => !coins.includes(m));
  if (unlisted.length > 0)
    row(
      null,
      "markets",
      "warn",
      `not listed on hyperliquid: ${unlisted.join(", ")}`,
      "trade them on another venue, or remove them from the strategy's markets",
    );
  for (const a of ctx.accounts) await accountRows(http, a, markets, { ctx, network, row });
  return rows;
}

type Row = (
  wallet: string | null,
  check: string,
  status: DoctorCheck["status"],
  detail: string,
  fix?: string,
) => void;

async function clockRow(http: HlHttp, coins: readonly string[], ctx: DoctorContext, row: Row): Promise<void> {
  const coin = ctx.markets.find((m) => coins.includes(m)) ?? coins[0];
  if (coin === undefined) return row(null, "clock", "skip", "the venue lists no perp to read a time from");
  try {
    const t0 = ctx.clock.now();
    const book = await ask(http, { type: "l2Book", coin }, L2BookSchema);
    const t1 = ctx.clock.now();
    if (book.time === undefined)
      return row(null, "clock", "skip", `the venue's l2Book for ${coin} carries no time to compare`);
    // the venue stamped the book somewhere between sending and receiving: compare with the middle
    const skew = Math.round(book.time - (t0 + t1) / 2);
    const detail = `venue ${skew >= 0 ? "ahead by" : "behind by"} ${Math.abs(skew)} ms (round trip ${t1 - t0} ms, limit ${ctx.maxSkewMs} ms)`;
    if (Math.abs(skew) <= ctx.maxSkewMs) row(null, "clock", "ok", detail);
    else
      row(
        null,
        "clock",
        "fail",
        detail,
        "sync this machine's clock (NTP: `timedatectl set-ntp true` or chrony): nonces are ms timestamps and orders carry expiresAfter",
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
  http: HlHttp,
  a: DoctorAccount,
  markets: readonly string[],
  { ctx, network, row }: { ctx: DoctorContext; network: string; row: Row },
): Promise<void> {
  const w = a.account;
  const master = (a.identity.address ?? "").toLowerCase();
  const user = (a.identity.subAccount ?? master).toLowerCase();
  const guard = async (check: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof NoAnswer)) throw e;
      row(w, check, "fail", `no answer: ${e.message}`, "retry; if it persists check the venue's status");
    }
  };

  await guard("agent", async () => {
    if (a.signer === undefined)
      return row(w, "agent", "skip", "the key did not decrypt: approval not checked");
    const signer = signerAddressOf(a.signer);
    if (a.signsAsMaster) {
      if (signer === master)
        return row(w, "agent", "ok", `signs with the master key ${master} itself (no agent)`);
      return row(
        w,
        "agent",
        "fail",
        `the wallet's key is ${signer}, not the master ${master}`,
        `fix [venues.hyperliquid.wallets.${w}] address, or store the master's key for wallet ${w}`,
      );
    }
    const role = await ask(http, { type: "userRole", user: signer }, UserRoleSchema);
    const approvedFor = role.role === "agent" ? role.data?.user?.toLowerCase() : undefined;
    if (approvedFor === master) {
      const agents = await ask(http, { type: "extraAgents", user: master }, ExtraAgentsSchema);
      const mine = agents.find((x) => x.address.toLowerCase() === signer);
      const name = mine?.name ? ` "${mine.name}"` : "";
      const until = mine?.validUntil ? `, valid until ${when(mine.validUntil)}` : "";
      if (mine?.validUntil && mine.validUntil < ctx.clock.now() + 7 * 86_400_000)
        return row(
          w,
          "agent",
          "warn",
          `agent ${signer}${name} approved for ${master}${until}`,
          `renew it soon: run \`perpbot hyperliquid approve-agent --wallet ${w}\``,
        );
      return row(w, "agent", "ok", `agent ${signer}${name} approved for ${master}${until}`);
    }
    const why =
      approvedFor === undefined
        ? `is not an approved agent (role "${role.role}")`
        : `is the agent of another master, ${approvedFor}`;
    row(
      w,
      "agent",
      "fail",
      `agent ${signer} ${why}`,
      `run \`perpbot hyperliquid approve-agent --wallet ${w}\``,
    );
  });

  let state: z.infer<typeof ClearinghouseStateSchema> | undefined;
  await guard("balance", async () => {
    state = await ask(http, { type: "clearinghouseState", user }, ClearinghouseStateSchema);
    const s = state.marginSummary;
    const detail = `account value ${usd(s.accountValue)} USDC, margin used ${usd(s.totalMarginUsed)}, withdrawable ${usd(state.withdrawable)}${user === master ? "" : ` (vault ${user})`}`;
    if (Number(s.accountValue) > 0) row(w, "balance", "ok", detail);
    else row(w, "balance", "fail", detail, `deposit USDC to ${user} on ${network} before trading`);
  });

  for (const coin of markets)
    await guard(`margin ${coin}`, async () => {
      const d = await ask(http, { type: "activeAssetData", user, coin }, ActiveAssetDataSchema);
      row(w, `margin ${coin}`, "ok", `${d.leverage.type} ${d.leverage.value}x`);
    });

  if (state !== undefined) {
    const foreign: string[] = [];
    for (const p of state.assetPositions) {
      const venueSize = Number(p.position.szi);
      const owned = a.ownedPositions.get(p.position.coin) ?? 0;
      if (Math.abs(venueSize - owned) > 1e-9)
        foreign.push(
          `${p.position.coin} ${p.position.szi} on the venue, perpbot's orders account for ${owned}`,
        );
    }
    for (const [coin, owned] of a.ownedPositions)
      if (owned !== 0 && !state.assetPositions.some((p) => p.position.coin === coin))
        foreign.push(`${coin} flat on the venue, perpbot's orders account for ${owned}`);
    if (foreign.length === 0) row(w, "positions", "ok", `${state.assetPositions.length} open, all perpbot's`);
    else
      row(
        w,
        "positions",
        "fail",
        `not perpbot's: ${foreign.join("; ")}`,
        `close or move the position on the venue (account ${user}); perpbot neither manages nor hedges it`,
      );
  }

  await guard("orders", async () => {
    const open = await ask(http, { type: "openOrders", user }, OpenOrdersSchema);
    const owned = new Set<string>();
    for (const id of a.ownedOrders) owned.add(id.toLowerCase()).add(cloidFor(id));
    const foreign = open.filter((o) => !o.cloid || !owned.has(o.cloid.toLowerCase()));
    if (foreign.length === 0) row(w, "orders", "ok", `${open.length} open, all perpbot's`);
    else
      row(
        w,
        "orders",
        "fail",
        `${foreign.length} of ${open.length} open orders are not perpbot's: ${foreign
          .slice(0, 5)
          .map((o) => `${o.coin} ${o.side === "B" ? "buy" : "sell"} ${o.sz} @ ${o.limitPx} (oid ${o.oid})`)
          .join(", ")}`,
        `cancel them on the venue (account ${user}), or trade this wallet from perpbot only`,
      );
  });

  await guard("rate limit", async () => {
    const r = await ask(http, { type: "userRateLimit", user }, UserRateLimitSchema);
    const detail = `${r.nRequestsUsed} of ${r.nRequestsCap} requests used`;
    if (r.nRequestsUsed >= r.nRequestsCap)
      row(
        w,
        "rate limit",
        "fail",
        `${detail}: one action per 10 s until volume raises the cap`,
        "trade volume raises the cap by 1 request per USDC; wait, or use another address",
      );
    else if (r.nRequestsUsed >= 0.9 * r.nRequestsCap)
      row(
        w,
        "rate limit",
        "warn",
        `${detail} (over 90%)`,
        "slow the strategy down or trade volume to raise the cap",
      );
    else row(w, "rate limit", "ok", detail);
  });
}
