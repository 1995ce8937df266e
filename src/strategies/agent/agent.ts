import { toUsd } from "../../core/money.ts";
import type { Fill } from "../../core/types.ts";
import type {
  ChatModel,
  CloseReason,
  CloseTarget,
  InstanceSpec,
  Strategy,
  StrategyContext,
  StrategyServices,
  StrategyView,
  Unsubscribe,
} from "../contract.ts";
import { CandleSeries } from "./candles.ts";
import type { AgentConfig } from "./config.ts";
import { type CycleHost, runCycle } from "./cycle.ts";
import { applyFill, exitTouched, type OpenLot } from "./ledger.ts";
import { AgentState, KEYS } from "./state.ts";
import type { AgentMarket, ClosedTrade, HeldExit } from "./types.ts";
import { type AgentVersion, makeVersion, registerVersion } from "./version.ts";

const MIN = 60_000;
const SIX_H = 6 * 3_600_000;

/**
 * The LLM trading agent (seed 004, STRATEGIES.md section 4) on the strategy contract. Every
 * `cycle_interval_s` (a persistent timer, never two cycles at once) it builds an observation from
 * the views, asks the model handed to it through StrategyServices, validates the reply and sends
 * IOC orders. Exits are its own, not the model's: each position's stop-loss and take-profit are
 * held in the state slot before the open is sent and checked on every book event, closing with a
 * reduce-only IOC; the invalidation condition is checked every cycle. A cycle's record is written
 * before each step, so a restart resumes it instead of deciding twice or losing the decision.
 */
export class AgentStrategy implements Strategy, CycleHost {
  readonly kind = "agent";
  readonly instance: string;
  readonly config: AgentConfig;
  readonly account: string;
  private readonly spec: InstanceSpec;
  private readonly services: StrategyServices;
  private c: StrategyContext | undefined;
  model: ChatModel | undefined;
  store: AgentState | undefined;
  version: AgentVersion | undefined;
  readonly markets = new Map<string, AgentMarket>();
  private readonly bySymbol = new Map<string, AgentMarket>();
  exits: Record<string, HeldExit> = {};
  private ledger: Record<string, OpenLot> = {};
  /** client order id → why it was sent (entry or exit reason), for the completed trades */
  reasons: Record<string, string> = {};
  private readonly closing = new Set<string>();
  private readonly unsubs: Unsubscribe[] = [];
  private chain: Promise<void> = Promise.resolve();
  private cycling = false;
  running = false;
  lastCandleSave = 0;

  constructor(spec: InstanceSpec, config: AgentConfig, services: StrategyServices) {
    this.spec = spec;
    this.instance = spec.name;
    this.config = config;
    this.services = services;
    this.account = spec.wallets[0] ?? "";
  }

  get ctx(): StrategyContext {
    if (this.c === undefined) throw new Error(`agent ${this.instance}: not started`);
    return this.c;
  }

  /** Run `fn` after every order step queued before it (exits and cycle executions never interleave). */
  serial(what: string, fn: () => Promise<void>): Promise<void> {
    this.chain = this.chain
      .then(fn)
      .catch((e) =>
        this.ctx.logger.log("error", `agent ${this.instance}: ${what} failed: ${(e as Error).message}`),
      );
    return this.chain;
  }

  async start(ctx: StrategyContext): Promise<void> {
    this.c = ctx;
    const c = this.config;
    const where = `strategies.${this.instance}`;
    if (!this.spec.venues.includes(c.venue))
      throw new Error(
        `${where}.venue: "${c.venue}" is not one of the instance's venues (${this.spec.venues.join(", ")})`,
      );
    if (this.account === "") throw new Error(`${where}.wallets: the agent needs a wallet`);
    if (this.services.chatModel === undefined)
      throw new Error(`${where}: no chat model service in this process`);
    this.model = this.services.chatModel({
      baseUrl: c.base_url,
      model: c.model,
      temperature: c.temperature,
      topP: c.top_p,
      maxTokens: c.max_tokens,
      timeoutMs: c.request_timeout_s * 1000,
      maxRetries: c.max_retries,
      retryBackoffMs: c.retry_backoff_s * 1000,
      responseFormat: c.response_format,
      apiKeyEnv: c.api_key_env,
      apiKeyKeystore: c.api_key_keystore,
    });
    const store = new AgentState(ctx.state);
    this.store = store;
    const version = makeVersion(c, ctx.clock.now());
    await store.put(KEYS.versions, registerVersion(await store.versions(), version, where));
    this.version = version;
    const candles = await store.get<Record<string, { m1: never; h6: never }>>(KEYS.candles, {});
    for (const coin of c.markets) {
      const inst = ctx.market.instruments(c.venue).find((i) => i.spec.base === coin);
      if (inst === undefined) throw new Error(`${where}.markets: ${c.venue} lists no market for "${coin}"`);
      const m = {
        coin,
        inst,
        m1: new CandleSeries(MIN, Math.max(c.candles_1m, 60), candles[coin]?.m1),
        h6: new CandleSeries(SIX_H, Math.max(c.candles_6h, 60), candles[coin]?.h6),
      };
      this.markets.set(coin, m);
      this.bySymbol.set(inst.symbol, m);
    }
    this.exits = await store.exits();
    this.ledger = await store.ledger();
    this.reasons = await store.get<Record<string, string>>(KEYS.reasons, {});
    this.unsubs.push(
      ctx.events.onBook((e) => {
        if (e.venue === c.venue) this.onPrice(e.symbol, e.ts);
      }),
      ctx.events.onTrade((e) => {
        if (e.venue === c.venue) this.bySymbol.get(e.symbol)?.m1.add(e.ts, e.price, e.size);
      }),
      ctx.events.onFill((venue, fill) => {
        if (venue === c.venue && fill.account === this.account)
          void this.serial("fill", () => this.onFill(fill));
      }),
    );
    ctx.timers.on("cycle", () => this.cycle());
    this.running = true;
    // a cycle a restart interrupted is finished first: its decision is neither repeated nor lost
    const meta = await store.meta();
    const last = meta.seq > 0 ? await store.cycle(meta.seq) : null;
    if (last !== null && last.phase !== "done") await this.cycle(last.seq);
    await ctx.timers.schedule({
      id: "cycle",
      kind: "cycle",
      dueAt: ctx.clock.now() + c.cycle_interval_s * 1000,
      payload: null,
    });
    ctx.logger.log(
      "info",
      `agent ${this.instance} started: version ${version.tag} (${version.id}), ${this.markets.size} markets on ${c.venue}`,
    );
  }

  /** One cycle (or the resumption of cycle `resume`), then the next one scheduled. */
  private async cycle(resume?: number): Promise<void> {
    if (this.cycling || !this.running) return;
    this.cycling = true;
    try {
      await runCycle(this, resume);
    } catch (e) {
      this.ctx.logger.log("error", `agent ${this.instance}: cycle failed: ${(e as Error).message}`);
    } finally {
      this.cycling = false;
      if (this.running && resume === undefined)
        await this.ctx.timers.schedule({
          id: "cycle",
          kind: "cycle",
          dueAt: this.ctx.clock.now() + this.config.cycle_interval_s * 1000,
          payload: null,
        });
    }
  }

  bbo(m: AgentMarket): { bid: number | null; ask: number | null } {
    const b = this.ctx.market.bbo(this.config.venue, m.inst.symbol);
    return {
      bid: b.bidTicks === undefined ? null : m.inst.priceValue(b.bidTicks),
      ask: b.askTicks === undefined ? null : m.inst.priceValue(b.askTicks),
    };
  }

  positionQty(m: AgentMarket): number {
    const p = this.ctx.portfolio.position(this.config.venue, this.account, m.inst.symbol);
    return p === undefined ? 0 : m.inst.sizeValue(p.sizeLots);
  }

  /** Every book event: candles, then the held stop and take-profit of that market. */
  private onPrice(symbol: string, ts: number): void {
    const m = this.bySymbol.get(symbol);
    if (m === undefined || !this.running) return;
    const { bid, ask } = this.bbo(m);
    if (bid !== null && ask !== null) {
      m.m1.add(ts, (bid + ask) / 2);
      m.h6.add(ts, (bid + ask) / 2);
    }
    const x = this.exits[m.coin];
    if (x === undefined || this.closing.has(m.coin)) return;
    const hit = exitTouched(x, bid, ask);
    if (hit === null) return;
    this.closing.add(m.coin);
    void this.serial(`exit ${m.coin}`, async () => {
      await this.closeFor(m, hit);
    }).finally(() => this.closing.delete(m.coin));
  }

  /** Reduce-only IOC of the whole position at the touch minus the slippage allowance. */
  async closeFor(m: AgentMarket, reason: string): Promise<boolean> {
    const ctx = this.ctx;
    const p = ctx.portfolio.position(this.config.venue, this.account, m.inst.symbol);
    if (p === undefined || p.sizeLots === 0) {
      await this.dropExit(m.coin);
      return true;
    }
    const x = this.exits[m.coin];
    const attempt = (x?.attempts ?? 0) + 1;
    if (x !== undefined) {
      this.exits[m.coin] = { ...x, attempts: attempt };
      await this.store!.put(KEYS.exits, this.exits);
    }
    const side = p.sizeLots > 0 ? "sell" : "buy";
    const ticks = this.protectTicks(m, side);
    if (ticks === undefined) return false;
    const intentId = `exit:${m.coin}:${x?.cycle ?? 0}:${attempt}:${reason}`;
    const out = await ctx.intents.placeOrder({
      intentId,
      venue: this.config.venue,
      account: this.account,
      symbol: m.inst.symbol,
      side,
      sizeLots: Math.abs(p.sizeLots),
      priceTicks: ticks,
      type: "limit",
      tif: "ioc",
      reduceOnly: true,
    });
    await this.noteReason(out.clientOrderId, reason);
    if (!out.ok)
      ctx.logger.log("warn", `agent ${this.instance}: ${reason} close of ${m.coin} refused: ${out.detail}`);
    return out.ok;
  }

  protectTicks(m: AgentMarket, side: "buy" | "sell"): number | undefined {
    const { bid, ask } = this.bbo(m);
    const touch = side === "buy" ? ask : bid;
    if (touch === null) return undefined;
    const slip = this.config.max_slippage_bps / 10_000;
    return m.inst.roundPrice(touch * (side === "buy" ? 1 + slip : 1 - slip), side, "away_from_touch");
  }

  async noteReason(clientOrderId: string, reason: string): Promise<void> {
    this.reasons[clientOrderId] = reason;
    const keys = Object.keys(this.reasons);
    for (const k of keys.slice(0, Math.max(0, keys.length - 500))) delete this.reasons[k];
    await this.store!.put(KEYS.reasons, this.reasons);
  }

  async dropExit(coin: string): Promise<void> {
    if (this.exits[coin] === undefined) return;
    delete this.exits[coin];
    await this.putExits(coin);
  }

  /** Store the held exits after `coin`'s changed, and append the change to the exit log. */
  async putExits(coin: string): Promise<void> {
    await this.store!.put(KEYS.exits, this.exits);
    const x = this.exits[coin];
    const m = this.markets.get(coin);
    await this.store!.logExit({
      ts: this.ctx.clock.now(),
      coin,
      symbol: x?.symbol ?? m?.inst.symbol ?? coin,
      side: x?.side ?? null,
      stopLoss: x?.stopLoss ?? null,
      takeProfit: x?.takeProfit ?? null,
    });
  }

  private async onFill(fill: Fill): Promise<void> {
    const m = this.bySymbol.get(fill.symbol);
    if (m === undefined || this.version === undefined) return;
    const reason = this.reasons[fill.clientOrderId] ?? "manual";
    const r = applyFill(this.ledger[m.coin], {
      coin: m.coin,
      side: fill.side,
      qty: m.inst.sizeValue(fill.sizeLots),
      price: m.inst.priceValue(fill.priceTicks),
      feeUsd: toUsd(fill.fee),
      ts: fill.ts,
      reason,
      version: this.version.id,
    });
    if (r.lot === undefined) delete this.ledger[m.coin];
    else this.ledger[m.coin] = r.lot;
    await this.store!.put(KEYS.ledger, this.ledger);
    // a flat market's exit is dropped by the next cycle, not here: in a flip the close's fill may
    // arrive after the new side's exit was armed
    if (r.closed !== null) await this.addTrade(r.closed);
  }

  private async addTrade(t: ClosedTrade): Promise<void> {
    const trades = await this.store!.trades(t.version);
    trades.push(t);
    await this.store!.put(KEYS.trades(t.version), trades);
  }

  async recentTrades(): Promise<ClosedTrade[]> {
    return (await this.store!.trades(this.version!.id)).slice(-10);
  }

  async saveCandles(): Promise<void> {
    const out: Record<string, unknown> = {};
    for (const m of this.markets.values()) out[m.coin] = { m1: m.m1.state(), h6: m.h6.state() };
    await this.store!.put(KEYS.candles, out);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const u of this.unsubs.splice(0)) u();
    await this.chain;
    if (this.store !== undefined) await this.saveCandles();
  }

  async close(_target: CloseTarget, reason: CloseReason): Promise<void> {
    for (const m of this.markets.values())
      await this.serial(`close ${m.coin}`, async () => void (await this.closeFor(m, reason)));
  }

  view(): StrategyView {
    return {
      instance: this.instance,
      kind: this.kind,
      running: this.running,
      groups: [],
      version: this.version === undefined ? null : { id: this.version.id, tag: this.version.tag },
      exits: { ...this.exits },
    };
  }
}
