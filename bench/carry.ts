/**
 * carry's entry scan: 3 venues x 200 listed bases (every base on every venue, so 600 venue pairs
 * of 200 bases), real L2 books 20 levels deep, funding rates that differ per venue. One scan is
 * STRATEGIES.md scan steps 1-5 as the strategy runs them: pair discovery over the listings, every
 * venue pair evaluated (differential, fees, VWAP slippage at the size, depth, spread, ages, the
 * break-even gate), the passing ones ranked and opened best first (the open intent is a stub that
 * answers "rejected", so the engine and signing are not in it). Blocks and confirmations are reset
 * between scans, untimed, so every timed scan does the same work.
 *
 * Then the 30-day backtest of issue 15 (backtest30d below).
 *
 * Run alone: `node bench/run.ts --only carry`.
 */
import { BENCH_CARRY_STEP_MS, backtest30dOptions, runCarryBacktest } from "../src/app/carry-backtest.ts";
import { SimClock } from "../src/core/clock.ts";
import { L2Book } from "../src/data/book.ts";
import { syntheticInstruments } from "../src/data/synthetic-instruments.ts";
import { emptyBlocks } from "../src/strategies/carry/blocks.ts";
import { carryDefaults } from "../src/strategies/carry/config.ts";
import { type ScanHost, scanOnce } from "../src/strategies/carry/scan.ts";
import type { OpenOutcome, StrategyContext } from "../src/strategies/contract.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

const VENUES = ["vA", "vB", "vC"];
const BASES = 200;
const SCANS = 300;
const WARMUP = 30;

const suite: BenchSuite = async () => {
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const bases = Array.from({ length: BASES }, (_, i) => `B${String(i).padStart(3, "0")}`);
  const insts = syntheticInstruments(VENUES, bases);
  const books = new Map<string, L2Book>();
  const rates = new Map<string, number>();
  for (const [k, inst] of insts.entries()) {
    const book = new L2Book(inst);
    const mid = 10 + (k % BASES);
    const tick = inst.tick.value;
    book.apply({
      type: "book",
      venue: inst.venue,
      symbol: inst.symbol,
      ts: clock.now(),
      snapshot: true,
      bids: Array.from({ length: 20 }, (_, j) => ({ price: mid - tick * (j + 1), size: 5_000 })),
      asks: Array.from({ length: 20 }, (_, j) => ({ price: mid + tick * (j + 1), size: 5_000 })),
    });
    books.set(`${inst.venue}:${inst.symbol}`, book);
    // every tenth base has a 0.1 %/h differential between vA and vC (an entry); the rest differ
    // by a few bps per 8 h, below the threshold: evaluated through every gate, then rejected
    const venueIndex = VENUES.indexOf(inst.venue);
    const baseIndex = k % BASES;
    rates.set(`${inst.venue}:${inst.symbol}`, baseIndex % 10 === 0 ? venueIndex * 5e-4 : venueIndex * 2e-6);
  }
  const byVenue = new Map(VENUES.map((v) => [v, insts.filter((i) => i.venue === v)]));
  let intents = 0;
  const rejected: OpenOutcome = {
    ok: false,
    groupId: "x",
    reason: "rejected",
    detail: "bench",
    status: "failed",
    sent: false,
  };
  const account = {
    equityUsd: 1_000_000,
    availableUsd: 1_000_000,
    initialMarginUsd: 0,
    maintenanceMarginUsd: 0,
    readAt: 0,
    stale: false,
  };
  const ctx = {
    instance: "carry",
    clock,
    logger: { log() {} },
    alerts: { raise() {} },
    state: { get: async () => undefined, put: async () => {} },
    market: {
      venues: () => VENUES,
      instruments: (v: string) => byVenue.get(v)!,
      instrument: (v: string, s: string) => byVenue.get(v)!.find((i) => i.symbol === s)!,
      book: (v: string, s: string) => books.get(`${v}:${s}`)!,
      mark: () => Number.NaN,
      fundingRatePerHour: (v: string, s: string) => rates.get(`${v}:${s}`) ?? 0,
      fundingRateTs: () => clock.now(),
    },
    portfolio: {
      account: (venue: string, a: string) => ({ ...account, venue, account: a }),
      positions: () => [],
      position: () => undefined,
    },
    intents: {
      openGroup: async () => {
        intents++;
        return rejected;
      },
    },
    venueCircuit: () => "closed",
    groups: async () => [],
  } as unknown as StrategyContext;
  const config = carryDefaults({
    wallets: ["w"],
    required_confirms: 1,
    max_carry_total_alloc_pct: 1,
    max_symbol_alloc_pct: 1,
    carry_alloc_pct: 0.01,
    pairs: { blocked_bases: [], blocked_patterns: [] },
  });
  const host: ScanHost & { blocks: ReturnType<typeof emptyBlocks> } = {
    ctx,
    config,
    venues: VENUES,
    account: "w",
    positions: new Map(),
    blocks: emptyBlocks(),
    confirms: new Map(),
    rejections: {},
    peakEquity: (e) => e,
    nextSeq: () => 0,
    adopt: async () => {},
    saveBlocks: async () => {},
    closeNow: async () => {},
    alert() {},
    log() {},
  };
  const times: number[] = [];
  let perScanIntents = -1;
  for (let i = 0; i < SCANS + WARMUP; i++) {
    host.blocks = emptyBlocks();
    host.confirms.clear();
    // a millisecond per scan: the books (written once) stay younger than max_bbo_age_ms
    clock.runUntilSync(clock.now() + 1);
    const before = intents;
    const t0 = process.hrtime.bigint();
    await scanOnce(host);
    const t1 = process.hrtime.bigint();
    const sent = intents - before;
    if (perScanIntents === -1) perScanIntents = sent;
    if (sent !== perScanIntents || sent === 0)
      throw new Error(`bench carry: scan ${i} sent ${sent} intents, expected ${perScanIntents} (> 0)`);
    if (i >= WARMUP) times.push(Number(t1 - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const fig = (key: string, value: number, extra: Partial<BenchFigure> = {}): BenchFigure => ({
    key,
    value: Math.round(value),
    unit: "us",
    ...extra,
  });
  process.stderr.write(`carry scan: 3 venues x ${BASES} bases, ${perScanIntents} entries a scan\n`);
  return [
    fig("carry_scan_us", percentile(times, 50)),
    fig("carry_scan_p99_us", percentile(times, 99)),
    ...(await backtest30d()),
  ];
};

/**
 * `backtest_carry_30d_s`: `perpbot backtest carry --venues 3 --bases 50 --days 30 --step-s 300
 * --book-refresh-s 5` with the default carry settings, timed as a whole (wall clock; the report
 * is checked by src/app/carry-backtest.test.ts and pinned by carry-backtest-pin.test.ts). The
 * synthetic market moves every 5 minutes: prices, basis and funding rates print then, funding
 * settles every hour (docs/decisions.md, 2026-12-02, says why 5 minutes); the venues re-send
 * every book every 5 s, so books are as fresh to the strategy's age limits (max_bbo_age_ms 5 s,
 * exit_max_bbo_age_ms 2 s) as they are at the default step, and carry's scans (every 15 s) and
 * checks (every 30 s) run at their default intervals throughout.
 *
 * Then `backtest_carry_3d_step60_s`: 3 days of the same run with the market moving every
 * minute, what a finer market costs (no target; per day, about 30 / 3 of it would be the 30 days).
 * `BENCH_CARRY_DAYS` shortens the 30 days for a quick look (the key then says so).
 */
async function backtest30d(): Promise<BenchFigure[]> {
  const days = Number(process.env.BENCH_CARRY_DAYS ?? 30);
  const key = days === 30 ? "backtest_carry_30d_s" : `backtest_carry_${days}d_s`;
  const main = await timedBacktest(days, BENCH_CARRY_STEP_MS, key, days === 30 ? "< 60" : undefined);
  const fine = await timedBacktest(3, 60_000, "backtest_carry_3d_step60_s", undefined);
  return [...main, ...fine];
}

async function timedBacktest(
  days: number,
  stepMs: number,
  key: string,
  target: string | undefined,
): Promise<BenchFigure[]> {
  const stats = { repeated: 0, full: 0 };
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const r = await runCarryBacktest(backtest30dOptions(days, stats, stepMs));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const step = `step ${stepMs / 1000} s`;
  process.stderr.write(
    `carry backtest: ${days} days, 3 venues x 50 bases, ${step}, ${r.trades} trades, scans ${stats.full} full + ${stats.repeated} repeated, ${cpuSeconds.toFixed(1)} s of CPU\n`,
  );
  return [
    {
      key,
      value: seconds,
      unit: `s (${days} days, 3 venues x 50 bases, ${step}, ${r.trades} trades)`,
      target,
      ok: target === undefined ? undefined : seconds < Number(target.replace("<", "")),
    },
    { key: `${key.slice(0, -2)}_cpu_s`, value: cpuSeconds, unit: "s of CPU (user + system)" },
  ];
}

export default suite;
