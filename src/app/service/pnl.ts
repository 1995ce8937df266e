import type { LoadedConfig } from "../../config/load.ts";
import { type Money, moneyText, toUsd } from "../../core/money.ts";
import type { Store } from "../../store/store.ts";
import { strategiesSection } from "../../strategies/instances.ts";
import { AgentJournal } from "../agent/journal.ts";
import { readLiveSnapshot } from "./live.ts";

/**
 * Where the money came from, from the store alone: realised price PnL and fees of every stored
 * fill, funding payments, unrealised PnL of the runner's live snapshot, and the LLM cost the
 * agent instances recorded. `dailyPnl` groups the realised parts by UTC day (`/daily`);
 * `pnlAttribution` sums them (the dashboard's attribution, `/pnl`). Money is exact decimal text.
 */

export interface DayPnl {
  /** YYYY-MM-DD, UTC */
  readonly day: string;
  readonly realisedUsd: string;
  readonly fundingUsd: string;
  readonly feesUsd: string;
  /** realised + funding - fees */
  readonly netUsd: string;
  readonly fills: number;
}

const DAY_MS = 86_400_000;
const dayOf = (ts: number) => new Date(Math.floor(ts / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/** The last `days` UTC days up to `now`'s, oldest first; days without activity show zeros. */
export async function dailyPnl(
  store: Pick<Store, "fills" | "funding">,
  o: { now: number; days: number },
): Promise<DayPnl[]> {
  const first = Math.floor(o.now / DAY_MS) * DAY_MS - (o.days - 1) * DAY_MS;
  const acc = new Map<string, { r: Money; f: Money; fee: Money; n: number }>();
  for (let t = first; t <= o.now; t += DAY_MS) acc.set(dayOf(t), { r: 0n, f: 0n, fee: 0n, n: 0 });
  for (const fill of await store.fills.ofGroupOrders()) {
    const d = acc.get(dayOf(fill.ts));
    if (d === undefined || fill.ts > o.now) continue;
    d.r += fill.realisedPnl;
    d.fee += fill.fee;
    d.n++;
  }
  for (const p of await store.funding.since(first)) {
    const d = acc.get(dayOf(p.ts));
    if (d !== undefined && p.ts <= o.now) d.f += p.amount;
  }
  return [...acc].map(([day, d]) => ({
    day,
    realisedUsd: moneyText(d.r),
    fundingUsd: moneyText(d.f),
    feesUsd: moneyText(d.fee),
    netUsd: moneyText(d.r + d.f - d.fee),
    fills: d.n,
  }));
}

export interface PnlAttribution {
  /** realised PnL of closed size (fills), exact */
  readonly realisedPriceUsd: string;
  /** unrealised PnL of open positions at the runner's last mark; 0 without a snapshot */
  readonly unrealisedPriceUsd: number;
  readonly fundingUsd: string;
  /** positive: paid */
  readonly feesUsd: string;
  /** the agent instances' cumulative LLM cost, positive: paid */
  readonly llmCostUsd: number;
  /** realised + unrealised + funding - fees - LLM cost */
  readonly netUsd: number;
  readonly liveTs: number | null;
}

/** Every stored fill and funding payment, the live snapshot and the agents' recorded LLM cost. */
export async function pnlAttribution(
  store: Store,
  o: { now: number; agents: readonly string[] },
): Promise<PnlAttribution> {
  let realised: Money = 0n;
  let fees: Money = 0n;
  for (const f of await store.fills.ofGroupOrders()) {
    realised += f.realisedPnl;
    fees += f.fee;
  }
  let funding: Money = 0n;
  for (const p of await store.funding.since(0)) funding += p.amount;
  const live = await readLiveSnapshot(store, o.now);
  const unrealised = round2((live?.positions ?? []).reduce((s, p) => s + p.unrealisedPnlUsd, 0));
  const llm = round2(await llmCostUsd(store, o.agents));
  return {
    realisedPriceUsd: moneyText(realised),
    unrealisedPriceUsd: unrealised,
    fundingUsd: moneyText(funding),
    feesUsd: moneyText(fees),
    llmCostUsd: llm,
    netUsd: round2(toUsd(realised + funding - fees) + unrealised - llm),
    liveTs: live?.ts ?? null,
  };
}

/** The configured agent instances' names (their records sit under `<name>.` in the kv table). */
export function agentInstanceNames(config: LoadedConfig): string[] {
  return Object.entries(strategiesSection.get(config.values))
    .filter(([, c]) => c.kind === "agent")
    .map(([n]) => n);
}

async function llmCostUsd(store: Store, agents: readonly string[]): Promise<number> {
  let sum = 0;
  for (const name of agents) {
    const j = new AgentJournal(store, name);
    for (const v of await j.versions()) {
      const eq = await j.equity(v.id);
      const last = eq[eq.length - 1];
      if (last !== undefined && Number.isFinite(last[2])) sum += last[2];
    }
  }
  return sum;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
