import type { ChatModel, StrategyContext } from "../contract.ts";
import type { AgentConfig } from "./config.ts";
import { type CycleDecision, decideCycle, decisionLogLine, holdAll } from "./decide.ts";
import { triggerHit } from "./ledger.ts";
import { versionMetrics } from "./metrics.ts";
import { buildObservation, type MarketInput, type PositionInput } from "./observation.ts";
import { type AgentState, type CycleRecord, KEYS, type SentOrder } from "./state.ts";
import type { AgentMarket, ClosedTrade, HeldExit, PriceTrigger } from "./types.ts";
import type { Action } from "./validator.ts";
import type { AgentVersion } from "./version.ts";

/** What a cycle needs of the strategy running it (CycleHost). */
export interface CycleHost {
  readonly ctx: StrategyContext;
  readonly instance: string;
  readonly config: AgentConfig;
  readonly account: string;
  readonly store: AgentState | undefined;
  readonly version: AgentVersion | undefined;
  readonly model: ChatModel | undefined;
  readonly markets: ReadonlyMap<string, AgentMarket>;
  exits: Record<string, HeldExit>;
  serial(what: string, fn: () => Promise<void>): Promise<void>;
  bbo(m: AgentMarket): { bid: number | null; ask: number | null };
  positionQty(m: AgentMarket): number;
  protectTicks(m: AgentMarket, side: "buy" | "sell"): number | undefined;
  closeFor(m: AgentMarket, reason: string): Promise<boolean>;
  noteReason(clientOrderId: string, reason: string): Promise<void>;
  dropExit(coin: string): Promise<void>;
  putExits(coin: string): Promise<void>;
  recentTrades(): Promise<ClosedTrade[]>;
  saveCandles(): Promise<void>;
}

const dayOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);

/** The current version's figures so far (the leaderboard's), rounded, for the observation. */
async function performanceOf(store: AgentState, version: string): Promise<Record<string, number | null>> {
  const m = versionMetrics(await store.equity(version), await store.trades(version));
  const r = (x: number | null, d = 4) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);
  return {
    return_net: r(m.returnNet),
    sharpe: r(m.sharpe, 2),
    max_drawdown_pct: r(m.maxDrawdownPct),
    win_rate: r(m.winRate),
    profit_factor: r(m.profitFactor, 2),
    trades: m.trades,
    hours: r(m.hours, 1),
    llm_cost_usd: r(m.llmCostUsd),
  };
}

/**
 * One cycle of the agent (STRATEGIES.md 4.1-4.2), written to its record before each step:
 * `observed` (the observation is stored, the model is asked), `decided` (raw replies, decision,
 * justifications and exit plans stored: nothing sent yet), `done`. Resuming a `decided` cycle
 * re-sends its intents under the same intent ids, which the engine never places twice; resuming
 * an `observed` one asks the model about the stored observation (no decision existed yet).
 */
export async function runCycle(a: CycleHost, resume?: number): Promise<void> {
  const ctx = a.ctx;
  const store = a.store!;
  const version = a.version!;
  const c = a.config;
  const meta = await store.meta();
  let rec: CycleRecord | null = resume === undefined ? null : await store.cycle(resume);
  if (rec === null) {
    const now = ctx.clock.now();
    const acct = ctx.portfolio.account(c.venue, a.account);
    if (meta.day !== dayOf(now)) {
      meta.day = dayOf(now);
      meta.dayStartEquity = acct?.equityUsd ?? null;
      meta.llmCostDayUsd = 0;
    }
    const invalidated = await checkInvalidations(a);
    await a.saveCandles();
    const seq = meta.seq + 1;
    const observation = buildObservation({
      ts: now,
      cycle: seq,
      version: version.id,
      markets: [...a.markets.values()].map((m) => marketInput(a, m, now)),
      account:
        acct === undefined
          ? null
          : {
              equity: acct.equityUsd,
              available: acct.availableUsd,
              initialMargin: acct.initialMarginUsd,
              maintenanceMargin: acct.maintenanceMarginUsd,
            },
      positions: positions(a),
      exits: a.exits,
      trades: await a.recentTrades(),
      performance: await performanceOf(store, version.id),
      dayStartEquity: meta.dayStartEquity,
      llmCostTodayUsd: meta.llmCostDayUsd,
      lastError: [meta.lastError, ...invalidated].filter((x) => x !== null).join("; ") || null,
      limits: {
        max_leverage: c.max_leverage,
        max_risk_per_trade_pct: c.max_risk_per_trade_pct,
        max_gross_leverage: c.max_gross_leverage,
        min_notional_usd: c.min_notional_usd,
        daily_loss_halt_pct: c.daily_loss_halt_pct,
        require_stop_loss: c.require_stop_loss,
        max_slippage_bps: c.max_slippage_bps,
      },
      candles1m: c.candles_1m,
      candles6h: c.candles_6h,
    });
    rec = {
      seq,
      ts: now,
      version: version.id,
      phase: "observed",
      observation,
      decision: null,
      logLine: null,
      sent: [],
      resumes: 0,
      equityUsd: acct?.equityUsd ?? null,
    };
    meta.seq = seq;
    await store.put(KEYS.cycle(seq), rec);
    await store.put(KEYS.meta, meta);
  }
  if (rec.phase === "observed") {
    const capped = c.max_llm_cost_usd_per_day !== null && meta.llmCostDayUsd >= c.max_llm_cost_usd_per_day;
    const d: CycleDecision = capped
      ? {
          outcome: "model_error",
          error: `LLM cost cap ${c.max_llm_cost_usd_per_day} USD/day reached`,
          repairs: 0,
          decision: null,
          actions: holdAll(rec.observation, "cost cap: safe hold"),
          problems: [],
          replies: [],
          cost: { calls: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, usd: 0, unpriced: 0 },
        }
      : await decideCycle(rec.observation, a.model!, {
          systemPrompt: c.system_prompt,
          model: c.model,
          repairRetries: c.repair_retries,
          prices: c.llm_prices,
        });
    if (capped) alert(a, "warning", "agent_cost_cap", "LLM cost cap reached", d.error ?? "");
    rec.decision = d;
    rec.logLine = decisionLogLine(rec.seq, rec.ts, rec.version, d);
    rec.phase = "decided";
    meta.llmCostDayUsd += d.cost.usd;
    meta.llmCostByVersion[version.id] = (meta.llmCostByVersion[version.id] ?? 0) + d.cost.usd;
    meta.lastError = d.problems.length === 0 ? null : d.problems.join("; ").slice(0, 1000);
    meta.failures = [...meta.failures, d.outcome === "decided" ? 0 : 1].slice(-100);
    // stored before anything is sent: the justification, the exit plans, the whole decision
    await store.put(KEYS.cycle(rec.seq), rec);
    await store.put(KEYS.meta, meta);
    const share = meta.failures.reduce((s, x) => s + x, 0) / meta.failures.length;
    if (d.outcome !== "decided" && meta.failures.length >= 10 && share > c.parse_failure_alert_pct)
      alert(
        a,
        "warning",
        "agent_parse_failures",
        "agent replies failing",
        `${(share * 100).toFixed(0)} % of the last ${meta.failures.length} cycles held on a parse or model error (${d.error})`,
      );
  }
  if (rec.phase === "decided") {
    const d = rec.decision!;
    if (resume !== undefined) {
      rec.resumes += 1;
      await store.put(KEYS.cycle(rec.seq), rec);
    }
    const record = rec;
    if (!c.dry_run) await a.serial(`cycle ${rec.seq}`, () => execute(a, record, d.actions));
    else
      ctx.logger.log("info", `agent ${a.instance}: dry run, cycle ${rec.seq} sends nothing: ${rec.logLine}`);
    rec.phase = "done";
    const acct = ctx.portfolio.account(c.venue, a.account);
    rec.equityUsd = acct?.equityUsd ?? rec.equityUsd;
    await store.put(KEYS.cycle(rec.seq), rec);
    if (rec.equityUsd !== null) {
      const eq = await store.equity(version.id);
      eq.push([ctx.clock.now(), rec.equityUsd, (await store.meta()).llmCostByVersion[version.id] ?? 0]);
      await store.put(KEYS.equity(version.id), eq);
    }
  }
}

function alert(
  a: CycleHost,
  severity: "info" | "warning" | "critical",
  key: string,
  title: string,
  message: string,
): void {
  a.ctx.alerts.raise({
    severity,
    key: `${key}:${a.instance}`,
    title,
    message: `${a.instance}: ${message}`,
    context: { strategy: a.instance },
    ts: a.ctx.clock.now(),
  });
}

function marketInput(a: CycleHost, m: AgentMarket, now: number): MarketInput {
  const ctx = a.ctx;
  const venue = a.config.venue;
  const book = ctx.market.book(venue, m.inst.symbol);
  const { bid, ask } = a.bbo(m);
  const bt = book.bestBidTicks();
  const at = book.bestAskTicks();
  const mark = ctx.market.mark(venue, m.inst.symbol);
  const s = m.inst.spec;
  return {
    coin: m.coin,
    symbol: m.inst.symbol,
    bid,
    ask,
    bidSize: bt === undefined ? 0 : book.sizeAt("bid", bt),
    askSize: at === undefined ? 0 : book.sizeAt("ask", at),
    mark: Number.isFinite(mark) ? mark : null,
    fundingPerHour: ctx.market.fundingRatePerHour(venue, m.inst.symbol) || 0,
    fundingIntervalHours: s.fundingIntervalHours,
    lotSize: Number(s.lotSize),
    tickSize: Number(s.tickSize),
    minNotionalUsd: s.minNotionalUsd,
    maxLeverage: s.maxLeverage,
    candles1m: m.m1.candles(now),
    candles6h: m.h6.candles(now),
  };
}

function positions(a: CycleHost): PositionInput[] {
  const out: PositionInput[] = [];
  for (const m of a.markets.values()) {
    const p = a.ctx.portfolio.position(a.config.venue, a.account, m.inst.symbol);
    if (p === undefined || p.sizeLots === 0) continue;
    out.push({
      coin: m.coin,
      symbol: m.inst.symbol,
      qty: m.inst.sizeValue(p.sizeLots),
      entry: p.entryPrice,
      mark: p.markPrice,
      unrealisedPnlUsd: p.unrealisedPnlUsd,
      liquidationPrice: p.liquidationPrice,
      openedAt: a.exits[m.coin]?.openedAt ?? null,
    });
  }
  return out;
}

/** Every cycle: a flat market's exit is dropped; a code-checkable invalidation that holds closes. */
async function checkInvalidations(a: CycleHost): Promise<string[]> {
  const notes: string[] = [];
  for (const m of a.markets.values()) {
    const x = a.exits[m.coin];
    if (x === undefined) continue;
    if (a.positionQty(m) === 0) {
      await a.serial(`drop ${m.coin}`, () => a.dropExit(m.coin));
      continue;
    }
    const { bid, ask } = a.bbo(m);
    const mid = bid !== null && ask !== null ? (bid + ask) / 2 : null;
    if (triggerHit(x.trigger, mid)) {
      notes.push(`${m.coin}: invalidation "${x.invalidation}" met at ${mid}: closed`);
      await a.serial(`invalidation ${m.coin}`, async () => void (await a.closeFor(m, "invalidation")));
    }
  }
  return notes;
}

/**
 * The cycle's validated actions as intents, in coin order. Execution is toward the action's
 * target from the position as it is now, so a resumed cycle sends only what is still missing
 * (ids from version, cycle, coin, step and the resume count: a re-sent intent is never a second
 * order, and a lost one is replaced only by what the position still lacks).
 */
async function execute(a: CycleHost, rec: CycleRecord, actions: readonly Action[]): Promise<void> {
  const ctx = a.ctx;
  const store = a.store!;
  for (const act of actions) {
    const m = a.markets.get(act.coin);
    if (m === undefined) continue;
    const lotsNow = () => ctx.portfolio.position(a.config.venue, a.account, m.inst.symbol)?.sizeLots ?? 0;
    const send = async (
      step: string,
      side: "buy" | "sell",
      lots: number,
      reduceOnly: boolean,
      reason: string,
    ) => {
      const ticks = a.protectTicks(m, side);
      if (lots < 1 || ticks === undefined) return;
      const intentId = `${rec.version}:${rec.seq}:${act.coin}:${step}:${rec.resumes}`;
      const out = await ctx.intents.placeOrder({
        intentId,
        venue: a.config.venue,
        account: a.account,
        symbol: m.inst.symbol,
        side,
        sizeLots: lots,
        priceTicks: ticks,
        type: "limit",
        tif: "ioc",
        reduceOnly,
      });
      await a.noteReason(out.clientOrderId, reason);
      const sent: SentOrder = {
        coin: act.coin,
        step,
        clientOrderId: out.clientOrderId,
        ok: out.ok,
        detail: out.ok ? out.status : `${out.reason}: ${out.detail}`,
      };
      rec.sent = [...rec.sent.filter((x) => x.clientOrderId !== sent.clientOrderId), sent];
      await store.put(KEYS.cycle(rec.seq), rec);
    };
    const arm = async (
      exit: {
        stopLoss: number;
        takeProfit: number | null;
        invalidation: string;
        trigger: PriceTrigger | null;
      },
      side: "long" | "short",
      reason: string,
    ) => {
      const held = a.exits[act.coin];
      const same = held?.side === side;
      a.exits[act.coin] = {
        coin: act.coin,
        symbol: m.inst.symbol,
        side,
        stopLoss: exit.stopLoss,
        takeProfit: exit.takeProfit,
        invalidation: exit.invalidation,
        trigger: exit.trigger,
        cycle: rec.seq,
        version: rec.version,
        openedAt: same ? held.openedAt : rec.ts,
        entryReason: same ? held.entryReason : reason,
        attempts: same ? held.attempts : 0,
      };
      await a.putExits(act.coin);
    };
    if (act.kind === "hold") {
      const held = a.exits[act.coin];
      if (act.exit !== null && held !== undefined) await arm(act.exit, held.side, held.entryReason);
      continue;
    }
    const cur = lotsNow();
    if (act.kind === "close") {
      if (cur !== 0) await send("close", cur > 0 ? "sell" : "buy", Math.abs(cur), true, "model_close");
      continue;
    }
    const reason = `entry: ${act.justification}`.slice(0, 200);
    const side = act.target > 0 ? "long" : "short";
    const target = Math.sign(act.target) * m.inst.roundSize(Math.abs(act.target), "down");
    // a flip closes the old side under its own exit first; the new side's exit is armed before
    // its open is sent: no position exists without an exit on its own side
    if (cur !== 0 && Math.sign(cur) !== Math.sign(target)) {
      await send("flip-close", cur > 0 ? "sell" : "buy", Math.abs(cur), true, "flip");
    }
    await arm(act.exit, side, reason);
    const after = lotsNow();
    const base = Math.sign(after) === Math.sign(target) ? after : 0;
    const need = target - base;
    if (need === 0) continue;
    const growing = Math.abs(target) > Math.abs(base);
    await send(
      growing ? "open" : "reduce",
      need > 0 ? "buy" : "sell",
      Math.abs(need),
      !growing,
      growing ? reason : "reduce",
    );
  }
}
