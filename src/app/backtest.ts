import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigValues } from "../config/registry.ts";
import { SimClock } from "../core/clock.ts";
import { toUsd } from "../core/money.ts";
import { NO_POINTS } from "../core/venue-points.ts";
import { type EngineSettings, engineSettings } from "../engine/config.ts";
import { openStore } from "../store/store.ts";
import { costPerMillionUsd, type FarmTotals, netPnlUsd } from "../strategies/farm/accounting.ts";
import type { FarmConfig } from "../strategies/farm/config.ts";
import { farmSection } from "../strategies/farm/config.ts";
import { legacyFarm } from "../strategies/instances.ts";
import { simSection } from "../venues/sim/config.ts";
import { startNode } from "./node.ts";
import { createPaperWorld, type PaperSimConfig } from "./paper.ts";
import { createRecordedWorld, loadRecordings } from "./recorded-world.ts";

export interface FarmBacktestOptions {
  readonly days: number;
  readonly seed: number;
  readonly sim: PaperSimConfig;
  readonly farm: FarmConfig;
  /** engine settings (default: the engine section's defaults) */
  readonly engine?: EngineSettings;
  /** synthetic market step (default 10 s: finer steps cost time without changing much for a 15 s check) */
  readonly stepMs?: number;
  /** called after each simulated hour */
  readonly onProgress?: (doneHours: number, totalHours: number) => void;
  /**
   * a recording of `perpbot record` (a .gz file or a folder of them): the market comes from it
   * instead of the synthetic walk, and the backtest lasts as long as the recording (`days` unused)
   */
  readonly recorded?: string;
}

/** The backtest's options from the loaded configuration (its `sim` and `farm` sections). */
export function farmBacktestOptionsFrom(
  config: ConfigValues,
  o: {
    days: number;
    seed: number;
    wallets?: number;
    onProgress?: FarmBacktestOptions["onProgress"];
    recorded?: string;
  },
): FarmBacktestOptions {
  const sim = simSection.get(config);
  return {
    days: o.days,
    seed: o.seed,
    sim: { ...sim, wallets: o.wallets ?? sim.wallets },
    farm: farmSection.get(config),
    onProgress: o.onProgress,
    recorded: o.recorded,
  };
}

export interface FarmBacktestGroup {
  readonly id: string;
  readonly label: string;
  readonly base: string;
  readonly legs: number;
  readonly status: string;
  readonly closeReason: string | null;
  readonly openedAt: string;
  readonly closedAt: string | null;
  readonly hoursOpen: number;
  readonly volumeUsd: number;
  readonly feesUsd: number;
  readonly fundingUsd: number;
  readonly realisedPnlUsd: number;
  readonly netPnlUsd: number;
  readonly maxAbsNetDeltaUsd: number;
}

/** Volume and what it cost, in USD (rounded to cents), of a venue or of one wallet on one venue. */
export interface FarmBacktestFigures {
  readonly volumeUsd: number;
  readonly feesUsd: number;
  readonly fundingUsd: number;
  readonly realisedPnlUsd: number;
  readonly netPnlUsd: number;
}

export interface FarmBacktestVenue extends FarmBacktestFigures {
  readonly venue: string;
  /** what farming there cost per $1M of its volume (0 without volume) */
  readonly costPerMillionUsd: number;
  /**
   * "n/a (venue publishes no points)": a simulated venue has no points endpoint, so a backtest
   * has volume and cost to show, never points
   */
  readonly points: string;
}

/** One wallet on one venue: the unit a venue's points are paid on. */
export interface FarmBacktestWallet extends FarmBacktestFigures {
  readonly wallet: string;
  readonly venue: string;
  readonly costPerMillionUsd: number;
}

export interface FarmBacktestReport {
  readonly days: number;
  readonly seed: number;
  readonly wallets: number;
  readonly start: string;
  readonly end: string;
  readonly groups: number;
  readonly closeReasons: Record<string, number>;
  readonly volumeUsd: number;
  readonly feesUsd: number;
  readonly fundingUsd: number;
  readonly realisedPnlUsd: number;
  readonly netPnlUsd: number;
  readonly costPerMillionUsd: number;
  /** the venues' points: none publish any in a simulation (NO_POINTS) */
  readonly points: string;
  readonly maxAbsNetDeltaUsd: number;
  readonly perGroup: readonly FarmBacktestGroup[];
  /** per venue, by venue id */
  readonly perVenue: readonly FarmBacktestVenue[];
  /** per wallet and venue, by wallet then venue */
  readonly perWallet: readonly FarmBacktestWallet[];
  readonly assumptions: readonly string[];
}

const START = Date.UTC(2026, 0, 1);

/**
 * The farm on the simulated clock: simulated venues, synthetic data, the real engine and store
 * (a temporary SQLite file), the same strategy code as paper and live. Groups still open at the
 * end are closed with reason "shutdown" so every figure is realised.
 */
export async function runFarmBacktest(o: FarmBacktestOptions): Promise<FarmBacktestReport> {
  if (!(o.days > 0)) throw new RangeError(`backtest: --days must be positive, got ${o.days}`);
  const recordings = o.recorded === undefined ? undefined : await loadRecordings(o.recorded);
  const start = recordings === undefined ? START : Math.min(...recordings.files.map((f) => f.firstMs));
  const clock = new SimClock(start);
  const dir = mkdtempSync(join(tmpdir(), "perpbot-backtest-"));
  const store = await openStore(`sqlite:${join(dir, "backtest.db")}`);
  const stepMs = o.stepMs ?? 10_000;
  const recorded = recordings && createRecordedWorld(recordings, o.sim, clock, o.seed);
  const world = recorded ?? createPaperWorld({ ...o.sim, seed: o.seed }, clock, { stepMs });
  // the synthetic books move once a step: a book is as fresh as the market gets, so the stale-data
  // check allows two steps of age (stated in the report's assumptions)
  const base = o.engine ?? engineSettings();
  const settings: EngineSettings = {
    ...base,
    limits: { ...base.limits, maxBookAgeMs: Math.max(base.limits.maxBookAgeMs, 2 * stepMs) },
  };
  try {
    // anything the runtime awaits on venue latency or a sleep needs simulated time to pass
    const runtime = await clock.drive(
      startNode({
        store,
        venues: world.venues,
        clock,
        wallets: world.wallets.map((w) => w.id),
        instances: [
          legacyFarm(o.farm, {
            wallets: world.wallets.map((w) => w.id),
            venues: [...world.venues.keys()],
            fallbackSeed: o.seed,
          }),
        ],
        engineSettings: settings,
      }),
    );
    let replayed = "";
    if (recorded) {
      const stats = await recorded.play();
      const lines = stats.reduce((n, s) => n + s.lines, 0);
      const events = stats.reduce((n, s) => n + s.events, 0);
      const malformed = stats.reduce((n, s) => n + s.malformed, 0);
      replayed = `recorded market data: ${recorded.files.length} files, ${lines} lines, ${events} events replayed, ${malformed} malformed`;
    } else {
      const totalHours = Math.round(o.days * 24);
      for (let h = 1; h <= totalHours; h++) {
        await clock.runUntil(START + h * 3_600_000);
        o.onProgress?.(h, totalHours);
      }
    }
    await clock.drive(runtime.farm.close("all", "shutdown"));
    const acc = await runtime.accounting();
    const groups = await runtime.engine.groups({ strategy: "farm" });
    const deltas = runtime.farm.maxAbsNetDelta();
    await clock.drive(runtime.stop());
    const usdOf = (t: FarmTotals): FarmBacktestFigures => ({
      volumeUsd: round2(t.volumeUsd),
      feesUsd: round2(toUsd(t.fees)),
      fundingUsd: round2(toUsd(t.funding)),
      realisedPnlUsd: round2(toUsd(t.realisedPnl)),
      netPnlUsd: round2(netPnlUsd(t)),
    });
    const perGroup = groups.map((g): FarmBacktestGroup => {
      const t = acc.byGroup.get(g.groupId);
      const meta = g.meta ?? {};
      return {
        id: g.groupId,
        label: String(meta.label ?? ""),
        base: String(meta.base ?? ""),
        legs: g.legs.length,
        status: g.status,
        closeReason: g.closeReason ?? g.failureReason ?? null,
        openedAt: new Date(g.createdAt).toISOString(),
        closedAt: g.closedAt === null ? null : new Date(g.closedAt).toISOString(),
        hoursOpen: round2(((g.closedAt ?? clock.now()) - g.createdAt) / 3_600_000),
        ...(t ? usdOf(t) : { volumeUsd: 0, feesUsd: 0, fundingUsd: 0, realisedPnlUsd: 0, netPnlUsd: 0 }),
        maxAbsNetDeltaUsd: round2(deltas.get(g.groupId) ?? 0),
      };
    });
    const closeReasons: Record<string, number> = {};
    for (const g of perGroup)
      closeReasons[g.closeReason ?? g.status] = (closeReasons[g.closeReason ?? g.status] ?? 0) + 1;
    return {
      days: recorded ? Math.round((clock.now() - start) / 8_640) / 10_000 : o.days,
      seed: o.seed,
      wallets: world.wallets.length,
      start: new Date(start).toISOString(),
      end: new Date(clock.now()).toISOString(),
      groups: perGroup.length,
      closeReasons,
      ...usdOf(acc.total),
      costPerMillionUsd: round2(costPerMillionUsd(acc.total)),
      points: NO_POINTS,
      maxAbsNetDeltaUsd: round2(Math.max(0, ...perGroup.map((g) => g.maxAbsNetDeltaUsd))),
      perGroup,
      perVenue: [...acc.byVenue]
        .sort(([a], [b]) => cmp(a, b))
        .map(([venue, t]) => ({
          venue,
          ...usdOf(t),
          costPerMillionUsd: round2(costPerMillionUsd(t)),
          points: NO_POINTS,
        })),
      perWallet: [...acc.byWalletVenue]
        .map(([key, t]) => {
          const cut = key.lastIndexOf("|");
          return {
            wallet: key.slice(0, cut),
            venue: key.slice(cut + 1),
            ...usdOf(t),
            costPerMillionUsd: round2(costPerMillionUsd(t)),
          };
        })
        .sort((a, b) => cmp(a.wallet, b.wallet) || cmp(a.venue, b.venue)),
      assumptions: [
        recorded
          ? `${replayed}; books, trades, marks and funding at their receive times`
          : "synthetic market data (seeded random walk with per-venue basis and mean-reverting funding)",
        "fills against the simulated book: no queue position, no market impact beyond consumed levels",
        `order latency ${o.sim.latency_ms} ms; injected faults ${o.sim.faults.enabled ? "on" : "off"}`,
        recorded
          ? `books move when the recording has a message; the stale-book check allows ${(2 * stepMs) / 1000} s`
          : `books move every ${stepMs / 1000} s of simulated time; the stale-book check allows ${(2 * stepMs) / 1000} s`,
        "groups still open at the end are closed (reason shutdown)",
        ...(recorded?.notes ?? []),
      ],
    };
  } finally {
    world.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The report as a person reads it. */
export function formatBacktestReport(r: FarmBacktestReport): string {
  const money = (x: number) =>
    `${x < 0 ? "-" : ""}$${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const lines = [
    `farm backtest: ${r.days} days, seed ${r.seed}, ${r.wallets} wallets, ${r.start} -> ${r.end}`,
    `groups ${r.groups}; close reasons: ${
      Object.entries(r.closeReasons)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    }`,
    `volume ${money(r.volumeUsd)}  fees ${money(r.feesUsd)}  funding ${money(r.fundingUsd)}  realised PnL ${money(r.realisedPnlUsd)}  net ${money(r.netPnlUsd)}`,
    `cost per $1M volume ${money(r.costPerMillionUsd)}  max |net delta| ${money(r.maxAbsNetDeltaUsd)}`,
    `points ${r.points}`,
    "",
    "group                          venue(s)     base legs reason            hours      volume      net  max|delta|",
  ];
  for (const g of r.perGroup) {
    lines.push(
      [
        g.id.padEnd(30),
        g.label.padEnd(12),
        g.base.padEnd(4),
        String(g.legs).padStart(4),
        (g.closeReason ?? g.status).padEnd(17),
        g.hoursOpen.toFixed(2).padStart(5),
        money(g.volumeUsd).padStart(11),
        money(g.netPnlUsd).padStart(8),
        money(g.maxAbsNetDeltaUsd).padStart(11),
      ].join(" "),
    );
  }
  // a venue's points are paid on each wallet's volume there; its cost is the fees, funding and PnL
  const figures = (f: FarmBacktestFigures) =>
    [f.volumeUsd, f.feesUsd, f.fundingUsd, f.realisedPnlUsd, f.netPnlUsd]
      .map((x) => money(x).padStart(13))
      .join(" ");
  const cost = (f: { volumeUsd: number; costPerMillionUsd: number }) =>
    (f.volumeUsd > 0 ? money(f.costPerMillionUsd) : "-").padStart(13);
  const header = ["volume", "fees", "funding", "realised", "net", "cost/$1M"]
    .map((h) => h.padStart(13))
    .join(" ");
  lines.push("", `${"venue".padEnd(25)} ${header} points`);
  for (const v of r.perVenue) lines.push(`${v.venue.padEnd(25)} ${figures(v)} ${cost(v)} ${v.points}`);
  lines.push("", `${"wallet".padEnd(16)} ${"venue".padEnd(8)} ${header}`);
  for (const w of r.perWallet)
    lines.push(`${w.wallet.padEnd(16)} ${w.venue.padEnd(8)} ${figures(w)} ${cost(w)}`);
  lines.push("", "assumptions:", ...r.assumptions.map((a) => `  - ${a}`));
  return lines.join("\n");
}
