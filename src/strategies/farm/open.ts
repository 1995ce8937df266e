import type { Instrument } from "../../core/instrument.ts";
import type { LegSpec, StrategyContext } from "../contract.ts";
import { type AllocationWallet, allocateGroup } from "./allocation.ts";
import type { FarmConfig } from "./config.ts";
import { groupWallets } from "./grouping.ts";
import type { FarmPlanner, PlannedGroup } from "./planner.ts";
import type { FarmGroup } from "./watch.ts";

/** What opening needs of the running farm. */
export interface OpenHost {
  readonly ctx: StrategyContext;
  readonly config: FarmConfig;
  readonly wallets: readonly string[];
  readonly venues: readonly string[];
  readonly active: ReadonlyMap<string, FarmGroup>;
  /** remembers markets skipped for coarse lots and the last "no group can form" note */
  readonly planner: FarmPlanner;
  nextSeq(): number;
  /** a group the engine opened: the farm takes it over (timer, first check) */
  adopt(group: FarmGroup, closeAt: number): Promise<void>;
  alert(
    severity: "warning",
    key: string,
    title: string,
    message: string,
    context: Record<string, string>,
  ): void;
}

/** One opening round: plan groups of the idle wallets and open each through the engine. */
export async function openRound(h: OpenHost): Promise<void> {
  const idle = await idleWallets(h);
  if (idle.length < 2) return;
  const listings = h.venues.map((id) => ({ id, instruments: () => h.ctx.market.instruments(id) }));
  const plans = h.planner.plan(idle, listings, h.ctx.rng, groupWallets, h.wallets.length);
  await Promise.all(
    plans.map((p) => openPlanned(h, p).catch((e) => log(h, "error", `open failed: ${(e as Error).message}`))),
  );
}

/** Wallets in no active group, past their cooldown, funded, and with no position a group does not own. */
async function idleWallets(h: OpenHost): Promise<string[]> {
  const busy = new Set<string>();
  for (const g of h.active.values()) for (const leg of g.legs) busy.add(leg.account);
  const now = h.ctx.clock.now();
  const verdicts = await Promise.all(
    h.wallets.map(async (w) => {
      if (busy.has(w)) return false;
      const until = Number((await h.ctx.state.get(`cooldown:${w}`)) ?? 0);
      if (until > now) return false;
      const why = unfitReason(h, w);
      if (why) log(h, "info", `wallet ${w} sits this round out: ${why}`);
      return why === undefined;
    }),
  );
  const out: string[] = [];
  for (let i = 0; i < verdicts.length; i++) if (verdicts[i]) out.push(h.wallets[i]);
  return out;
}

/** From the portfolio: a stray position or a balance below the minimum keeps a wallet out. */
function unfitReason(h: OpenHost, wallet: string): string | undefined {
  for (const venue of h.venues) {
    const account = h.ctx.portfolio.account(venue, wallet);
    if (account === undefined) return `its account on ${venue} has not been read yet`;
    const stray = h.ctx.portfolio.positions(venue, wallet).find((p) => p.sizeLots !== 0);
    if (stray) return `holds a ${venue}:${stray.symbol} position no group owns`;
    if (account.equityUsd < h.config.min_balance_usd) {
      return `balance $${account.equityUsd.toFixed(2)} on ${venue} is below min_balance_usd ${h.config.min_balance_usd}`;
    }
  }
  return undefined;
}

async function openPlanned(h: OpenHost, plan: PlannedGroup): Promise<void> {
  const { ctx } = h;
  const c = h.config;
  const slip = c.max_slippage_bps / 10_000;
  const priceOf = (inst: Instrument, side: "buy" | "sell") => {
    const bbo = ctx.market.bbo(inst.venue, inst.symbol);
    const touch = side === "buy" ? bbo.askTicks : bbo.bidTicks;
    if (touch === undefined) return Number.NaN;
    return inst.priceValue(touch) * (side === "buy" ? 1 + slip : 1 - slip);
  };
  const members = [...plan.longs, ...plan.shorts];
  const wallets: AllocationWallet[] = members.map((m) => ({
    walletId: `${m.wallet}@${m.venue}`,
    balanceUsd: (ctx.portfolio.account(m.venue, m.wallet)?.availableUsd ?? 0) * c.balance_fraction,
    instrument: m.instrument,
  }));
  const byKey = new Map(wallets.map((w) => [w.walletId, w]));
  const sides = {
    longs: plan.longs.map((m) => byKey.get(`${m.wallet}@${m.venue}`)!),
    shorts: plan.shorts.map((m) => byKey.get(`${m.wallet}@${m.venue}`)!),
  };
  const alloc = allocateGroup(
    wallets,
    {
      minLeverage: c.min_leverage,
      maxLeverage: c.max_leverage,
      maxImbalanceUsd: c.max_imbalance_usd,
      longPrice: (i) => priceOf(i, "buy"),
      shortPrice: (i) => priceOf(i, "sell"),
    },
    ctx.rng,
    sides,
  );
  if (!alloc.ok) {
    if (h.planner.allocationFailed(plan, alloc)) return;
    log(h, "info", `group not opened (${plan.label} ${plan.base}): ${alloc.reason}: ${alloc.detail}`);
    return;
  }
  h.planner.allocated(plan);
  const legs: LegSpec[] = alloc.legs.map((l) => ({
    venue: l.instrument.venue,
    account: l.walletId.slice(0, l.walletId.lastIndexOf("@")),
    symbol: l.instrument.symbol,
    side: l.side,
    sizeLots: l.sizeLots,
  }));
  const now = ctx.clock.now();
  const hours = ctx.rng.uniform(c.min_duration_hours, c.max_duration_hours);
  const jitter = ctx.rng.uniform(0, c.close_jitter_minutes) * 60_000;
  const closeAt = Math.round(now + hours * 3_600_000 + jitter);
  // the instance name leads the id, so two instances drawing the same numbers never collide
  const groupId = `${ctx.instance}-${now.toString(36)}-${h.nextSeq().toString(36)}-${ctx.rng.nextU32().toString(36)}`;
  const meta = {
    closeAt,
    leverage: alloc.leverage,
    mode: plan.mode,
    base: plan.base,
    label: plan.label,
    imbalanceUsd: alloc.imbalanceUsd,
  };
  const out = await ctx.intents.openGroup(legs, {
    groupId,
    entry:
      c.entry === "ioc"
        ? { kind: "ioc", maxSlippageBps: c.max_slippage_bps }
        : {
            kind: "maker_first",
            makerTimeoutMs: c.maker_timeout_seconds * 1000,
            maxSlippageBps: c.max_slippage_bps,
          },
    fillTimeoutMs: c.fill_timeout_seconds * 1000,
    meta,
  });
  if (!out.ok) {
    h.alert(
      "warning",
      `farm.open_failed:${plan.label}`,
      "Group not opened",
      `${plan.label} ${plan.base}: ${out.reason}: ${out.detail}`,
      { group: groupId },
    );
    if (!out.sent) {
      await refusedBeforeSending(
        h,
        legs.map((l) => l.account),
        groupId,
        out.reason,
      );
      return;
    }
    await backOff(
      h,
      legs.map((l) => l.account),
      `${out.reason}: ${out.detail}`,
    );
    return;
  }
  for (const l of legs) {
    await ctx.state.put(`failures:${l.account}`, "0");
    await ctx.state.put(`refusals:${l.account}`, "0");
  }
  await h.adopt({ id: groupId, status: "open", meta, legs }, closeAt);
  log(
    h,
    "info",
    `group ${groupId} open: ${plan.label} ${plan.base}, ${legs.length} legs, leverage ${alloc.leverage.toFixed(3)}x, closes ${new Date(closeAt).toISOString()} (${hours.toFixed(3)} h + ${(jitter / 60_000).toFixed(1)} min jitter)`,
  );
}

/** Refusals in a row retried at the very next check, before the retries space out. */
export const FREE_REFUSALS = 3;
/** The longest wait between two tries of wallets whose opens keep being refused. */
const MAX_REFUSAL_REST_MS = 15 * 60_000;

/**
 * An open refused before any order left (the risk gate, a pause, a dry run): no fees were paid
 * and nothing needs unwinding, so the wallets do not rest as after a failure. The first
 * FREE_REFUSALS in a row are retried at the next check (a book stale for a moment at start, a
 * pause lifted). A refusal that persists (an allocation cap, a halt) is retried at a doubling
 * interval from there, check interval x 2^(n - FREE_REFUSALS + 1), at most 15 min: each refused
 * try is a failed group in the store and an alert, which a try at every check would flood.
 */
async function refusedBeforeSending(
  h: OpenHost,
  wallets: readonly string[],
  groupId: string,
  reason: string,
): Promise<void> {
  const { ctx, config: c } = h;
  let inARow = 0;
  for (const w of wallets) {
    const n = Number((await ctx.state.get(`refusals:${w}`)) ?? 0) + 1;
    await ctx.state.put(`refusals:${w}`, String(n));
    inARow = Math.max(inARow, n);
  }
  if (inARow < FREE_REFUSALS) {
    log(
      h,
      "info",
      `group ${groupId} refused before any order was sent (${reason}): its wallets stay free for the next check`,
    );
    return;
  }
  const rest = Math.min(
    MAX_REFUSAL_REST_MS,
    c.check_interval_seconds * 1000 * 2 ** (inARow - FREE_REFUSALS + 1),
  );
  for (const w of wallets) await ctx.state.put(`cooldown:${w}`, String(ctx.clock.now() + rest));
  log(
    h,
    "info",
    `group ${groupId} refused before any order was sent (${reason}), ${inARow} times in a row: its wallets are tried again in ${(rest / 1000).toFixed(0)} s`,
  );
}

/**
 * After a failed open that sent orders, every wallet of the group rests before it is regrouped:
 * each such failure costs the unwind's fees, so retrying at every check would bleed money. The
 * rest doubles with each failure in a row (cooldown range x 2^(n-1), at most 4 h) and resets on
 * a successful open.
 */
async function backOff(h: OpenHost, wallets: readonly string[], why: string): Promise<void> {
  const { ctx, config: c } = h;
  for (const w of wallets) {
    const failures = Number((await ctx.state.get(`failures:${w}`)) ?? 0) + 1;
    await ctx.state.put(`failures:${w}`, String(failures));
    const base =
      ctx.rng.uniform(Math.max(1, c.min_cooldown_minutes), Math.max(1, c.max_cooldown_minutes)) * 60_000;
    const rest = Math.min(4 * 3_600_000, base * 2 ** (failures - 1));
    await ctx.state.put(`cooldown:${w}`, String(ctx.clock.now() + rest));
    log(
      h,
      "info",
      `wallet ${w} rests ${(rest / 60_000).toFixed(1)} min after ${failures} failed open(s) in a row (last: ${why})`,
    );
  }
}

function log(h: OpenHost, level: "info" | "error", msg: string): void {
  h.ctx.logger.log(level, msg);
}
