import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimClock } from "../../core/clock.ts";
import { Instrument } from "../../core/instrument.ts";
import { usd } from "../../core/money.ts";
import type { Venue } from "../../core/venue.ts";
import { SyntheticMarket } from "../../data/synthetic.ts";
import { engineSettings } from "../../engine/config.ts";
import { openStore } from "../../store/store.ts";
import type { AgentStrategy } from "../../strategies/agent/agent.ts";
import type { AgentConfig } from "../../strategies/agent/config.ts";
import type { ChatModel, ChatRequest, ChatResult, StrategyServices } from "../../strategies/contract.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import { OpenAiChatClient } from "../llm/openai-client.ts";
import { ReplyServer, type ServedReply } from "../llm/reply-server.ts";
import { startNode } from "../node.ts";
import { type AgentBacktestReport, agentBacktestReport } from "./backtest-report.ts";
import { loadRecordedUsdm, readRepliesFile, USDM_SPECS } from "./backtest-sources.ts";
import { type ScriptedPolicyOptions, scriptedPolicy } from "./scripted-policy.ts";

/**
 * `perpbot backtest agent`: the agent (the same strategy code as paper and live) on the simulated
 * clock, on a seeded synthetic market (simA's catalogue; deterministic per seed) or on the
 * recorded Binance USD-M books of ../shared/data (BTC, ETH), with its model at an endpoint over
 * HTTP: the configured OpenAI-compatible one (live, or a local server), a replies file served on
 * loopback in order, or the scripted policy served on loopback. Simulated time stands still while
 * a model call is in flight, so the model's latency is zero in the backtest and its answers land
 * on the prices it was shown. Positions still open at the end are closed (reason shutdown).
 */
export type AgentBacktestData =
  | { readonly kind: "synthetic"; readonly days: number; readonly seed: number; readonly stepMs?: number }
  | { readonly kind: "recorded"; readonly dir: string; readonly days?: number };

export type AgentBacktestReplies =
  /** the agent's own base_url (or this one): a live endpoint or a local server */
  | { readonly kind: "endpoint"; readonly baseUrl?: string }
  /** one reply per line, served in order; when they run out, holds */
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "scripted"; readonly options?: ScriptedPolicyOptions };

export interface AgentBacktestOptions {
  readonly agent: AgentConfig;
  readonly data: AgentBacktestData;
  readonly replies: AgentBacktestReplies;
  /** USD deposited in the agent's simulated account (default 10,000) */
  readonly equityUsd?: number;
  /** the endpoint's key (default: the agent's api_key_env variable); never logged */
  readonly apiKey?: string;
  readonly onProgress?: (doneMs: number, totalMs: number) => void;
  /** engine and strategy log lines (default: dropped) */
  readonly log?: (line: string) => void;
}

export type { AgentBacktestReport } from "./backtest-report.ts";

const SYNTH_START = Date.UTC(2026, 0, 1);
const WALLET = "agent-01";
export const AGENT_INSTANCE = "agent";

/** A chat model that counts its calls in flight: the driver holds simulated time while any is. */
class GatedModel implements ChatModel {
  pending = 0;
  private readonly inner: ChatModel;
  constructor(inner: ChatModel) {
    this.inner = inner;
  }
  async complete(req: ChatRequest): Promise<ChatResult> {
    this.pending++;
    try {
      return await this.inner.complete(req);
    } finally {
      this.pending--;
    }
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

async function serve(r: AgentBacktestReplies): Promise<{ server: ReplyServer | null; note: string }> {
  if (r.kind === "endpoint") return { server: null, note: "" };
  if (r.kind === "scripted")
    return { server: await ReplyServer.start(scriptedPolicy(r.options)), note: "scripted policy" };
  const replies = readRepliesFile(r.path);
  let i = 0;
  const hold: ServedReply = { content: '{"positions": {}}' };
  const server = await ReplyServer.start(() => (i < replies.length ? replies[i++] : hold));
  return { server, note: `${replies.length} replies from ${r.path}, then holds` };
}

export async function runAgentBacktest(o: AgentBacktestOptions): Promise<AgentBacktestReport> {
  const d = o.data;
  if (d.kind === "synthetic" && !(d.days > 0 && d.days <= 366))
    throw new RangeError(`backtest agent: --days must be in (0, 366], got ${d.days}`);
  const recorded = d.kind === "recorded" ? await loadRecordedUsdm(d.dir) : null;
  const venueId = recorded !== null ? "usdm" : o.agent.venue === "simB" ? "simB" : "simA";
  const start = recorded === null ? SYNTH_START : recorded[0].ts;
  const recordedEnd = recorded === null ? 0 : recorded[recorded.length - 1].ts;
  const end =
    d.kind === "synthetic"
      ? start + d.days * 86_400_000
      : d.days === undefined
        ? recordedEnd
        : Math.min(recordedEnd, start + d.days * 86_400_000);
  const clock = new SimClock(start);
  const dir = mkdtempSync(join(tmpdir(), "perpbot-agent-bt-"));
  const instruments =
    recorded === null
      ? catalogInstruments(venueId as "simA" | "simB")
      : USDM_SPECS.map((s) => new Instrument(s));
  const listed = new Set(instruments.map((i) => i.spec.base));
  // a recording has what it has: the agent trades the configured markets it holds
  const markets = o.agent.markets.filter((m) => listed.has(m));
  const missing = o.agent.markets.filter((m) => !listed.has(m));
  if (markets.length === 0 || (recorded === null && missing.length > 0))
    throw new Error(
      `backtest agent: ${venueId} lists no market for ${missing.join(", ")} (it lists ${[...listed].join(", ")})`,
    );
  const venue = new SimVenue({ id: venueId, instruments, clock, seed: `agent:${venueId}`, latencyMs: 0 });
  const stepMs = d.kind === "synthetic" ? (d.stepMs ?? 5_000) : 1_000;
  let stopMarket = () => {};
  let next = 0;
  const feedRecorded = (until: number) => {
    if (recorded === null) return;
    for (; next < recorded.length && recorded[next].ts <= until; next++) venue.feed(recorded[next]);
  };
  if (recorded === null) {
    const market = new SyntheticMarket({
      seed: (d as { seed: number }).seed,
      instruments: [...venue.instruments()],
      startMs: start,
      stepMs,
    });
    for (const e of market.step()) venue.feed(e);
    stopMarket = market.attach(clock, (e) => venue.feed(e));
  } else feedRecorded(start + 1_000);
  const equity0 = o.equityUsd ?? 10_000;
  venue.deposit(WALLET, usd(equity0));
  const { server, note } = await serve(o.replies);
  const baseUrl = server?.baseUrl ?? (o.replies.kind === "endpoint" ? o.replies.baseUrl : undefined);
  const agent: AgentConfig = {
    ...o.agent,
    venue: venueId,
    markets,
    ...(baseUrl === undefined ? {} : { base_url: baseUrl }),
  };
  const gates: GatedModel[] = [];
  const services: StrategyServices = {
    chatModel: (s) => {
      const g = new GatedModel(new OpenAiChatClient(o.apiKey === undefined ? s : { ...s, apiKey: o.apiKey }));
      gates.push(g);
      return g;
    },
  };
  /** real time passes (the model's HTTP) while simulated time waits for it */
  const quiet = async () => {
    for (let idle = 0; idle < 3; ) {
      await tick();
      if (gates.some((g) => g.pending > 0)) {
        idle = 0;
        await new Promise((r) => setTimeout(r, 1));
      } else idle++;
    }
  };
  const store = await openStore(`sqlite:${join(dir, "backtest.db")}`);
  const base = engineSettings();
  /** engine and agent alerts (the kill switch, parse failures) by key, with the first one's time */
  const alerts: Record<string, { count: number; first: string; message: string }> = {};
  try {
    const node = await clock.drive(
      startNode({
        store,
        venues: new Map<string, Venue>([[venueId, venue]]),
        clock,
        wallets: [WALLET],
        instances: [
          {
            spec: {
              name: AGENT_INSTANCE,
              kind: "agent",
              wallets: [WALLET],
              venues: [venueId],
              seed: d.kind === "synthetic" ? d.seed : 1,
            },
            config: agent,
            maxExposureUsd: undefined,
          },
        ],
        services,
        attachAlerts: (bus) =>
          bus.subscribe((a) => {
            const k = a.key.replace(/:.*$/, "");
            const seen = alerts[k];
            alerts[k] = seen
              ? { ...seen, count: seen.count + 1 }
              : { count: 1, first: new Date(a.ts).toISOString(), message: a.message.slice(0, 200) };
          }),
        log: (source, level, msg) => o.log?.(`${level} ${source}: ${msg}`),
        engineSettings: {
          ...base,
          orphanFlatten: false,
          limits: { ...base.limits, maxBookAgeMs: Math.max(base.limits.maxBookAgeMs, 4 * stepMs) },
        },
      }),
    );
    const strategy = node.instances.get(AGENT_INSTANCE)!.strategy as AgentStrategy;
    let lastProgress = 0;
    while (clock.now() < end) {
      const to = Math.min(end, clock.now() + stepMs);
      feedRecorded(to);
      await clock.runUntil(to);
      await quiet();
      if (o.onProgress !== undefined && clock.now() - lastProgress >= 3_600_000) {
        lastProgress = clock.now();
        o.onProgress(clock.now() - start, end - start);
      }
    }
    await clock.drive(strategy.close("all", "shutdown"));
    await quiet();
    await clock.advance(2 * stepMs);
    const account = await clock.drive(venue.accountState(WALLET));
    await clock.drive(node.stop());
    return await agentBacktestReport(store, {
      instance: AGENT_INSTANCE,
      venue: venueId,
      account: WALLET,
      start,
      end,
      equity0,
      equityEnd: account.equityUsd,
      data:
        d.kind === "synthetic"
          ? `synthetic market on ${venueId}, seed ${d.seed}, ${stepMs / 1000} s steps`
          : `recorded Binance USD-M books (${d.dir})`,
      model:
        o.replies.kind === "endpoint"
          ? `${agent.model} at ${agent.base_url}`
          : `${agent.model} served on loopback: ${note}`,
      markets: agent.markets,
      alerts,
    });
  } finally {
    stopMarket();
    venue.close();
    await store.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
